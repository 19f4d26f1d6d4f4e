/**
 * permessage-deflate inflation for validation only (RFC 7692 §7.2.2): the output is looked at (size,
 * UTF-8) and dropped, never kept. Synchronous so the decoder stays sans-IO and split-invariant; memory is
 * one 16 KiB output block however much a message inflates (the bomb guard), and the caller can stop.
 */
import { DEFLATE_TRAILER } from './constants.js';
import { SyncZlib } from './zlib-sync.js';

/** Receives inflated bytes; return false to stop inflating this message. */
export type OutputHandler = (output: Uint8Array) => boolean | void;

export class MessageInflater {
  private engine: SyncZlib | null = null;
  private readonly windowBits: number;
  private readonly noContextTakeover: boolean;
  /** Set when a message was abandoned while later messages depend on its window (context takeover). */
  private lostContext = false;

  constructor(windowBits: number, noContextTakeover: boolean) {
    // zlib cannot inflate raw streams with an 8-bit window; a 9-bit one accepts everything 8 produces.
    this.windowBits = Math.max(9, Math.min(15, windowBits));
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
    return this.run(compressed, onOutput);
  }

  /** Ends a message: appends the stripped trailer and flushes. Returns false on invalid data. */
  finish(onOutput: OutputHandler): boolean {
    const ok = this.run(DEFLATE_TRAILER, onOutput);
    if (ok && this.noContextTakeover) this.engine?.reset();
    return ok;
  }

  /**
   * Gives up on the current message (invalid, or too big to keep inflating). Later messages can only be
   * checked if they do not share this one's window.
   */
  abandon(): void {
    this.dispose();
    if (!this.noContextTakeover) this.lostContext = true;
  }

  dispose(): void {
    this.engine?.close();
    this.engine = null;
  }

  private run(input: Uint8Array, onOutput: OutputHandler): boolean {
    this.engine ??= new SyncZlib('inflate', this.windowBits);
    const result = this.engine.process(input, onOutput);
    if (result === null || result === 'stopped') return true;
    this.abandon();
    return false;
  }
}
