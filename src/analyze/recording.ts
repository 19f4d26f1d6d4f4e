/**
 * Reading a recording (a file, or standard input) for offline analysis, into a buffer the caller reuses
 * (analyzeReader): no garbage per chunk, so memory stays flat however long the recording.
 *
 * Files, and a standard input that is a blocking file descriptor, are read synchronously: the analysis has
 * nothing else to do while it waits, and a synchronous read skips the round trip through libuv's thread
 * pool that a file stream pays per chunk. A pipe or socket that Node has already made non-blocking answers
 * a synchronous read with EAGAIN, and that is the usual case: importing `node:process` from an ES module
 * (chalk does) creates `process.stdin`, which switches a piped stdin to non-blocking mode. Such a
 * descriptor is then read through a socket handle that libuv fills straight into the caller's buffer
 * (net.Socket's `onread`), still without garbage; anything else that refuses (a terminal) is read through
 * its stream, each chunk copied into the buffer.
 */
import { closeSync, createReadStream, fstatSync, openSync, readSync } from 'node:fs';
import { Socket, type ConnectOpts, type SocketConstructorOpts } from 'node:net';
import type { Readable } from 'node:stream';

export interface Recording {
  /** What the recording is called in messages: the path, or "stdin". */
  readonly name: string;
  /** Fills `buffer` from its start; 0 at the end of the recording. Read errors are thrown (or rejected) as Node made them. */
  read(buffer: Uint8Array): number | Promise<number>;
  /** Closes what was opened (a borrowed standard input stays open). */
  close(): void;
}

/**
 * Opens `path`, or standard input for "-": `stdin` when it is given and is not this process's own
 * (a library caller's stream), else file descriptor 0. Throws Node's error when the file cannot be opened
 * (ENOENT, EACCES, EISDIR...): the caller words it for its user.
 */
export function openRecording(path: string, stdin?: Readable): Recording {
  if (path === '-') return stdin !== undefined && stdin !== process.stdin ? new StreamRecording(stdin) : new FdRecording(0, 'stdin', false);
  const fd = openSync(path, 'r');
  try {
    if (fstatSync(fd).isDirectory()) throw Object.assign(new Error('EISDIR: illegal operation on a directory'), { code: 'EISDIR' });
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  return new FdRecording(fd, path, true);
}

/** The whole recording in one buffer, for input that must be read whole first (hex text). */
export async function readWhole(recording: Recording): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  const buffer = new Uint8Array(64 * 1024);
  for (;;) {
    const got = recording.read(buffer);
    const n = typeof got === 'number' ? got : await got;
    if (n === 0) break;
    parts.push(buffer.slice(0, n));
  }
  return Buffer.concat(parts);
}

interface AsyncReads {
  read(buffer: Uint8Array): Promise<number>;
  close(): void;
}

class FdRecording implements Recording {
  readonly name: string;
  readonly #fd: number;
  readonly #owned: boolean;
  /** Set once a synchronous read was refused (EAGAIN): the rest comes through a socket handle or a stream. */
  #async: AsyncReads | null = null;
  #ended = false;

  constructor(fd: number, name: string, owned: boolean) {
    this.#fd = fd;
    this.name = name;
    this.#owned = owned;
  }

  read(buffer: Uint8Array): number | Promise<number> {
    if (this.#ended) return 0;
    if (this.#async) return this.#async.read(buffer);
    let n: number;
    try {
      n = readSync(this.#fd, buffer, 0, buffer.length, null);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // Windows reports the end of a pipe as an error.
      if (code === 'EOF') n = 0;
      else if (code === 'EAGAIN') return this.#readAsync(buffer);
      else throw err;
    }
    if (n === 0) this.#ended = true;
    return n;
  }

  close(): void {
    this.#async?.close();
    if (this.#owned) closeSync(this.#fd);
  }

  #readAsync(buffer: Uint8Array): Promise<number> {
    const info = fstatSync(this.#fd);
    this.#async =
      info.isFIFO() || info.isSocket()
        ? new SocketReads(this.#fd, buffer)
        : new StreamChunks(this.#fd === 0 ? process.stdin : createReadStream('', { fd: this.#fd, autoClose: false }));
    return this.#async.read(buffer);
  }
}

/** A library caller's own stream as standard input: its chunks copied into the buffer. */
class StreamRecording implements Recording {
  readonly name = 'stdin';
  readonly #chunks: StreamChunks;

  constructor(stream: Readable) {
    this.#chunks = new StreamChunks(stream);
  }

  read(buffer: Uint8Array): Promise<number> {
    return this.#chunks.read(buffer);
  }

  close(): void {
    // Borrowed: the caller owns the stream.
  }
}

/**
 * A pipe or socket read by libuv straight into one buffer (net.Socket's `onread`), one chunk per `read`:
 * the socket pauses after each chunk (the callback returns false) and resumes when the next is asked for,
 * so a chunk is never overwritten before the caller has used it.
 */
class SocketReads implements AsyncReads {
  readonly #socket: Socket;
  readonly #buffer: Uint8Array;
  #arrived = 0;
  #ended = false;
  #error: Error | null = null;
  #wake: (() => void) | null = null;

  constructor(fd: number, buffer: Uint8Array) {
    this.#buffer = buffer;
    // `onread` works in the constructor as in connect() (Node >= 12); @types/node types it for connect() only.
    const options: SocketConstructorOpts & ConnectOpts = {
      fd,
      readable: true,
      writable: false,
      onread: {
        buffer,
        callback: (n: number) => {
          this.#arrived = n;
          this.#wake?.();
          return false;
        },
      },
    };
    this.#socket = new Socket(options);
    this.#socket.on('end', () => {
      this.#ended = true;
      this.#wake?.();
    });
    this.#socket.on('error', (err) => {
      this.#error = err;
      this.#wake?.();
    });
  }

  async read(buffer: Uint8Array): Promise<number> {
    while (this.#arrived === 0 && !this.#ended && this.#error === null) {
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        this.#socket.resume();
      });
      this.#wake = null;
    }
    if (this.#error) throw this.#error;
    const n = Math.min(this.#arrived, buffer.length);
    this.#arrived = 0;
    // The caller's buffer is normally the socket's own; another one gets a copy.
    if (n > 0 && buffer !== this.#buffer) buffer.set(this.#buffer.subarray(0, n), 0);
    return n;
  }

  close(): void {
    this.#socket.destroy();
  }
}

/** A readable stream's chunks, copied into the caller's buffer (a chunk larger than it spans several reads). */
class StreamChunks implements AsyncReads {
  readonly #stream: Readable;
  readonly #chunks: AsyncIterator<unknown>;
  #left: Uint8Array | null = null;

  constructor(stream: Readable) {
    this.#stream = stream;
    this.#chunks = stream[Symbol.asyncIterator]();
  }

  async read(buffer: Uint8Array): Promise<number> {
    while (this.#left === null || this.#left.length === 0) {
      const next = await this.#chunks.next();
      if (next.done === true) return 0;
      this.#left = typeof next.value === 'string' ? Buffer.from(next.value) : (next.value as Uint8Array);
    }
    const left = this.#left;
    const n = Math.min(left.length, buffer.length);
    buffer.set(n === left.length ? left : left.subarray(0, n), 0);
    this.#left = n === left.length ? null : left.subarray(n);
    return n;
  }

  close(): void {
    if (this.#stream !== process.stdin) this.#stream.destroy();
  }
}
