/**
 * The work area where the decoder unmasks payload it has to read (text to validate, data to inflate):
 * never the caller's buffer, which the proxy may still be writing to a socket.
 *
 * Where WebAssembly SIMD is available, one kernel (src/protocol/simd-xor.ts) is shared by every decoder in
 * the process: a proxy with thousands of connections then holds one 64 KiB area in all instead of 64 KiB
 * per direction, and V8 reserves address space for one WebAssembly memory, not thousands. A decoder
 * holds the shared area only for the length of one `push`; a push that starts while another holds it (a
 * sink that feeds another decoder from inside a callback) gets a private area, so nothing is overwritten.
 *
 * Views are made from a cached ArrayBuffer and offset: a typed array's `.buffer` and `.byteOffset` are
 * getters that cost more than the view itself (~25 ns a call), which shows on 100-byte messages.
 *
 * Sink listeners (`payload`, `messageData`) get views valid only during their call. A new view per piece
 * (its allocation and its collection, ~40 ns) would cost as much as decoding a small frame, so short
 * pieces are lent instead: copied a word at a time into a small area (~8 ns for 16 bytes) and handed over
 * through views of it made once per length (`lend*`).
 */
import { unmaskNative } from './mask.js';
import { XOR_AREA_BYTES, loadXorKernel, type XorKernel } from './simd-xor.js';
import { TextRun } from './text-run.js';
import { SMALL_TEXT_BYTES, isValidUtf8, isValidUtf8Aligned } from './utf8.js';

export const SCRATCH_BYTES = XOR_AREA_BYTES;

/** The chunk being decoded, with its backing store looked up once per push. */
export class Source {
  bytes: Uint8Array = EMPTY;
  private buffer: ArrayBufferLike = EMPTY.buffer;
  private byteOffset = 0;
  private dataView: DataView | null = null;

  /** Points at `chunk` (cheap when it already does). */
  use(chunk: Uint8Array): this {
    if (chunk !== this.bytes) {
      this.bytes = chunk;
      this.buffer = chunk.buffer;
      this.byteOffset = chunk.byteOffset;
      this.dataView = null;
    }
    return this;
  }

  /** Drops the reference to the chunk, so a decoder does not keep it alive between pushes. */
  release(): void {
    this.bytes = EMPTY;
    this.buffer = EMPTY.buffer;
    this.dataView = null;
  }

  /** The chunk as a DataView, for word reads at any offset (made once per chunk, when first needed). */
  words(): DataView {
    return (this.dataView ??= new DataView(this.buffer, this.byteOffset, this.bytes.length));
  }

  view(start: number, length: number): Uint8Array {
    return new Uint8Array(this.buffer, this.byteOffset + start, length);
  }
}

const EMPTY = new Uint8Array(0);

/**
 * Below LOOP_MAX bytes a JavaScript loop beats making a view and calling out, and up to WORD_LOOP_MAX a
 * loop reading words through the chunk's DataView does (measured on x64).
 */
const LOOP_MAX = 48;
const WORD_LOOP_MAX = 128;

/**
 * Pieces up to these sizes are lent to listeners rather than given a view of their own: a piece at the start
 * of the area through a view made once per length, a piece elsewhere copied into a small area first
 * (beyond 64 bytes the copy costs as much as a view; measured on x64).
 */
const LEND_HEAD_MAX = 128;
const LEND_COPY_MAX = 64;

