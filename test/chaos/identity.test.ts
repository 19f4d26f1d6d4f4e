/**
 * What the engine leaves alone stays exactly as it was: with no toxics, or every toxic at toxicity 0, the
 * output is the input byte for byte however the input was split (valid streams, broken ones, garbage);
 * untouched frames are forwarded as views of the input (streamed, never copied or held); and with toxics
 * on, the bytes and faults do not depend on how the input was split.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Direction } from '../../src/events/index.js';
import { TOXIC_TYPES } from '../../src/chaos/toxics/index.js';
import type { AnyToxic, ToxicType } from '../../src/chaos/types.js';
import { closeBody, concatBytes, encodeFrame } from '../../src/protocol/encoder.js';
import { cut } from '../support/decode.js';
import { TestCompressor } from '../support/deflate.js';
import { bytesEqual, runChaos, toxic } from './support.js';

const NUM_RUNS = Number(process.env['WSDIAG_FUZZ_RUNS'] ?? 200);
const DIRECTIONS: Direction[] = ['client->server', 'server->client'];
const compressed = new TestCompressor(false).compress('compressed text payload, compressed text payload');

const frameArb = fc.oneof(
  fc.record({ opcode: fc.constantFrom(1, 2), payload: fc.uint8Array({ maxLength: 300 }), fin: fc.boolean() }),
  fc.record({ opcode: fc.constant(1), payload: fc.string({ maxLength: 40 }) }),
  fc.record({ opcode: fc.constant(0), payload: fc.uint8Array({ maxLength: 40 }), fin: fc.boolean() }),
  fc.record({ opcode: fc.constantFrom(9, 10), payload: fc.uint8Array({ maxLength: 125 }) }),
  fc.record({ opcode: fc.constant(8), payload: fc.constantFrom(closeBody(1000, 'bye'), closeBody(1001), new Uint8Array(0)) }),
  fc.record({ opcode: fc.constant(1), rsv1: fc.constant(true), payload: fc.constant(compressed) }),
  fc.record({ opcode: fc.constantFrom(3, 0xb), payload: fc.uint8Array({ maxLength: 20 }), rsv2: fc.boolean() }),
  fc.record({ opcode: fc.constant(2), payload: fc.uint8Array({ maxLength: 20 }), lengthForm: fc.constantFrom(16 as const, 64 as const) }),
);

/** A stream of frames, masked or not, sometimes mangled (bytes flipped, inserted, dropped). */
const streamArb = fc
  .tuple(
    fc.array(frameArb, { minLength: 1, maxLength: 10 }),
    fc.boolean(),
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('flip', 'insert', 'delete')), { maxLength: 3 }),
  )
  .map(([frames, masked, edits]) => {
    const bytes = Array.from(concatBytes(frames.map((f) => encodeFrame({ ...f, ...(masked ? { mask: true as const } : {}) }))));
    for (const [at, value, kind] of edits) {
      const i = at % (bytes.length + 1);
      if (kind === 'flip') bytes[i % bytes.length] = value;
      else if (kind === 'insert') bytes.splice(i, 0, value);
      else bytes.splice(i % bytes.length, 1);
    }
    return Uint8Array.from(bytes);
  });

const splitsArb = fc.array(fc.nat(), { maxLength: 6 });
const extensionsArb = fc.constantFrom(null, 'permessage-deflate');

function chunksOf(bytes: Uint8Array, offsets: number[]): Uint8Array[] {
  const points = [...new Set(offsets.map((o) => o % (bytes.length + 1)))].sort((a, b) => a - b);
  return cut(bytes, points);
}

/** One toxic of every type on the direction, each at this toxicity. */
function everyToxic(direction: Direction, toxicity: number, except: readonly ToxicType[] = []): AnyToxic[] {
  return TOXIC_TYPES.filter((type) => !except.includes(type)).map((type) => toxic(type, direction, {}, { toxicity }));
}

