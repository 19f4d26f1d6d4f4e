/**
 * A streaming raw DEFLATE inflater (RFC 1951) in plain TypeScript, for validating permessage-deflate
 * messages (RFC 7692) without node:zlib.
 *
 * Why not zlib: when one call's input holds valid data followed by invalid data, zlib drops the output of
 * the valid prefix, so what a validator sees (how many bytes, whether they were valid UTF-8 first) would
 * depend on how the stream was cut into chunks. This inflater is a resumable state machine that can pause
 * anywhere (inside a Huffman code, a length/distance pair, a block header) and that hands over every byte
 * decodable before the first bad bit, so output and outcome are the same for every split of the input.
 *
 * Memory is fixed: the sliding window (2^windowBits) plus 32 KiB of output space, and the decoding tables.
 * Output is handed out in views of at most 16 KiB, whatever the compression ratio.
 *
 * After a block with BFINAL set, RFC 1951 says the stream is over, and by default further input is an error
 * ("data after final block"). permessage-deflate reads BFINAL differently (RFC 7692 §7.2.1): a sender may
 * end any block with it, pads to a byte boundary, and the next block follows, in the same message or the
 * next, with the same LZ77 window (§7.2.2). `afterFinalBlock: 'continue'` decodes that way.
 */
import {
  BuildResult,
  buildTable,
  CODELEN_ROOT_BITS,
  CODELEN_TABLE_SIZE,
  DIST_ROOT_BITS,
  DIST_TABLE_SIZE,
  FIXED_DIST,
  FIXED_DIST_BITS,
  FIXED_LITLEN,
  FIXED_LITLEN_BITS,
  LITLEN_ROOT_BITS,
  LITLEN_TABLE_SIZE,
  makeEntry,
  OP_BASE,
  OP_END,
  OP_LINK,
  OP_LITERAL,
  TableKind,
} from './deflate/huffman.js';

export type InflateResult = 'ok' | 'error' | 'stopped';

export interface StreamInflaterOptions {
  /**
   * What may follow a block with BFINAL set: nothing ('error', RFC 1951, the default), or more blocks
   * starting at the next byte boundary, whose back references may reach into everything before ('continue',
   * RFC 7692 §7.2.1).
   */
  afterFinalBlock?: 'error' | 'continue';
}

/** Receives inflated bytes in order; the view is only valid during the call. Return false to stop. */
// eslint-disable-next-line @typescript-eslint/no-invalid-void-type -- an output that never pauses returns nothing
export type InflateOutput = (bytes: Uint8Array) => boolean | void;

/** Largest view handed to onOutput. */
export const OUTPUT_CHUNK = 16 * 1024;
/** Output space after the window; at least one chunk plus one longest match. */
const OUTPUT_SPACE = 32 * 1024;
const MAX_MATCH = 258;
/** The fast loop reads at most 7 input bytes per symbol pair, so it runs while 8 or more are left. */
const FAST_MIN_INPUT = 8;

// Decoder states. Each names what the next input bits are, so a write can stop and resume there.
const HEADER = 0;
const STORED_LEN = 1;
const STORED_NLEN = 2;
const STORED_COPY = 3;
const TABLE_SIZES = 4;
const CODELEN_LENGTHS = 5;
const CODE_LENGTHS = 6;
const LEN = 7;
const LEN_EXTRA = 8;
const DIST = 9;
const DIST_EXTRA = 10;
const DONE = 11;

/** Order in which code-length code lengths are sent (RFC 1951 §3.2.7). */
const CODELEN_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

const EMPTY = new Uint8Array(0);
const IGNORE_OUTPUT: InflateOutput = () => {};

export class StreamInflater {
  private readonly windowSize: number;
  private readonly continueAfterFinal: boolean;
  /** Window followed by output space; matches copy inside it, and old bytes slide down when it fills. */
  private readonly buf: Uint8Array;
  /** Write position in buf. Before the first slide it is also the number of bytes of history. */
  private pos = 0;
  /** buf[flushed .. pos) has been decoded but not yet handed to onOutput. */
  private flushed = 0;

  /** Bit buffer, least significant bit first; holds `bits` valid bits and zeros above them. */
  private hold = 0;
  private bits = 0;

  private mode = HEADER;
  private lastBlock = false;
  /** Stored block bytes left, or the match length being decoded. */
  private length = 0;
  /** Extra bits to read in LEN_EXTRA / DIST_EXTRA. */
  private extra = 0;
  private distance = 0;

  // Dynamic block header.
  private nlen = 0;
  private ndist = 0;
  private ncode = 0;
  private have = 0;
  private readonly lens = new Uint8Array(320);

