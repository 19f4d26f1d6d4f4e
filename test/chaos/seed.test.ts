/**
 * Reproducibility: the same seed on the same traffic gives the same bytes (masking keys included) and the
 * same faults; another seed, another connection or another direction draws differently; a toxic's draws do
 * not depend on the other toxics; a toxic changed on an open connection applies from its next frame.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Direction } from '../../src/events/index.js';
import { ChaosDirection } from '../../src/chaos/engine.js';
import { newSeed } from '../../src/chaos/random.js';
import { ToxicRegistry } from '../../src/chaos/registry.js';
import { concatBytes, encodeFrame } from '../../src/protocol/encoder.js';
import { bytesEqual, runChaos, summarize, toxic, type RunOptions } from './support.js';

const C2S: Direction = 'client->server';

/** 200 small text frames from the client. */
const traffic = concatBytes(Array.from({ length: 200 }, (_, i) => encodeFrame({ opcode: 1, payload: `message ${i}`, mask: true })));

const toxics = [
  toxic('rsv', C2S, { bit: 2 }, { toxicity: 0.3 }),
  toxic('fragment', C2S, { size: 4 }, { toxicity: 0.5 }),
  toxic('latency', C2S, { latency: 50, jitter: 50 }, { toxicity: 0.5 }),
];

function run(options: Partial<RunOptions> = {}, list = toxics) {
  return runChaos(traffic, list, { direction: C2S, ...options });
}

function faultKeys(faults: ReturnType<typeof run>['faults']): string[] {
  return faults.map((f) => `${f.toxic}@${f.frame?.index}:${JSON.stringify(f.after)}`);
}

describe('seeds', () => {
  it('the same seed gives the same bytes, keys and faults', () => {
    const a = run({ seed: 'run-42' });
    const b = run({ seed: 'run-42' });
    assert.ok(bytesEqual(a.out, b.out));
    assert.deepEqual(a.actions, b.actions);
    // Toxicity below 1 really drew: some frames were hit and some were not.
    const hit = new Set(a.faults.filter((f) => f.toxic_type === 'rsv').map((f) => f.frame?.index));
    assert.ok(hit.size > 20 && hit.size < 180, `rsv hit ${hit.size} of 200 frames`);
  });

  it('another seed, connection or direction draws differently', () => {
    const base = faultKeys(run({ seed: 'run-42' }).faults);
    assert.notDeepEqual(faultKeys(run({ seed: 'run-43' }).faults), base);
    assert.notDeepEqual(faultKeys(run({ seed: 'run-42', connection: 'c2' }).faults), base);
    const s2c = (list: typeof toxics) => list.map((t) => ({ ...t, stream: 'server->client' as const }));
    const server = runChaos(
      concatBytes(Array.from({ length: 200 }, (_, i) => encodeFrame({ opcode: 1, payload: `message ${i}` }))),
      s2c(toxics),
      { direction: 'server->client', seed: 'run-42' },
    );
    assert.notDeepEqual(faultKeys(server.faults), base);
  });

  it("a toxic's draws do not depend on the toxics beside it", () => {
    const rsvAlone = run({ seed: 's' }, [toxics[0]!]).faults.map((f) => f.frame?.index);
    const rsvWithOthers = run({ seed: 's' })
      .faults.filter((f) => f.toxic_type === 'rsv')
      .map((f) => f.frame?.index);
    assert.deepEqual(rsvWithOthers, rsvAlone);
  });

  it('masking keys come from the seed too', () => {
    const all = [toxic('rsv', C2S)];
    assert.ok(bytesEqual(run({ seed: 'k' }, all).out, run({ seed: 'k' }, all).out));
    assert.ok(!bytesEqual(run({ seed: 'k' }, all).out, run({ seed: 'l' }, all).out));
  });

  it('newSeed gives 16 hex digits, different each time', () => {
    const a = newSeed();
    assert.match(a, /^[0-9a-f]{16}$/);
    assert.notEqual(newSeed(), a);
  });
});

describe('toxics changed on an open connection', () => {
  it('apply from the next frame', () => {
    const registry = new ToxicRegistry();
    const engine = new ChaosDirection({ direction: C2S, toxics: registry, seed: 's', connection: 'c1' });
    const frame = encodeFrame({ opcode: 1, payload: 'x', mask: true });
    const first = summarize(engine.push(frame, 0), engine);
    assert.ok(bytesEqual(first.out, frame));
    registry.add({ type: 'rsv', stream: C2S, name: 'r' });
    const second = summarize(engine.push(frame, 0), engine);
    assert.equal(second.faults.length, 1);
    assert.equal(second.out[0], 0x81 | 0x40);
    registry.update('r', { attributes: { bit: 3 } });
    assert.equal(summarize(engine.push(frame, 0), engine).out[0], 0x81 | 0x10);
    registry.update('r', { toxicity: 0 });
    assert.ok(bytesEqual(summarize(engine.push(frame, 0), engine).out, frame));
    registry.reset();
    assert.ok(bytesEqual(summarize(engine.push(frame, 0), engine).out, frame));
  });

  it('a change in the middle of a frame waits for the next frame', () => {
    const registry = new ToxicRegistry();
    const engine = new ChaosDirection({ direction: C2S, toxics: registry, seed: 's', connection: 'c1' });
    const frame = encodeFrame({ opcode: 2, payload: new Uint8Array(100), mask: true });
    const a = summarize(engine.push(frame.subarray(0, 50), 0), engine);
    registry.add({ type: 'drop', stream: C2S, attributes: { frames: 'all' } });
    const b = summarize(engine.push(frame.subarray(50), 0), engine);
    assert.ok(bytesEqual(concatBytes([a.out, b.out]), frame), 'the frame in progress went out whole');
    assert.equal(summarize(engine.push(frame, 0), engine).out.length, 0, 'the next one is dropped');
  });
});
