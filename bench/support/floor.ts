/**
 * The least work any validator of masked text can do with what Node offers: read every payload byte once
 * (a copy out of the caller's buffer, which must not be changed), unmask it, and run node:buffer's isUtf8
 * over it. Our decoder and ws both make these same native passes; the floor makes only them, with no frame
 * parsing and no bookkeeping. Timed on as many bytes, in pieces of the same size, it bounds the ratio any
 * such validator can reach against ws: ws's time over the floor's.
 */
import { isUtf8 } from 'node:buffer';
import { loadXorKernel } from '../../src/protocol/simd-xor.js';
import { textPayload } from './frames.js';

export interface Floor {
  /** Runs the passes over every piece once; returns the seconds it took. */
  time(): number;
}

export function nativeFloor(bytes: number, pieceSize: number): Floor {
  const kernel = loadXorKernel();
  if (!kernel) throw new Error('the floor needs WebAssembly SIMD');
  // Valid text, cold like the benchmark's streams (far larger than the caches for the big cases).
  const pieces = cutAtCharacters(textPayload(bytes), pieceSize);
  const area = kernel.bytes;
  return {
    time() {
      let valid = 0;
      const start = process.hrtime.bigint();
      for (const piece of pieces) {
        area.set(new Uint8Array(piece.buffer, piece.byteOffset, piece.length), 0);
        kernel.xor(0, piece.length, 0); // a zero key: the same pass, and the text stays valid
        if (isUtf8(new Uint8Array(area.buffer, 0, piece.length))) valid++;
      }
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      if (valid !== pieces.length) throw new Error('the floor saw invalid text');
      return seconds;
    },
  };
}

/**
 * The unmask pass alone: copy each piece out and XOR it on the SIMD kernel, as the decoder does for every
 * payload byte a listener reads. What a decoder that hands out unmasked payload cannot beat.
 */
export function unmaskFloor(bytes: number, pieceSize: number): Floor {
  const kernel = loadXorKernel();
  if (!kernel) throw new Error('the floor needs WebAssembly SIMD');
  const pieces = cutAtCharacters(textPayload(bytes), pieceSize);
  const area = kernel.bytes;
  return {
    time() {
      let sum = 0;
      const start = process.hrtime.bigint();
      for (const piece of pieces) {
        area.set(new Uint8Array(piece.buffer, piece.byteOffset, piece.length), 0);
        kernel.xor(0, piece.length, 0x5a5a5a5a);
        sum += area[0] ?? 0;
      }
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      if (sum === 0) throw new Error('the floor unmasked nothing');
      return seconds;
    },
  };
}

/** Pieces of at most `size` bytes, each cut before a character's first byte, so each is valid alone. */
function cutAtCharacters(text: Buffer, size: number): Buffer[] {
  const pieces: Buffer[] = [];
  let at = 0;
  while (at < text.length) {
    let end = Math.min(text.length, at + size);
    while (end < text.length && ((text[end] ?? 0) & 0xc0) === 0x80) end--;
    pieces.push(text.subarray(at, end));
    at = end;
  }
  return pieces;
}