  private readonly dynamicLitLen = new Int32Array(LITLEN_TABLE_SIZE);
  private readonly dynamicDist = new Int32Array(DIST_TABLE_SIZE);
  private readonly codeLengthTable = new Int32Array(CODELEN_TABLE_SIZE);
  private litLen: Int32Array = FIXED_LITLEN;
  private litLenBits = FIXED_LITLEN_BITS;
  private dist: Int32Array = FIXED_DIST;
  private distBits = FIXED_DIST_BITS;

  // The current write call.
  private input: Uint8Array = EMPTY;
  private next = 0;
  private sink: InflateOutput = IGNORE_OUTPUT;

  private errorMessage: string | null = null;
  /** The last error found; reported once all output before it has been handed over. */
  private pendingError: string | null = null;
  private stopped = false;

  constructor(windowBits = 15, options: StreamInflaterOptions = {}) {
    if (!Number.isInteger(windowBits) || windowBits < 8 || windowBits > 15) {
      throw new RangeError(`windowBits must be an integer from 8 to 15, got ${windowBits}`);
    }
    this.windowSize = 1 << windowBits;
    this.continueAfterFinal = options.afterFinalBlock === 'continue';
    this.buf = new Uint8Array(this.windowSize + OUTPUT_SPACE);
  }

  /** Describes the last error, e.g. "invalid distance too far back"; null unless write returned 'error'. */
  get error(): string | null {
    return this.errorMessage;
  }

  /**
   * True when the last block decoded had BFINAL set and no input has followed it (with 'continue', the
   * next input byte starts a new block and this turns false again).
   */
  get finished(): boolean {
    return this.mode === DONE;
  }

  /**
   * Inflates `input`, handing every decoded byte to onOutput in order (in views of at most 16 KiB, the
   * last one at the end of this call). Returns 'error' after handing over everything decodable before
   * the first invalid bit, 'stopped' if onOutput returned false. After either, further writes return the
   * same result until reset().
   */
  write(input: Uint8Array, onOutput: InflateOutput): InflateResult {
    if (this.errorMessage !== null) return 'error';
    if (this.stopped) return 'stopped';
    this.input = input;
    this.next = 0;
    this.sink = onOutput;
    let proceed = this.run();
    if (proceed) proceed = this.flushAll();
    this.input = EMPTY;
    this.sink = IGNORE_OUTPUT;
    if (!proceed) {
      this.stopped = true;
      return 'stopped';
    }
    if (this.pendingError !== null) {
      this.errorMessage = this.pendingError;
      return 'error';
    }
    return 'ok';
  }

  /** Forgets the window and any partial block (no context takeover between messages). */
  reset(): void {
    this.pos = 0;
    this.flushed = 0;
    this.clearStream();
  }

  private clearStream(): void {
    this.hold = 0;
    this.bits = 0;
    this.mode = HEADER;
    this.lastBlock = false;
    this.errorMessage = null;
    this.pendingError = null;
    this.stopped = false;
  }

