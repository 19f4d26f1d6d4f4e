/**
 * Deterministic payloads for the probe's cases. Each side of a case uses its own seed, so a message that
 * an intermediary reflects back (or hands to the wrong side) never looks like the one that was expected.
 */

/** `length` pseudo-random bytes from `seed` (xorshift32: fast, reproducible, no dependency). */
export function binaryPayload(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed | 0 || 0x9e3779b9;
  let i = 0;
  const words = new Uint32Array(out.buffer, 0, Math.floor(length / 4));
  for (; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x >>> 0;
  }
  for (let j = i * 4; j < length; j++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[j] = x & 0xff;
  }
  return out;
}

/** Every byte value 0x00–0xFF once, in order (reversed for the server side, so the two differ). */
export function allByteValues(reverse = false): Uint8Array {
  const out = new Uint8Array(256);
  for (let i = 0; i < 256; i++) out[i] = reverse ? 255 - i : i;
  return out;
}

/** Characters of 1, 2, 3 and 4 UTF-8 bytes, so text payloads exercise every sequence length. */
const MIXED = ['a', 'é', '€', '😀', 'z', 'ß', '中', '🎉'];

/**
 * Valid UTF-8 text of exactly `length` bytes: a mix of 1- to 4-byte characters (varying with `seed`),
 * padded with ASCII so the length is exact.
 */
export function textPayload(length: number, seed: number): Uint8Array {
  const encoder = new TextEncoder();
  const pieces = MIXED.map((c) => encoder.encode(c));
  const out = new Uint8Array(length);
  let at = 0;
  let k = seed;
  while (at < length) {
    const piece = pieces[k++ % pieces.length];
    if (piece === undefined) break; // never: MIXED is not empty
    if (at + piece.length > length) {
      out[at++] = 0x2e; // '.'
      continue;
    }
    out.set(piece, at);
    at += piece.length;
  }
  return out;
}

export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}
