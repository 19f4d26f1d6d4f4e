/**
 * The admin endpoint of a long-running proxy (`--admin HOST:PORT`): Prometheus metrics fed by the run's
 * event stream and an addon, and the health and readiness a supervisor or a load balancer asks for.
 *
 *   const admin = await startAdmin({ host: '127.0.0.1', port: 9464 });
 *   const reporters = new MultiReporter([pretty, admin.metrics]);
 *   await startProxy({ target, onEvent: (e) => reporters.write(withAdminUrl(e, admin.url)), addons: [admin.metrics.addon()] });
 *   admin.ready();  … admin.drain(); await proxy.close(); await admin.close();
 */
import type { ListeningEvent, WsdiagEvent } from '../events/index.js';
import { ProxyMetrics } from './metrics.js';
import { startAdminServer, type AdminServer } from './server.js';

export { ProxyMetrics, SAMPLE_EVERY, closeCodeLabel } from './metrics.js';
export { startAdminServer, type AdminServer, type AdminServerOptions, type Readiness } from './server.js';

export interface AdminOptions {
  host: string;
  port: number;
  /** The library option that chose the address, named in a listen error (default `admin`). */
  option?: string;
}

export interface Admin extends AdminServer {
  metrics: ProxyMetrics;
}

/** The metrics and the endpoint serving them; rejects (OperationalError) when the address cannot be bound. */
export async function startAdmin(options: AdminOptions): Promise<Admin> {
  const metrics = new ProxyMetrics();
  const server = await startAdminServer({ ...options, metrics });
  return Object.assign(server, { metrics });
}

/** The `listening` event of a proxy with an admin endpoint names its address (`admin`). */
export function withAdminUrl(event: WsdiagEvent, url: string): WsdiagEvent {
  if (event.type !== 'listening') return event;
  const withAdmin: ListeningEvent = { ...event, admin: url };
  return withAdmin;
}
