/**
 * Property tests: whatever bytes arrive, the decoder never throws, produces the same events however the
 * stream is cut, and keeps its memory bounded.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { FrameDecoder, type DecoderOptions } from '../../src/protocol/decoder.js';
import { closeBody, concatBytes, encodeFrame } from '../../src/protocol/encoder.js';
import { claimSharedScratch, releaseSharedScratch } from '../../src/protocol/scratch.js';
import type { DecoderSink } from '../../src/protocol/types.js';
import { assertSameRun, cut, decodeBothWays, decodeChunks, recordingSink, type Recorded } from '../support/decode.js';
import { FinalBlockCompressor, TestCompressor } from '../support/deflate.js';
import { checkHeard } from '../support/payload-check.js';

const NUM_RUNS = Number(process.env['WSDIAG_FUZZ_RUNS'] ?? 300);

const optionsArb: fc.Arbitrary<DecoderOptions> = fc.record({
  from: fc.constantFrom('client' as const, 'server' as const),
  extensions: fc.constantFrom(null, 'permessage-deflate', 'permessage-deflate; server_no_context_takeover; client_no_context_takeover'),
  maxMessage: fc.constantFrom(0, 64, 100 * 1024 * 1024),
  typePolicy: fc.constantFrom(null, { accepts: 'text' as const, source: 'fuzz' }),
});

/** A valid-looking stream of frames to mutate: fragments, controls, close, compressed data. */
const compressed = new TestCompressor(false).compress('compressed text payload, compressed text payload');
/** The same ended with BFINAL (RFC 7692 §7.2.3.4), with and without the empty stored block after it. */
const finalBlocks = [true, false].map((emptyBlock) =>
  new FinalBlockCompressor({ contextTakeover: false, emptyBlock }).compress('compressed text payload, compressed text payload'),
);
/** Text payloads: valid UTF-8 of any code points, sometimes cut or damaged at one end (what runs of text frames must catch). */
const textArb = fc
  .tuple(fc.string({ unit: 'binary', maxLength: 80 }), fc.constantFrom('whole', 'cut-end', 'cut-start', 'stray'))
  .map(([text, damage]) => {
    const bytes = new TextEncoder().encode(text);
    if (damage === 'cut-end') return bytes.subarray(0, Math.max(0, bytes.length - 1));
    if (damage === 'cut-start') return bytes.subarray(Math.min(1, bytes.length));
    if (damage === 'stray') return concatBytes([bytes, Uint8Array.of(0x80)]);
    return bytes;
  });
const frameArb = fc.oneof(
  fc.record({ opcode: fc.constantFrom(1, 2), payload: fc.uint8Array({ maxLength: 300 }), fin: fc.boolean() }),
  fc.record({ opcode: fc.constant(1), payload: textArb }),
  fc.record({ opcode: fc.constant(1), payload: textArb }),
  fc.record({ opcode: fc.constant(0), payload: fc.uint8Array({ maxLength: 40 }), fin: fc.boolean() }),
  fc.record({ opcode: fc.constantFrom(9, 10), payload: fc.uint8Array({ maxLength: 125 }) }),
  fc.record({ opcode: fc.constant(8), payload: fc.constantFrom(closeBody(1000, 'bye'), closeBody(1006), new Uint8Array(0)) }),
  fc.record({ opcode: fc.constant(1), rsv1: fc.constant(true), payload: fc.constantFrom(compressed, ...finalBlocks) }),
);
const streamArb = fc
  .tuple(fc.array(frameArb, { minLength: 1, maxLength: 12 }), fc.boolean())
  .map(([frames, masked]) => concatBytes(frames.map((f) => encodeFrame({ ...f, ...(masked ? { mask: true as const } : {}) }))));

/** A mutation: flip, insert or delete bytes at random places. */
const mutatedArb = fc
  .tuple(
    streamArb,
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('flip', 'insert', 'delete')), { maxLength: 6 }),
  )
  .map(([bytes, edits]) => {
    const out = Array.from(bytes);
    for (const [at, value, kind] of edits) {
      if (out.length === 0) break;
      const i = at % out.length;
      if (kind === 'flip') out[i] = out[i]! ^ (value || 1);
      else if (kind === 'insert') out.splice(i, 0, value);
      else out.splice(i, 1);
    }
    return Uint8Array.from(out);
  });

