/**
 * The pure streaming inflater: round trips against node:zlib, hand-built invalid streams for every
 * rejection rule, and properties showing that output and outcome do not depend on how input is split.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import zlib from 'node:zlib';
import fc from 'fast-check';
import { OUTPUT_CHUNK, StreamInflater, type InflateResult, type StreamInflaterOptions } from '../../src/protocol/inflate-stream.js';
import { hex } from '../support/bytes.js';
import { SyncZlib } from '../support/zlib-sync.js';

const NUM_RUNS = Number(process.env['WSDIAG_FUZZ_RUNS'] ?? 200);
const TRAILER = Uint8Array.from([0x00, 0x00, 0xff, 0xff]);
const { Z_DEFAULT_STRATEGY, Z_FILTERED, Z_HUFFMAN_ONLY, Z_RLE, Z_FIXED } = zlib.constants;

interface Run {
  output: Buffer;
  result: InflateResult;
  error: string | null;
  finished: boolean;
  chunkSizes: number[];
}

/** Feeds the chunks in order until one write does not return 'ok'. */
function inflateChunks(inflater: StreamInflater, chunks: Uint8Array[]): Run {
  const parts: Buffer[] = [];
  const chunkSizes: number[] = [];
  let result: InflateResult = 'ok';
  for (const chunk of chunks) {
    result = inflater.write(chunk, (bytes) => {
      parts.push(Buffer.from(bytes));
      chunkSizes.push(bytes.length);
    });
    if (result !== 'ok') break;
  }
  return { output: Buffer.concat(parts), result, error: inflater.error, finished: inflater.finished, chunkSizes };
}

function inflate(bytes: Uint8Array, windowBits = 15, options?: StreamInflaterOptions): Run {
  return inflateChunks(new StreamInflater(windowBits, options), [bytes]);
}

/** permessage-deflate's reading of BFINAL: more blocks may follow a final one (RFC 7692 §7.2.1). */
const CONTINUE: StreamInflaterOptions = { afterFinalBlock: 'continue' };

