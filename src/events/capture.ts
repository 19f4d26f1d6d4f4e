/**
 * The events a packet capture adds (`wsdiag analyze FILE.pcap`): what a capture could not show (`gap`),
 * what a TCP connection was when it was not a WebSocket (`stream`, its `ts` the first packet's time), and
 * what was wrong with the file itself (`capture-problem`). A capture's WebSocket connections have the
 * core events, `open` with `server` and `tcp_stream`, `close` possibly with `how: "capture-end"`.
 */
import type { Direction, EventBase } from './base.js';

export type GapCause =
  /** The receiver acknowledged bytes the capture does not hold. */
  | 'lost'
  /** The snapshot length cut the bytes off the packet. */
  | 'snaplen'
  /** Out-of-order data waited too long for the hole before it (buffer bound reached). */
  | 'buffer-limit'
  /** The connection was reset with the hole still open. */
  | 'reset'
  /** The capture ended with the hole still open. */
  | 'capture-end';

export type CaptureProblemCode =
  /** The bytes are not a pcap or pcapng file (or the file is empty). */
  | 'not-a-capture'
  /** A pcap or pcapng version this reader does not know. */
  | 'unsupported-version'
  /** The file ends in the middle of a record. */
  | 'truncated'
  /** A record or block whose lengths do not add up. */
  | 'corrupt'
  /** A record larger than the reader accepts (bounded memory). */
  | 'oversized'
  /** A packet naming an interface the section never described. */
  | 'unknown-interface'
  /** An interface whose link type is not decoded here; its packets are skipped. */
  | 'unknown-link-type'
  /** IP fragments are counted, not reassembled (TCP sets Don't Fragment; see README). */
  | 'ip-fragments'
  /** Too many connections at once: the least recently active ones were given up (bounded memory). */
  | 'connection-limit';

/** Bytes of one WebSocket direction the capture does not hold. Judging of that direction stops there. */
export interface GapEvent extends EventBase {
  type: 'gap';
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

export interface StreamEvent extends EventBase {
  type: 'stream';
  tcp_stream: number;
  /** "ip:port" of each side; `roles` says how the client was told from the server. */
  client: string;
  server: string;
  roles: 'syn' | 'http' | 'first-packet';
  kind: StreamKind;
  message: string;
}

/** A problem with the capture file or its packets (not with the WebSocket traffic). */
export interface CaptureProblemEvent extends EventBase {
  type: 'capture-problem';
  severity: 'error' | 'warning';
  code: CaptureProblemCode;
  message: string;
  /** Byte offset in the file, when the problem has a place. */
  offset?: number;
  packet?: number;
}