export abstract class Scratch {
  /** The area: 4-byte aligned, SCRATCH_BYTES long. */
  readonly bytes: Uint8Array;
  /** The same memory as 32-bit words. */
  readonly words: Uint32Array;
  private readonly buffer: ArrayBufferLike;
  private textRun: TextRun | null = null;
  private lending: Lending | null = null;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.buffer = bytes.buffer;
    this.words = new Uint32Array(this.buffer, bytes.byteOffset, bytes.length >>> 2);
  }

  /** bytes[start, start + length) as a view of its own. */
  view(length: number, start = 0): Uint8Array {
    return new Uint8Array(this.buffer, this.bytes.byteOffset + start, length);
  }

  /** bytes[0, length) for a sink listener, valid during its call. */
  lendHead(length: number): Uint8Array {
    if (length > LEND_HEAD_MAX) return this.view(length);
    return (this.lending ??= new Lending(this.bytes)).heads[length]!;
  }

  /** bytes[start, start + length) for a sink listener, valid during its call. */
  lendAt(start: number, length: number): Uint8Array {
    if (length > LEND_COPY_MAX) return this.view(length, start);
    const lending = (this.lending ??= new Lending(this.bytes));
    return lending.copy(lending.scratch, start, length);
  }

  /** source.bytes[start, start + length) for a sink listener, valid during its call. */
  lendFrom(source: Source, start: number, length: number): Uint8Array {
    if (length > LEND_COPY_MAX) return source.view(start, length);
    return (this.lending ??= new Lending(this.bytes)).copy(source.words(), start, length);
  }

  /** Whether bytes[0, length) are valid UTF-8: in JavaScript when short (a native call costs more), else natively. */
  isUtf8(length: number): boolean {
    return length < SMALL_TEXT_BYTES ? isValidUtf8Aligned(this.bytes, this.words, length) : isValidUtf8(this.view(length));
  }

  /** The fast lane's tables (text-run.ts), kept with the area they describe. */
  get run(): TextRun {
    return (this.textRun ??= new TextRun());
  }

  /** XORs bytes[start, end) with `word` (see keyWord: its lowest byte masks bytes[start]). */
  abstract xor(start: number, end: number, word: number): void;

  /**
   * Unmasks source[start, end) (at most SCRATCH_BYTES) into bytes[0, end - start); `position` is the
   * offset of source[start] in the frame payload.
   */
  unmask(source: Source, start: number, end: number, key: Uint8Array, position: number): void {
    const n = end - start;
    const word = keyWord(key, position);
    if (n <= LOOP_MAX || !LITTLE_ENDIAN) {
      this.unmaskInLoop(source.bytes, start, n, word);
    } else if (n <= WORD_LOOP_MAX) {
      this.unmaskWords(source.words(), start, n, word);
    } else {
      this.unmaskLarge(source, start, n, word, key, position);
    }
  }

  /** Copies the piece in (a V8 memcpy), then XORs it in place. */
  protected unmaskLarge(source: Source, start: number, n: number, word: number, _key: Uint8Array, _position: number): void {
    this.bytes.set(source.view(start, n), 0);
    this.xor(0, n, word);
  }

  /** Reads the payload a word at a time through a DataView (any alignment), XORs, stores aligned words. */
  private unmaskWords(src: DataView, start: number, n: number, word: number): void {
    const words = this.words;
    const full = n >>> 2;
    for (let w = 0; w < full; w++) words[w] = src.getUint32(start + (w << 2), true) ^ word;
    for (let o = full << 2; o < n; o++) this.bytes[o] = src.getUint8(start + o) ^ (word >>> ((o & 3) << 3));
  }

  /** Reads four payload bytes at a time into one word (the area is aligned; the source need not be). */
  private unmaskInLoop(src: Uint8Array, start: number, n: number, word: number): void {
    const words = this.words;
    const full = LITTLE_ENDIAN ? n >>> 2 : 0;
    let s = start;
    for (let w = 0; w < full; w++, s += 4) words[w] = (src[s]! | (src[s + 1]! << 8) | (src[s + 2]! << 16) | (src[s + 3]! << 24)) ^ word;
    for (let o = full << 2; o < n; o++, s++) this.bytes[o] = src[s]! ^ (word >>> ((o & 3) << 3));
  }
}

/** The shared area: XORs with the SIMD kernel. */
class KernelScratch extends Scratch {
  busy = false;
  private readonly kernel: XorKernel;

  constructor(kernel: XorKernel) {
    super(kernel.bytes);
    this.kernel = kernel;
  }

  xor(start: number, end: number, word: number): void {
    this.kernel.xor(start, end, word);
  }
}

