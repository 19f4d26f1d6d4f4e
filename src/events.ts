/**
 * The event schema every part of wsdiag speaks (DESIGN §2). These objects are written one per line as
 * JSON Lines, so a field added here is a change to a public contract: keep README, tests and code in step.
 */

export const SCHEMA_VERSION = 1 as const;

export type Direction = 'client->server' | 'server->client';
export const DIRECTIONS: readonly Direction[] = ['client->server', 'server->client'];

export type Side = 'client' | 'server';
export type Blame = 'client' | 'server' | 'intermediary' | 'unknown';
export type Severity = 'error' | 'warning';
/**
 * The close codes violations carry. 1006 (abnormal closure, never sent on the wire) is what both endpoints
 * report after a frame cut short; 1011 is what keepalive implementations close with after a missing pong.
 */
export type ViolationCode = 1002 | 1003 | 1006 | 1007 | 1009 | 1011;
/** Every ViolationCode, in order: what `tail --code` and `ci --fail-on` accept. */
export const VIOLATION_CODES: readonly ViolationCode[] = [1002, 1003, 1006, 1007, 1009, 1011];

/** The side whose bytes travel in a direction. */
export function senderOf(dir: Direction): Side {
  return dir === 'client->server' ? 'client' : 'server';
}

/** The side that receives the bytes of a direction. */
export function receiverOf(dir: Direction): Side {
  return dir === 'client->server' ? 'server' : 'client';
}

/** The other endpoint. */
export function otherSide(side: Side): Side {
  return side === 'client' ? 'server' : 'client';
}

/** The direction in which a side sends. */
export function directionFrom(side: Side): Direction {
  return side === 'client' ? 'client->server' : 'server->client';
}

interface EventBase {
  v: typeof SCHEMA_VERSION;
  ts: string;
}

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
}

export interface OpenEvent extends EventBase {
  type: 'open';
  conn: string;
  client: string;
  path: string;
  subprotocol: string | null;
  extensions: string | null;
  /**
   * The settings an addon decided for this connection, by name (max_message, server_accepts,
   * client_accepts, frames, preview, max_per_rule, pong_timeout_ms), each with the source that won, e.g.
   * `{"max_message": "route /uploads/** in wsdiag.json"}`; absent when the run's options decided all.
   */
  settings?: Record<string, string>;
}

export interface FrameEvent extends EventBase {
  type: 'frame';
  conn: string;
  dir: Direction;
  index: number;
  offset: number;
  fin: boolean;
  rsv1: boolean;
  rsv2: boolean;
  rsv3: boolean;
  opcode: number;
  masked: boolean;
  length: number;
}

/** Where in a direction's stream a violation was seen. */
export interface FrameRef {
  index: number;
  offset: number;
  opcode: number;
  length: number;
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

export type PerDirection<T> = Record<Direction, T>;

/** Who ended a TCP connection pair, and how (an addition to DESIGN §2 `close`, see README). */
export type EndedBy = Side | 'proxy';
export type EndHow = 'close-frame' | 'fin' | 'reset' | 'error' | 'timeout' | 'enforce' | 'shutdown';

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
}

export type WsdiagEvent =
  | ListeningEvent
  | OpenEvent
  | FrameEvent
  | ViolationEvent
  | PeerCloseEvent
  | CloseEvent
  | ErrorEvent
  | SummaryEvent;

export type EventType = WsdiagEvent['type'];

/** A clock returning the event timestamp; injectable so golden tests can freeze it. */
export type Clock = () => Date;
export const systemClock: Clock = () => new Date();
