/**
 * The observe engine's vocabulary: what an observation point saw of one direction of a connection (an
 * ObservedStream) and what comparing two observations found (ProbeFinding). `wsdiag probe` observes both
 * ends itself; `wsdiag sandwich` observes the two legs of live traffic. Both compare observations with the
 * same pure functions (compare.ts).
 */
import type { Side } from '../events/index.js';
import type { FrameHeader } from '../protocol/index.js';
import type { RuleId } from '../rules/index.js';

/** One frame as observed (kept as JSON-friendly data: the key as hex). */
export interface ObservedFrame extends Omit<FrameHeader, 'headerLength' | 'maskKey'> {
  /** Hex of the masking key, or null. */
  maskKey: string | null;
  /** Observation time of the header (ms, monotonic clock). */
  at: number;
}

/** A text or binary message as observed (possibly incomplete when the stream ended inside it). */
export interface ObservedMessage {
  /** 0-based message number in this stream. */
  index: number;
  /** 0x1 text or 0x2 binary (the first frame's opcode). */
  opcode: number;
  /** RSV1 on the first frame (permessage-deflate: compressed). */
  compressed: boolean;
  /** Index of the first frame in ObservedStream.frames. */
  firstFrame: number;
  /** Payload length of each frame, in order (as sent on the wire). */
  frameLengths: number[];
  /** Payload bytes on the wire (compressed size for compressed messages). */
  wireLength: number;
  /** SHA-256 (hex) of the wire payload. */
  wireSha256: string;
  /** Application data length (after inflation); equals wireLength for an uncompressed message. */
  length: number;
  /** SHA-256 (hex) of the application data; null when a compressed message could not be inflated. */
  sha256: string | null;
  /** First and last bytes of the application data (up to 64 each). */
  head: Uint8Array;
  tail: Uint8Array;
  /** The whole application data when it is small (see RecorderOptions.keepBytes); else null. */
  bytes: Uint8Array | null;
  /** False when the stream ended before the message's final frame. */
  complete: boolean;
  /** Observation times of the first and the last frame header. */
  firstAt: number;
  lastAt: number;
}

/** A control frame (or a frame with a reserved opcode) as observed. */
export interface ObservedControl {
  opcode: number;
  frame: number;
  /** Payload bytes (control payloads are at most 125 bytes; longer ones are cut to 125 here). */
  payload: Uint8Array;
  length: number;
  /** Data frames observed before this one: where it sat relative to data. */
  dataFramesBefore: number;
  /** For Close frames: the status code (null for an empty body) and the reason. */
  close: { code: number | null; reason: string } | null;
  at: number;
}

/** A protocol rule broken by the bytes of the stream (from the protocol decoder). */
export interface ObservedViolation {
  rule: RuleId;
  message: string;
  /** The frame that broke it, or null. */
  frame: number | null;
}

/** Everything one observation point saw of one direction of one connection. */
export interface ObservedStream {
  frames: ObservedFrame[];
  messages: ObservedMessage[];
  controls: ObservedControl[];
  violations: ObservedViolation[];
  /** The Sec-WebSocket-Extensions in force on this leg (as negotiated where it was observed). */
  extensions: string | null;
  bytes: number;
  /** Set when frame boundaries stopped being trustworthy. */
  stopped: string | null;
  /** Observation time of the end of the stream (TCP FIN or close), or null while open. */
  endedAt: number | null;
}

/** The opening handshake as one observation point saw it. */
export interface ObservedHandshake {
  /** The request target ("/path?query"). */
  path: string;
  /** Lower-case header names; repeated lines joined with ", ". */
  request: Record<string, string>;
  /** The response status (101 when upgraded) and headers; null when no response was seen. */
  status: number | null;
  response: Record<string, string> | null;
}

export type { CheckId, FindingSeverity, ProbeFinding } from '../events/index.js';

/** An invalid frame a probe case sends on purpose (--include-invalid), as classifyInvalid judges it. */
export interface InvalidSpec {
  from: Side;
  /** The rule the frame breaks (as the protocol decoder names it). */
  rule: RuleId;
}
