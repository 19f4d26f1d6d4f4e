/**
 * Plain HTTP on the same port as the WebSockets (pages, REST calls, Socket.IO polling), through
 * http-proxy's `web` path. An upstream failure becomes a 502 with one readable sentence, and an `error`
 * event; http-proxy's own ws pass is never used (see ./upgrade.ts).
 */
import { Agent as HttpAgent, type IncomingMessage, type ServerResponse } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import httpProxy from 'http-proxy';
import { SCHEMA_VERSION, type Clock, type WsdiagEvent } from '../events/index.js';
import type { Redactor } from '../redact.js';
import type { Target } from './target.js';
import { describeUpstreamError, type UpstreamTls } from './upstream.js';

export interface WebPass {
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** Drops pooled upstream connections. */
  close(): void;
}

export interface WebPassOptions {
  target: Target;
  /** The target URL as messages show it. */
  shownTarget: string;
  tls: UpstreamTls;
  /** What an error message may show of the request's path. */
  redact: Redactor;
  emit: (event: WsdiagEvent) => void;
  clock: Clock;
}

export function createWebPass({ target, shownTarget, tls, redact, emit, clock }: WebPassOptions): WebPass {
  const agent = target.secure ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
  const proxy = httpProxy.createProxyServer({
    target: target.httpUrl,
    // The upstream sees its own name in Host, as it would without wsdiag (virtual hosts, TLS SNI).
    changeOrigin: true,
    secure: !tls.insecure,
    ...(tls.ca !== undefined ? { ca: tls.ca.toString() } : {}),
    agent,
    xfwd: false,
    ws: false,
  });

  const fail = (err: NodeJS.ErrnoException, req: IncomingMessage, res: unknown): void => {
    const message = describeUpstreamError(shownTarget, err);
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
    res.writeHead(502, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' });
    res.end(`wsdiag: ${message}\n`);
  };
  // http-proxy emits 'error' when a pass fails without a callback; without a listener that would throw.
  proxy.on('error', (err, req, res) => fail(err, req, res));

  return {
    handle: (req, res) => proxy.web(req, res, {}, (err, r, s) => fail(err, r, s)),
    close: () => {
      proxy.close();
      agent.destroy();
    },
  };
}

function isResponse(value: unknown): value is ServerResponse {
  return typeof value === 'object' && value !== null && 'writeHead' in value;
}