describe('the engine changes nothing it was not asked to', () => {
  it('with no toxics the output is the input, however it is split', () => {
    fc.assert(
      fc.property(streamArb, splitsArb, fc.constantFrom(...DIRECTIONS), extensionsArb, (bytes, splits, direction, extensions) => {
        const run = runChaos(chunksOf(bytes, splits), [], { direction, extensions, end: true });
        assert.ok(bytesEqual(run.out, bytes));
        assert.equal(run.faults.length, 0);
        assert.equal(run.actions.at(-1)?.type, 'end');
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('with every toxic at toxicity 0 the output is the input, however it is split', () => {
    fc.assert(
      fc.property(streamArb, splitsArb, fc.constantFrom(...DIRECTIONS), extensionsArb, (bytes, splits, direction, extensions) => {
        const run = runChaos(chunksOf(bytes, splits), everyToxic(direction, 0), { direction, extensions, end: true });
        assert.ok(
          bytesEqual(run.out, bytes),
          `output ${Buffer.from(run.out).toString('hex')}\ninput  ${Buffer.from(bytes).toString('hex')}`,
        );
        assert.equal(run.faults.length, 0);
        assert.deepEqual(
          run.actions.map((a) => a.type).filter((t) => t !== 'write'),
          ['end'],
        );
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('toxics of the other direction change nothing', () => {
    fc.assert(
      fc.property(streamArb, splitsArb, (bytes, splits) => {
        const run = runChaos(chunksOf(bytes, splits), everyToxic('server->client', 1), { direction: 'client->server', end: true });
        assert.ok(bytesEqual(run.out, bytes));
      }),
      { numRuns: NUM_RUNS / 4 },
    );
  });

  it('untouched frames are written as views of the pushed chunks, as they arrive (nothing copied, nothing held)', () => {
    const big = encodeFrame({ opcode: 2, payload: new Uint8Array(1 << 20).fill(3) });
    const chunks = cut(big, [65_536, 300_000, 700_000]);
    const run = runChaos(chunks, [toxic('rsv', 'server->client', { frames: 'text' })], { direction: 'server->client' });
    const writes = run.actions.filter((a) => a.type === 'write');
    assert.equal(writes.length, chunks.length, 'one write per push');
    writes.forEach((write, i) => {
      assert.equal(write.bytes.buffer, chunks[i]!.buffer, `write ${i} is a view of its chunk`);
      assert.equal(write.bytes.length, chunks[i]!.length);
    });
  });

  it('a header split across pushes is held only until it is whole', () => {
    const frame = encodeFrame({ opcode: 2, payload: new Uint8Array(70_000), mask: true });
    const chunks = cut(frame, [1, 5, 9]);
    const run = runChaos(chunks, [], { direction: 'client->server' });
    const writes = run.actions.filter((a) => a.type === 'write');
    assert.deepEqual(
      writes.map((w) => w.bytes.length),
      [9, frame.length - 9],
      'the 9 carried header bytes, then the last push as it came',
    );
    assert.equal(writes[1]!.bytes.buffer, chunks[3]!.buffer);
    assert.ok(bytesEqual(run.out, frame));
  });
});

describe('where frames cannot be trusted', () => {
  it('after a 64-bit length with its top bit set, everything is forwarded as it came, toxics or not', () => {
    const first = encodeFrame({ opcode: 1, payload: 'ok' });
    const broken = Uint8Array.of(0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 5, 1, 2, 3, 4, 5, 0x81, 0x01, 0x61);
    const toxics = [toxic('rsv', 'server->client', { frames: 'all' }), toxic('fragment', 'server->client', { size: 1 })];
    for (const chunks of [[concatBytes([first, broken])], cut(concatBytes([first, broken]), [3, 7, 12])]) {
      const run = runChaos(chunks, toxics, { direction: 'server->client', end: true });
      assert.ok(bytesEqual(run.out.subarray(run.out.length - broken.length), broken), 'the rest as it came');
      assert.deepEqual(
        run.faults.map((f) => f.frame?.index),
        [0, 0],
        'only the first frame was changed',
      );
    }
  });
});

describe('with toxics on, the result does not depend on how the input was split', () => {
  // Bandwidth and latency act on time, which chunks change; every other toxic acts on frames.
  const timeless: ToxicType[] = ['bandwidth', 'latency', 'delay'];

  for (const toxicity of [1, 0.5]) {
    it(`every toxic at toxicity ${toxicity}`, () => {
      fc.assert(
        fc.property(
          streamArb,
          splitsArb,
          fc.constantFrom(...DIRECTIONS),
          extensionsArb,
          fc.constantFrom(...TOXIC_TYPES.filter((t) => !timeless.includes(t))),
          (bytes, splits, direction, extensions, type) => {
            const toxics = [toxic(type, direction, {}, { toxicity }), toxic('fragment', direction, { size: 7 }, { toxicity })];
            const whole = runChaos([bytes], toxics, { direction, extensions, end: true });
            const split = runChaos(chunksOf(bytes, splits), toxics, { direction, extensions, end: true });
            assert.ok(bytesEqual(split.out, whole.out), 'same bytes');
            assert.deepEqual(split.faults, whole.faults, 'same faults');
            assert.deepEqual([split.ended, split.reset], [whole.ended, whole.reset]);
          },
        ),
        { numRuns: NUM_RUNS },
      );
    });
  }
});
