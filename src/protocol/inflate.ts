/**
 * permessage-deflate inflation for validation only (RFC 7692 §7.2.2): the output is looked at (size,
 * UTF-8) and dropped, never kept. It runs on our own StreamInflater rather than zlib so that it stays
 * synchronous (sans-IO) and split-invariant: every byte decodable before an invalid bit is seen before the
 * error, however the input was cut. Memory is one fixed window and output block, whatever the ratio.
 *
 * Blocks with BFINAL set (RFC 7692 §7.2.3.4) are one way a sender may flush: more blocks may follow them,
 * in the same message or the next, and the window carries on across them (§7.2.1, §7.2.2). Whatever follows
 * a final block must still be valid DEFLATE; only the 00 00 ff ff the receiver appends is exempt (below).
 */
import { DEFLATE_TRAILER } from './constants.js';
import { StreamInflater, type InflateOutput } from './inflate-stream.js';

/** Receives inflated bytes (valid only during the call); return false to stop inflating this message. */
export type OutputHandler = InflateOutput;

export class MessageInflater {
  private readonly engine: StreamInflater;
  private readonly noContextTakeover: boolean;
  /** Set when a message was abandoned while later messages depend on its window (context takeover). */
  private lostContext = false;

  constructor(windowBits: number, noContextTakeover: boolean) {
    this.engine = new StreamInflater(windowBits, { afterFinalBlock: 'continue' });
    this.noContextTakeover = noContextTakeover;
  }

  /**
   * False when messages cannot be checked any more because an earlier one left the shared LZ77 window
   * unknown (context takeover after a failure): reporting on them would be guessing.
   */
  get canValidate(): boolean {
    return !this.lostContext;
  }

  /** Inflates a piece of a compressed message. Returns false if the data is not valid DEFLATE. */
  write(compressed: Uint8Array, onOutput: OutputHandler): boolean {
    if (this.engine.write(compressed, onOutput) !== 'error') return true;
    this.abandon();
    return false;
  }

  /**
   * Ends a message: appends (§7.2.2) the 00 00 ff ff the sender stripped (§7.2.1) and flushes. A message
   * that ends exactly where a final block ends is from a sender that flushed with BFINAL and appended no
   * empty stored block (the RFC's own example appends one: its last byte 0x00 is that block's header, which
   * the 00 00 ff ff completes). There the four bytes would be trailing data, not a block: zlib-based
   * receivers ignore them after the end of the stream, and so does this (not appending them).
   */
  finish(onOutput: OutputHandler): boolean {
    if (!this.engine.finished && this.engine.write(DEFLATE_TRAILER, onOutput) === 'error') {
      this.abandon();
      return false;
    }
    if (this.noContextTakeover) this.engine.reset();
    return true;
  }

  /**
   * Gives up on the current message (invalid, or too big to keep inflating). Later messages can only be
   * checked if they do not share this one's window.
   */
  abandon(): void {
    this.engine.reset();
    if (!this.noContextTakeover) this.lostContext = true;
  }
}
