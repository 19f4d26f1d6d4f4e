/**
 * The one place reporters touch a Writable. Each call to `write()` is exactly one `stream.write()` (or,
 * with `batchChars` or `gatherMs`, joins a batch of whole lines handed over in one write), so a line or block never
 * interleaves with another writer's output. A reader that goes away (EPIPE, as with
 * `wsdiag proxy --json | head`) closes the sink quietly instead of crashing the process; any other write
 * error closes it too, and is kept in `error` for the caller to report.
 */
import type { Writable } from 'node:stream';
import { ByteBatch } from './byte-batch.js';

/** Error codes that mean "nobody is reading any more", which is a normal way for a pipeline to end. */
const READER_GONE = new Set(['EPIPE', 'ERR_STREAM_DESTROYED', 'ECONNRESET', 'ERR_STREAM_WRITE_AFTER_END']);

export type SinkClosedListener = (error: Error | undefined) => void;

export interface LineSinkOptions {
  /**
   * Gather lines until about this many characters wait, then hand them to the stream in one write (0,
   * the default: one write per line). For a producer that writes many lines in one synchronous burst
   * (`wsdiag analyze`), where a write per line costs a stream round trip each. The producer calls
   * `release()` when its burst ends; `flush()` and `end()` release too, so nothing gathered is lost.
   */
  batchChars?: number;
  /**
   * Gather lines for up to this many milliseconds, then hand them to the stream in one write (sooner once
   * 256 KiB wait). For the live commands: a write is a thread-pool job for a log file (two thread wake-ups)
   * or a system call for a pipe, and one per event cost the relay more than the events themselves. Lines are
   * encoded straight into one buffer (./byte-batch.ts). `flush()` and `end()` release at once, so nothing
   * gathered is lost.
   */
  gatherMs?: number;
}

/** How much a gathering sink (`gatherMs`) holds at most before it writes. */
const GATHER_BYTES = 256 * 1024;

/** What a line reporter writes to: a stream (LineSink) or a regular file (FileLineSink). */
export interface LineOutput {
  readonly closed: boolean;
  readonly error: Error | undefined;
  write(text: string): void;
  release(): void;
  room(): Promise<void> | null;
  flush(): Promise<void>;
  end(): Promise<void>;
}

export class LineSink implements LineOutput {
  readonly #stream: Writable;
  readonly #onClosed: SinkClosedListener | undefined;
  readonly #batchChars: number;
  readonly #gatherMs: number;
  readonly #gathered: ByteBatch | undefined;
  #batch = '';
  #releaseTimer: NodeJS.Timeout | undefined;
  #pending = 0;
  #waiters: Array<() => void> = [];
  #closed = false;
  #error: Error | undefined;

  constructor(stream: Writable, onClosed?: SinkClosedListener, options: LineSinkOptions = {}) {
    this.#stream = stream;
    this.#onClosed = onClosed;
    this.#gatherMs = options.gatherMs ?? 0;
    this.#batchChars = options.batchChars ?? 0;
    this.#gathered = this.#gatherMs > 0 ? new ByteBatch(GATHER_BYTES) : undefined;
    // Without an 'error' listener an EPIPE on stdout is an uncaught exception with a stack trace.
    stream.on('error', (err: Error) => this.#close(err));
    stream.once('close', () => this.#close(undefined));
  }

  /** True once the stream cannot take more output; later writes are dropped. */
  get closed(): boolean {
    return this.#closed;
  }

  /** The write error that closed the sink, unless it was only the reader going away. */
  get error(): Error | undefined {
    return this.#error;
  }

  write(text: string): void {
    if (this.#closed) return;
    if (this.#gathered) {
      this.#gather(this.#gathered, text);
      return;
    }
    if (this.#batchChars > 0) {
      this.#batch += text;
      if (this.#batch.length >= this.#batchChars) this.release();
      return;
    }
    this.#send(text);
  }

  #gather(gathered: ByteBatch, text: string): void {
    if (!gathered.add(text)) {
      this.release();
      // A line longer than a whole batch goes on its own, after what was gathered before it.
      if (!gathered.add(text)) {
        this.#send(text);
        return;
      }
    }
    // Not unref'd: a process with lines still to write waits for them (at most gatherMs).
    this.#releaseTimer ??= setTimeout(this.#releaseGathered, this.#gatherMs);
  }

  readonly #releaseGathered = (): void => {
    this.#releaseTimer = undefined;
    this.release();
  };

  /** Hands the gathered lines to the stream now, in one write (without waiting for them to leave). */
  release(): void {
    if (this.#releaseTimer !== undefined) {
      clearTimeout(this.#releaseTimer);
      this.#releaseTimer = undefined;
    }
    if (this.#gathered && !this.#gathered.empty) this.#send(this.#gathered.take());
    if (this.#batch.length === 0) return;
    const text = this.#batch;
    this.#batch = '';
    this.#send(text);
  }

  /**
   * Null when the stream has taken everything written so far (a file, or a pipe with room), else a
   * promise that resolves once it has (or the sink closed): how a producer that never yields on its own
   * (a synchronous read loop) lets a slow reader catch up instead of queueing output in memory.
   */
  room(): Promise<void> | null {
    if (this.#closed || this.#stream.writableLength === 0) return null;
    return this.flush();
  }

  flush(): Promise<void> {
    this.release();
    if (this.#closed || this.#pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Flushes, then ends the stream (only for streams the caller owns, such as a log file). */
  async end(): Promise<void> {
    await this.flush();
    if (this.#closed || this.#stream.writableEnded) return;
    await new Promise<void>((resolve) => this.#stream.end(resolve));
    this.#close(undefined);
  }

  #send(text: string | Uint8Array): void {
    if (this.#closed) return;
    if (this.#stream.destroyed || this.#stream.writableEnded) {
      this.#close(undefined);
      return;
    }
    this.#pending++;
    this.#stream.write(text, () => this.#settle());
  }

  #settle(): void {
    this.#pending = Math.max(0, this.#pending - 1);
    if (this.#pending === 0) this.#wake();
  }

  #close(err: Error | undefined): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#batch = '';
    this.#gathered?.clear();
    clearTimeout(this.#releaseTimer);
    this.#releaseTimer = undefined;
    const code = (err as NodeJS.ErrnoException | undefined)?.code;
    if (err && !(code && READER_GONE.has(code))) this.#error = err;
    // A destroyed stream may never call back its queued writes: release whoever waits on flush().
    this.#pending = 0;
    this.#wake();
    this.#onClosed?.(this.#error);
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const resolve of waiters) resolve();
  }
}

/**
 * For long-running commands whose stdout may go away (`wsdiag proxy --json | head -1`): the listener that
 * says so once on `stderr` and lets the run go on, so a reader that stopped reading never takes the
 * relayed traffic down. `rest` says what keeps going (e.g. "the proxy keeps relaying until Ctrl-C or
 * SIGTERM"); `log` is the --log file that still gets every event, if any.
 */
export function stdoutClosedNotice(stderr: Writable, what: { rest: string; log?: string }): SinkClosedListener {
  // stderr may be a closed pipe too: a failed notice must not crash the process either.
  if (stderr.listenerCount('error') === 0) stderr.on('error', () => {});
  let told = false;
  return (error) => {
    if (told) return;
    told = true;
    const cause = error ? `cannot be written to (${error.message})` : 'was closed';
    const events = what.log !== undefined ? `events still go to ${what.log}` : 'add --log FILE to keep them';
    stderr.write(`wsdiag: stdout ${cause}; events are no longer printed there (${events}), and ${what.rest}.\n`);
  };
}
