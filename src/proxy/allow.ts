/**
 * Who may use a forward proxy: `--allow-from CIDR…` as address ranges, checked against each client's
 * address. Loopback clients are always allowed (the machine wsdiag runs on).
 */
import { ConfigError } from '../errors.js';
import { parseIp } from '../ip.js';
import { isLoopback } from './target.js';

interface Range {
  bytes: Uint8Array;
  bits: number;
}

export interface ClientAllowList {
  /** The ranges as given. */
  readonly sources: readonly string[];
  allows(address: string): boolean;
}

/** Parses CIDR ranges (`10.0.0.0/8`, `192.168.1.7`, `fd00::/8`) for the option `option` (`allowFrom`). */
export function parseAllowList(ranges: readonly string[], option = 'allowFrom'): ClientAllowList {
  const parsed = ranges.map((text): Range => {
    const bad = (): ConfigError =>
      new ConfigError(option, (n) => `${n(option)} "${text}" is not an address range (e.g. 192.168.1.0/24, 10.1.2.3, fd00::/8)`);
    const [address = '', prefix, extra] = text.trim().split('/');
    if (extra !== undefined) throw bad();
    let bytes: Uint8Array;
    try {
      bytes = parseIp(address);
    } catch {
      throw bad();
    }
    const max = bytes.length * 8;
    const bits = prefix === undefined ? max : /^\d{1,3}$/.test(prefix) ? Number(prefix) : NaN;
    if (!(bits >= 0 && bits <= max)) throw bad();
    return { bytes, bits };
  });
  return {
    sources: [...ranges],
    allows: (address) => {
      if (isLoopback(address)) return true;
      let bytes: Uint8Array;
      try {
        bytes = unmapped(parseIp(address));
      } catch {
        return false;
      }
      return parsed.some((range) => inRange(bytes, range));
    },
  };
}

/** An IPv4-mapped IPv6 address (::ffff:a.b.c.d, as a dual-stack listener reports IPv4 clients) as IPv4. */
function unmapped(bytes: Uint8Array): Uint8Array {
  if (bytes.length !== 16) return bytes;
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return bytes;
  return bytes[10] === 0xff && bytes[11] === 0xff ? bytes.subarray(12) : bytes;
}

function inRange(bytes: Uint8Array, range: Range): boolean {
  if (bytes.length !== range.bytes.length) return false;
  const whole = Math.floor(range.bits / 8);
  for (let i = 0; i < whole; i++) if (bytes[i] !== range.bytes[i]) return false;
  const rest = range.bits % 8;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return ((bytes[whole] ?? 0) & mask) === ((range.bytes[whole] ?? 0) & mask);
}
