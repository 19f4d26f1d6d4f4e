/**
 * The input of `wsdiag analyze`: a file or standard input, whose first bytes can be looked at (to tell a
 * packet capture from a raw stream by its magic number) and then read from the start, chunk by chunk.
 *
 * A file is read through one buffer when the consumer allows it (`reuse`): the capture reader copies what
 * it keeps of a chunk before asking for the next, so reading a capture of any size holds one buffer, not a
 * queue of them. Standard input cannot be read twice: the bytes looked at are kept and handed out first.
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { UsageError } from '../errors.js';
import { describeFsError } from '../reporters/index.js';

/** Bytes per read of a file through the reused buffer (a capture record spanning two reads is gathered by the reader). */
export const REUSED_CHUNK_BYTES = 1024 * 1024;
/** Bytes per read when each chunk is a fresh buffer (the raw-stream decoder may keep views of what it is given). */
const FRESH_CHUNK_BYTES = 64 * 1024;

export interface ChunkOptions {
  /** Each chunk is a view of one buffer, valid until the next one is asked for: the consumer copies what it keeps. */
  reuse: boolean;
}

export interface AnalyzeInput {
  /** How messages name the input: the path, or "stdin". */
  readonly name: string;
  /** Up to `length` bytes from the start (fewer when the input is shorter); they are read again by `chunks`. */
  peek(length: number): Promise<Uint8Array>;
  /** Every byte of the input from its start, the peeked ones included. Once only. */
  chunks(options: ChunkOptions): AsyncIterable<Uint8Array>;
  /** Releases the file; idempotent. */
  close(): Promise<void>;
}

/** Opens `file` (`-` = `stdin`): a missing, unreadable or directory path is a UsageError, before any output. */
export async function openAnalyzeInput(file: string, stdin: Readable): Promise<AnalyzeInput> {
  if (file === '-') return new StreamInput(stdin);
  try {
    const info = await stat(file);
    if (info.isDirectory()) throw new UsageError(`${file} is a directory, not a capture file`);
    return new FileInput(file, await open(file, 'r'));
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`cannot read ${file}: ${describeFsError(err)}`, { cause: err });
  }
}

class FileInput implements AnalyzeInput {
  readonly name: string;
  readonly #handle: FileHandle;
  #closed = false;

  constructor(name: string, handle: FileHandle) {
    this.name = name;
    this.#handle = handle;
  }

  async peek(length: number): Promise<Uint8Array> {
    const buffer = Buffer.alloc(length);
    let filled = 0;
    while (filled < length) {
      const { bytesRead } = await this.#read(buffer, filled, length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return buffer.subarray(0, filled);
  }

  async *chunks(options: ChunkOptions): AsyncIterable<Uint8Array> {
    const reused = options.reuse ? Buffer.allocUnsafe(REUSED_CHUNK_BYTES) : null;
    let position = 0;
    for (;;) {
      const buffer = reused ?? Buffer.allocUnsafe(FRESH_CHUNK_BYTES);
      const { bytesRead } = await this.#read(buffer, 0, buffer.length, position);
      if (bytesRead === 0) return;
      position += bytesRead;
      yield buffer.subarray(0, bytesRead);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#handle.close();
  }

  async #read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }> {
    try {
      return await this.#handle.read(buffer, offset, length, position);
    } catch (err) {
      throw new UsageError(`cannot read ${this.name}: ${describeFsError(err)}`, { cause: err });
    }
  }
}

class StreamInput implements AnalyzeInput {
  readonly name = 'stdin';
  readonly #iterator: AsyncIterator<unknown>;
  /** Bytes read by `peek`, handed out first by `chunks`. */
  readonly #held: Uint8Array[] = [];
  #heldLength = 0;
  #ended = false;

  constructor(stream: Readable) {
    this.#iterator = stream[Symbol.asyncIterator]();
  }

  async peek(length: number): Promise<Uint8Array> {
    while (this.#heldLength < length && !this.#ended) {
      const chunk = await this.#next();
      if (chunk === null) break;
      this.#held.push(chunk);
      this.#heldLength += chunk.length;
    }
    return Buffer.concat(this.#held).subarray(0, length);
  }

  async *chunks(): AsyncIterable<Uint8Array> {
    const held = this.#held.splice(0);
    this.#heldLength = 0;
    yield* held;
    for (;;) {
      const chunk = await this.#next();
      if (chunk === null) return;
      yield chunk;
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  async #next(): Promise<Uint8Array | null> {
    if (this.#ended) return null;
    const next: IteratorResult<unknown> = await this.#iterator.next();
    if (next.done === true) {
      this.#ended = true;
      return null;
    }
    return typeof next.value === 'string' ? Buffer.from(next.value) : (next.value as Uint8Array);
  }
}
