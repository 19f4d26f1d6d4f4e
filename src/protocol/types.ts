/**
 * What the sans-IO decoder reports. The decoder knows nothing of connections, clocks or blame; the
 * session layer turns these into the schema's events (src/events.ts).
 */
import type { FrameRef } from '../events.js';
import type { RuleId } from '../rules/table.js';

/** A decoded frame header, with its position in the direction's byte stream. */
export interface FrameHeader {
  /** 0-based frame number in this direction. */
  index: number;
  /** Byte offset of the header's first byte in this direction's stream (after the handshake). */
  offset: number;
  fin: boolean;
  rsv1: boolean;
  rsv2: boolean;
  rsv3: boolean;
  opcode: number;
  masked: boolean;
  /** Payload length as announced (exact up to 2^53; larger lengths never complete in practice). */
  length: number;
  headerLength: number;
}

/** A rule broken by the bytes of one direction. */
export interface Finding {
  rule: RuleId;
  /** One sentence: what was seen. */
  message: string;
  /** The frame that broke the rule; null for handshake rules. */
  frame: FrameRef | null;
  /** Up to 64 bytes of the unmasked payload (or of the message's application data). */
  preview?: Uint8Array;
  /** Overrides the rule table's hint when the finding knows better (e.g. a 1003 payload that is text). */
  hint?: string;
}

/** A Close frame as received; `code` is null for an empty body. */
export interface CloseInfo {
  code: number | null;
  reason: string;
  /** Whether the body was well-formed (valid code, UTF-8 reason, not 1 byte). */
  valid: boolean;
  frame: FrameRef;
}

/**
 * A data message as it starts (its first frame) and as it ends. The object and its `head` are valid only
 * during the sink call: the decoder reuses them (copy what you keep).
 */
export interface MessageInfo {
  /** 0x1 text or 0x2 binary. */
  opcode: number;
  firstFrame: FrameRef;
  compressed: boolean;
  /** Application data bytes seen so far (after inflation); the whole size at the end. */
  size: number;
  /** False when inflation stopped early (too big, invalid data): `size` is then a lower bound. */
  sizeKnown: boolean;
  /** Payload bytes as sent on the wire (compressed size for compressed messages). */
  wireSize: number;
  /** Number of frames so far. */
  frames: number;
  /** The first bytes of application data seen so far (up to 64). */
  head: Uint8Array;
}

/**
 * Where a stream ended in the middle of a frame (FrameDecoder.end): which frame was cut, and how much of
 * it arrived. Depends only on the bytes received, never on how they were split.
 */
export interface Truncation {
  /**
   * The frame cut short. For a cut header: the index and offset the frame would have had, the opcode of
   * its first byte, and `length` as declared if the header got that far, else 0.
   */
  frame: FrameRef;
  /** `payload`: the header was whole and the payload was cut; `header`: the header itself was cut. */
  part: 'header' | 'payload';
  /** Bytes of that part that arrived. */
  received: number;
  /**
   * Bytes that part needed: the declared payload length, or the header's full length (2 to 14); null when
   * a header is cut before its second byte says how long it is (it needs at least 2).
   */
  needed: number | null;
}

/** Why a direction stopped being decoded. */
export interface StopInfo {
  rule: RuleId;
  /** Offset at which decoding stopped; every later byte is only counted. */
  offset: number;
}

/**
 * Receives the decoder's events synchronously, in stream order. Every method except `finding` is optional.
 * Events are identical however the input was split into chunks.
 */
export interface DecoderSink {
  finding(finding: Finding): void;
  frame?(header: FrameHeader): void;
  close?(close: CloseInfo): void;
  ping?(frame: FrameRef): void;
  pong?(frame: FrameRef): void;
  messageStart?(message: MessageInfo): void;
  messageEnd?(message: MessageInfo): void;
  stopped?(stop: StopInfo): void;
}