  /**
   * Runs the state machine until the input is used up, an error is found or the consumer stops.
   * Returns false only when the consumer stopped.
   *
   * Invariant between states: fewer than 8 bits are buffered (input is pulled one byte at a time, and the
   * fast loop returns whole unused bytes), so a stored block's data is always read straight from input.
   */
  private run(): boolean {
    const input = this.input;
    for (;;) {
      switch (this.mode) {
        case HEADER: {
          if (!this.need(3)) return true;
          this.lastBlock = (this.hold & 1) === 1;
          const type = (this.hold >>> 1) & 3;
          this.drop(3);
          if (type === 0) {
            this.drop(this.bits & 7); // stored blocks start on a byte boundary
            this.mode = STORED_LEN;
          } else if (type === 1) {
            this.litLen = FIXED_LITLEN;
            this.litLenBits = FIXED_LITLEN_BITS;
            this.dist = FIXED_DIST;
            this.distBits = FIXED_DIST_BITS;
            this.mode = LEN;
          } else if (type === 2) {
            this.mode = TABLE_SIZES;
          } else {
            this.fail('invalid block type');
            return true;
          }
          break;
        }
        case STORED_LEN:
          if (!this.need(16)) return true;
          this.length = this.hold & 0xffff;
          this.drop(16);
          this.mode = STORED_NLEN;
          break;
        case STORED_NLEN: {
          if (!this.need(16)) return true;
          const nlen = this.hold & 0xffff;
          this.drop(16);
          if (nlen !== (~this.length & 0xffff)) {
            this.fail('invalid stored block lengths');
            return true;
          }
          this.mode = STORED_COPY;
          break;
        }
        case STORED_COPY: {
          if (this.length === 0) {
            this.endBlock();
            break;
          }
          const available = input.length - this.next;
          if (available === 0) return true;
          if (this.pos >= this.roomEnd() && !this.makeRoom()) return false;
          const n = Math.min(this.length, available, this.flushed + OUTPUT_CHUNK - this.pos, this.buf.length - this.pos);
          this.buf.set(input.subarray(this.next, this.next + n), this.pos);
          this.pos += n;
          this.next += n;
          this.length -= n;
          break;
        }
        case TABLE_SIZES:
          if (!this.need(14)) return true;
          this.nlen = (this.hold & 31) + 257;
          this.ndist = ((this.hold >>> 5) & 31) + 1;
          this.ncode = ((this.hold >>> 10) & 15) + 4;
          this.drop(14);
          // 286/287 and 30/31 cannot be coded in a dynamic block (RFC 1951 §3.2.7; zlib rejects them too).
          if (this.nlen > 286 || this.ndist > 30) {
            this.fail('too many length or distance symbols');
            return true;
          }
          this.have = 0;
          this.mode = CODELEN_LENGTHS;
          break;
        case CODELEN_LENGTHS:
          while (this.have < this.ncode) {
            if (!this.need(3)) return true;
            this.lens[CODELEN_ORDER[this.have++]!] = this.hold & 7;
            this.drop(3);
          }
          while (this.have < 19) this.lens[CODELEN_ORDER[this.have++]!] = 0;
          switch (buildTable(this.lens, 0, 19, TableKind.CodeLengths, this.codeLengthTable, CODELEN_ROOT_BITS)) {
            case BuildResult.Invalid:
              this.fail('invalid code lengths set');
              return true;
            case BuildResult.Empty:
              // zlib accepts an empty code-length code and reads every length as a one-bit zero, so the
              // block fails later with "missing end-of-block". Do the same: same error, found at the same bit.
              this.codeLengthTable.fill(makeEntry(0, OP_LITERAL, 1));
              break;
            case BuildResult.Ok:
              break;
          }
          this.have = 0;
          this.mode = CODE_LENGTHS;
          break;
        case CODE_LENGTHS:
          if (!this.readCodeLengths()) return true;
          break;
        case LEN:
          if (this.pos >= this.roomEnd() && !this.makeRoom()) return false;
          if (input.length - this.next >= FAST_MIN_INPUT) {
            this.fastLoop();
            if (this.pendingError !== null) return true;
          } else if (!this.slowLength()) {
            return true;
          }
          break;
        case LEN_EXTRA:
          if (!this.need(this.extra)) return true;
          this.length += this.hold & ((1 << this.extra) - 1);
          this.drop(this.extra);
          this.mode = DIST;
          break;
        case DIST: {
          const entry = this.lookup(this.dist, this.distBits);
          if (entry < 0) return true;
          this.drop(entry & 0xff);
          const op = (entry >>> 8) & 0xff;
          if ((op & OP_BASE) === 0) {
            this.fail('invalid distance code');
            return true;
          }
          this.distance = entry >>> 16;
          this.extra = op & 15;
          this.mode = DIST_EXTRA;
          break;
        }
        case DIST_EXTRA: {
          if (!this.need(this.extra)) return true;
          const distance = this.distance + (this.hold & ((1 << this.extra) - 1));
          this.drop(this.extra);
          if (distance > this.pos || distance > this.windowSize) {
            this.fail('invalid distance too far back');
            return true;
          }
          this.copyMatch(distance, this.length);
          this.mode = LEN;
          break;
        }
        case DONE:
          if (this.next >= input.length) return true;
          if (!this.continueAfterFinal) {
            this.fail('data after final block');
            return true;
          }
          // endBlock() dropped the padding, so the next block starts on this byte; the window is kept.
          this.mode = HEADER;
          break;
        default:
          return true;
      }
    }
  }

  /** Records an error at the current position; output decoded so far is still handed over. */
  private fail(message: string): void {
    this.pendingError = message;
  }

  private endBlock(): void {
    if (this.lastBlock) {
      this.hold = 0; // padding up to the byte boundary
      this.bits = 0;
      this.mode = DONE;
    } else {
      this.mode = HEADER;
    }
  }

  /** Pulls input bytes until `n` bits are buffered; false if the input ran out first. */
  private need(n: number): boolean {
    while (this.bits < n) {
      if (this.next >= this.input.length) return false;
      this.hold |= this.input[this.next++]! << this.bits;
      this.bits += 8;
    }
    return true;
  }

