/**
 * A pure frame encoder (RFC 6455 §5.2), deliberately permissive: it writes exactly what it is told, so
 * tests, the demo and the probe can build both valid frames and every kind of broken one.
 */
import { unmask } from './mask.js';

export interface FrameSpec {
  opcode: number;
  // Every field may be given as undefined: a spec is often built from optional inputs.
  payload?: Uint8Array | string | undefined;
  /** Defaults to true. */
  fin?: boolean | undefined;
  rsv1?: boolean | undefined;
  rsv2?: boolean | undefined;
  rsv3?: boolean | undefined;
  /** A 4-byte key masks the payload; `true` draws a fixed key (tests want determinism); omitted = unmasked. */
  mask?: Uint8Array | true | undefined;
  /** Force a length encoding (7, 16 or 64 bits) — a shorter-than-needed one is rejected. */
  lengthForm?: 7 | 16 | 64 | undefined;
  /** Write this length in the header instead of the payload's (for lying headers). */
  declaredLength?: number | bigint | undefined;
}

const FIXED_KEY = Uint8Array.of(0x37, 0xfa, 0x21, 0x3d);

export function encodeFrame(spec: FrameSpec): Uint8Array {
  const payload = typeof spec.payload === 'string' ? new TextEncoder().encode(spec.payload) : (spec.payload ?? new Uint8Array(0));
  const declared = BigInt(spec.declaredLength ?? payload.length);
  const form = spec.lengthForm ?? (declared < 126n ? 7 : declared < 65536n ? 16 : 64);
  const key = spec.mask === true ? FIXED_KEY : spec.mask;
  const headerLength = 2 + (form === 16 ? 2 : form === 64 ? 8 : 0) + (key ? 4 : 0);
  const out = new Uint8Array(headerLength + payload.length);
  out[0] =
    ((spec.fin ?? true) ? 0x80 : 0) | (spec.rsv1 ? 0x40 : 0) | (spec.rsv2 ? 0x20 : 0) | (spec.rsv3 ? 0x10 : 0) | (spec.opcode & 0x0f);
  let p = 2;
  if (form === 7) {
    if (declared > 125n) throw new RangeError('length does not fit the 7-bit form');
    out[1] = Number(declared);
  } else if (form === 16) {
    if (declared > 0xffffn) throw new RangeError('length does not fit the 16-bit form');
    out[1] = 126;
    out[2] = Number(declared >> 8n);
    out[3] = Number(declared & 0xffn);
    p = 4;
  } else {
    out[1] = 127;
    new DataView(out.buffer, out.byteOffset).setBigUint64(2, declared);
    p = 10;
  }
  if (key) {
    out[1] |= 0x80;
    out.set(key.subarray(0, 4), p);
    p += 4;
    unmask(out, p, payload, 0, payload.length, key, 0); // XOR is its own inverse
  } else {
    out.set(payload, p);
  }
  return out;
}

/** A Close frame body: 2-byte code and UTF-8 reason. */
export function closeBody(code: number, reason = ''): Uint8Array {
  const text = new TextEncoder().encode(reason);
  const body = new Uint8Array(2 + text.length);
  body[0] = code >> 8;
  body[1] = code & 0xff;
  body.set(text, 2);
  return body;
}

/** The parts as one new array: frames into one stream, pieces into one payload. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
