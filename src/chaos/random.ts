/**
 * Seeded randomness for reproducible chaos: a run seed plus names (connection, direction, toxic) give a
 * generator whose draws depend on nothing else, so the same seed on the same traffic gives the same faults
 * and the same masking keys. Not for secrets: masking keys only need to be unpredictable to a hostile
 * page script, which a test rig does not host.
 */

/** Four 32-bit words out of a string (a 128-bit multiply-xorshift hash over its UTF-16 units). */
function hash128(text: string): [number, number, number, number] {
  let h1 = 0x6a09e667;
  let h2 = 0xbb67ae85;
  let h3 = 0x3c6ef372;
  let h4 = 0xa54ff53a;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

/** A small fast generator (SFC32: 128 bits of state, passes PractRand far beyond what a test run draws). */
export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(words: readonly [number, number, number, number]) {
    [this.a, this.b, this.c, this.d] = words;
    // The first outputs still show the seed's structure: skip them.
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A number in [0, 1). */
  random(): number {
    return this.nextUint32() / 0x1_0000_0000;
  }

  /** Four fresh bytes (a masking key). */
  key(): Uint8Array {
    const word = this.nextUint32();
    return Uint8Array.of(word >>> 24, (word >>> 16) & 0xff, (word >>> 8) & 0xff, word & 0xff);
  }
}

/** The generator for a run seed and a path of names (e.g. connection, direction, toxic). */
export function derivePrng(seed: string, ...path: readonly string[]): Prng {
  return new Prng(hash128([seed, ...path].join('\u0000')));
}

/** A fresh run seed (16 hex digits) for runs without --seed; print it so the run can be replayed. */
export function newSeed(): string {
  const words = new Uint32Array(2);
  globalThis.crypto.getRandomValues(words);
  return Array.from(words, (w) => w.toString(16).padStart(8, '0')).join('');
}
