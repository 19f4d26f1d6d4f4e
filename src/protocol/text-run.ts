/**
 * The decoder's fast lane for the commonest traffic: a chunk that holds whole, unfragmented text frames
 * (FIN set, RSV bits clear, minimal 7- or 16-bit length, masked as the direction requires) with nothing to
 * report in their headers. Such a run is copied into the scratch area in one go, each payload is unmasked
 * in place, each header in between is overwritten with ASCII spaces, and one UTF-8 check covers the lot.
 *
 * Why one check is enough: in valid UTF-8 an ASCII byte always stands alone, so "payload, spaces, payload"
 * is valid exactly when every payload is — a payload that ends inside a code point, or starts with a
 * continuation byte, makes the joined bytes invalid too. One native call per run instead of one per message
 * is most of what a 100-byte message costs.
 *
 * The scan only reads headers; nothing is decided until the run is checked. When the check fails the
 * decoder processes those frames one by one (the normal path says which one is wrong, and where).
 */
import type { Scratch, Source } from './scratch.js';
import { XOR_AREA_BYTES as SCRATCH_BYTES } from './simd-xor.js';

/** Frames per run at most (a bound for the tables; a 16 KiB chunk of 16-byte messages holds about 750). */
export const RUN_MAX_FRAMES = 512;

/** FIN + text opcode, no RSV bits: the only first header byte a run accepts. */
export const FIN_TEXT = 0x81;
const SPACE = 0x20;

export class TextRun {
  /** Frames in the run found by the last `scan`. */
  count = 0;
  /** Bytes of the chunk the run covers, from the `pos` given to `scan`. */
  bytes = 0;
  /** Per frame, relative to the run's start: where its header and its payload begin, its payload length. */
  readonly headerAt = new Int32Array(RUN_MAX_FRAMES);
  readonly payloadAt = new Int32Array(RUN_MAX_FRAMES);
  readonly lengths = new Int32Array(RUN_MAX_FRAMES);
  /** The mask key of each frame as one little-endian word (0 when unmasked). */
  private readonly keys = new Int32Array(RUN_MAX_FRAMES);

  /**
   * Finds the run of clean whole text frames that starts at chunk[pos] (at a frame boundary); returns how
   * many frames it holds (0: the normal path takes the next frame). `maxMessage` 0 means no size limit.
   */
  scan(chunk: Uint8Array, pos: number, end: number, masked: boolean, maxMessage: number): number {
    let count = 0;
    let p = pos;
    const limit = Math.min(end, pos + SCRATCH_BYTES);
    while (count < RUN_MAX_FRAMES && limit - p >= 2 && chunk[p] === FIN_TEXT) {
      const b1 = chunk[p + 1]!;
      if (b1 >= 0x80 !== masked) break;
      let length = b1 & 0x7f;
      let payload = p + 2;
      if (length === 126) {
        if (limit - p < 4) break;
        length = (chunk[p + 2]! << 8) | chunk[p + 3]!;
        if (length < 126) break; // non-minimal: a finding, for the normal path
        payload += 2;
      } else if (length === 127) {
        break; // 64-bit lengths are for frames larger than a run can hold
      }
      if (masked) payload += 4;
      if (payload + length > limit || (maxMessage > 0 && length > maxMessage)) break;
      this.headerAt[count] = p - pos;
      this.payloadAt[count] = payload - pos;
      this.lengths[count] = length;
      this.keys[count] = masked
        ? chunk[payload - 4]! | (chunk[payload - 3]! << 8) | (chunk[payload - 2]! << 16) | (chunk[payload - 1]! << 24)
        : 0;
      count++;
      p = payload + length;
    }
    this.count = count;
    this.bytes = p - pos;
    return count;
  }

  /**
   * Copies the run into the scratch area (payloads unmasked, headers blanked) and checks it; true when
   * every payload is valid UTF-8. The payloads then stay readable in `scratch.bytes` at `payloadAt`.
   */
  check(scratch: Scratch, source: Source, pos: number, masked: boolean): boolean {
    const bytes = scratch.bytes;
    bytes.set(source.view(pos, this.bytes), 0);
    for (let i = 0; i < this.count; i++) {
      const payload = this.payloadAt[i]!;
      for (let h = this.headerAt[i]!; h < payload; h++) bytes[h] = SPACE;
      if (masked) scratch.xor(payload, payload + this.lengths[i]!, this.keys[i]!);
    }
    return scratch.isUtf8(this.bytes);
  }
}
