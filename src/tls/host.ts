/**
 * What a leaf certificate is minted for: a DNS name (the SNI a client sent, or a CONNECT host) or an IP
 * address (a client that dialled an address sends no SNI). Each leaf names exactly one of them: no
 * wildcards, since SNI is always a concrete name and a per-name certificate both matches exactly and
 * keeps a wildcard's reach (every sibling name) out of the cache.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { canonicalIpv6, parseIp } from '../ip.js';
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
    const bytes = parseIp(unbracketed);
    return { kind: 'ip', name: canonicalIpv6(bytes), bytes };
  }
  const name = text.toLowerCase().replace(/\.$/, '');
  if (name.length === 0 || name.length > MAX_NAME || !name.split('.').every((label) => LABEL.test(label))) {
    throw new InvalidServerNameError(`not a host name a certificate can be made for: "${printable(input)}"`);
  }
  return { kind: 'dns', name };
}

/** Keeps an untrusted name readable in one log line. */
function printable(text: string): string {
  const shown = text.length > 80 ? `${text.slice(0, 80)}…` : text;
  return shown.replace(/[^\x20-\x7e]/g, '?');
}
