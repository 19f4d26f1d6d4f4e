/**
 * permessage-deflate inflation for validation only (RFC 7692 §7.2.2): the output is looked at (size,
 * UTF-8) and dropped, never kept. It runs on our own StreamInflater rather than zlib so that it stays
 * synchronous (sans-IO) and split-invariant: every byte decodable before an invalid bit is seen before the
 * error, however the input was cut. Memory is one fixed window and output block, whatever the ratio.
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
    this.engine = new StreamInflater(windowBits);
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

  /** Ends a message: appends the stripped trailer (unless it ended with a final block) and flushes. */
  finish(onOutput: OutputHandler): boolean {
    if (!this.engine.finished && this.engine.write(DEFLATE_TRAILER, onOutput) === 'error') {
      this.abandon();
      return false;
    }
    if (this.noContextTakeover) this.engine.reset();
    else if (this.engine.finished) this.engine.startNextStream(); // a BFINAL message keeps its window for the next
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
