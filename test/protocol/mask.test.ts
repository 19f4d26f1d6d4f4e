/**
 * Every unmasking path (JavaScript byte loop, bufferutil, the scratch areas: the shared WebAssembly SIMD
 * kernel and a decoder's private one) gives the RFC 6455 §5.3 result for every key phase, length and source
 * offset, and never writes into its source.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { unmask, unmaskSmall } from '../../src/protocol/mask.js';
import {
  Source,
  claimSharedScratch,
  createPrivateScratch,
  releaseSharedScratch,
  simdUnmask,
  type Scratch,
} from '../../src/protocol/scratch.js';
import { loadXorKernel } from '../../src/protocol/simd-xor.js';

const KEY = Uint8Array.of(0x37, 0xfa, 0x21, 0x3d);

function reference(src: Uint8Array, start: number, end: number, position: number): Uint8Array {
  return Uint8Array.from(src.subarray(start, end), (b, i) => b ^ KEY[(position + i) & 3]!);
}

function withScratches(test: (scratch: Scratch, name: string) => void): void {
  const shared = claimSharedScratch();
  try {
    if (shared) test(shared, 'shared kernel scratch');
  } finally {
    if (shared) releaseSharedScratch();
  }
  test(createPrivateScratch(), 'private scratch');
}

describe('unmasking', () => {
  it('runs on the WebAssembly SIMD kernel on this machine (Node 20 on x64 or arm64 has it)', () => {
    assert.equal(simdUnmask, true);
  });

  const lengths = [0, 1, 3, 4, 5, 31, 47, 48, 49, 64, 127, 128, 129, 300, 5000, 65536];
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

          withScratches((scratch, name) => {
            scratch.unmask(new Source().use(src), start, start + length, KEY, position);
            assert.deepEqual(scratch.bytes.subarray(0, length), expected, `${name} ${length}/${position}/${start}`);
          });

          assert.deepEqual(src, before, 'the source is never modified');
        }
      }
    });
  }

  it('xor(start, end, word) changes exactly bytes [start, end), whatever their alignment', () => {
    const kernel = loadXorKernel();
    assert.ok(kernel, 'the kernel loads');
    const word = 0x3d21fa37; // KEY as a little-endian word
    withScratches((scratch, name) => {
      for (const start of [0, 1, 2, 3, 5, 17, 63, 64, 65]) {
        for (const length of [0, 1, 3, 4, 15, 16, 17, 63, 64, 65, 200]) {
          const before = Uint8Array.from({ length: 400 }, (_, i) => (i * 13 + 1) & 0xff);
          scratch.bytes.set(before, 0);
          scratch.xor(start, start + length, word);
          const expected = Uint8Array.from(before);
          for (let i = start; i < start + length; i++) expected[i] = before[i]! ^ KEY[(i - start) & 3]!;
          assert.deepEqual(scratch.bytes.subarray(0, 400), expected, `${name}: xor ${start}+${length}`);
        }
      }
    });
  });

  it('a push that starts while another decoder holds the shared area gets its own', () => {
    const first = claimSharedScratch();
    try {
      assert.ok(first);
      assert.equal(claimSharedScratch(), null, 'the shared area is lent to one push at a time');
    } finally {
      releaseSharedScratch();
    }
    const again = claimSharedScratch();
    assert.equal(again, first, 'released, it can be claimed again');
    releaseSharedScratch();
  });
});
