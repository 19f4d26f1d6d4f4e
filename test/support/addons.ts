/**
 * One connection's addons wired to an analyzer exactly as the proxy wires them (src/proxy/upgrade.ts),
 * without sockets: the AddonHost asks each addon for its part, the settings are resolved once, the
 * observers sit on the decoders, events go through the `event` hooks, `opened` and `end` are called.
 */
import type { CloseEvent, Direction, WsdiagEvent } from '../../src/events/index.js';
import type { ProxyAddon } from '../../src/proxy/addon.js';
import { AddonHost } from '../../src/proxy/addon-host.js';
import { analyzerSettings, resolveSettings, type ConnectionSettings, type SettingValues } from '../../src/proxy/settings.js';
import type { ConnectionInfo } from '../../src/proxy/types.js';
import { REDACT_SECRETS } from '../../src/redact.js';
import { ConnectionAnalyzer } from '../../src/session/analyzer.js';

export interface WiredConnection {
  analyzer: ConnectionAnalyzer;
  settings: ConnectionSettings;
  /** Every event as the sinks got it. */
  events: WsdiagEvent[];
  /** Ends the connection: the analyzer's close event, then the parts' `end`. */
  end: () => CloseEvent | null;
}

/** No sockets: every address unknown. */
const NO_LEGS: ConnectionInfo['legs'] = {
  client: { client: { ip: '0.0.0.0', port: 0 }, server: { ip: '0.0.0.0', port: 0 } },
  upstream: { client: { ip: '0.0.0.0', port: 0 }, server: { ip: '0.0.0.0', port: 0 } },
};

export function wireConnection(
  addons: readonly ProxyAddon[],
  info: Partial<ConnectionInfo> & { conn: string },
  proxy: Partial<SettingValues> = {},
): WiredConnection {
  const events: WsdiagEvent[] = [];
  const clock = () => new Date(0);
  const host = new AddonHost(addons, { emit: (event) => events.push(event), clock, redact: REDACT_SECRETS });
  const full: ConnectionInfo = { path: '/', subprotocol: null, extensions: null, legs: NO_LEGS, ...info };
  const parts = host.open(full, {
    method: 'GET',
    path: full.path,
    upstream: { path: full.path, host: '127.0.0.1' },
    request: {},
    status: 101,
    response: {},
  });
  const settings = resolveSettings(proxy, parts.layers);
  const analyzer = new ConnectionAnalyzer({
    conn: full.conn,
    subprotocol: full.subprotocol,
    extensions: full.extensions,
    clock,
    ...analyzerSettings(settings),
    ...(parts.observers ? { observers: parts.observers } : {}),
    onEvent: parts.emit,
  });
  const frames = (dir: Direction): number => analyzer.decoder(dir).frameCount;
  const bytes = (dir: Direction): number => analyzer.decoder(dir).bytesSeen;
  parts.opened({
    conn: full.conn,
    settings,
    setTypePolicy: (dir, policy) => analyzer.setTypePolicy(dir, policy),
    emit: parts.emit,
    // No sockets here: nothing ever waits in a write buffer.
    stats: () => ({
      frames: { 'client->server': frames('client->server'), 'server->client': frames('server->client') },
      bytes: { 'client->server': bytes('client->server'), 'server->client': bytes('server->client') },
      queued: { 'client->server': 0, 'server->client': 0 },
    }),
    afterWrites: (_dir, done) => done(true),
  });
  return {
    analyzer,
    settings,
    events,
    end: () => {
      const close = analyzer.finish();
      if (close) parts.ended?.(close);
      return close;
    },
  };
}
