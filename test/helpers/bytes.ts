/**
 * Byte-level helpers for tests: a collector that records everything a socket receives (and lets a test
 * wait for N bytes, the end or the close), a minimal independent frame parser for reading what an
 * endpoint got, and hashing.
 */
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { waitUntil } from './wait.js';

export class ByteCollector {
  private readonly chunks: Buffer[] = [];
  private cached: Buffer | null = null;
  length = 0;
  ended = false;
  closed = false;
  error: NodeJS.ErrnoException | null = null;
  readonly emitter = new EventEmitter();

  constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.add(chunk));
    socket.on('end', () => {
      this.ended = true;
      this.emitter.emit('change');
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      this.error = err;
      this.emitter.emit('change');
    });
    socket.on('close', () => {
      this.closed = true;
      this.emitter.emit('change');
    });
  }

  add(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
    this.cached = null;
    this.emitter.emit('change');
  }

  get bytes(): Buffer {
    return (this.cached ??= Buffer.concat(this.chunks));
  }

  /** Resolves once at least `n` bytes arrived (from `from` on), with those bytes. */
  waitForLength(n: number, from = 0, ms?: number): Promise<Buffer> {
    return this.until(
      () => (this.length - from >= n ? this.bytes.subarray(from) : undefined),
      `${n} bytes (have ${this.length - from})`,
      ms,
    );
  }

  /** Resolves once `predicate` accepts the bytes received so far. */
  until<T>(check: () => T | undefined, what: string, ms?: number): Promise<T> {
    return waitUntil(this.emitter, ['change'], check, what, ms);
  }

  waitForClose(ms?: number): Promise<true> {
    return this.until(() => (this.closed ? true : undefined), 'the socket to close', ms);
  }

  waitForEnd(ms?: number): Promise<true> {
    return this.until(() => (this.ended || this.closed ? true : undefined), 'the socket to end', ms);
  }
}

export interface ParsedFrame {
  fin: boolean;
  rsv1: boolean;
  rsv2: boolean;
  rsv3: boolean;
  opcode: number;
  masked: boolean;
  /** Unmasked payload. */
  payload: Buffer;
  /** Header offset in the parsed bytes. */
  offset: number;
}

/**
 * Parses complete frames (any trailing partial frame is left out). Deliberately independent of
 * src/protocol so a decoder bug cannot hide itself in the tests.
 */
export function parseFrames(bytes: Buffer): ParsedFrame[] {
  const frames: ParsedFrame[] = [];
  let p = 0;
  while (p + 2 <= bytes.length) {
    const b0 = bytes[p]!;
    const b1 = bytes[p + 1]!;
    let length = b1 & 0x7f;
    let q = p + 2;
    if (length === 126) {
      if (q + 2 > bytes.length) break;
      length = bytes.readUInt16BE(q);
      q += 2;
    } else if (length === 127) {
      if (q + 8 > bytes.length) break;
      length = Number(bytes.readBigUInt64BE(q));
      q += 8;
    }
    const masked = (b1 & 0x80) !== 0;
    const key = masked ? bytes.subarray(q, q + 4) : null;
    if (masked) q += 4;
    if (q + length > bytes.length) break;
    const payload = Buffer.from(bytes.subarray(q, q + length));
    if (key) for (let i = 0; i < payload.length; i++) payload[i]! ^= key[i % 4]!;
    frames.push({
      fin: (b0 & 0x80) !== 0,
      rsv1: (b0 & 0x40) !== 0,
      rsv2: (b0 & 0x20) !== 0,
      rsv3: (b0 & 0x10) !== 0,
      opcode: b0 & 0x0f,
      masked,
      payload,
      offset: p,
    });
    p = q + length;
  }
  return frames;
}

/** The code and reason of a Close frame's payload. */
export function closeOf(frame: ParsedFrame): { code: number | null; reason: string } {
  if (frame.payload.length < 2) return { code: null, reason: '' };
  return { code: frame.payload.readUInt16BE(0), reason: frame.payload.subarray(2).toString('utf8') };
}

/** The first Close frame in the bytes, or undefined. */
export function findClose(bytes: Buffer): { code: number | null; reason: string; masked: boolean } | undefined {
  const frame = parseFrames(bytes).find((f) => f.opcode === 0x8);
  return frame ? { ...closeOf(frame), masked: frame.masked } : undefined;
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Index just past the first "\r\n\r\n", or -1. */
export function headEnd(bytes: Buffer): number {
  const at = bytes.indexOf('\r\n\r\n');
  return at < 0 ? -1 : at + 4;
}