/** A decoder's own area, for when the kernel is unavailable or busy: bufferutil, or JavaScript words. */
class PlainScratch extends Scratch {
  constructor() {
    super(new Uint8Array(SCRATCH_BYTES));
  }

  protected override unmaskLarge(source: Source, start: number, n: number, word: number, key: Uint8Array, position: number): void {
    if (!unmaskNative(source.view(start, n), key, position, this.bytes, 0)) super.unmaskLarge(source, start, n, word, key, position);
  }

  xor(start: number, end: number, word: number): void {
    const bytes = this.bytes;
    let i = start;
    if (LITTLE_ENDIAN && (start & 3) === 0) {
      // Four bytes at a time when the range starts on a word (a piece unmasked at 0 always does).
      const words = this.words;
      for (; i + 4 <= end; i += 4) words[i >> 2] = words[i >> 2]! ^ word;
    }
    for (; i < end; i++) bytes[i] = bytes[i]! ^ (word >>> (((i - start) & 3) << 3));
  }
}

const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/** What a scratch area lends short pieces through (see the file comment); made on first use. */
class Lending {
  /** Views of the scratch area's bytes[0, n), n ≤ LEND_HEAD_MAX. */
  readonly heads: Uint8Array[];
  /** The scratch area as a DataView. */
  readonly scratch: DataView;
  private readonly area = new Uint8Array(LEND_COPY_MAX);
  private readonly areaWords = new Uint32Array(this.area.buffer);
  private readonly areaViews = viewsByLength(this.area, LEND_COPY_MAX);

  constructor(scratch: Uint8Array) {
    this.heads = viewsByLength(scratch, LEND_HEAD_MAX);
    this.scratch = new DataView(scratch.buffer, scratch.byteOffset, scratch.length);
  }

  /** Copies src[start, start + length) (length ≤ LEND_COPY_MAX) into the area; returns the view of it. */
  copy(src: DataView, start: number, length: number): Uint8Array {
    const words = this.areaWords;
    const full = length >>> 2;
    // Unaligned word reads in the source's memory order, aligned stores: the copy keeps the byte order.
    for (let w = 0; w < full; w++) words[w] = src.getUint32(start + (w << 2), LITTLE_ENDIAN);
    const area = this.area;
    for (let o = full << 2; o < length; o++) area[o] = src.getUint8(start + o);
    return this.areaViews[length]!;
  }
}

/** Views of bytes[0, n) for every n from 0 to max. */
function viewsByLength(bytes: Uint8Array, max: number): Uint8Array[] {
  return Array.from({ length: max + 1 }, (_, n) => bytes.subarray(0, n));
}

/**
 * The key as the word that masks four payload bytes starting at `position`: its byte i (in memory order)
 * is key[(position + i) mod 4]. On a big-endian machine only the byte loops use it, by shifting.
 */
function keyWord(key: Uint8Array, position: number): number {
  const r = position & 3;
  return key[r]! | (key[(r + 1) & 3]! << 8) | (key[(r + 2) & 3]! << 16) | (key[(r + 3) & 3]! << 24);
}

// The kernel's key word is little-endian: on a big-endian machine the plain area is used.
const kernel = LITTLE_ENDIAN ? loadXorKernel() : null;
const shared = kernel ? new KernelScratch(kernel) : null;

/** Whether unmasking runs on the WebAssembly SIMD kernel in this process (the benchmark reports it). */
export const simdUnmask = shared !== null;

/**
 * Takes the shared area for one push, or returns null when it is unavailable or already held (then use a
 * private one). Every successful claim must be paired with `releaseSharedScratch`, in a `finally`.
 */
export function claimSharedScratch(): Scratch | null {
  if (shared === null || shared.busy) return null;
  shared.busy = true;
  return shared;
}

export function releaseSharedScratch(): void {
  if (shared !== null) shared.busy = false;
}

/** A decoder's own area (64 KiB), for pushes that cannot have the shared one. */
export function createPrivateScratch(): Scratch {
  return new PlainScratch();
}