  private drop(n: number): void {
    this.hold >>>= n;
    this.bits -= n;
  }

  /**
   * Decodes the next symbol of `table` without consuming it, pulling bytes as needed; -1 if the input
   * ran out. Missing high bits read as zero, and a code found that way is only trusted once all of its
   * bits are really buffered, so the answer never depends on where the input was cut.
   */
  private lookup(table: Int32Array, rootBits: number): number {
    for (;;) {
      let entry = table[this.hold & ((1 << rootBits) - 1)]!;
      if ((entry >>> 8) & OP_LINK) {
        entry = table[(entry >>> 16) + ((this.hold >>> rootBits) & ((1 << ((entry >>> 8) & 15)) - 1))]!;
      }
      if ((entry & 0xff) <= this.bits) return entry;
      if (this.next >= this.input.length) return -1;
      this.hold |= this.input[this.next++]! << this.bits;
      this.bits += 8;
    }
  }

  /** Decodes one lit/len symbol near the end of the input. False if the input ran out. */
  private slowLength(): boolean {
    const entry = this.lookup(this.litLen, this.litLenBits);
    if (entry < 0) return false;
    this.drop(entry & 0xff);
    const op = (entry >>> 8) & 0xff;
    if (op === 0) {
      this.buf[this.pos++] = entry >>> 16;
    } else if (op & OP_BASE) {
      this.length = entry >>> 16;
      this.extra = op & 15;
      this.mode = LEN_EXTRA;
    } else if (op & OP_END) {
      this.endBlock();
    } else {
      this.fail('invalid literal/length code');
      return false;
    }
    return true;
  }

  /** Reads the code lengths of a dynamic block and builds its tables. False if input ran out or on error. */
  private readCodeLengths(): boolean {
    const total = this.nlen + this.ndist;
    const lens = this.lens;
    while (this.have < total) {
      const entry = this.lookup(this.codeLengthTable, CODELEN_ROOT_BITS);
      if (entry < 0) return false;
      const codeBits = entry & 0xff;
      const symbol = entry >>> 16;
      if (symbol < 16) {
        this.drop(codeBits);
        lens[this.have++] = symbol;
        continue;
      }
      // 16: repeat the previous length 3-6 times; 17: 3-10 zeros; 18: 11-138 zeros.
      const extraBits = symbol === 16 ? 2 : symbol === 17 ? 3 : 7;
      if (!this.need(codeBits + extraBits)) return false;
      this.drop(codeBits);
      let value = 0;
      let repeat: number;
      if (symbol === 16) {
        if (this.have === 0) {
          this.fail('invalid bit length repeat');
          return false;
        }
        value = lens[this.have - 1]!;
        repeat = 3 + (this.hold & 3);
      } else if (symbol === 17) {
        repeat = 3 + (this.hold & 7);
      } else {
        repeat = 11 + (this.hold & 127);
      }
      this.drop(extraBits);
      if (this.have + repeat > total) {
        this.fail('invalid bit length repeat');
        return false;
      }
      lens.fill(value, this.have, this.have + repeat);
      this.have += repeat;
    }
    if (lens[256] === 0) {
      this.fail('invalid code -- missing end-of-block');
      return false;
    }
    if (buildTable(lens, 0, this.nlen, TableKind.LiteralLength, this.dynamicLitLen, LITLEN_ROOT_BITS) === BuildResult.Invalid) {
      this.fail('invalid literal/lengths set');
      return false;
    }
    // A distance code with no symbols is fine as long as the block uses no distance (zlib agrees).
    if (buildTable(lens, this.nlen, this.ndist, TableKind.Distance, this.dynamicDist, DIST_ROOT_BITS) === BuildResult.Invalid) {
      this.fail('invalid distances set');
      return false;
    }
    this.litLen = this.dynamicLitLen;
    this.litLenBits = LITLEN_ROOT_BITS;
    this.dist = this.dynamicDist;
    this.distBits = DIST_ROOT_BITS;
    this.mode = LEN;
    return true;
  }

  /** Where decoding must pause to hand out a chunk or slide the window; leaves room for a longest match. */
  private roomEnd(): number {
    return Math.min(this.flushed + OUTPUT_CHUNK, this.buf.length - MAX_MATCH);
  }

  /** Hands out full chunks, and slides the window down when the buffer is nearly full. */
  private makeRoom(): boolean {
    while (this.pos - this.flushed >= OUTPUT_CHUNK) {
      if (!this.emit(OUTPUT_CHUNK)) return false;
    }
    if (this.pos >= this.buf.length - MAX_MATCH) {
      if (!this.flushAll()) return false;
      this.buf.copyWithin(0, this.pos - this.windowSize, this.pos);
      this.pos = this.windowSize;
      this.flushed = this.windowSize;
    }
    return true;
  }

