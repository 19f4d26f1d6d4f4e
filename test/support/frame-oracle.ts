/**
 * The tests' independent frame parser (RFC 6455 §5.2), the oracle the decoder's payload events are checked
 * against. It shares no code with src/protocol: one pass over a whole byte array, written for clarity
 * rather than speed (a byte loop unmasks, BigInt reads 64-bit lengths), judging nothing. The integration
 * tests read what an endpoint received with it too (completeFrames, findClose).
 */

export interface OracleFrame {
  index: number;
  offset: number;
  fin: boolean;
  rsv1: boolean;
  rsv2: boolean;
  rsv3: boolean;
  opcode: number;
  masked: boolean;
  maskKey: Uint8Array | null;
  /** As announced in the header. */
  length: number;
  lengthForm: 7 | 16 | 64;
  headerLength: number;
  /** The unmasked payload: shorter than `length` when the bytes end inside the frame. */
  payload: Uint8Array;
}

export interface OracleParse {
  frames: OracleFrame[];
  /** The offset of a header whose 64-bit length has its top bit set: nothing after it can be framed. */
  untrustedAt: number | null;
}

/** Splits `bytes` into frames; a header cut short at the end is dropped, a payload cut short is kept. */
export function parseFrames(bytes: Uint8Array): OracleParse {
  const frames: OracleFrame[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  while (bytes.length - at >= 2) {
    const b0 = bytes[at]!;
    const b1 = bytes[at + 1]!;
    const masked = (b1 & 0x80) !== 0;
    const code = b1 & 0x7f;
    const lengthForm = code === 126 ? 16 : code === 127 ? 64 : 7;
    const headerLength = 2 + (lengthForm === 16 ? 2 : lengthForm === 64 ? 8 : 0) + (masked ? 4 : 0);
    if (bytes.length - at < headerLength) break;
    const keyAt = at + headerLength - 4;
    const key = masked ? bytes.slice(keyAt, keyAt + 4) : null;
    let length: number;
    if (lengthForm === 7) length = code;
    else if (lengthForm === 16) length = view.getUint16(at + 2);
    else {
      const big = view.getBigUint64(at + 2);
      length = Number(big);
      if (big >= 2n ** 63n) {
        frames.push(frame(frames.length, at, b0, masked, key, length, lengthForm, headerLength, new Uint8Array(0)));
        return { frames, untrustedAt: at };
      }
    }
    const start = at + headerLength;
    const available = Math.min(length, bytes.length - start);
    const payload = new Uint8Array(available);
    for (let i = 0; i < available; i++) payload[i] = key ? bytes[start + i]! ^ key[i % 4]! : bytes[start + i]!;
    frames.push(frame(frames.length, at, b0, masked, key, length, lengthForm, headerLength, payload));
    at = start + length;
  }
  return { frames, untrustedAt: null };
}

function frame(
  index: number,
  offset: number,
  b0: number,
  masked: boolean,
  maskKey: Uint8Array | null,
  length: number,
  lengthForm: 7 | 16 | 64,
  headerLength: number,
  payload: Uint8Array,
): OracleFrame {
  return {
    index,
    offset,
    fin: (b0 & 0x80) !== 0,
    rsv1: (b0 & 0x40) !== 0,
    rsv2: (b0 & 0x20) !== 0,
    rsv3: (b0 & 0x10) !== 0,
    opcode: b0 & 0x0f,
    masked,
    maskKey,
    length,
    lengthForm,
    headerLength,
    payload,
  };
}

/**
 * The frames of the message whose first frame is `first`, by RFC 6455 §5.4: continuation frames up to the
 * one with FIN, skipping control frames and reserved opcodes in between. Stops early (an unfinished
 * message) at a new text or binary frame or at the end of the frames.
 */
export function messageFrames(frames: readonly OracleFrame[], first: number): OracleFrame[] {
  const head = frames[first]!;
  const out = [head];
  if (head.fin) return out;
  for (let i = first + 1; i < frames.length; i++) {
    const f = frames[i]!;
    if (f.opcode === 1 || f.opcode === 2) break;
    if (f.opcode !== 0) continue;
    out.push(f);
    if (f.fin) break;
  }
  return out;
}

/** The frames whose payload arrived whole (a frame cut short at the end, or one past 2^63 bytes, is left out). */
export function completeFrames(bytes: Uint8Array): OracleFrame[] {
  return parseFrames(bytes).frames.filter((f) => f.payload.length === f.length);
}

/** The code and reason of a Close frame's payload (code null for an empty body). */
export function closeOf(frame: OracleFrame): { code: number | null; reason: string } {
  const body = Buffer.from(frame.payload);
  if (body.length < 2) return { code: null, reason: '' };
  return { code: body.readUInt16BE(0), reason: body.subarray(2).toString('utf8') };
}

/** The first whole Close frame in the bytes, or undefined. */
export function findClose(bytes: Uint8Array): { code: number | null; reason: string; masked: boolean } | undefined {
  const frame = completeFrames(bytes).find((f) => f.opcode === 0x8);
  return frame ? { ...closeOf(frame), masked: frame.masked } : undefined;
}
