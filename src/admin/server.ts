/**
 * The admin endpoint (`--admin HOST:PORT`): what a supervisor, a load balancer and Prometheus ask a
 * running wsdiag.
 *
 *   GET /metrics   the Prometheus text exposition (./metrics.ts)
 *   GET /healthz   200 while the process runs
 *   GET /readyz    200 while the proxy listens and accepts; 503 before it listens and from the first
 *                  moment of a drain (SIGINT/SIGTERM), so a balancer stops sending new clients first
 *
 * HEAD is answered like GET without a body; any other method is 405, any other path 404. The endpoint
 * keeps serving through the drain (a scrape during a drain works) and closes last.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { listenOn } from '../listen.js';
import { hostPort } from '../text.js';
import type { ProxyMetrics } from './metrics.js';

export interface AdminServerOptions {
  host: string;
  /** 0 = any free port. */
  port: number;
  metrics: ProxyMetrics;
  /** The library option that chose the address, named in a listen error (default `admin`). */
  option?: string;
}

/** Where the proxy is in its life, as /readyz reports it. */
export type Readiness = 'starting' | 'ready' | 'draining';

export interface AdminServer {
  /** The bound address and port. */
  address: string;
  port: number;
  /** http://HOST:PORT, for the `listening` event and the logs. */
  url: string;
  readonly readiness: Readiness;
  /** The proxy listens and accepts: /readyz answers 200. */
  ready(): void;
  /** The drain began: /readyz answers 503 from now on, for good. */
  drain(): void;
  close(): Promise<void>;
}

const PATHS = new Set(['/metrics', '/healthz', '/readyz']);

/** Starts the endpoint; rejects (OperationalError naming the option) when its address cannot be bound. */
export async function startAdminServer(options: AdminServerOptions): Promise<AdminServer> {
  let readiness: Readiness = 'starting';
  const server = createServer((req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    const path = new URL(req.url ?? '/', 'http://admin.invalid').pathname;
    if (!PATHS.has(path)) return plain(res, 404, `wsdiag admin: no ${path.slice(0, 100)} here (try /metrics, /healthz, /readyz)`);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return plain(res, 405, `wsdiag admin: ${path} answers GET and HEAD only`);
    }
    if (path === '/healthz') return plain(res, 200, 'ok');
    if (path === '/readyz') return readiness === 'ready' ? plain(res, 200, 'ready') : plain(res, 503, readiness);
    options.metrics.metrics().then(
      (text) => send(res, 200, options.metrics.contentType, text),
      (err: unknown) => plain(res, 500, `wsdiag admin: metrics failed: ${err instanceof Error ? err.message : String(err)}`),
    );
  });
  // A scraper that goes away mid-answer is its own business.
  server.on('clientError', (_err, socket) => socket.destroy());

  await listenOn(server, options.host, options.port, { option: options.option ?? 'admin' });
  server.on('error', () => undefined);
  const bound = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    address: bound.address,
    port: bound.port,
    url: `http://${hostPort(bound.address, bound.port)}`,
    get readiness() {
      return readiness;
    },
    ready: () => {
      if (readiness === 'starting') readiness = 'ready';
    },
    drain: () => {
      readiness = 'draining';
    },
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  const bytes = Buffer.from(body);
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': bytes.length });
  res.end(res.req.method === 'HEAD' ? undefined : bytes);
}

function plain(res: ServerResponse, status: number, text: string): void {
  send(res, status, 'text/plain; charset=utf-8', `${text}\n`);
}
