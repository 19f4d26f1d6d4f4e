/**
 * A chaos run on real sockets, with a `wsdiag proxy` on each side of it, so every direction has a proxy
 * downstream of the faults:
 *
 *   ws client ──► near (proxy) ──► chaos ──► far (proxy) ──► ws server
 *
 * `far` reads what the server receives (client->server after the toxics), `near` what the client
 * receives (server->client after the toxics); `chaosLog` is the chaos run's own events.
 */
import type { ClientOptions, ServerOptions, WebSocket } from 'ws';
import { startChaos, type RunningChaos } from '../../src/chaos/index.js';
import { receiverOf, type Direction, type Side } from '../../src/events/index.js';
import type { ProxyOptions } from '../../src/proxy/index.js';
import { EventLog } from '../support/event-log.js';
import { startTestProxy, type TestProxy } from '../support/proxy.js';
import { withTimeout } from '../support/wait.js';
import { openWsClient, startWsServer, type WsServer } from '../support/ws-servers.js';

export interface WireOptions {
  toxics?: readonly unknown[];
  seed?: string;
  /** The ws server's options (perMessageDeflate...); it echoes unless `onServer` says otherwise. */
  server?: Omit<ServerOptions, 'port' | 'host' | 'server'>;
  onServer?: (ws: WebSocket) => void;
  client?: ClientOptions;
  /** Options of both downstream proxies (pongTimeoutMs...), and of each alone. */
  proxies?: Partial<Omit<ProxyOptions, 'target' | 'onEvent'>>;
  near?: Partial<Omit<ProxyOptions, 'target' | 'onEvent'>>;
  far?: Partial<Omit<ProxyOptions, 'target' | 'onEvent'>>;
  chaos?: Partial<Omit<ProxyOptions, 'target' | 'onEvent'>>;
}

export interface Wire {
  client: WebSocket;
  /** The server's end of the connection. */
  serverSide: WebSocket;
  server: WsServer;
  near: TestProxy;
  far: TestProxy;
  chaos: RunningChaos;
  chaosLog: EventLog;
  /** The proxy downstream of the faults in `dir`: the one next to that direction's receiver. */
  downstream(dir: Direction): TestProxy;
  /** The proxy next to `side`, which sees the Close frames `side` sends first. */
  beside(side: Side): TestProxy;
  close(): Promise<void>;
}

export async function startWire(options: WireOptions = {}): Promise<Wire> {
  let resolveServerSide!: (ws: WebSocket) => void;
  const serverSide = new Promise<WebSocket>((resolve) => (resolveServerSide = resolve));
  const server = await startWsServer(options.server ?? {}, (ws) => {
    resolveServerSide(ws);
    if (options.onServer) options.onServer(ws);
    else ws.on('message', (data, isBinary) => ws.send(data as Buffer, { binary: isBinary }));
  });
  const far = await startTestProxy(server.url, { ...options.proxies, ...options.far });
  const chaosLog = new EventLog();
  const chaos = await startChaos({
    target: far.proxy.url,
    listen: { host: '127.0.0.1', port: 0 },
    onEvent: chaosLog.push,
    toxics: options.toxics ?? [],
    seed: options.seed ?? 'wire',
    ...options.chaos,
  });
  const near = await startTestProxy(chaos.url, { ...options.proxies, ...options.near });
  const client = await openWsClient(near.proxy.url, undefined, options.client ?? {});
  const beside = (side: Side): TestProxy => (side === 'client' ? near : far);
  return {
    client,
    serverSide: await withTimeout(serverSide, 'the server side of the connection'),
    server,
    near,
    far,
    chaos,
    chaosLog,
    downstream: (dir) => beside(receiverOf(dir)),
    beside,
    close: async () => {
      client.terminate();
      await near.proxy.close();
      await chaos.close();
      await far.proxy.close();
      await server.close();
    },
  };
}

/** Waits until every hop has logged its close event: the connection is over everywhere. */
export async function allClosed(wire: Wire): Promise<void> {
  await wire.near.log.waitFor('close');
  await wire.chaosLog.waitFor('close');
  await wire.far.log.waitFor('close');
}

/** Every violation the two downstream proxies reported, as `rule dir`. */
export function downstreamRules(wire: Wire): string[] {
  return [...wire.near.log.of('violation'), ...wire.far.log.of('violation')].map((v) => `${v.rule} ${v.dir}`);
}
