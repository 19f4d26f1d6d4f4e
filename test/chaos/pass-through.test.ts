/**
 * The engine's two paths, split at every offset: a frame no toxic changes is never read (its payload is
 * neither unmasked nor copied), so it must come out as the very bytes that went in, as views of the pushed
 * chunks; a frame a toxic changes is read from the chunks by the engine itself, so the result must not
 * depend on where the chunks were cut, even in the middle of its header or payload. A toxic added while a
 * frame streams through untouched applies from the next frame.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChaosDirection } from '../../src/chaos/engine.js';
import { ToxicRegistry } from '../../src/chaos/registry.js';
import { TOXIC_TYPES } from '../../src/chaos/toxics/index.js';
import type { AnyToxic, ChaosAction } from '../../src/chaos/types.js';
import type { Direction } from '../../src/events/index.js';
import { closeBody, concatBytes, encodeFrame } from '../../src/protocol/encoder.js';
import { cut } from '../support/decode.js';
import { TestCompressor } from '../support/deflate.js';
import { bytesEqual, framesOf, messagesOf, receive, runChaos, summarize, toxic } from './support.js';

const C2S: Direction = 'client->server';
const S2C: Direction = 'server->client';

/** A stream with a bit of everything, masked (client) or not (server): about 1 KiB. */
function mixedStream(direction: Direction): Uint8Array {
  const mask = direction === C2S ? { mask: true as const } : {};
  const compressed = new TestCompressor(false).compress('a compressed message, a compressed message');
  return concatBytes([
    encodeFrame({ opcode: 1, payload: 'héllo', ...mask }),
    encodeFrame({ opcode: 2, payload: new Uint8Array(300).map((_, i) => i), ...mask }),
    encodeFrame({ opcode: 1, fin: false, payload: 'frag', ...mask }),
    encodeFrame({ opcode: 9, payload: 'ping', ...mask }),
    encodeFrame({ opcode: 0, payload: 'mented', ...mask }),
    encodeFrame({ opcode: 1, payload: Uint8Array.of(0x61, 0xff, 0x62), ...mask }),
    encodeFrame({ opcode: 2, payload: new Uint8Array(20).fill(7), lengthForm: 64, ...mask }),
    encodeFrame({ opcode: 2, payload: new Uint8Array(200).fill(9), lengthForm: 16, ...mask }),
    encodeFrame({ opcode: 1, rsv1: true, payload: compressed, ...mask }),
    encodeFrame({ opcode: 0xb, payload: 'reserved', ...mask }),
    encodeFrame({ opcode: 10, payload: '', ...mask }),
    encodeFrame({ opcode: 1, payload: new TextEncoder().encode('x'.repeat(130)), ...mask }),
    encodeFrame({ opcode: 8, payload: closeBody(1000, 'bye'), ...mask }),
  ]);
}

/** Pushes the chunks (then the end) through a fresh engine. */
function run(chunks: Uint8Array[], toxics: AnyToxic[], direction: Direction, extensions: string | null = 'permessage-deflate') {
  return runChaos(chunks, toxics, { direction, extensions, end: true, seed: 'split' });
}

/** Every way of cutting the bytes in two, and one byte at a time. */
function everySplit(bytes: Uint8Array): Uint8Array[][] {
  const all: Uint8Array[][] = [];
  for (let at = 1; at < bytes.length; at++) all.push(cut(bytes, [at]));
  all.push(Array.from(bytes, (b) => Uint8Array.of(b)));
  return all;
}

/** Each write is a view of one of the pushed chunks, or (a header cut across pushes) of its carried bytes. */
function assertViews(actions: ChaosAction[], chunks: Uint8Array[]): void {
  const buffers = new Set(chunks.map((c) => c.buffer));
  for (const action of actions) {
    if (action.type !== 'write') continue;
    assert.ok(buffers.has(action.bytes.buffer) || action.bytes.length <= 14, `a write of ${action.bytes.length} bytes is a copy`);
  }
}

describe('frames no toxic changes, split at every offset', () => {
  const cases: Array<[string, (d: Direction) => AnyToxic[]]> = [
    ['no toxic', () => []],
    ['a noop toxic', (d) => [toxic('noop', d)]],
    ['every toxic at toxicity 0', (d) => TOXIC_TYPES.map((type) => toxic(type, d, {}, { toxicity: 0 }))],
    ['toxics for other frames', (d) => [toxic('rsv', d, { frames: 'pong' }), toxic('truncate', d, { frames: 'close' }, { toxicity: 0 })]],
  ];
  for (const direction of [C2S, S2C]) {
    for (const [name, toxics] of cases) {
      it(`${direction}, ${name}: the input byte for byte, as views of the pushed chunks`, () => {
        const bytes = mixedStream(direction);
        // The last frame before the Close is a pong, which `rsv` (frames: pong) changes: compare up to it.
        const untouched = name === 'toxics for other frames' ? framesOf(bytes).find((f) => f.opcode === 10)!.offset : bytes.length;
        for (const chunks of [[bytes], ...everySplit(bytes)]) {
          const result = run(chunks, toxics(direction), direction);
          assert.ok(
            bytesEqual(result.out.subarray(0, untouched), bytes.subarray(0, untouched)),
            `split ${chunks.map((c) => c.length).join('+')}`,
          );
          if (untouched === bytes.length) {
            assert.equal(result.out.length, bytes.length);
            assertViews(result.actions, chunks);
          }
        }
      });
    }
  }
});