const cutsArb = fc.array(fc.nat(), { maxLength: 8 });

/** Whole and cut, with and without payload listeners: the same events, the same payloads, the oracle's payloads. */
function checkInvariant(bytes: Uint8Array, options: DecoderOptions, cuts: number[]): void {
  const whole = decodeChunks([bytes], options);
  const heard = decodeBothWays([bytes], options, whole);
  checkHeard(bytes, options, heard);
  const offsets = [...new Set(cuts.map((c) => (bytes.length ? c % bytes.length : 0)))].sort((a, b) => a - b);
  const chunks = cut(bytes, offsets);
  const split = decodeChunks(chunks, options);
  assertSameRun(split, whole, 'when cut');
  assertSameRun(decodeChunks(chunks, options, true), heard, 'with listeners when cut');
  assert.equal(split.decoder.bytesSeen, bytes.length);
}

/** Which payload listeners a sink has: any combination must leave the other events alone. */
const listenersArb = fc.record({ payload: fc.boolean(), frameEnd: fc.boolean(), messageData: fc.boolean() });

/** The recording sink plus the chosen listeners, each reading every byte it is given. */
function sinkWith(
  listeners: { payload: boolean; frameEnd: boolean; messageData: boolean },
  events: Recorded[],
  details: string[],
): DecoderSink {
  const sink = recordingSink(events, details);
  let sum = 0;
  const touch = (data: Uint8Array): void => {
    for (let i = 0; i < data.length; i++) sum = (sum + data[i]!) | 0;
  };
  if (listeners.payload) sink.payload = (data) => touch(data);
  if (listeners.frameEnd)
    sink.frameEnd = () => {
      sum++;
    };
  if (listeners.messageData) sink.messageData = (data) => touch(data);
  return sink;
}

