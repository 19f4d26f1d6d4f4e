/**
 * What a leaf certificate is minted for: a DNS name (the SNI a client sent, or a CONNECT host) or an IP
 * address (a client that dialled an address sends no SNI). Each leaf names exactly one of them: no
 * wildcards, since SNI is always a concrete name and a per-name certificate both matches exactly and
 * keeps a wildcard's reach (every sibling name) out of the cache.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { InvalidServerNameError } from './errors.js';

export type LeafSubject =
  | { readonly kind: 'dns'; /** lower case, no trailing dot: also the cache key */ readonly name: string }
  | { readonly kind: 'ip'; /** canonical text form */ readonly name: string; readonly bytes: Uint8Array };

/** RFC 1035 limits; `_` is tolerated because real service names carry it and clients still match them. */
const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;
const MAX_NAME = 253;

/**
 * Parses a server name or address into what goes into the certificate, or throws
 * InvalidServerNameError. Accepts `[v6]` brackets (as in a CONNECT line) and one trailing dot.
 */
export function parseLeafSubject(input: string): LeafSubject {
  const text = input.trim();
  const unbracketed = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (isIPv4(unbracketed)) {
    return { kind: 'ip', name: unbracketed, bytes: Uint8Array.from(unbracketed.split('.'), Number) };
  }
  if (isIPv6(unbracketed)) {
    if (unbracketed.includes('%')) throw new InvalidServerNameError(`an IPv6 zone cannot go in a certificate: "${input}"`);
    const bytes = ipv6Bytes(unbracketed);
    return { kind: 'ip', name: canonicalIPv6(bytes), bytes };
  }
  const name = text.toLowerCase().replace(/\.$/, '');
  if (name.length === 0 || name.length > MAX_NAME || !name.split('.').every((label) => LABEL.test(label))) {
    throw new InvalidServerNameError(`not a host name a certificate can be made for: "${printable(input)}"`);
  }
  return { kind: 'dns', name };
}

/** The 16 bytes of an IPv6 address already validated by net.isIPv6 (with `::` and a dotted IPv4 tail). */
function ipv6Bytes(text: string): Uint8Array {
  const words = (part: string): number[] =>
    part === ''
      ? []
      : part.split(':').flatMap((group) => {
          if (!group.includes('.')) return [parseInt(group, 16)];
          const [a = 0, b = 0, c = 0, d = 0] = group.split('.').map(Number);
          return [(a << 8) | b, (c << 8) | d];
        });
  const [head = '', tail] = text.split('::');
  const front = words(head);
  const back = tail === undefined ? [] : words(tail);
  const all = [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back];
  const bytes = new Uint8Array(16);
  all.forEach((word, i) => {
    bytes[2 * i] = word >> 8;
    bytes[2 * i + 1] = word & 0xff;
  });
  return bytes;
}

/** RFC 5952 text: lower case, no leading zeros, the longest run of two or more zero words as `::`. */
function canonicalIPv6(bytes: Uint8Array): string {
  const words = Array.from({ length: 8 }, (_, i) => ((bytes[2 * i] ?? 0) << 8) | (bytes[2 * i + 1] ?? 0));
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

/** Keeps an untrusted name readable in one log line. */
function printable(text: string): string {
  const shown = text.length > 80 ? `${text.slice(0, 80)}…` : text;
  return shown.replace(/[^\x20-\x7e]/g, '?');
}