describe('frames toxics change, split at every offset', () => {
  // Toxics that read the payload of the frames they change (re-encode, patch, hold, merge, cut).
  const readers = (d: Direction): AnyToxic[][] => [
    // New keys for masked frames (toward the server); masks added to control frames (toward the client).
    d === C2S ? [toxic('remask', d, { frames: 'all' })] : [toxic('mask', d, { action: 'add', frames: 'control' })],
    [toxic('mask', d, { action: 'invert', frames: 'data' })],
    [toxic('fragment', d, { size: 7 })],
    [toxic('corrupt-utf8', d)],
    [toxic('truncate', d, { keep: 3, end: false, frames: 'binary' })],
    [toxic('duplicate', d, { copies: 2, frames: 'control' }), toxic('close-code', d, { code: 4000, reason: 'chaos' })],
    [toxic('coalesce', d), toxic('rsv', d, { bit: 2, frames: 'message' })],
    [toxic('non-minimal-length', d, { form: 64, frames: 'all' }), toxic('retype', d)],
    [toxic('deflate', d, { fault: 'corrupt' })],
  ];
  for (const direction of [C2S, S2C]) {
    it(`${direction}: the same bytes and faults whatever the split`, () => {
      const bytes = mixedStream(direction);
      for (const toxics of readers(direction)) {
        const whole = run([bytes], toxics, direction);
        assert.ok(whole.faults.length > 0, `${toxics.map((t) => t.type).join('+')} changed something`);
        for (const chunks of everySplit(bytes)) {
          const split = run(chunks, toxics, direction);
          const what = `${toxics.map((t) => t.type).join('+')}, split ${chunks.length > 2 ? 'byte by byte' : chunks[0]!.length}`;
          assert.ok(bytesEqual(split.out, whole.out), `the bytes, ${what}`);
          assert.deepEqual(split.faults, whole.faults, `the faults, ${what}`);
        }
      }
    });
  }

  it('a re-encoded frame carries the payload that was sent (unmasked from the chunks, masked again with a new key)', () => {
    const bytes = mixedStream(C2S);
    const sent = messagesOf(receive(bytes, C2S, { extensions: 'permessage-deflate' }));
    for (const chunks of [[bytes], ...everySplit(bytes)]) {
      const result = run(chunks, [toxic('remask', C2S, { frames: 'all' })], C2S);
      const out = framesOf(result.out);
      const input = framesOf(bytes);
      assert.equal(out.length, input.length);
      out.forEach((frame, i) => {
        assert.ok(!bytesEqual(frame.maskKey!, input[i]!.maskKey!), `frame #${i} has a new key`);
        assert.ok(bytesEqual(frame.payload, input[i]!.payload), `frame #${i} carries the same payload`);
      });
      assert.deepEqual(messagesOf(receive(result.out, C2S, { extensions: 'permessage-deflate' })), sent);
    }
  });
});

describe('a toxic added while a frame streams through untouched', () => {
  it('applies from the next frame, wherever the rest of the stream is cut', () => {
    const big = encodeFrame({ opcode: 2, payload: new Uint8Array(5000).map((_, i) => i * 7), mask: true });
    const next = encodeFrame({ opcode: 1, payload: 'the next one', mask: true });
    const head = big.subarray(0, 1000);
    const rest = concatBytes([big.subarray(1000), next]);
    for (let at = 0; at <= rest.length; at += at < 4000 ? 499 : 1) {
      const registry = new ToxicRegistry();
      const engine = new ChaosDirection({ direction: C2S, toxics: registry, seed: 's', connection: 'c1' });
      const actions = [...engine.push(head, 0)];
      // Needs the payload of what it changes: re-masked with new keys and split in fragments of 5 bytes.
      registry.add({ type: 'remask', stream: C2S, attributes: { frames: 'all' } });
      registry.add({ type: 'fragment', stream: C2S, attributes: { size: 5, frames: 'text' } });
      for (const chunk of cut(rest, at === 0 || at === rest.length ? [] : [at])) actions.push(...engine.push(chunk, 0));
      const result = summarize(actions, engine);
      assert.ok(bytesEqual(result.out.subarray(0, big.length), big), `the frame in progress went out as it came (cut at ${at})`);
      const changed = framesOf(result.out.subarray(big.length));
      assert.deepEqual(
        changed.map((f) => [f.opcode, f.payload.length]),
        [
          [1, 5],
          [0, 5],
          [0, 2],
        ],
      );
      assert.ok(changed.every((f) => f.masked && !bytesEqual(f.maskKey!, framesOf(next)[0]!.maskKey!)));
      assert.equal(Buffer.from(concatBytes(changed.map((f) => f.payload))).toString(), 'the next one');
      assert.deepEqual(
        result.faults.map((f) => [f.toxic_type, f.frame?.index]),
        [
          ['remask', 1],
          ['fragment', 1],
        ],
      );
    }
  });
});
