/**
 * Plain HTTP on the same port as the WebSockets (pages, REST calls, Socket.IO polling), through
 * http-proxy's `web` path. Each exchange becomes an `http` event when its answer is done (./exchange.ts).
 * An upstream failure becomes a 502 with one readable sentence, and an `error` event; http-proxy's own
 * ws pass is never used (see ./upgrade.ts).
 */
import { Agent as HttpAgent, type IncomingMessage, type ServerResponse } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Socket } from 'node:net';
import httpProxy from 'http-proxy';
import { SCHEMA_VERSION, type Clock, type WsdiagEvent } from '../events/index.js';
import type { Redactor } from '../redact.js';
import { HttpExchange } from './exchange.js';
import { hostPort } from '../text.js';
import type { Target } from './target.js';
import { describeUpstreamError, type UpstreamTls } from './upstream.js';
import { reachAgent, type Reach } from './reach.js';

/** Forward mode: where one request goes, and over which connections. */
export interface WebRoute {
  /** The origin, `http://host:port` or `https://host:port`: also the `http` event's `target`. */
  origin: string;
  /** Opens (and pools) the upstream connections, through ./dial.ts. */
  agent: HttpAgent;
}

export interface WebPass {
  /** `route`: forward mode's per-request target (reverse mode: the pass's own target). */
  handle(req: IncomingMessage, res: ServerResponse, route?: WebRoute): void;
  /** Ends the exchanges still in flight (their `http` events say they were cut short), drops pooled upstream connections. */
  close(): void;
}

export interface WebPassOptions {
  /** Null in forward mode: every request comes with its route. */
  target: Target | null;
  /** The target URL as messages show it. */
  shownTarget: string;
  tls: UpstreamTls;
  /** Opens the upstream connections (--resolve, --upstream-proxy); default: node's own. */
  reach?: Reach | null;
  /** What an error message may show of the request's path. */
  redact: Redactor;
  emit: (event: WsdiagEvent) => void;
  clock: Clock;
  /** A fresh id for a client connection that has not sent a request yet (every later one on it shares it). */
  nextConnId: () => string;
}

export function createWebPass({ target, shownTarget, tls, reach, redact, emit, clock, nextConnId }: WebPassOptions): WebPass {
  const agent =
    target === null
      ? null
      : reach
        ? reachAgent(reach, target.secure, tls)
        : target.secure
          ? new HttpsAgent({ keepAlive: true })
          : new HttpAgent({ keepAlive: true });
  const proxy = httpProxy.createProxyServer({
    ...(target !== null ? { target: target.httpUrl } : {}),
    // The upstream sees its own name in Host, as it would without wsdiag (virtual hosts, TLS SNI).
    changeOrigin: true,
    secure: !tls.insecure,
    ...(tls.ca !== undefined ? { ca: tls.ca.toString() } : {}),
    ...(agent !== null ? { agent } : {}),
    xfwd: false,
    ws: false,
  });

  // Keyed by object, so an id or an exchange goes when its socket or request does.
  const connIds = new WeakMap<Socket, string>();
  const exchanges = new WeakMap<IncomingMessage, HttpExchange>();
  // The ends of exchanges in flight: on shutdown a response's own 'close' may come only after the run's
  // summary, so close() ends them itself.
  const inFlight = new Set<() => void>();
  const connIdOf = (socket: Socket): string => {
    let id = connIds.get(socket);
    if (id === undefined) connIds.set(socket, (id = nextConnId()));
    return id;
  };
  proxy.on('proxyRes', (proxyRes, req) => {
    const exchange = exchanges.get(req);
    if (exchange) proxyRes.on('data', exchange.countResponse);
  });

  const fail = (err: NodeJS.ErrnoException, req: IncomingMessage, res: unknown, origin = shownTarget): void => {
    const message = describeUpstreamError(origin, err);
    emit({
      v: SCHEMA_VERSION,
      type: 'error',
      ts: clock().toISOString(),
      conn: null,
      message: `${req.method ?? 'HTTP'} ${redact.path(req.url ?? '/')}: ${message}.`,
    });
    if (!isResponse(res)) return;
    if (res.headersSent) {
      // Part of the answer is already out: the only honest signal left is a broken connection.
      res.destroy();
      return;
    }
    const body = Buffer.from(`wsdiag: ${message}\n`);
    exchanges.get(req)?.countResponse(body);
    res.writeHead(502, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' });
    res.end(body);
  };
  // http-proxy emits 'error' when a pass fails without a callback; without a listener that would throw.
  proxy.on('error', (err, req, res) => fail(err, req, res));

  return {
    handle: (req, res, route) => {
      const socket = req.socket;
      const exchange = new HttpExchange(
        {
          conn: connIdOf(socket),
          client: hostPort(socket.remoteAddress ?? 'unknown', socket.remotePort ?? 0),
          method: req.method ?? '',
          path: redact.path(req.url ?? '/'),
          upgrade: false,
          ...(route !== undefined ? { target: route.origin } : {}),
        },
        clock,
        emit,
      );
      exchanges.set(req, exchange);
      // 'close' comes after 'finish' on a complete answer, or alone when either side cut it short.
      const end = (): void => {
        inFlight.delete(end);
        exchange.end(res.headersSent ? res.statusCode : 0, !res.writableFinished);
      };
      inFlight.add(end);
      res.once('close', end);
      if (route === undefined) proxy.web(req, res, {}, (err, r, s) => fail(err, r, s));
      else proxy.web(req, res, { target: route.origin, agent: route.agent }, (err, r, s) => fail(err, r, s, route.origin));
      // After web() has piped the request upstream (the body flows from the next tick on, so no chunk is missed).
      req.on('data', exchange.countRequest);
    },
    close: () => {
      for (const end of [...inFlight]) end();
      proxy.close();
      agent?.destroy();
    },
  };
}

function isResponse(value: unknown): value is ServerResponse {
  return typeof value === 'object' && value !== null && 'writeHead' in value;
}