describe('fuzz', () => {
  it('random bytes: never throws, same events however cut', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), optionsArb, cutsArb, (bytes, options, cuts) => checkInvariant(bytes, options, cuts)),
      { numRuns: NUM_RUNS },
    );
  });

  it('mutated valid streams: never throws, same events however cut', () => {
    fc.assert(
      fc.property(mutatedArb, optionsArb, cutsArb, (bytes, options, cuts) => checkInvariant(bytes, options, cuts)),
      { numRuns: NUM_RUNS },
    );
  });

  it('payload listeners, in any combination, never change the other events', () => {
    fc.assert(
      fc.property(fc.oneof(streamArb, mutatedArb), optionsArb, cutsArb, listenersArb, (bytes, options, cuts, listeners) => {
        const plain = decodeChunks([bytes], options);
        const offsets = [...new Set(cuts.map((c) => (bytes.length ? c % bytes.length : 0)))].sort((a, b) => a - b);
        const events: Recorded[] = [];
        const details: string[] = [];
        const decoder = new FrameDecoder(sinkWith(listeners, events, details), options);
        for (const chunk of cut(bytes, offsets)) decoder.push(chunk);
        const truncation = decoder.end();
        details.push(
          `end seen=${decoder.bytesSeen} frames=${decoder.frameCount} judged=${decoder.judgedOffset} cut=${JSON.stringify(truncation)}`,
        );
        // The recording sink's details read the decoder's counters; this one has no decoder to read.
        assert.deepEqual(events, plain.events);
        assert.deepEqual(details.map(withoutCounters), plain.details.map(withoutCounters));
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('without the shared SIMD area (a private one: JavaScript and bufferutil) the events are the same', () => {
    fc.assert(
      fc.property(streamArb, optionsArb, (bytes, options) => {
        const withKernel = decodeChunks([bytes], options, true);
        const shared = claimSharedScratch(); // held here, so the decoder falls back to its own area
        try {
          assertSameRun(decodeChunks([bytes], options, true), withKernel, 'with a private area');
        } finally {
          if (shared) releaseSharedScratch();
        }
      }),
      { numRuns: Math.ceil(NUM_RUNS / 3) },
    );
  });

  it('valid streams fed one byte at a time give the same events as whole', () => {
    fc.assert(
      fc.property(streamArb, optionsArb, (bytes, options) => {
        const single = Array.from(bytes, (b) => Uint8Array.of(b));
        assertSameRun(decodeChunks(single, options), decodeChunks([bytes], options), 'one byte at a time');
        assertSameRun(decodeChunks(single, options, true), decodeChunks([bytes], options, true), 'with listeners one byte at a time');
      }),
      { numRuns: Math.ceil(NUM_RUNS / 3) },
    );
  });
});

/** Drops the decoder counters the recording sink writes into its details (`frames=…`, `seen=…`). */
function withoutCounters(detail: string): string {
  return detail.replace(/ (frames|seen)=\S*/g, '');
}

describe('bounded memory', () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  function retained(): number {
    gc();
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  }

  it('a frame claiming 2^62 bytes, fed 256 MiB of payload, holds no payload', () => {
    const decoder = new FrameDecoder({ finding: () => {} }, { from: 'client', maxMessage: 0 });
    decoder.push(Uint8Array.of(0x82, 0xff, 0x40, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4));
    const chunk = new Uint8Array(1024 * 1024).fill(0xab);
    const before = retained();
    for (let i = 0; i < 256; i++) decoder.push(chunk);
    const growth = retained() - before;
    assert.ok(growth < 4 * 1024 * 1024, `retained ${growth} bytes after 256 MiB`);
    assert.equal(decoder.bytesSeen, 14 + 256 * 1024 * 1024);
  });

  it('with payload listeners, a frame claiming 2^62 bytes, fed 256 MiB, holds no payload', () => {
    let heard = 0;
    const decoder = new FrameDecoder(
      { finding: () => {}, payload: (data) => void (heard += data.length), messageData: (data) => void (heard += data.length) },
      { from: 'client', maxMessage: 0 },
    );
    decoder.push(Uint8Array.of(0x82, 0xff, 0x40, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4));
    const chunk = new Uint8Array(1024 * 1024).fill(0xab);
    const before = retained();
    for (let i = 0; i < 256; i++) decoder.push(chunk);
    const growth = retained() - before;
    assert.ok(growth < 4 * 1024 * 1024, `retained ${growth} bytes after 256 MiB`);
    assert.equal(heard, 2 * 256 * 1024 * 1024, 'every byte heard as payload and as message data');
  });

  it('a text frame of 64 MiB is validated without being held', () => {
    const decoder = new FrameDecoder({ finding: () => assert.fail('no finding expected') }, { from: 'server', maxMessage: 0 });
    decoder.push(encodeFrame({ opcode: 1, payload: new Uint8Array(0), declaredLength: 64 * 1024 * 1024, lengthForm: 64 }));
    const chunk = new Uint8Array(1024 * 1024).fill(0x61);
    const before = retained();
    for (let i = 0; i < 64; i++) decoder.push(chunk);
    decoder.end();
    assert.ok(retained() - before < 4 * 1024 * 1024);
  });

  it('an inflation bomb (64 MiB of zeros in ~64 KiB) with no size limit inflates in bounded memory', () => {
    const bomb = new TestCompressor(false).compress(new Uint8Array(64 * 1024 * 1024));
    assert.ok(bomb.length < 128 * 1024);
    const sizes: number[] = [];
    const decoder = new FrameDecoder(
      { finding: () => assert.fail('no finding expected'), messageEnd: (m) => sizes.push(m.size) },
      {
        from: 'server',
        extensions: 'permessage-deflate',
        maxMessage: 0,
      },
    );
    const frame = encodeFrame({ opcode: 2, rsv1: true, payload: bomb });
    const before = retained();
    let peak = 0;
    for (let i = 0; i < frame.length; i += 4096) {
      decoder.push(frame.subarray(i, i + 4096));
      peak = Math.max(peak, process.memoryUsage().arrayBuffers);
    }
    assert.deepEqual(sizes, [64 * 1024 * 1024]);
    assert.ok(retained() - before < 4 * 1024 * 1024);
  });

  it('a million small frames leave nothing behind', () => {
    const decoder = new FrameDecoder({ finding: () => {} }, { from: 'client' });
    const batch = concatBytes(Array.from({ length: 1000 }, () => encodeFrame({ opcode: 1, payload: 'hello', mask: true })));
    const before = retained();
    for (let i = 0; i < 1000; i++) decoder.push(batch);
    assert.equal(decoder.frameCount, 1_000_000);
    assert.ok(retained() - before < 2 * 1024 * 1024);
  });
});