  private flushAll(): boolean {
    while (this.flushed < this.pos) {
      if (!this.emit(Math.min(OUTPUT_CHUNK, this.pos - this.flushed))) return false;
    }
    return true;
  }

  private emit(n: number): boolean {
    const start = this.flushed;
    this.flushed += n;
    return this.sink(this.buf.subarray(start, start + n)) !== false;
  }

  private copyMatch(distance: number, length: number): void {
    const buf = this.buf;
    let pos = this.pos;
    let from = pos - distance;
    const end = pos + length;
    while (pos < end) buf[pos++] = buf[from++]!;
    this.pos = pos;
  }

  /**
   * The hot loop, in the spirit of zlib's inflate_fast: decodes whole literal and length/distance pairs
   * while at least 8 input bytes and room for a longest match remain, with the state in locals. It finds
   * the same errors at the same symbols as the step-by-step states, so the outcome does not depend on
   * which path ran.
   */
  private fastLoop(): void {
    const input = this.input;
    const inLimit = input.length - FAST_MIN_INPUT;
    const buf = this.buf;
    const outLimit = this.roomEnd();
    const windowSize = this.windowSize;
    const litLen = this.litLen;
    const litLenMask = (1 << this.litLenBits) - 1;
    const litLenBits = this.litLenBits;
    const dist = this.dist;
    const distMask = (1 << this.distBits) - 1;
    const distBits = this.distBits;
    let next = this.next;
    let pos = this.pos;
    let hold = this.hold;
    let bits = this.bits;
    let ended = false;

    while (next <= inLimit && pos < outLimit) {
      if (bits < 15) {
        hold += input[next++]! << bits;
        bits += 8;
        hold += input[next++]! << bits;
        bits += 8;
      }
      let entry = litLen[hold & litLenMask]!;
      let op = (entry >>> 8) & 0xff;
      if (op & OP_LINK) {
        entry = litLen[(entry >>> 16) + ((hold >>> litLenBits) & ((1 << (op & 15)) - 1))]!;
        op = (entry >>> 8) & 0xff;
      }
      let n = entry & 0xff;
      hold >>>= n;
      bits -= n;
      if (op === 0) {
        buf[pos++] = entry >>> 16;
        continue;
      }
      if ((op & OP_BASE) === 0) {
        if (op & OP_END) ended = true;
        else this.pendingError = 'invalid literal/length code';
        break;
      }
      let length = entry >>> 16;
      n = op & 15;
      if (n !== 0) {
        if (bits < n) {
          hold += input[next++]! << bits;
          bits += 8;
        }
        length += hold & ((1 << n) - 1);
        hold >>>= n;
        bits -= n;
      }
      if (bits < 15) {
        hold += input[next++]! << bits;
        bits += 8;
        hold += input[next++]! << bits;
        bits += 8;
      }
      entry = dist[hold & distMask]!;
      op = (entry >>> 8) & 0xff;
      if (op & OP_LINK) {
        entry = dist[(entry >>> 16) + ((hold >>> distBits) & ((1 << (op & 15)) - 1))]!;
        op = (entry >>> 8) & 0xff;
      }
      n = entry & 0xff;
      hold >>>= n;
      bits -= n;
      if ((op & OP_BASE) === 0) {
        this.pendingError = 'invalid distance code';
        break;
      }
      let distance = entry >>> 16;
      n = op & 15;
      if (n !== 0) {
        if (bits < n) {
          hold += input[next++]! << bits;
          bits += 8;
          if (bits < n) {
            hold += input[next++]! << bits;
            bits += 8;
          }
        }
        distance += hold & ((1 << n) - 1);
        hold >>>= n;
        bits -= n;
      }
      if (distance > pos || distance > windowSize) {
        this.pendingError = 'invalid distance too far back';
        break;
      }
      let from = pos - distance;
      const end = pos + length;
      if (distance >= length && length > 32) {
        buf.copyWithin(pos, from, from + length);
        pos = end;
      } else {
        while (pos < end) buf[pos++] = buf[from++]!;
      }
    }

    // Give back whole bytes read ahead, so fewer than 8 bits stay buffered (see run()).
    const unused = bits >>> 3;
    next -= unused;
    bits -= unused << 3;
    hold &= (1 << bits) - 1;
    this.next = next;
    this.pos = pos;
    this.hold = hold;
    this.bits = bits;
    if (ended) this.endBlock();
  }
}
