/**
 * The decode benchmark's input: streams of masked client frames (what a server's parser reads), built
 * once and cut into fixed-size chunks the way a socket hands them over. Content is deterministic (a fixed
 * PRNG seed) so every run measures the same bytes; mask keys are random-looking and never zero, because
 * ws skips unmasking for an all-zero key.
 */
import { Opcode } from '../../src/protocol/constants.js';
import { encodeFrame } from '../../src/protocol/encoder.js';

export interface FrameStream {
  opcode: number;
  payloadSize: number;
  frames: number;
  /** Bytes on the wire, headers included. */
  wireBytes: number;
  /** The stream cut into chunks (views into one buffer). */
  chunks: Buffer[];
}

/** Text that looks like what apps send (JSON with some 2-, 3- and 4-byte UTF-8 characters). */
const SAMPLE_TEXT = '{"id":4211,"user":"Zoë","price":"12,50 €","tags":["naïve","日本語"],"mood":"🎉","note":"lorem ipsum dolor sit amet"}';

/** Valid UTF-8 of exactly `size` bytes: the sample repeated, cut at a character boundary, padded with spaces. */
export function textPayload(size: number): Buffer {
  const sample = Buffer.from(SAMPLE_TEXT);
  const out = Buffer.alloc(size, 0x20);
  let at = 0;
  while (at < size) {
    let take = Math.min(sample.length, size - at);
    while (take > 0 && take < sample.length && ((sample[take] ?? 0) & 0xc0) === 0x80) take--; // not inside a character
    if (take === 0) break;
    sample.copy(out, at, 0, take);
    at += take;
    if (take < sample.length) break;
  }
  return out;
}

/** xorshift32: fast, deterministic bytes for binary payloads and mask keys. */
export class Prng {
  private state: number;
  constructor(seed = 0x9e3779b9) {
    this.state = seed >>> 0 || 1;
  }
  next(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state;
  }
  fill(bytes: Uint8Array): Uint8Array {
    for (let i = 0; i < bytes.length; i++) bytes[i] = this.next() & 0xff;
    return bytes;
  }
  /** A 4-byte mask key with no zero byte. */
  maskKey(): Uint8Array {
    const key = new Uint8Array(4);
    for (let i = 0; i < 4; i++) key[i] = (this.next() % 255) + 1;
    return key;
  }
}

/**
 * `frames` masked client frames of `payloadSize` bytes each (text or binary), every frame with its own
 * mask key, concatenated and cut into `chunkSize`-byte chunks.
 */
export function buildStream(
  opcode: typeof Opcode.Text | typeof Opcode.Binary,
  payloadSize: number,
  frames: number,
  chunkSize: number,
): FrameStream {
  const prng = new Prng();
  const payload = opcode === Opcode.Text ? textPayload(payloadSize) : Buffer.from(prng.fill(new Uint8Array(payloadSize)));
  const first = encodeFrame({ opcode, payload, mask: prng.maskKey() });
  const frameBytes = first.length;
  const stream = Buffer.allocUnsafe(frameBytes * frames);
  for (let i = 0; i < frames; i++) {
    const frame = i === 0 ? first : encodeFrame({ opcode, payload, mask: prng.maskKey() });
    stream.set(frame, i * frameBytes);
  }
  return { opcode, payloadSize, frames, wireBytes: stream.length, chunks: cut(stream, chunkSize) };
}

/** Views of `chunkSize` bytes (the last one shorter) over `bytes`. */
export function cut(bytes: Buffer, chunkSize: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += chunkSize) chunks.push(bytes.subarray(at, Math.min(bytes.length, at + chunkSize)));
  return chunks;
}

/**
 * A fresh copy of a stream's chunks. ws's Receiver unmasks in place, so after one pass the bytes are no
 * longer masked; every ws run gets its own copy, as a socket would hand it fresh buffers.
 */
export function copyChunks(chunks: readonly Buffer[]): Buffer[] {
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const copy = Buffer.allocUnsafe(total);
  const out: Buffer[] = [];
  let at = 0;
  for (const chunk of chunks) {
    copy.set(chunk, at);
    out.push(copy.subarray(at, at + chunk.length));
    at += chunk.length;
  }
  return out;
}
