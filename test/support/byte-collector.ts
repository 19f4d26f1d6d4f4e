/**
 * A collector that records everything a socket receives and lets a test wait for N bytes, for what a check
 * accepts, for the end or the close. What the bytes mean is read with the frame oracle (./frame-oracle.ts).
 */
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

/** Index just past the first "\r\n\r\n", or -1. */
export function headEnd(bytes: Buffer): number {
  const at = bytes.indexOf('\r\n\r\n');
  return at < 0 ? -1 : at + 4;
}
