/**
 * What the toxics decide for one frame, before any byte of it is written: header changes, payload patches,
 * fragmentation, truncation, and what goes before it (a delay, injected frames) or after it (copies). The
 * engine (engine.ts) turns a plan into actions; a plan that changes nothing leaves the frame's bytes as
 * they came.
 */
import { Opcode, isControlOpcode, type FrameHeader } from '../protocol/index.js';
import type { FaultValues, FrameSelector, ToxicType } from './types.js';

/** A toxic as a fault names it. */
export interface ToxicRef {
  name: string;
  type: ToxicType;
}

/** A frame as the toxics see it: its header as sent, and its place in a message. */
export interface FrameInfo {
  header: FrameHeader;
  /** A text or binary frame: the first frame of a message. */
  first: boolean;
  /** The opcode (text or binary) of the message a data frame belongs to; null for control, reserved and orphan frames. */
  messageOpcode: number | null;
  /** Payload bytes of the same message before this frame (0 for the first frame). */
  messageOffset: number;
  /** The message is compressed (RSV1 on its first frame under permessage-deflate). */
  compressed: boolean;
}

export function matchesSelector(selector: FrameSelector, frame: FrameInfo): boolean {
  const opcode = frame.header.opcode;
  switch (selector) {
    case 'all':
      return true;
    case 'data':
      return opcode <= Opcode.Binary;
    case 'message':
      return frame.first;
    case 'text':
      return frame.messageOpcode === Opcode.Text;
    case 'binary':
      return frame.messageOpcode === Opcode.Binary;
    case 'continuation':
      return opcode === Opcode.Continuation;
    case 'control':
      return isControlOpcode(opcode);
    case 'ping':
      return opcode === Opcode.Ping;
    case 'pong':
      return opcode === Opcode.Pong;
    case 'close':
      return opcode === Opcode.Close;
  }
}

/** A change to one payload byte, at a position of the frame's (unmasked) payload as sent. */
export interface Patch {
  position: number;
  /** `set` writes the value; `or` sets its bits. */
  mode: 'set' | 'or';
  value: number;
}

export interface PendingFault {
  toxic: ToxicRef;
  /** When it is reported: with the frame, or before it (a delay; an injected frame, in injection order). */
  stage: 'frame' | 'prefix' | 'injection';
  message: string;
  before?: FaultValues;
  after?: FaultValues;
}

/**
 * One plan is filled per frame; the engine reuses it for the next frame unless the frame keeps it (a frame
 * being re-encoded or held), so a frame no toxic changes allocates nothing here.
 */
export class FramePlan {
  input!: FrameHeader;
  opcode = 0;
  rsv1 = false;
  rsv2 = false;
  rsv3 = false;
  /** A length form to write (non-minimal); null keeps the sender's when the length is unchanged, else minimal. */
  lengthForm: 16 | 64 | null = null;
  /** Mask the frame (true) or not (false); null: the direction's rule (toward the server masked, fresh key). */
  mask: boolean | null = null;
  readonly patches: Patch[] = [];
  fragmentSize: number | null = null;
  /** Payload bytes to write before cutting the frame short. */
  truncateKeep: number | null = null;
  /** The cut ends the stream (FIN); false: the frame is shortened (its header says so) and the stream goes on. */
  truncateEnds = true;
  dropped = false;
  /** Hold this frame and what follows at least this long (ms). */
  delayMs: number | null = null;
  readonly injections: { payload: Uint8Array; masked: boolean }[] = [];
  /** Extra copies to send after the frame. */
  copies = 0;
  closeRewrite: { code: number; reason: string | null; toxic: ToxicRef } | null = null;
  coalesce: { maxBytes: number; toxic: ToxicRef } | null = null;
  readonly faults: PendingFault[] = [];

  /** Starts over for a frame: nothing changed yet. */
  reset(input: FrameHeader): this {
    this.input = input;
    this.opcode = input.opcode;
    this.rsv1 = input.rsv1;
    this.rsv2 = input.rsv2;
    this.rsv3 = input.rsv3;
    this.lengthForm = null;
    this.mask = null;
    if (this.patches.length > 0) this.patches.length = 0;
    this.fragmentSize = null;
    this.truncateKeep = null;
    this.truncateEnds = true;
    this.dropped = false;
    this.delayMs = null;
    if (this.injections.length > 0) this.injections.length = 0;
    this.copies = 0;
    this.closeRewrite = null;
    this.coalesce = null;
    if (this.faults.length > 0) this.faults.length = 0;
    return this;
  }

  /** The frame itself must be re-encoded (rather than forwarded as it came). */
  get rewrites(): boolean {
    const h = this.input;
    return (
      this.opcode !== h.opcode ||
      this.rsv1 !== h.rsv1 ||
      this.rsv2 !== h.rsv2 ||
      this.rsv3 !== h.rsv3 ||
      this.lengthForm !== null ||
      this.mask !== null ||
      this.patches.length > 0 ||
      this.fragmentSize !== null ||
      this.truncateKeep !== null ||
      this.holds
    );
  }

  /** The whole payload is needed before writing (copies, a new Close body): control frames only. */
  get holds(): boolean {
    return this.copies > 0 || this.closeRewrite !== null;
  }

  /** Some toxic asked for something. */
  get touched(): boolean {
    return this.rewrites || this.dropped || this.delayMs !== null || this.injections.length > 0 || this.coalesce !== null;
  }

  setRsv(bit: 1 | 2 | 3): void {
    if (bit === 1) this.rsv1 = true;
    else if (bit === 2) this.rsv2 = true;
    else this.rsv3 = true;
  }

  rsv(bit: 1 | 2 | 3): boolean {
    return bit === 1 ? this.rsv1 : bit === 2 ? this.rsv2 : this.rsv3;
  }

  delay(ms: number): void {
    this.delayMs = Math.max(this.delayMs ?? 0, ms);
  }
}
