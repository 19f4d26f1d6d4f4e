/**
 * The data message a direction is assembling: one record per decoder, reset for each message rather than
 * allocated (one message at a time per direction), and the previews it keeps for findings.
 */
import type { FrameRef } from '../events/index.js';
import { PREVIEW_BYTES } from './constants.js';
import type { TypeMismatch } from './message-type.js';
import type { Finding, MessageInfo } from './types.js';

export class MessageState {
  opcode = 0;
  firstFrame: FrameRef = { index: 0, offset: 0, opcode: 0, length: 0 };
  frames = 0;
  /** Application data bytes (after inflation). */
  size = 0;
  /** Payload bytes on the wire. */
  wireSize = 0;
  /** False once inflation stopped early: `size` is then only a lower bound. */
  sizeKnown = true;
  compressed = false;
  /** Content cannot be checked (RSV1 without permessage-deflate, or the inflate window is unknown). */
  opaque = false;
  /** Content no longer checked (already too big, or already invalid). */
  done = false;
  /** message-too-big was reported (once per message, even after another finding). */
  tooBig = false;
  /**
   * Compressed messages: still feeding the inflater. Stays true after a UTF-8 failure, so the LZ77 window
   * shared with later messages (context takeover) stays right; false once the data failed to inflate or
   * inflation was abandoned (too big).
   */
  inflating = false;
  /** Our copy of the first bytes of application data, for previews. */
  readonly head = new Uint8Array(PREVIEW_BYTES);
  /**
   * Where the preview bytes are: `head`, or — for a message whose whole payload was checked in one piece —
   * a view of that piece, valid until the message ends (which is before the piece's buffer is reused). The
   * view saves copying 64 bytes per message, most of whose previews are never shown.
   */
  private headView: Uint8Array = this.head;
  private headOffset = 0;
  headLength = 0;
  /** Findings waiting for `head` to fill. */
  pending: Finding[] = [];
  /** First bytes of the compressed payload as sent (compressed messages only), for previews. */
  readonly rawHead = new Uint8Array(PREVIEW_BYTES);
  rawHeadLength = 0;
  /** Findings waiting for `rawHead` to fill. */
  rawPending: Finding[] = [];
  /** Set when the message's type is not accepted (1003); its finding is emitted at the message end. */
  mismatch: TypeMismatch | null = null;
  mismatchFinding: Finding | null = null;

  /** Starts a new message at its first frame. */
  start(opcode: number, firstFrame: FrameRef, compressed: boolean, opaque: boolean, mismatch: TypeMismatch | null): void {
    this.opcode = opcode;
    this.firstFrame = firstFrame;
    this.frames = 1;
    this.size = 0;
    this.wireSize = 0;
    // A compressed message that cannot be inflated has no known size from the start.
    this.sizeKnown = !(compressed && opaque);
    this.compressed = compressed;
    this.opaque = opaque;
    this.done = false;
    this.tooBig = false;
    this.inflating = compressed && !opaque;
    this.headView = this.head;
    this.headOffset = 0;
    this.headLength = 0;
    this.rawHeadLength = 0;
    // New arrays only when needed: setting `.length = 0` is a slow runtime call on this hot path.
    if (this.pending.length > 0) this.pending = [];
    if (this.rawPending.length > 0) this.rawPending = [];
    this.mismatch = mismatch;
    this.mismatchFinding = null;
  }

  /** Takes the preview as a view of a piece holding the whole payload; true when it is full. */
  viewHead(data: Uint8Array, start: number, end: number): boolean {
    this.headView = data;
    this.headOffset = start;
    this.headLength = Math.min(PREVIEW_BYTES, end - start);
    return this.headLength >= PREVIEW_BYTES;
  }

  /** The preview bytes (a view: copy to keep). */
  headBytes(): Uint8Array {
    return this.headView.subarray(this.headOffset, this.headOffset + this.headLength);
  }

  /** A copy of the preview, or undefined when there is none. */
  preview(): Uint8Array | undefined {
    return this.headLength > 0 ? this.headView.slice(this.headOffset, this.headOffset + this.headLength) : undefined;
  }

  /** A copy of the compressed bytes' preview, or undefined. */
  rawPreview(): Uint8Array | undefined {
    return this.rawHeadLength > 0 ? this.rawHead.slice(0, this.rawHeadLength) : undefined;
  }

  /** Adds application data to the preview; true when that filled it. */
  captureHead(data: Uint8Array, start: number, end: number): boolean {
    const room = PREVIEW_BYTES - this.headLength;
    if (room <= 0) return false;
    if (this.headView !== this.head) {
      // A later piece after a view (not expected: a view is only taken for a whole payload): own the bytes.
      this.head.set(this.headBytes(), 0);
      this.headView = this.head;
      this.headOffset = 0;
    }
    const take = Math.min(room, end - start);
    if (take >= 16) {
      this.head.set(data.subarray(start, start + take), this.headLength);
      this.headLength += take;
    } else {
      this.headLength = copyBytes(this.head, this.headLength, data, start, start + take);
    }
    return this.headLength >= PREVIEW_BYTES;
  }

  /** Adds compressed bytes as sent to their preview; true when that filled it. */
  captureRawHead(data: Uint8Array, start: number, end: number): boolean {
    const room = PREVIEW_BYTES - this.rawHeadLength;
    if (room <= 0) return false;
    this.rawHeadLength = copyBytes(this.rawHead, this.rawHeadLength, data, start, start + Math.min(room, end - start));
    return this.rawHeadLength >= PREVIEW_BYTES;
  }
}

/**
 * What sinks see of a message. One object per decoder, refilled for each call: like `head`, it is valid
 * only during the sink call (copy what you keep). Allocating one per message showed up as GC time.
 */
export class MessageSnapshot implements MessageInfo {
  opcode = 0;
  firstFrame: FrameRef = { index: 0, offset: 0, opcode: 0, length: 0 };
  compressed = false;
  size = 0;
  sizeKnown = true;
  wireSize = 0;
  frames = 0;
  #message: MessageState | null = null;

  fill(message: MessageState): this {
    this.opcode = message.opcode;
    this.firstFrame = message.firstFrame;
    this.compressed = message.compressed;
    this.size = message.size;
    this.sizeKnown = message.sizeKnown;
    this.wireSize = message.wireSize;
    this.frames = message.frames;
    this.#message = message;
    return this;
  }

  get head(): Uint8Array {
    return this.#message ? this.#message.headBytes() : new Uint8Array(0);
  }
}

/** Copies src[start..end) into dst at `at` (a plain loop: cheaper than set() for a few bytes); returns the new end. */
function copyBytes(dst: Uint8Array, at: number, src: Uint8Array, start: number, end: number): number {
  for (let i = start; i < end; i++) dst[at++] = src[i]!;
  return at;
}
