/**
 * `http`: one plain HTTP exchange the proxy relayed (a page, a REST call, Socket.IO long-polling), or an
 * upgrade request that did not become a WebSocket connection. An upgrade answered 101 is the `open`
 * event instead (core.ts), so every request through the proxy is told exactly once.
 */
import type { EventBase } from './base.js';

export interface HttpEvent extends EventBase {
  type: 'http';
  /**
   * The client connection the exchange came on: `<run>-h1`, `<run>-h2`… for plain HTTP, one id per
   * keep-alive connection (every exchange on it carries it); for an upgrade request, the id its
   * WebSocket connection would have had (its `error` and handshake `violation` events carry it too).
   * Null when a producer cannot tell (the proxy always can).
   */
  conn: string | null;
  /** The client's `ip:port`. */
  client: string;
  method: string;
  /** The request target, query included, with credentials redacted as in `open`. */
  path: string;
  /** The status the client got; 0 when it got none (it went away first, or the proxy shut down). */
  status: number;
  /** Body bytes the client sent (0 for an upgrade request: what follows its head is WebSocket data). */
  request_bytes: number;
  /** Body bytes the client was sent, as they crossed the proxy (compressed if the upstream compressed them). */
  response_bytes: number;
  /** From the request's arrival to the end of the answer (or of the exchange, when it was cut short). */
  duration_ms: number;
  /** The request asked for a WebSocket upgrade (and did not get one: see above). */
  upgrade: boolean;
  /** Present (true) when the exchange was cut short: the answer did not reach the client whole (a reset on either side). */
  aborted?: boolean;
  /** Forward mode: the origin the request went to (`https://example.com:443`); absent in reverse mode (the `listening` target). */
  target?: string;
}

/**
 * `tunnel`: a CONNECT tunnel of the forward proxy that wsdiag relayed blind (its host is not intercepted):
 * bytes passed both ways unread. Written once, when the tunnel has ended.
 */
export interface TunnelEvent extends EventBase {
  type: 'tunnel';
  /** `<run>-t1`, `<run>-t2`… */
  conn: string;
  /** The client's `ip:port`. */
  client: string;
  /** The host and port the client asked for (CONNECT host:port). */
  host: string;
  port: number;
  /** Bytes the client sent through the tunnel (after the CONNECT request). */
  client_bytes: number;
  /** Bytes the server sent back through it. */
  server_bytes: number;
  duration_ms: number;
  /** The side whose FIN, reset or error ended it first; `proxy` on shutdown. */
  ended_by: 'client' | 'server' | 'proxy';
  how: 'fin' | 'reset' | 'error' | 'shutdown';
}
