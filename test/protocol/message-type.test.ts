/**
 * 1003 rules in the decoder: the type is judged at the first frame (firstError is set before any payload
 * arrives, for --enforce) and reported at the last one with the size and a hint that fits the payload.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FrameDecoder } from '../../src/protocol/decoder.js';
import { concatBytes, encodeFrame } from '../../src/protocol/encoder.js';
import type { TypePolicy } from '../../src/protocol/message-type.js';
import type { Finding } from '../../src/protocol/types.js';
import { decodeEverySplit, findingsAt, rules } from '../support/decode.js';
import { TestCompressor } from '../support/deflate.js';

const TEXT_ONLY: TypePolicy = { accepts: 'text', source: '--server-accepts text' };
const BINARY_ONLY: TypePolicy = { accepts: 'binary', source: 'profile mqtt' };

function findings(bytes: Uint8Array, policy: TypePolicy, extensions?: string): Finding[] {
  const out: Finding[] = [];
  const decoder = new FrameDecoder({ finding: (f) => out.push(f) }, { from: 'client', typePolicy: policy, extensions: extensions ?? null });
  decoder.push(bytes);
  decoder.end();
  return out;
}

describe('unsupported-binary and unsupported-text', () => {
  it('binary to a text-only server, whose payload is JSON text', () => {
    const bytes = encodeFrame({ opcode: 2, payload: '{"op":"subscribe"}', mask: true });
    const run = decodeEverySplit(bytes, { from: 'client', typePolicy: TEXT_ONLY });
    assert.deepEqual(findingsAt(run), [['unsupported-binary', 0]]);
    const [f] = findings(bytes, TEXT_ONLY);
    assert.equal(
      f!.message,
      'Binary message of 18 bytes (frame #0) sent to a server that accepts only text (policy: --server-accepts text).',
    );
    assert.match(f!.hint!, /^The payload is text \(it looks like JSON\): send it as a text frame \(opcode 0x1\)/);
    assert.match(f!.hint!, /\{ binary: false \}/);
    assert.equal(Buffer.from(f!.preview!).toString(), '{"op":"subscribe"}');
  });

  it('binary that is not UTF-8 gets the encode-as-text hint', () => {
    const [f] = findings(encodeFrame({ opcode: 2, payload: Uint8Array.of(0xff, 0x00, 0x10), mask: true }), TEXT_ONLY);
    assert.equal(f!.rule, 'unsupported-binary');
    assert.match(f!.hint!, /encode this data as text/);
  });

  it('text to a binary-only server', () => {
    const run = decodeEverySplit(encodeFrame({ opcode: 1, payload: 'hello', mask: true }), { from: 'client', typePolicy: BINARY_ONLY });
    assert.deepEqual(findingsAt(run), [['unsupported-text', 0]]);
  });

  it('a fragmented binary message is reported once, at its end, naming its first frame and size', () => {
    const bytes = concatBytes([
      encodeFrame({ opcode: 2, fin: false, payload: 'abc', mask: true }),
      encodeFrame({ opcode: 9, payload: '', mask: true }),
      encodeFrame({ opcode: 0, payload: 'def', mask: true }),
    ]);
    const run = decodeEverySplit(bytes, { from: 'client', typePolicy: TEXT_ONLY });
    assert.deepEqual(findingsAt(run), [['unsupported-binary', 0]]);
    const frameEvents = run.events.map((e) => e[0]);
    assert.ok(frameEvents.lastIndexOf('frame') < frameEvents.indexOf('finding'), 'reported after the last frame');
    assert.match(findings(bytes, TEXT_ONLY)[0]!.message, /of 6 bytes \(first frame #0, 2 frames\)/);
  });

  it('a compressed binary message is judged on its inflated payload', () => {
    const payload = new TestCompressor(false).compress('plain words');
    const [f] = findings(encodeFrame({ opcode: 2, rsv1: true, payload, mask: true }), TEXT_ONLY, 'permessage-deflate');
    assert.equal(f!.rule, 'unsupported-binary');
    assert.match(f!.message, /of 11 bytes/);
    assert.match(f!.hint!, /^The payload is text:/);
  });

  it('firstError is set at the header, before any payload byte arrives', () => {
    const decoder = new FrameDecoder({ finding: () => {} }, { from: 'client', typePolicy: TEXT_ONLY });
    const bytes = encodeFrame({ opcode: 2, payload: 'abcdef', mask: true });
    decoder.push(bytes.subarray(0, 6)); // header only
    const first = decoder.firstError;
    assert.ok(first, 'an error at the header');
    assert.equal(first.rule, 'unsupported-binary');
    assert.equal(first.frame?.offset, 0);
  });

  it('matching types, control frames and an "any" policy give nothing', () => {
    const bytes = concatBytes([
      encodeFrame({ opcode: 1, payload: 'text', mask: true }),
      encodeFrame({ opcode: 9, payload: 'ping', mask: true }),
      encodeFrame({ opcode: 8, payload: Uint8Array.of(0x03, 0xe8), mask: true }),
    ]);
    assert.deepEqual(rules(decodeEverySplit(bytes, { from: 'client', typePolicy: TEXT_ONLY })), []);
    const binary = encodeFrame({ opcode: 2, payload: 'x', mask: true });
    assert.deepEqual(rules(decodeEverySplit(binary, { from: 'client', typePolicy: { accepts: 'any', source: 'flag' } })), []);
    assert.deepEqual(rules(decodeEverySplit(binary, { from: 'client', typePolicy: BINARY_ONLY })), []);
  });

  it('a policy set at run time applies from the next message on', () => {
    const out: Finding[] = [];
    const decoder = new FrameDecoder({ finding: (f) => out.push(f) }, { from: 'client' });
    const binary = encodeFrame({ opcode: 2, payload: 'x', mask: true });
    decoder.push(binary);
    decoder.setTypePolicy({ accepts: 'text', source: 'learned from c1' });
    decoder.push(binary);
    decoder.end();
    assert.deepEqual(
      out.map((f) => [f.rule, f.frame?.index]),
      [['unsupported-binary', 1]],
    );
    assert.match(out[0]!.message, /learned from c1/);
  });
});
