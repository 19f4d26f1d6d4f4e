/**
 * What the sans-IO decoder reports. The decoder knows nothing of connections, clocks or blame; the
 * session layer turns these into the schema's events (src/events.ts).
 */
import type { FrameFields, FrameRef } from '../events/index.js';
import type { RuleId } from '../rules/index.js';

/** A decoded frame header, with its position in the direction's byte stream. */
export interface FrameHeader extends FrameFields {
  headerLength: number;
  /** Which length field the header used: 7-bit, 16-bit (126) or 64-bit (127). */
  lengthForm: 7 | 16 | 64;
  /**
   * The 4-byte masking key, or null for an unmasked frame: a copy the sink may keep, except from a decoder
   * asked for frames only (DecoderOptions.framesOnly), where it is valid during the `frame` call only.
   */
  maskKey: Uint8Array | null;
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
  /**
   * False when inflation stopped early (too big, invalid data) or could not start (an earlier failure
   * lost the window a compressed message depends on): `size` is then a lower bound.
   */
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
export type Truncation = {
  /**
   * The frame cut short. For a cut header: the index and offset the frame would have had, the opcode of
   * its first byte, and `length` as declared if the header got that far, else 0.
   */
  frame: FrameRef;
  /** Bytes of that part that arrived. */
  received: number;
} & (
  | {
      /** The header was whole and the payload was cut. */
      part: 'payload';
      /** The declared payload length. */
      needed: number;
    }
  | {
      /** The header itself was cut. */
      part: 'header';
      /** The header's full length (2 to 14); null when it is cut before its second byte says (it needs at least 2). */
      needed: number | null;
    }
);

/** Why a direction stopped being decoded. */
export interface StopInfo {
  rule: RuleId;
  /** Offset at which decoding stopped; every later byte is only counted. */
  offset: number;
}

/**
 * Receives the decoder's events synchronously, in stream order. Every method except `finding` is optional,
 * and one the sink does not define costs nothing: the decoder looks once, when it is built (so define
 * them on the object before handing it over).
 *
 * The events are identical however the input was split into chunks, with one exception: `payload` and
 * `messageData` hand the bytes over in pieces whose boundaries follow the chunks (and the scratch area's
 * size), so only their concatenation per frame (per message) is split-invariant, and a finding may come
 * before or after a given piece. Everything else keeps its place: a frame's pieces all come before its
 * `frameEnd`, which comes before that frame's close, ping, pong or messageEnd.
 *
 * The byte views (`payload`, `messageData`, ping/pong payloads, `MessageInfo.head`) are valid only during
 * the call and must not be written to: they may point into the decoder's buffers or the shared scratch
 * area. Copy what you keep.
 */
export interface DecoderSink {
  finding(finding: Finding): void;
  frame?(header: FrameHeader): void;
  /**
   * Unmasked payload bytes of every frame (data, continuation, control, reserved opcode), in order, as
   * they arrive: `position` is the offset of data[0] within the frame's payload. Compressed messages give
   * the compressed bytes as sent. Never called with an empty piece.
   */
  payload?(data: Uint8Array, position: number, frame: FrameRef): void;
  /** A frame's last payload byte has arrived (also for a frame with an empty payload). */
  frameEnd?(frame: FrameRef): void;
  close?(close: CloseInfo): void;
  /** `payload`: the ping's payload (its first 125 bytes, for a frame that breaks that limit). */
  ping?(frame: FrameRef, payload: Uint8Array): void;
  pong?(frame: FrameRef, payload: Uint8Array): void;
  messageStart?(message: MessageInfo): void;
  /**
   * Application data of the message in progress, in order: the payload bytes of an uncompressed message,
   * the inflated bytes of a compressed one. Inflation stops at invalid data or at the decoder's maxMessage
   * (its bytes up to the limit are given, none after); `MessageInfo.sizeKnown` is then false at the
   * message's end. A compressed message that cannot be inflated at all (an earlier failure lost the shared
   * window) gives none. `message.size` may already count bytes of the same chunk not handed over yet.
   */
  messageData?(data: Uint8Array, message: MessageInfo): void;
  messageEnd?(message: MessageInfo): void;
  stopped?(stop: StopInfo): void;
}
