/**
 * The UTF-8 validators agree with node:buffer's isUtf8 (simdutf) on every input: the streaming one however
 * the bytes are cut, the short-message one on any length. Inputs are biased towards almost-valid UTF-8,
 * where the mistakes hide (overlong forms, surrogates, code points above U+10FFFF, cut sequences).
 */
import assert from 'node:assert/strict';
import { isUtf8 } from 'node:buffer';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Utf8Validator, isValidUtf8Aligned } from '../../src/protocol/utf8.js';

const NUM_RUNS = Number(process.env['WSDIAG_FUZZ_RUNS'] ?? 300) * 10;

/** Pieces that make up almost-valid UTF-8: valid characters of every length, and every kind of bad byte. */
const pieceArb = fc.oneof(
  fc.string({ unit: 'binary', minLength: 1, maxLength: 4 }).map((s) => Array.from(new TextEncoder().encode(s))),
  fc.constantFrom(
    [0xc0, 0x80],
    [0xc1, 0xbf],
    [0xe0, 0x80, 0x80],
    [0xe0, 0x9f, 0xbf],
    [0xed, 0xa0, 0x80],
    [0xed, 0xbf, 0xbf],
    [0xf0, 0x80, 0x80, 0x80],
    [0xf0, 0x8f, 0xbf, 0xbf],
    [0xf4, 0x90, 0x80, 0x80],
    [0xf5, 0x80, 0x80, 0x80],
    [0xff],
    [0xfe],
    [0x80],
    [0xbf],
    [0xc2],
    [0xe2, 0x82],
    [0xf0, 0x9f, 0x98],
    [0xed, 0x9f, 0xbf],
    [0xf4, 0x8f, 0xbf, 0xbf],
  ),
  fc.array(fc.integer({ min: 0x20, max: 0x7e }), { minLength: 1, maxLength: 12 }),
);
const bytesArb = fc.array(pieceArb, { maxLength: 40 }).map((pieces) => Uint8Array.from(pieces.flat()));

function aligned(bytes: Uint8Array): [Uint8Array, Uint32Array] {
  const buffer = new ArrayBuffer(Math.ceil(bytes.length / 4) * 4 + 4);
  const view = new Uint8Array(buffer);
  view.set(bytes);
  return [view, new Uint32Array(buffer)];
}

describe('UTF-8 validation', () => {
  it('isValidUtf8Aligned agrees with isUtf8', () => {
    fc.assert(
      fc.property(bytesArb, (bytes) => {
        const [view, words] = aligned(bytes);
        assert.equal(isValidUtf8Aligned(view, words, bytes.length), isUtf8(bytes));
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('isValidUtf8Aligned ignores what lies past the length', () => {
    const [view, words] = aligned(Uint8Array.of(0x61, 0x62, 0x63, 0xe2, 0x82, 0xac, 0xff, 0xff));
    assert.equal(isValidUtf8Aligned(view, words, 6), true);
    assert.equal(isValidUtf8Aligned(view, words, 5), false, 'a code point cut at the end is invalid');
  });

  it('the streaming validator agrees with isUtf8 however the bytes are cut', () => {
    fc.assert(
      fc.property(bytesArb, fc.array(fc.nat(), { maxLength: 5 }), (bytes, cuts) => {
        const offsets = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const validator = new Utf8Validator();
        let ok = true;
        let start = 0;
        for (const at of [...offsets, bytes.length]) {
          ok = validator.write(bytes, start, at) && ok;
          start = at;
        }
        assert.equal(ok && validator.finish(), isUtf8(bytes));
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
