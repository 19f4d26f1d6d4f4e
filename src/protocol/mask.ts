/**
 * Unmasking (RFC 6455 §5.3): byte i of the payload is XORed with key[i mod 4]. `position` is the offset
 * of src[start] within the frame payload, so a payload split across chunks unmasks the same way.
 * Writes into dst, never into src: src may be a buffer the proxy is still writing to a socket.
 */
export function unmask(
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
