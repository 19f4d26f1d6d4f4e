/**
 * The live dashboard (`wsdiag proxy --ui`, `wsdiag view`): a Reporter that keeps a bounded ring of recent
 * events and feeds every open page, and the HTTP server for the page, its assets and the feed.
 *
 *   const dashboard = await startDashboard({ mode: 'live', host: '127.0.0.1', port: 0 });
 *   const reporters = new MultiReporter([pretty, dashboard.hub]);
 *   await startProxy({ target, onEvent: (e) => reporters.write(e), addons: [dashboard.hub.proxyAddon()] });
 */
import { createRequire } from 'node:module';
import type { Redactor } from '../redact.js';
import { DEFAULT_UI_BUFFER, UiHub } from './hub.js';
import { startUiServer, type RunningUi } from './server.js';
import type { FeedSource } from './web/protocol.js';

export { UiHub, DEFAULT_UI_BUFFER, type FeedEvent, type UiHubOptions } from './hub.js';
export { startUiServer, type RunningUi, type UiServerOptions } from './server.js';
export { Ring } from './ring.js';
export { FeedClient, DEFAULT_FEED_CLIENT_OPTIONS, type FeedClientOptions } from './feed-client.js';
export { describeForUi, type MessageView, type MessageViewInput } from './message-view.js';
export { hostAllowed, needsToken, originAllowed } from './security.js';
export { dashboardLines, withUiUrl } from './listening.js';
export type { FeedMessage, FeedRecord, FeedSource, HandshakeInfo } from './web/protocol.js';

export interface DashboardOptions {
  mode: 'live' | 'view';
  host: string;
  port: number;
  /** Records kept for pages opened late (default 10000). */
  capacity?: number;
  token?: boolean | string;
  redact?: Redactor;
  sources?: FeedSource[];
  /** The library option that chose the address, named in a listen error (default `ui`). */
  option?: string;
}

export interface Dashboard extends RunningUi {
  hub: UiHub;
}

const require = createRequire(import.meta.url);
const { version } = require('../../../package.json') as { version: string };

/** Starts the hub and its server; rejects (OperationalError) when the address cannot be bound. */
export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const hub = new UiHub({
    mode: options.mode,
    capacity: options.capacity ?? DEFAULT_UI_BUFFER,
    version,
    ...(options.sources ? { sources: options.sources } : {}),
    ...(options.redact ? { redact: options.redact } : {}),
  });
  const server = await startUiServer({
    hub,
    host: options.host,
    port: options.port,
    ...(options.token !== undefined ? { token: options.token } : {}),
    ...(options.option !== undefined ? { option: options.option } : {}),
  });
  return { ...server, hub };
}