function cutAt(bytes: Uint8Array, offsets: number[]): Uint8Array[] {
  const sorted = [...new Set(offsets.map((o) => (bytes.length ? o % (bytes.length + 1) : 0)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const offset of sorted) {
    chunks.push(bytes.subarray(start, offset));
    start = offset;
  }
  chunks.push(bytes.subarray(start));
  return chunks;
}

function byteAtATime(bytes: Uint8Array): Uint8Array[] {
  return Array.from(bytes, (_, i) => bytes.subarray(i, i + 1));
}

/** Compares the parts of a run that must not depend on the split (not the chunk sizes). */
function outcome(run: Run): [string, InflateResult, string | null, boolean] {
  return [run.output.toString('hex'), run.result, run.error, run.finished];
}

function textOf(lines: number, seed = 1): Buffer {
  const words = ['frame', 'mask', 'opcode', 'payload', 'close', 'ping', 'deflate', 'window', 'the', 'a', 'of', '1002', '{"id":'];
  const out: string[] = [];
  let x = seed;
  for (let i = 0; i < lines; i++) {
    const line: string[] = [];
    for (let j = 0; j < 8; j++) {
      x = (x * 1103515245 + 12345) >>> 0;
      line.push(words[x % words.length]!);
    }
    out.push(`${i}: ${line.join(' ')}\n`);
  }
  return Buffer.from(out.join(''));
}

function randomBytes(n: number, seed = 7): Buffer {
  const out = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1664525 + 1013904223) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** Writes DEFLATE bit streams by hand: fields LSB first, Huffman codes MSB first (RFC 1951 §3.1.1). */
class BitWriter {
  private readonly bytes: number[] = [];
  private acc = 0;
  private count = 0;

  bits(value: number, n: number): this {
    for (let i = 0; i < n; i++) {
      this.acc |= ((value >>> i) & 1) << this.count;
      if (++this.count === 8) this.flushByte();
    }
    return this;
  }

  code(code: number, length: number): this {
    for (let i = length - 1; i >= 0; i--) this.bits((code >>> i) & 1, 1);
    return this;
  }

  align(): this {
    if (this.count > 0) this.flushByte();
    return this;
  }

  raw(bytes: ArrayLike<number>): this {
    this.align();
    this.bytes.push(...Array.from(bytes));
    return this;
  }

  header(final: boolean, type: number): this {
    return this.bits(final ? 1 : 0, 1).bits(type, 2);
  }

  /** A fixed-code lit/len symbol (RFC 1951 §3.2.6). */
  fixedSymbol(symbol: number): this {
    if (symbol < 144) return this.code(0x30 + symbol, 8);
    if (symbol < 256) return this.code(0x190 + symbol - 144, 9);
    if (symbol < 280) return this.code(symbol - 256, 7);
    return this.code(0xc0 + symbol - 280, 8);
  }

  fixedLiterals(text: string): this {
    for (const byte of Buffer.from(text)) this.fixedSymbol(byte);
    return this;
  }

  /** A non-final fixed block holding `text`. */
  fixedBlockWith(text: string): this {
    return this.header(false, 1).fixedLiterals(text).fixedSymbol(256);
  }

  stored(final: boolean, data: ArrayLike<number>): this {
    this.header(final, 0).align();
    return this.bits(data.length, 16)
      .bits(~data.length & 0xffff, 16)
      .raw(data);
  }

  done(): Uint8Array {
    this.align();
    return Uint8Array.from(this.bytes);
  }

  private flushByte(): void {
    this.bytes.push(this.acc);
    this.acc = 0;
    this.count = 0;
  }
}

/** Canonical Huffman codes for the given lengths (RFC 1951 §3.2.2). */
function canonicalCodes(lengths: number[]): number[] {
  const count = new Array<number>(16).fill(0);
  for (const len of lengths) if (len) count[len]!++;
  const next = new Array<number>(16).fill(0);
  let code = 0;
  for (let len = 1; len < 16; len++) {
    code = (code + count[len - 1]!) << 1;
    next[len] = code;
  }
  count[0] = 0;
  return lengths.map((len) => (len ? next[len]!++ : -1));
}

const CODELEN_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];
/** A complete code-length code: symbols 0..12 get 4 bits, 13..18 get 5 bits. */
const DEFAULT_CODELEN_LENGTHS = Array.from({ length: 19 }, (_, s) => (s < 13 ? 4 : 5));

function lengthsOf(size: number, entries: Record<number, number>): number[] {
  const lengths = new Array<number>(size).fill(0);
  for (const [symbol, len] of Object.entries(entries)) lengths[Number(symbol)] = len;
  return lengths;
}

interface DynamicCodes {
  lit: number[];
  litLengths: number[];
  dist: number[];
  distLengths: number[];
}

/**
 * Writes a dynamic block header. `sequence` overrides the code-length symbols ([symbol, extra bits value]);
 * by default each length is sent as itself.
 */
function dynamicHeader(
  w: BitWriter,
  final: boolean,
  litLengths: number[],
  distLengths: number[],
  options: { codeLengthLengths?: number[]; sequence?: Array<[number, number]>; hlit?: number; hdist?: number } = {},
): DynamicCodes {
  const clLengths = options.codeLengthLengths ?? DEFAULT_CODELEN_LENGTHS;
  const clCodes = canonicalCodes(clLengths);
  w.header(final, 2);
  w.bits(options.hlit ?? litLengths.length - 257, 5)
    .bits(options.hdist ?? distLengths.length - 1, 5)
    .bits(19 - 4, 4);
  for (const symbol of CODELEN_ORDER) w.bits(clLengths[symbol]!, 3);
  const sequence = options.sequence ?? [...litLengths, ...distLengths].map((len): [number, number] => [len, 0]);
  for (const [symbol, extra] of sequence) {
    w.code(clCodes[symbol]!, clLengths[symbol]!);
    if (symbol === 16) w.bits(extra, 2);
    if (symbol === 17) w.bits(extra, 3);
    if (symbol === 18) w.bits(extra, 7);
  }
  return { lit: canonicalCodes(litLengths), litLengths, dist: canonicalCodes(distLengths), distLengths };
}

function writeSymbol(w: BitWriter, codes: number[], lengths: number[], symbol: number): void {
  assert.ok(lengths[symbol]! > 0, `symbol ${symbol} has no code`);
  w.code(codes[symbol]!, lengths[symbol]!);
}

/** Asserts a run errs with `message` after exactly `before`, the same when fed one byte at a time. */
function assertErrorAfter(bytes: Uint8Array, message: string, before: string, windowBits = 15, options?: StreamInflaterOptions): void {
  const whole = inflate(bytes, windowBits, options);
  assert.equal(whole.result, 'error');
  assert.equal(whole.error, message);
  assert.equal(whole.output.toString('latin1'), before);
  assert.deepEqual(outcome(inflateChunks(new StreamInflater(windowBits, options), byteAtATime(bytes))), outcome(whole));
}

describe('StreamInflater: round trips against zlib', () => {
  const text = textOf(3000);
  const strategies = { default: Z_DEFAULT_STRATEGY, filtered: Z_FILTERED, huffmanOnly: Z_HUFFMAN_ONLY, rle: Z_RLE, fixed: Z_FIXED };

  for (const level of [0, 1, 6, 9]) {
    for (const [name, strategy] of Object.entries(strategies)) {
      it(`level ${level}, strategy ${name}: whole, split and byte at a time`, () => {
        const compressed = zlib.deflateRawSync(text, { level, strategy });
        const whole = inflate(compressed);
        assert.equal(whole.result, 'ok');
        assert.ok(whole.output.equals(text));
        assert.equal(whole.finished, true);
        for (const chunks of [byteAtATime(compressed), cutAt(compressed, [1, 2, 3, 100, 101, 5000, 5007])]) {
          assert.deepEqual(outcome(inflateChunks(new StreamInflater(), chunks)), outcome(whole));
        }
      });
    }
  }

  for (let windowBits = 9; windowBits <= 15; windowBits++) {
    it(`windowBits ${windowBits}: back references up to the window size`, () => {
      // Repeats at distances around the window size, so matches reach as far back as allowed.
      const period = (1 << windowBits) - 3;
      const unit = randomBytes(period, windowBits);
      const data = Buffer.concat([unit, unit, unit, textOf(200)]);
      for (const level of [1, 9]) {
        const compressed = zlib.deflateRawSync(data, { level, windowBits });
        const run = inflate(compressed, windowBits);
        assert.equal(run.result, 'ok', run.error ?? '');
        assert.ok(run.output.equals(data));
        assert.deepEqual(outcome(inflateChunks(new StreamInflater(windowBits), cutAt(compressed, [17, 333, 4097]))), outcome(run));
      }
    });
  }

  it('2 MiB of random data (stored blocks) and 4 MiB of repetitive data, in bounded chunks', () => {
    for (const data of [randomBytes(2 * 1024 * 1024), Buffer.concat(Array.from({ length: 64 }, () => textOf(1000)))]) {
      for (const level of [0, 6]) {
        const compressed = zlib.deflateRawSync(data, { level });
        const inflater = new StreamInflater();
        let offset = 0;
        let buffers = new Set<ArrayBufferLike>();
        const result = inflater.write(compressed, (bytes) => {
          assert.ok(bytes.length > 0 && bytes.length <= OUTPUT_CHUNK);
          assert.ok(data.subarray(offset, offset + bytes.length).equals(bytes), `mismatch at ${offset}`);
          buffers.add(bytes.buffer);
          offset += bytes.length;
        });
        assert.equal(result, 'ok');
        assert.equal(offset, data.length);
        // Every view is into the same fixed buffer: memory does not grow with the message.
        assert.equal(buffers.size, 1);
        assert.ok([...buffers][0]!.byteLength <= 64 * 1024);
        buffers = new Set();
      }
    }
  });

  it('a highly compressible 8 MiB message inflates through 16 KiB views of one 64 KiB buffer', () => {
    const data = Buffer.alloc(8 * 1024 * 1024, 0x61);
    const compressed = zlib.deflateRawSync(data, { level: 9 });
    assert.ok(compressed.length < 10_000);
    const sizes = new Map<number, number>();
    let total = 0;
    let byteLength = 0;
    const result = new StreamInflater().write(compressed, (bytes) => {
      sizes.set(bytes.length, (sizes.get(bytes.length) ?? 0) + 1);
      total += bytes.length;
      byteLength = Math.max(byteLength, bytes.buffer.byteLength);
      for (const b of bytes) if (b !== 0x61) assert.fail('wrong byte');
    });
    assert.equal(result, 'ok');
    assert.equal(total, data.length);
    assert.equal(byteLength, 64 * 1024);
    assert.ok(Math.max(...sizes.keys()) <= OUTPUT_CHUNK);
  });

  it('dictionary-primed streams are rejected without the history, as zlib does', () => {
    const dictionary = textOf(50);
    const compressed = zlib.deflateRawSync(dictionary, { dictionary });
    const run = inflate(compressed);
    assert.equal(run.result, 'error');
    assert.equal(run.error, 'invalid distance too far back');
    assert.throws(() => zlib.inflateRawSync(compressed), /invalid distance too far back/);
  });
});

describe('StreamInflater: messages (RFC 7692)', () => {
  const messages = [textOf(40, 1), textOf(40, 1), Buffer.from('short'), textOf(300, 2), Buffer.alloc(0), textOf(40, 1)];

  for (const windowBits of [9, 12, 15]) {
    it(`context takeover, windowBits ${windowBits}: one inflater across sync-flushed messages`, () => {
      const deflater = new SyncZlib('deflate', windowBits);
      const inflater = new StreamInflater(windowBits);
      const byteInflater = new StreamInflater(windowBits);
      try {
        for (const message of messages) {
          const parts: Buffer[] = [];
          assert.equal(
            deflater.process(message, (b) => void parts.push(Buffer.from(b))),
            null,
          );
          // zlib flushes nothing for an empty message; RFC 7692 §7.2.3.6 sends a single 0x00 then.
          const compressed = message.length ? Buffer.concat(parts) : Buffer.concat([Buffer.from([0]), TRAILER]);
          assert.ok(compressed.subarray(-4).equals(TRAILER));
          // As RFC 7692 §7.2.2 does it: the trailer stripped by the sender is appended by the receiver.
          const run = inflateChunks(inflater, [compressed.subarray(0, -4), TRAILER]);
          assert.equal(run.result, 'ok', run.error ?? '');
          assert.ok(run.output.equals(message));
          assert.equal(run.finished, false);
          assert.ok(inflateChunks(byteInflater, byteAtATime(compressed)).output.equals(message));
        }
      } finally {
        deflater.close();
      }
    });
  }

  it('no context takeover: reset() between messages', () => {
    const deflater = new SyncZlib('deflate', 15);
    const inflater = new StreamInflater();
    try {
      for (const message of messages) {
        const parts: Buffer[] = [];
        deflater.process(message, (b) => void parts.push(Buffer.from(b)));
        deflater.reset();
        inflater.reset();
        const run = inflateChunks(inflater, [Buffer.concat(parts)]);
        assert.equal(run.result, 'ok');
        assert.ok(run.output.equals(message));
      }
    } finally {
      deflater.close();
    }
  });

  it('a message that refers to an earlier one fails after reset(): too far back', () => {
    const deflater = new SyncZlib('deflate', 15);
    const compressed: Buffer[] = [];
    try {
      for (const message of messages.slice(0, 2)) {
        const parts: Buffer[] = [];
        deflater.process(message, (b) => void parts.push(Buffer.from(b)));
        compressed.push(Buffer.concat(parts));
      }
    } finally {
      deflater.close();
    }
    const inflater = new StreamInflater();
    assert.equal(inflateChunks(inflater, [compressed[0]!]).result, 'ok');
    inflater.reset();
    const run = inflateChunks(inflater, [compressed[1]!]);
    assert.equal(run.result, 'error');
    assert.equal(run.error, 'invalid distance too far back');
  });

  it('empty stored blocks (sync flushes) produce nothing and leave the stream open', () => {
    const emptyBlock = Buffer.concat([Buffer.from([0]), TRAILER]);
    const run = inflate(Buffer.concat([emptyBlock, emptyBlock, emptyBlock]));
    assert.deepEqual(outcome(run), ['', 'ok', null, false]);
    assert.deepEqual(run.chunkSizes, []);
  });

  it('BFINAL: finished, then further input is an error until reset()', () => {
    const compressed = zlib.deflateRawSync('final block');
    const inflater = new StreamInflater();
    const run = inflateChunks(inflater, [compressed, new Uint8Array(0)]);
    assert.deepEqual(outcome(run), [Buffer.from('final block').toString('hex'), 'ok', null, true]);
    // The RFC 7692 trailer after a final block is data after the end of the stream.
    assert.equal(
      inflater.write(TRAILER, () => assert.fail('no output')),
      'error',
    );
    assert.equal(inflater.error, 'data after final block');
    assert.equal(
      inflater.write(new Uint8Array(0), () => {}),
      'error',
    );
    inflater.reset();
    assert.equal(inflater.finished, false);
    assert.equal(inflateChunks(inflater, [compressed]).output.toString(), 'final block');
  });

  it('BFINAL: trailing bytes in the same write are an error after the output', () => {
    const compressed = zlib.deflateRawSync('final block');
    for (const chunks of [[Buffer.concat([compressed, TRAILER])], byteAtATime(Buffer.concat([compressed, TRAILER]))]) {
      const run = inflateChunks(new StreamInflater(), chunks);
      assert.deepEqual(outcome(run), [Buffer.from('final block').toString('hex'), 'error', 'data after final block', true]);
    }
  });
});

/** Every cut into two pieces, then byte at a time: all must match the whole run. */
function assertSameAtEverySplit(bytes: Uint8Array, windowBits: number, options: StreamInflaterOptions | undefined, whole: Run): void {
  for (let at = 0; at <= bytes.length; at++) {
    assert.deepEqual(outcome(inflateChunks(new StreamInflater(windowBits, options), cutAt(bytes, [at]))), outcome(whole), `split at ${at}`);
  }
  assert.deepEqual(outcome(inflateChunks(new StreamInflater(windowBits, options), byteAtATime(bytes))), outcome(whole), 'byte at a time');
}

describe("StreamInflater: blocks after a final block (afterFinalBlock: 'continue', RFC 7692 §7.2.1)", () => {
  /** RFC 7692 §7.2.3.4: "Hello" in a fixed block with BFINAL set, then the 0x00 left of an empty stored block. */
  const RFC_BFINAL = hex('f3 48 cd c9 c9 07 00 00');

  it('the RFC 7692 §7.2.3.4 example with the trailer appended: "Hello", then an empty stored block', () => {
    const bytes = Buffer.concat([RFC_BFINAL, TRAILER]);
    const run = inflate(bytes, 15, CONTINUE);
    assert.deepEqual(outcome(run), [Buffer.from('Hello').toString('hex'), 'ok', null, false]);
    assertSameAtEverySplit(bytes, 15, CONTINUE, run);
    // RFC 1951 alone (the default) ends the stream at the final block.
    assertErrorAfter(bytes, 'data after final block', 'Hello');
  });

  it('finished holds from the end of a final block until the next byte, which starts a new block', () => {
    const inflater = new StreamInflater(15, CONTINUE);
    assert.deepEqual(outcome(inflateChunks(inflater, [RFC_BFINAL.subarray(0, 7)])), [
      Buffer.from('Hello').toString('hex'),
      'ok',
      null,
      true,
    ]);
    assert.deepEqual(outcome(inflateChunks(inflater, [RFC_BFINAL.subarray(7)])), ['', 'ok', null, false]);
    assert.deepEqual(outcome(inflateChunks(inflater, [TRAILER])), ['', 'ok', null, false]);
    // After that empty stored block, another final block: finished again.
    assert.deepEqual(outcome(inflateChunks(inflater, [zlib.deflateRawSync('again')])), [
      Buffer.from('again').toString('hex'),
      'ok',
      null,
      true,
    ]);
  });

  it('streams after a final block resolve back references into the earlier ones, at every split', () => {
    const first = textOf(30, 3);
    const second = Buffer.concat([textOf(30, 3), Buffer.from('tail')]);
    const third = Buffer.concat([Buffer.from('head'), textOf(30, 3), second.subarray(-200)]);
    // Each primed with what came before, as a peer keeping its window sends.
    const streams = [
      zlib.deflateRawSync(first),
      zlib.deflateRawSync(second, { dictionary: first }),
      zlib.deflateRawSync(third, { dictionary: Buffer.concat([first, second]) }),
    ];
    for (const stream of streams.slice(1)) {
      // The references are real: without the earlier output these streams do not inflate.
      assert.equal(inflate(stream).error, 'invalid distance too far back');
    }
    const bytes = Buffer.concat(streams);
    const run = inflate(bytes, 15, CONTINUE);
    assert.deepEqual(outcome(run), [Buffer.concat([first, second, third]).toString('hex'), 'ok', null, true]);
    assertSameAtEverySplit(bytes, 15, CONTINUE, run);
  });

  it('a final stored block and a final dynamic block are followed the same way', () => {
    const text = textOf(60, 9);
    const bytes = Buffer.concat([new BitWriter().stored(true, Buffer.from('stored;')).done(), zlib.deflateRawSync(text, { level: 9 })]);
    const run = inflate(bytes, 15, CONTINUE);
    assert.deepEqual(outcome(run), [Buffer.concat([Buffer.from('stored;'), text]).toString('hex'), 'ok', null, true]);
  });

  it('what follows a final block must be valid DEFLATE', () => {
    const hello = RFC_BFINAL.subarray(0, 7);
    const cases: Array<[Uint8Array, string]> = [
      [new BitWriter().header(false, 3).done(), 'invalid block type'],
      [new BitWriter().header(false, 0).align().bits(2, 16).bits(2, 16).raw([1, 2]).done(), 'invalid stored block lengths'],
      // Length 3 at distance 9 when only the 5 bytes of "Hello" exist.
      [new BitWriter().header(true, 1).fixedSymbol(257).code(6, 5).bits(0, 2).fixedSymbol(256).done(), 'invalid distance too far back'],
    ];
    for (const [after, message] of cases) {
      assertErrorAfter(Buffer.concat([hello, after]), message, 'Hello', 15, CONTINUE);
    }
  });
});

describe('StreamInflater: invalid streams', () => {
  it('block type 3', () => {
    assertErrorAfter(
      new BitWriter().header(false, 1).fixedLiterals('ok').fixedSymbol(256).header(true, 3).done(),
      'invalid block type',
      'ok',
    );
  });

  it('stored block LEN/NLEN mismatch', () => {
    const w = new BitWriter().stored(false, [0x41, 0x42]).header(true, 0).align().bits(3, 16).bits(3, 16);
    assertErrorAfter(w.raw([1, 2, 3]).done(), 'invalid stored block lengths', 'AB');
  });

  it('fixed block: lit/len symbols 286 and 287 are invalid', () => {
    for (const symbol of [286, 287]) {
      assertErrorAfter(
        new BitWriter().header(true, 1).fixedLiterals('abc').fixedSymbol(symbol).done(),
        'invalid literal/length code',
        'abc',
      );
    }
  });

  it('fixed block: distance symbols 30 and 31 are invalid', () => {
    for (const symbol of [30, 31]) {
      const w = new BitWriter().header(true, 1).fixedLiterals('abcd').fixedSymbol(257).code(symbol, 5);
      assertErrorAfter(w.fixedSymbol(256).done(), 'invalid distance code', 'abcd');
    }
  });

  it('distance beyond the bytes produced so far', () => {
    // Length 3 (symbol 257) at distance 5 (symbol 4, 1 extra bit = 0) after only 4 bytes; with a short
    // and a long tail so both the slow path and the fast loop meet it.
    for (const tail of ['', 'a tail long enough for the fast loop']) {
      const bad = new BitWriter().header(true, 1).fixedLiterals('abcd').fixedSymbol(257).code(4, 5).bits(0, 1);
      assertErrorAfter(bad.fixedLiterals(tail).fixedSymbol(256).done(), 'invalid distance too far back', 'abcd');
    }
    // Distance 4 is fine.
    const good = new BitWriter().header(true, 1).fixedLiterals('abcd').fixedSymbol(257).code(3, 5).fixedSymbol(256).done();
    assert.deepEqual(outcome(inflate(good)), [Buffer.from('abcdabc').toString('hex'), 'ok', null, true]);
  });

  it('distance beyond 2^windowBits even when more history exists', () => {
    // 600 stored bytes, then length 3 at distance 257 (symbol 16, 7 extra bits = 0) and 513 (symbol 18).
    // A long tail after the match makes the whole-input run take the fast loop, a short one the slow path.
    const history = randomBytes(600);
    for (const tail of ['', 'then some more literals after the match']) {
      for (const [windowBits, symbol, okFrom] of [
        [8, 16, 9],
        [9, 18, 10],
      ] as const) {
        const w = new BitWriter()
          .stored(false, history)
          .header(true, 1)
          .fixedSymbol(257)
          .code(symbol, 5)
          .bits(0, symbol === 16 ? 7 : 8);
        const bytes = w.fixedLiterals(tail).fixedSymbol(256).done();
        assertErrorAfter(bytes, 'invalid distance too far back', history.toString('latin1'), windowBits);
        const run = inflate(bytes, okFrom);
        assert.equal(run.result, 'ok');
        assert.equal(run.output.length, 603 + tail.length);
      }
    }
  });

  it('too many length or distance symbols', () => {
    for (const [hlit, hdist] of [
      [30, 0],
      [31, 0],
      [0, 30],
      [0, 31],
    ]) {
      const w = new BitWriter().stored(false, [0x7a]).header(true, 2).bits(hlit!, 5).bits(hdist!, 5).bits(15, 4);
      assertErrorAfter(w.done(), 'too many length or distance symbols', 'z');
    }
  });

  it('code-length code: over-subscribed or incomplete', () => {
    for (const codeLengthLengths of [lengthsOf(19, { 0: 1, 1: 1, 8: 1 }), lengthsOf(19, { 8: 1 }), lengthsOf(19, { 0: 2, 8: 2, 1: 2 })]) {
      const w = new BitWriter().stored(false, [0x7a]);
      w.header(true, 2).bits(0, 5).bits(0, 5).bits(15, 4);
      for (const symbol of CODELEN_ORDER) w.bits(codeLengthLengths[symbol]!, 3);
      assertErrorAfter(w.done(), 'invalid code lengths set', 'z');
    }
  });

  it('code-length code with no codes: every length reads as one zero bit, then end-of-block is missing (zlib)', () => {
    const header = (): BitWriter => {
      const w = new BitWriter().stored(false, [0x7a]);
      w.header(true, 2).bits(0, 5).bits(0, 5).bits(15, 4);
      for (let i = 0; i < 19; i++) w.bits(0, 3);
      return w;
    };
    // 257 + 1 lengths of one bit each: fail once all are read; before that the stream is merely incomplete.
    const full = header().bits(0, 258).done();
    assertErrorAfter(full, 'invalid code -- missing end-of-block', 'z');
    const short = full.subarray(0, full.length - 1);
    assert.deepEqual(outcome(inflate(short)), [Buffer.from('z').toString('hex'), 'ok', null, false]);
    assert.throws(() => zlib.inflateRawSync(full), /invalid code -- missing end-of-block/);
  });

  it('repeat code 16 with no previous length, and repeats past the end', () => {
    const lit = lengthsOf(257, { 256: 1 });
    const first = new BitWriter();
    dynamicHeader(first, true, lit, [0], { sequence: [[16, 0]] });
    assertErrorAfter(first.done(), 'invalid bit length repeat', '');
    const past = new BitWriter();
    dynamicHeader(past, true, lit, [0], {
      sequence: [
        [18, 127],
        [18, 127],
      ],
    });
    assertErrorAfter(past.done(), 'invalid bit length repeat', '');
  });

  it('missing end-of-block code', () => {
    const w = new BitWriter().fixedBlockWith('x');
    dynamicHeader(w, true, lengthsOf(257, { 97: 1, 98: 1 }), [1]);
    assertErrorAfter(w.done(), 'invalid code -- missing end-of-block', 'x');
  });

  it('lit/len code: over-subscribed or incomplete beyond a single one-bit code', () => {
    for (const lit of [
      lengthsOf(257, { 97: 1, 98: 1, 256: 1 }),
      lengthsOf(257, { 97: 2, 256: 1 }),
      lengthsOf(257, { 97: 2, 98: 2, 256: 2 }),
    ]) {
      const w = new BitWriter();
      dynamicHeader(w, true, lit, [1]);
      assertErrorAfter(w.done(), 'invalid literal/lengths set', '');
    }
  });

  it('distance code: over-subscribed or incomplete beyond a single one-bit code', () => {
    for (const dist of [lengthsOf(3, { 0: 1, 1: 1, 2: 1 }), lengthsOf(3, { 0: 2, 1: 1 }), lengthsOf(3, { 0: 2, 1: 2, 2: 2 })]) {
      const w = new BitWriter();
      dynamicHeader(w, true, lengthsOf(258, { 97: 1, 256: 2, 257: 2 }), dist);
      assertErrorAfter(w.done(), 'invalid distances set', '');
    }
  });

  it('a single one-bit lit/len code (end of block only) is accepted, like zlib', () => {
    const w = new BitWriter().fixedBlockWith('ab');
    const codes = dynamicHeader(w, true, lengthsOf(257, { 256: 1 }), [0]);
    writeSymbol(w, codes.lit, codes.litLengths, 256);
    const bytes = w.done();
    assert.deepEqual(outcome(inflate(bytes)), [Buffer.from('ab').toString('hex'), 'ok', null, true]);
    assert.equal(zlib.inflateRawSync(bytes).toString(), 'ab');
  });

  it('a single one-bit distance code works, and its unused code is invalid', () => {
    const lit = lengthsOf(258, { 97: 2, 98: 2, 256: 2, 257: 2 });
    const build = (distanceBit: number): Uint8Array => {
      const w = new BitWriter();
      const codes = dynamicHeader(w, true, lit, [1]);
      for (const symbol of [97, 98, 257]) writeSymbol(w, codes.lit, codes.litLengths, symbol);
      w.code(distanceBit, 1);
      writeSymbol(w, codes.lit, codes.litLengths, 256);
      return w.done();
    };
    const good = build(0);
    assert.deepEqual(outcome(inflate(good)), [Buffer.from('abbbb').toString('hex'), 'ok', null, true]);
    assert.equal(zlib.inflateRawSync(good).toString(), 'abbbb');
    assertErrorAfter(build(1), 'invalid distance code', 'ab');
    assert.throws(() => zlib.inflateRawSync(build(1)), /invalid distance code/);
  });

  it('an empty distance code is fine until a length needs it', () => {
    const lit = lengthsOf(258, { 97: 2, 98: 2, 256: 2, 257: 2 });
    for (const useLength of [false, true]) {
      const w = new BitWriter();
      const codes = dynamicHeader(w, true, lit, [0]);
      for (const symbol of useLength ? [97, 98, 257] : [97, 98, 256]) writeSymbol(w, codes.lit, codes.litLengths, symbol);
      if (useLength) assertErrorAfter(w.bits(0, 8).done(), 'invalid distance code', 'ab');
      else assert.deepEqual(outcome(inflate(w.done())), [Buffer.from('ab').toString('hex'), 'ok', null, true]);
    }
  });

  it('after an error, writes keep failing until reset()', () => {
    const inflater = new StreamInflater();
    assert.equal(
      inflater.write(new BitWriter().header(true, 3).done(), () => {}),
      'error',
    );
    assert.equal(
      inflater.write(zlib.deflateRawSync('x'), () => assert.fail('no output after an error')),
      'error',
    );
    assert.equal(inflater.error, 'invalid block type');
    inflater.reset();
    assert.equal(inflater.error, null);
    assert.equal(inflateChunks(inflater, [zlib.deflateRawSync('x')]).output.toString(), 'x');
  });

  it('rejects window sizes outside 8..15', () => {
    for (const bits of [7, 16, 8.5]) assert.throws(() => new StreamInflater(bits), RangeError);
  });
});

describe('StreamInflater: stopping', () => {
  const data = textOf(4000);
  const compressed = zlib.deflateRawSync(data);

  it('onOutput returning false stops at once; later writes are refused until reset()', () => {
    const inflater = new StreamInflater();
    let calls = 0;
    let seen = 0;
    const result = inflater.write(compressed, (bytes) => {
      calls++;
      seen += bytes.length;
      return calls < 2;
    });
    assert.equal(result, 'stopped');
    assert.equal(calls, 2);
    assert.ok(seen <= 2 * OUTPUT_CHUNK);
    assert.equal(
      inflater.write(compressed, () => assert.fail('no output after a stop')),
      'stopped',
    );
    assert.equal(inflater.error, null);
    inflater.reset();
    assert.ok(inflateChunks(inflater, [compressed]).output.equals(data));
  });

  it('stopping on the output flushed before an error reports the stop', () => {
    const bytes = new BitWriter().header(true, 1).fixedLiterals('abc').fixedSymbol(286).done();
    const inflater = new StreamInflater();
    assert.equal(
      inflater.write(bytes, () => false),
      'stopped',
    );
    assert.equal(inflater.error, null);
  });
});

describe('StreamInflater: properties', () => {
  const plainArb = fc.oneof(
    fc.uint8Array({ maxLength: 3000 }).map((bytes) => Buffer.from(bytes)),
    fc.string({ maxLength: 2000 }).map((s) => Buffer.from(s)),
    fc
      .tuple(fc.uint8Array({ minLength: 1, maxLength: 24 }), fc.integer({ min: 1, max: 400 }), fc.uint8Array({ maxLength: 50 }))
      .map(([unit, times, tail]) => Buffer.concat([...Array.from({ length: times }, () => unit), tail])),
    fc.integer({ min: 1, max: 3000 }).map((lines) => textOf(lines, lines)),
  );
  const settingsArb = fc.record({
    level: fc.constantFrom(0, 1, 6, 9),
    strategy: fc.constantFrom(Z_DEFAULT_STRATEGY, Z_FILTERED, Z_HUFFMAN_ONLY, Z_RLE, Z_FIXED),
    windowBits: fc.integer({ min: 9, max: 15 }),
  });
  const compressedArb = fc.tuple(plainArb, settingsArb).map(([plain, settings]) => ({
    plain,
    windowBits: settings.windowBits,
    compressed: new Uint8Array(zlib.deflateRawSync(plain, settings)),
  }));
  /** Bit flips, byte inserts, deletions and truncation of a valid stream. */
  const corruptedArb = fc
    .tuple(
      compressedArb,
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('flip', 'insert', 'delete', 'truncate')), {
        minLength: 1,
        maxLength: 4,
      }),
    )
    .map(([{ compressed, windowBits }, edits]) => {
      const out = Array.from(compressed);
      for (const [at, value, kind] of edits) {
        if (out.length === 0) break;
        const i = at % out.length;
        if (kind === 'flip') out[i] = out[i]! ^ (1 << (value & 7));
        else if (kind === 'insert') out.splice(i, 0, value);
        else if (kind === 'delete') out.splice(i, 1);
        else out.length = i;
      }
      return { bytes: Uint8Array.from(out), windowBits };
    });
  const cutsArb = fc.array(fc.nat(), { maxLength: 10 });

  it('valid streams inflate to the original, however split', () => {
    fc.assert(
      fc.property(compressedArb, cutsArb, ({ plain, windowBits, compressed }, cuts) => {
        const run = inflateChunks(new StreamInflater(windowBits), cutAt(compressed, cuts));
        assert.deepEqual(outcome(run), [plain.toString('hex'), 'ok', null, true]);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('corrupted streams: never throw, same output, result and error however split', () => {
    fc.assert(
      fc.property(corruptedArb, cutsArb, ({ bytes, windowBits }, cuts) => {
        const whole = inflate(bytes, windowBits);
        assert.deepEqual(outcome(inflateChunks(new StreamInflater(windowBits), cutAt(bytes, cuts))), outcome(whole));
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('corrupted streams fed one byte at a time match the whole', () => {
    fc.assert(
      fc.property(corruptedArb, ({ bytes, windowBits }) => {
        const whole = inflate(bytes, windowBits);
        assert.deepEqual(outcome(inflateChunks(new StreamInflater(windowBits), byteAtATime(bytes))), outcome(whole));
      }),
      { numRuns: Math.ceil(NUM_RUNS / 4) },
    );
  });

  it('random bytes: same outcome however split', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), cutsArb, (bytes, cuts) => {
        const whole = inflate(bytes);
        assert.deepEqual(outcome(inflateChunks(new StreamInflater(), cutAt(bytes, cuts))), outcome(whole));
      }),
      { numRuns: NUM_RUNS },
    );
  });

  // With a 32 KiB window only: zlib enforces smaller windows loosely (a back reference into output still
  // in the caller's buffer passes), which is the kind of chunking dependence this inflater avoids.
  it('corrupted streams agree with zlib on output and on the error (32 KiB window)', () => {
    fc.assert(
      fc.property(corruptedArb, ({ bytes }) => {
        const ours = inflate(bytes);
        let theirs: Buffer | Error;
        try {
          theirs = zlib.inflateRawSync(bytes);
        } catch (error) {
          theirs = error as Error;
        }
        if (theirs instanceof Error) {
          if (/unexpected end of file/.test(theirs.message)) {
            assert.equal(ours.result, 'ok');
            assert.equal(ours.finished, false);
          } else {
            assert.equal(ours.result, 'error');
            assert.equal(ours.error, theirs.message);
          }
        } else {
          // zlib ignores bytes after the final block; this inflater reports them.
          assert.equal(ours.finished, true);
          assert.ok(ours.output.equals(theirs));
          if (ours.result === 'error') assert.equal(ours.error, 'data after final block');
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });

  /** Final-block streams one after another, each primed with the plaintext before it or not. */
  const finalStreamsArb = fc
    .array(fc.tuple(plainArb, fc.boolean(), fc.constantFrom(1, 6, 9)), { minLength: 1, maxLength: 4 })
    .map((parts) => {
      let history = Buffer.alloc(0);
      const streams: Buffer[] = [];
      for (const [plain, primed, level] of parts) {
        const dictionary = primed && history.length > 0 ? { dictionary: history.subarray(-32 * 1024) } : {};
        streams.push(zlib.deflateRawSync(plain, { level, ...dictionary }));
        history = Buffer.concat([history, plain]);
      }
      return { plain: history, compressed: new Uint8Array(Buffer.concat(streams)) };
    });

  it("afterFinalBlock 'continue': final-block streams in a row inflate to their plaintexts, however split", () => {
    fc.assert(
      fc.property(finalStreamsArb, cutsArb, ({ plain, compressed }, cuts) => {
        const run = inflateChunks(new StreamInflater(15, CONTINUE), cutAt(compressed, cuts));
        assert.deepEqual(outcome(run), [plain.toString('hex'), 'ok', null, true]);
      }),
      { numRuns: Math.ceil(NUM_RUNS / 2) },
    );
  });

  it("afterFinalBlock 'continue': corrupted streams in a row never throw and give the same outcome however split", () => {
    const corrupted = fc
      .tuple(
        finalStreamsArb,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('flip', 'insert', 'delete')), {
          minLength: 1,
          maxLength: 4,
        }),
      )
      .map(([{ compressed }, edits]) => {
        const out = Array.from(compressed);
        for (const [at, value, kind] of edits) {
          if (out.length === 0) break;
          const i = at % out.length;
          if (kind === 'flip') out[i] = out[i]! ^ (1 << (value & 7));
          else if (kind === 'insert') out.splice(i, 0, value);
          else out.splice(i, 1);
        }
        return Uint8Array.from(out);
      });
    fc.assert(
      fc.property(corrupted, cutsArb, (bytes, cuts) => {
        const whole = inflate(bytes, 15, CONTINUE);
        assert.deepEqual(outcome(inflateChunks(new StreamInflater(15, CONTINUE), cutAt(bytes, cuts))), outcome(whole));
        assert.deepEqual(outcome(inflateChunks(new StreamInflater(15, CONTINUE), byteAtATime(bytes))), outcome(whole));
      }),
      { numRuns: Math.ceil(NUM_RUNS / 2) },
    );
  });

  it('stopping after a number of bytes gives the same result however split', () => {
    fc.assert(
      fc.property(corruptedArb, cutsArb, fc.integer({ min: 0, max: 40_000 }), ({ bytes, windowBits }, cuts, limit) => {
        const stopAt = (chunks: Uint8Array[]): [InflateResult, string] => {
          const inflater = new StreamInflater(windowBits);
          let seen = 0;
          let result: InflateResult = 'ok';
          const parts: Buffer[] = [];
          for (const chunk of chunks) {
            result = inflater.write(chunk, (out) => {
              parts.push(Buffer.from(out));
              seen += out.length;
              return seen < limit;
            });
            if (result !== 'ok') break;
          }
          return [result, Buffer.concat(parts).subarray(0, limit).toString('hex')];
        };
        assert.deepEqual(stopAt(cutAt(bytes, cuts)), stopAt([bytes]));
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
