/**
 * The core events: the story of each WebSocket connection the proxy relays (or a capture holds), from
 * `listening` to `summary` (DESIGN §2, docs/events.md). Fields are only ever added: users script against them.
 */
import type { Blame, Direction, EventBase, FrameFields, FrameRef, PerDirection, Severity, Side, ViolationCode } from './base.js';

export interface ListeningEvent extends EventBase {
  type: 'listening';
  address: string;
  port: number;
  target: string;
  /**
   * The run's id, which starts every connection id of the run (`<run>-c1`): ids stay unique in a log that
   * several runs append to (an addition to DESIGN §2; absent in logs written before it).
   */
  run?: string;
  /** The dashboard's address (`proxy --ui`), without its token. */
  ui?: string;
  /** How many relay processes share the port (`proxy --workers N`); absent when one process relays. */
  workers?: number;
  /** The admin endpoint's address (`proxy --admin`): where /metrics, /healthz and /readyz answer. */
  admin?: string;
}

export interface OpenEvent extends EventBase {
  type: 'open';
  conn: string;
  client: string;
  path: string;
  subprotocol: string | null;
  extensions: string | null;
  /** From a capture: the server's "ip:port" (`client` is the client's). */
  server?: string;
  /** From a capture: the TCP stream number, as Wireshark's `tcp.stream` for the same file. */
  tcp_stream?: number;
  /**
   * The settings an addon decided for this connection, by name (max_message, server_accepts,
   * client_accepts, frames, preview, max_per_rule, pong_timeout_ms), each with the source that won, e.g.
   * `{"max_message": "route /uploads/** in wsdiag.json"}`; absent when the run's options decided all.
   */
  settings?: Record<string, string>;
  /** Forward mode: the upstream the connection was relayed to (`wss://example.com:443`); absent in reverse mode. */
  target?: string;
}

export interface FrameEvent extends EventBase, FrameFields {
  type: 'frame';
  conn: string;
  dir: Direction;
}

export interface ViolationEvent extends EventBase {
  type: 'violation';
  conn: string;
  dir: Direction;
  code: ViolationCode;
  rule: string;
  severity: Severity;
  blame: Blame;
  frame: FrameRef | null;
  message: string;
  hint: string;
  rfc: string;
  preview?: string;
}

export interface PeerCloseCause {
  rule: string;
  dir: Direction;
  frame: FrameRef | null;
}

export interface PeerCloseEvent extends EventBase {
  type: 'peer-close';
  conn: string;
  by: Side;
  code: number | null;
  reason: string;
  cause: PeerCloseCause | null;
  /** The side at fault; null when nothing is wrong (a normal close, an answer, an application code). */
  blame: Blame | null;
  explain: string;
}

/** Who ended a TCP connection pair, and how (an addition to DESIGN §2 `close`, see README). */
export type EndedBy = Side | 'proxy';
/** `capture-end`: the capture ended (or gave up on the connection) before the connection did. */
export type EndHow = 'close-frame' | 'fin' | 'reset' | 'error' | 'timeout' | 'enforce' | 'shutdown' | 'capture-end';

export interface CloseEvent extends EventBase {
  type: 'close';
  conn: string;
  duration_ms: number;
  frames: PerDirection<number>;
  bytes: PerDirection<number>;
  violations: number;
  suppressed: number;
  ended_by?: EndedBy;
  how?: EndHow;
  /**
   * Present when the connection ended without a completed closing handshake (what the endpoints report
   * as 1006): one sentence saying how it ended, and the violation that explains it (or null).
   */
  explain?: string;
  cause?: PeerCloseCause | null;
}

export interface ErrorEvent extends EventBase {
  type: 'error';
  conn: string | null;
  message: string;
  /** HTTP status of an upstream's non-101 answer to an upgrade, when that is the error. */
  status?: number;
}

/** Why the proxy refused a client: --max-connections (answered 503) or --header-timeout (answered 408). */
export type RefusalKind = 'max_connections' | 'header_timeout';

export interface SummaryEvent extends EventBase {
  type: 'summary';
  connections: number;
  violations: number;
  by_rule: Record<string, number>;
  by_code: Record<string, number>;
  /** Clients the proxy refused, by reason; present when it refused any (an addition to DESIGN §2, see README). */
  refused?: Record<RefusalKind, number>;
  /** Faults injected per toxic name (`wsdiag chaos`); present when the run injected any. */
  faults?: Record<string, number>;
}
