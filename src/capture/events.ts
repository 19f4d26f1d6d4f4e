/**
 * The events a capture adds to the schema (DESIGN §2), proposed for the contract: the core events keep
 * their shape, `open` gains the server's address and Wireshark's stream number, `close` may end with
 * `capture-end`, and three new types say what a capture could not show (`gap`), what a TCP connection was
 * when it was not a WebSocket (`stream`), and what was wrong with the file itself (`capture-problem`).
 */
import type { CloseEvent, Direction, EndHow, OpenEvent, SCHEMA_VERSION, WsdiagEvent } from '../events.js';
import type { CaptureProblemCode } from './types.js';
import type { GapCause } from './reassembly.js';

/** `open` from a capture: the proxy's fields plus the server side and the TCP stream. */
export interface CaptureOpenEvent extends OpenEvent {
  /** The server's "ip:port" (`client` is the client's, as for the proxy). */
  server: string;
  /** The TCP stream number, as Wireshark's tcp.stream for the same file. */
  tcp_stream: number;
}

/** How a connection ended: the proxy's reasons, or the capture ended (or gave up on it) first. */
export type CaptureEndHow = EndHow | 'capture-end';

export interface CaptureCloseEvent extends Omit<CloseEvent, 'how'> {
  how?: CaptureEndHow;
}

/** Bytes of one WebSocket direction the capture does not hold. Judging of that direction stops there. */
export interface GapEvent {
  v: typeof SCHEMA_VERSION;
  type: 'gap';
  ts: string;
  conn: string;
  dir: Direction;
  /** Where the missing bytes start in the direction's stream after the handshake (as `frame.offset`). */
  offset: number;
  length: number;
  cause: GapCause;
  message: string;
}

/** What a TCP connection that was not judged as WebSocket carried. */
export type StreamKind =
  /** TLS: encrypted, not decodable from a capture. */
  | 'tls'
  /** HTTP without a WebSocket upgrade (or one that was refused: an `error` event says so). */
  | 'http'
  /** Neither HTTP nor TLS. */
  | 'other'
  /** The capture starts after the handshake: the negotiated extensions are unknown, so nothing is judged. */
  | 'no-handshake'
  /** The handshake is cut by a gap or by the end of the capture. */
  | 'incomplete';

export interface StreamEvent {
  v: typeof SCHEMA_VERSION;
  type: 'stream';
  /** Time of the connection's first packet. */
  ts: string;
  tcp_stream: number;
  /** "ip:port" of each side; `roles` says how the client was told from the server. */
  client: string;
  server: string;
  roles: 'syn' | 'http' | 'first-packet';
  kind: StreamKind;
  message: string;
}

/** A problem with the capture file or its packets (not with the WebSocket traffic). */
export interface CaptureProblemEvent {
  v: typeof SCHEMA_VERSION;
  type: 'capture-problem';
  ts: string;
  severity: 'error' | 'warning';
  code: CaptureProblemCode;
  message: string;
  /** Byte offset in the file, when the problem has a place. */
  offset?: number;
  packet?: number;
}

export type CaptureEvent =
  | Exclude<WsdiagEvent, OpenEvent | CloseEvent>
  | CaptureOpenEvent
  | CaptureCloseEvent
  | GapEvent
  | StreamEvent
  | CaptureProblemEvent;
