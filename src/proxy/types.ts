/**
 * The proxy's public options and handle (the library API behind `wsdiag proxy`, `demo` and `ci`).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Clock, Direction, ViolationEvent, WsdiagEvent } from '../events.js';
import type { MessagePolicies } from '../policy/runtime.js';
import type { AnalyzerOptions } from '../session/analyzer.js';

export interface ListenAddress {
  host: string;
  /** 0 = any free port (read the bound one from RunningProxy.port or the `listening` event). */
  port: number;
}

/** What a connection looks like when its analyzer is built (for per-connection policies). */
export interface ConnectionInfo {
  /** The connection id its events carry (e.g. "c1"). */
  conn: string;
  /** The request path as the client sent it (query included). */
  path: string;
  subprotocol: string | null;
  extensions: string | null;
}

/** An upgrade as the proxy relayed it (for ProxyOptions.onHandshake). */
export interface TappedHandshake {
  /** The request target as the client sent it, query included, credential-like values redacted as in events. */
  path: string;
  /** The upgrade request's headers as the client sent them (node's IncomingMessage.headers). */
  request: IncomingHttpHeaders;
  /** The upstream's answer: 101, or the status of a refusal that was relayed instead. */
  status: number;
  response: IncomingHttpHeaders;
}

export interface ProxyOptions {
  /** ws:, wss:, http: or https: URL of the upstream; its path is a prefix of every relayed path. */
  target: string;
  /** Default 127.0.0.1:8080. */
  listen?: ListenAddress;
  /** Every event: listening, open, frame, violation, peer-close, close, error. */
  onEvent: (event: WsdiagEvent) => void;
  /** Each violation that was counted but not logged (flood suppression), for run summaries. */
  onSuppressed?: (violation: ViolationEvent) => void;
  /** Emit a `frame` event per frame. */
  frames?: boolean;
  /** Attach payload previews to violations (default true). */
  preview?: boolean;
  /** Largest message before `message-too-big` (bytes, 0 = no limit). */
  maxMessage?: number;
  /** Violations logged individually per rule and connection (default 20). */
  maxPerRule?: number;
  /** Fail a connection on its first violation instead of relaying it (see README, --enforce). */
  enforce?: boolean;
  /** Do not verify the upstream's TLS certificate. */
  insecure?: boolean;
  /** Extra CA certificate(s) (PEM) trusted for the upstream. */
  ca?: string | Buffer;
  /** Serve TLS to clients (wss:// and https:// to wsdiag) with this certificate and key (PEM). */
  tls?: { cert: string | Buffer; key: string | Buffer };
  clock?: Clock;
  /** End a WebSocket connection after this long without a byte in either direction (default: never). */
  idleTimeoutMs?: number;
  /** How long --enforce waits for both Close replies before it drops the connection (default 2000 ms). */
  enforceGraceMs?: number;
  /** Where operator warnings go (default: one line on stderr). */
  onWarning?: (message: string) => void;
  /**
   * Message-type (1003) and size policies: flags, config routes, subprotocol profiles and what the
   * endpoints taught (see src/policy). Resolved per connection once its subprotocol is known.
   */
  policies?: MessagePolicies;
  /** Low-level hook: extra analyzer options per connection (applied after `policies`). */
  configureConnection?: (info: ConnectionInfo) => Partial<AnalyzerOptions>;
  /** Connection ids are this prefix and a counter (default "c": c1, c2, ...). */
  connPrefix?: string;
  /**
   * Low-level hook (`wsdiag sandwich`): each upgrade the upstream answered, with both heads. For a 101 it
   * is called before the connection's first byte reaches `onTap`.
   */
  onHandshake?: (conn: string, handshake: TappedHandshake) => void;
  /** Low-level hook: every chunk of each direction, in order, as handed to the analyzer. Read it, never change it. */
  onTap?: (conn: string, dir: Direction, chunk: Uint8Array) => void;
  /** Low-level hook: a direction ended (its sender's FIN, or its socket closed without one); called once per direction. */
  onTapEnd?: (conn: string, dir: Direction) => void;
}

export interface RunningProxy {
  /** The bound address, e.g. "127.0.0.1" or "::1". */
  address: string;
  port: number;
  /** ws://host:port (wss:// with `tls`): what a WebSocket client dials instead of the target. */
  url: string;
  /** http://host:port (https:// with `tls`). */
  httpUrl: string;
  /** Stop accepting, end every connection (each emits its close event), resolve when all is done. */
  close(): Promise<void>;
}
