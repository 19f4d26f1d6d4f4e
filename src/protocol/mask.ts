/**
 * Unmasking (RFC 6455 §5.3): byte i of the payload is XORed with key[i mod 4]. `position` is the offset
 * of src[start] within the frame payload, so a payload split across chunks unmasks the same way.
 * Writes into dst, never into src: src may be a buffer the proxy is still writing to a socket.
 *
 * Large pieces go through `bufferutil` (ws's own native mask helper, an optional dependency) when it is
 * installed: unmasking is most of the cost of validating text (the benchmark shows about 1 GB/s in
 * JavaScript against over 10 GB/s native). Below NATIVE_MIN bytes the call costs more than it saves
 * (measured: below 128 bytes the JavaScript loop wins).
 */
import { createRequire } from 'node:module';

type NativeMask = (source: Uint8Array, mask: Uint8Array, output: Uint8Array, offset: number, length: number) => void;

const NATIVE_MIN = 128;

function loadNative(): NativeMask | null {
  try {
    const bufferutil = createRequire(import.meta.url)('bufferutil') as { mask?: NativeMask; unmask?: unknown };
    // Its pure-JS fallback (no prebuilt binary) is slower than ours: only the native build is worth it.
    return typeof bufferutil.mask === 'function' && !/output\[offset \+ i\]/.test(bufferutil.mask.toString()) ? bufferutil.mask : null;
  } catch {
    return null;
  }
}

const nativeMask = loadNative();
const rotated = new Uint8Array(4);

/** Unmasks all of `view` into dst[at..] with bufferutil; returns false, having done nothing, when it is not installed. */
export function unmaskNative(view: Uint8Array, key: Uint8Array, position: number, dst: Uint8Array, at: number): boolean {
  if (nativeMask === null) return false;
  // The native helper starts at key[0]: rotate the key so it lines up with `position`.
  const r = position & 3;
  rotated[0] = key[r]!;
  rotated[1] = key[(r + 1) & 3]!;
  rotated[2] = key[(r + 2) & 3]!;
  rotated[3] = key[(r + 3) & 3]!;
  nativeMask(view, rotated, dst, at, view.length);
  return true;
}

export function unmask(dst: Uint8Array, at: number, src: Uint8Array, start: number, end: number, key: Uint8Array, position: number): void {
  // A plain view, not src.subarray(): on a Buffer that goes through Symbol.species and costs more.
  if (nativeMask !== null && end - start >= NATIVE_MIN) {
    unmaskNative(new Uint8Array(src.buffer, src.byteOffset + start, end - start), key, position, dst, at);
    return;
  }
  unmaskSmall(dst, at, src, start, end, key, position);
}

/** The same in JavaScript, for pieces too small for a native call to pay (previews, control frames). */
export function unmaskSmall(
  dst: Uint8Array,
  at: number,
  src: Uint8Array,
  start: number,
  end: number,
  key: Uint8Array,
  position: number,
): void {
  let i = start;
  let o = at;
  let j = position & 3;
  while (j !== 0 && i < end) {
    dst[o++] = src[i++]! ^ key[j]!;
    j = (j + 1) & 3;
  }
  const k0 = key[0]!;
  const k1 = key[1]!;
  const k2 = key[2]!;
  const k3 = key[3]!;
  const stop = end - 3;
  for (; i < stop; i += 4, o += 4) {
    dst[o] = src[i]! ^ k0;
    dst[o + 1] = src[i + 1]! ^ k1;
    dst[o + 2] = src[i + 2]! ^ k2;
    dst[o + 3] = src[i + 3]! ^ k3;
  }
  for (j = 0; i < end; i++, o++, j++) dst[o] = src[i]! ^ key[j]!;
}
