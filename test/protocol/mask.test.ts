/**
 * Every unmasking path (JavaScript byte loop, 32-bit words on the scratch buffer, native bufferutil) gives
 * the RFC 6455 §5.3 result for every key phase, length and source offset, and never writes into its source.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { unmask, unmaskSmall, unmaskToScratch } from '../../src/protocol/mask.js';

const KEY = Uint8Array.of(0x37, 0xfa, 0x21, 0x3d);

function reference(src: Uint8Array, start: number, end: number, position: number): Uint8Array {
  return Uint8Array.from(src.subarray(start, end), (b, i) => b ^ KEY[(position + i) & 3]!);
}

describe('unmasking', () => {
  const lengths = [0, 1, 3, 4, 5, 31, 127, 128, 129, 300, 5000];
  for (const length of lengths) {
    it(`${length} bytes at every key phase and source offset`, () => {
      for (const position of [0, 1, 2, 3, 6]) {
        for (const start of [0, 1, 3]) {
          const src = Uint8Array.from({ length: start + length + 2 }, (_, i) => (i * 31 + 7) & 0xff);
          const before = Uint8Array.from(src);
          const expected = reference(src, start, start + length, position);

          const a = new Uint8Array(length + 5);
          unmask(a, 2, src, start, start + length, KEY, position);
          assert.deepEqual(a.subarray(2, 2 + length), expected, `unmask ${length}/${position}/${start}`);

          const b = new Uint8Array(length + 1);
          unmaskSmall(b, 1, src, start, start + length, KEY, position);
          assert.deepEqual(b.subarray(1), expected, `unmaskSmall ${length}/${position}/${start}`);

          const scratch = new Uint8Array(8192);
          unmaskToScratch(scratch, new Uint32Array(scratch.buffer), src, start, start + length, KEY, position);
          assert.deepEqual(scratch.subarray(0, length), expected, `unmaskToScratch ${length}/${position}/${start}`);

          assert.deepEqual(src, before, 'the source is never modified');
        }
      }
    });
  }
});
