/**
 * Integer reads from byte arrays in either byte order. Capture files are written in the byte order of the
 * machine that wrote them (pcap, each pcapng section), packets in network order (big-endian). Callers
 * check bounds first: these never look past what they are given.
 */

export function u16(buf: Uint8Array, at: number, little: boolean): number {
  return little ? buf[at]! | (buf[at + 1]! << 8) : (buf[at]! << 8) | buf[at + 1]!;
}

export function u32(buf: Uint8Array, at: number, little: boolean): number {
  return little
    ? (buf[at]! | (buf[at + 1]! << 8) | (buf[at + 2]! << 16) | (buf[at + 3]! << 24)) >>> 0
    : ((buf[at]! << 24) | (buf[at + 1]! << 16) | (buf[at + 2]! << 8) | buf[at + 3]!) >>> 0;
}

export function u16be(buf: Uint8Array, at: number): number {
  return (buf[at]! << 8) | buf[at + 1]!;
}

export function u32be(buf: Uint8Array, at: number): number {
  return ((buf[at]! << 24) | (buf[at + 1]! << 16) | (buf[at + 2]! << 8) | buf[at + 3]!) >>> 0;
}

export function putU16(buf: Uint8Array, at: number, value: number, little: boolean): void {
  if (little) {
    buf[at] = value & 0xff;
    buf[at + 1] = (value >>> 8) & 0xff;
  } else {
    buf[at] = (value >>> 8) & 0xff;
    buf[at + 1] = value & 0xff;
  }
}

export function putU32(buf: Uint8Array, at: number, value: number, little: boolean): void {
  if (little) {
    buf[at] = value & 0xff;
    buf[at + 1] = (value >>> 8) & 0xff;
    buf[at + 2] = (value >>> 16) & 0xff;
    buf[at + 3] = (value >>> 24) & 0xff;
  } else {
    buf[at] = (value >>> 24) & 0xff;
    buf[at + 1] = (value >>> 16) & 0xff;
    buf[at + 2] = (value >>> 8) & 0xff;
    buf[at + 3] = value & 0xff;
  }
}

/** Lower-case hex of up to `max` bytes, for messages about bytes that are not what they should be. */
export function hexOf(buf: Uint8Array, at: number, length: number, max = 8): string {
  let text = '';
  const end = Math.min(buf.length, at + Math.min(length, max));
  for (let i = at; i < end; i++) text += buf[i]!.toString(16).padStart(2, '0');
  return text;
}
