/**
 * IP addresses between text and bytes, written once for the capture writer and reader (src/capture/) and
 * the certificates minted for an address (src/tls/). Pure; imports nothing.
 */

/** An IP address as 4 or 16 bytes, from its text (IPv6 may be bracketed, compressed, carry a zone or an IPv4 tail). */
export function parseIp(text: string): Uint8Array {
  const bare = text.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (!bare.includes(':')) {
    const v4 = parseIpv4(bare);
    if (v4 === null) throw new RangeError(`not an IP address: ${text}`);
    return v4;
  }
  let head = bare;
  let tail: Uint8Array | null = null;
  const lastColon = bare.lastIndexOf(':');
  if (bare.slice(lastColon + 1).includes('.')) {
    tail = parseIpv4(bare.slice(lastColon + 1));
    if (tail === null) throw new RangeError(`not an IP address: ${text}`);
    head = `${bare.slice(0, lastColon + 1)}0:0`;
  }
  const halves = head.split('::');
  if (halves.length > 2) throw new RangeError(`not an IP address: ${text}`);
  const groups = (part: string | undefined): number[] =>
    part === undefined || part === ''
      ? []
      : part.split(':').map((g) => {
          if (!/^[0-9a-fA-F]{1,4}$/.test(g)) throw new RangeError(`not an IP address: ${text}`);
          return parseInt(g, 16);
        });
  const left = groups(halves[0]);
  const right = groups(halves[1]);
  const fill = 8 - left.length - right.length;
  if (fill < 0 || (halves.length === 1 && fill !== 0)) throw new RangeError(`not an IP address: ${text}`);
  const all = [...left, ...new Array<number>(halves.length === 2 ? fill : 0).fill(0), ...right];
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[i * 2] = g >>> 8;
    out[i * 2 + 1] = g & 0xff;
  });
  if (tail !== null) out.set(tail, 12);
  return out;
}

function parseIpv4(text: string): Uint8Array | null {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return null;
  return Uint8Array.from(parts.map(Number));
}

/**
 * RFC 5952 text of the IPv6 address in bytes [at, at + 16): lower case, no leading zeros, the first longest
 * run of two or more zero words as "::". An IPv4-mapped address is written in words too (::ffff:7f00:1);
 * the capture reader writes that one dotted (src/capture/ip.ts).
 */
export function canonicalIpv6(bytes: Uint8Array, at = 0): string {
  const words = Array.from({ length: 8 }, (_, i) => ((bytes[at + 2 * i] ?? 0) << 8) | (bytes[at + 2 * i + 1] ?? 0));
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
    i = j;
  }
  const hex = words.map((word) => word.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}
