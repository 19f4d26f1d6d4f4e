/**
 * The `--log` writer for a regular file. A relay that logs every message (`--messages`) produces one
 * line per message; handing each to an fs.WriteStream costs a libuv write request, a callback and a
 * thread-pool round trip per line, which measured as a fixed ~20 µs per event on the relay's thread.
 * Here the lines of one event-loop turn are joined and written with one `writeSync` when the turn ends
 * (setImmediate), or at once when 256 KiB wait. Appending to a local file does not block for long, and a
 * line is either in the kernel or still in this process's memory: on `process.exit` what waits is
 * written synchronously, so no path out of the process loses a line that was logged.
 *
 * `reopen()` is log rotation (SIGHUP): what waits goes to the old file, later lines to a new file at
 * the same path. Same surface as LineSink (LineOutput), so JsonlReporter does not care which it has.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import type { LineOutput, SinkClosedListener } from './line-sink.js';

/** Past this many characters waiting, write now instead of at the end of the turn. */
const WRITE_AT_CHARS = 256 * 1024;

export class FileLineSink implements LineOutput {
  readonly #path: string;
  readonly #onClosed: SinkClosedListener | undefined;
  #fd: number;
  #parts: string[] = [];
  #chars = 0;
  #scheduled: NodeJS.Immediate | undefined;
  #closed = false;
  #error: Error | undefined;
  readonly #onExit = (): void => this.#writeNow();

  /** Takes ownership of `fd`, opened for appending to `path` (the caller turns open errors into usage errors). */
  constructor(fd: number, path: string, onClosed?: SinkClosedListener) {
    this.#fd = fd;
    this.#path = path;
    this.#onClosed = onClosed;
    process.on('exit', this.#onExit);
  }

  get closed(): boolean {
    return this.#closed;
  }

  get error(): Error | undefined {
    return this.#error;
  }

  /** The file this sink appends to. */
  get path(): string {
    return this.#path;
  }

  write(text: string): void {
    if (this.#closed) return;
    this.#parts.push(text);
    this.#chars += text.length;
    if (this.#chars >= WRITE_AT_CHARS) this.#writeNow();
    else this.#scheduled ??= setImmediate(() => this.#writeNow());
  }

  /** Writes what waits now. */
  release(): void {
    this.#writeNow();
  }

  /** A file takes everything at once: never a promise to wait on. */
  room(): null {
    this.#writeNow();
    return null;
  }

  flush(): Promise<void> {
    this.#writeNow();
    return Promise.resolve();
  }

  end(): Promise<void> {
    this.#writeNow();
    if (!this.#closed) {
      this.#closed = true;
      this.#stop();
      this.#closeFd(this.#fd);
    }
    return Promise.resolve();
  }

  /**
   * Log rotation: opens `path` anew (a file moved away keeps what it had; new lines go to the new file).
   * Throws the open error and keeps writing to the old file when the path cannot be opened.
   */
  reopen(): void {
    if (this.#closed) return;
    const fd = openSync(this.#path, 'a');
    this.#writeNow();
    const old = this.#fd;
    this.#fd = fd;
    this.#closeFd(old);
  }

  #writeNow(): void {
    if (this.#scheduled !== undefined) {
      clearImmediate(this.#scheduled);
      this.#scheduled = undefined;
    }
    if (this.#closed || this.#chars === 0) return;
    const text = this.#parts.join('');
    this.#parts = [];
    this.#chars = 0;
    try {
      // A string goes to the file without a Buffer made here (Node encodes it natively). writeSync may
      // write less than asked (a full disk, a signal): then the rest goes as bytes, until all is in or
      // it throws.
      const written = writeSync(this.#fd, text);
      if (written < Buffer.byteLength(text)) {
        const bytes = Buffer.from(text, 'utf8');
        for (let at = written; at < bytes.length;) at += writeSync(this.#fd, bytes, at);
      }
    } catch (err) {
      this.#fail(err instanceof Error ? err : new Error(String(err)));
    }
  }

  #fail(err: Error): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#error = err;
    this.#parts = [];
    this.#chars = 0;
    this.#stop();
    this.#closeFd(this.#fd);
    this.#onClosed?.(err);
  }

  #stop(): void {
    process.off('exit', this.#onExit);
    if (this.#scheduled !== undefined) clearImmediate(this.#scheduled);
    this.#scheduled = undefined;
  }

  #closeFd(fd: number): void {
    try {
      closeSync(fd);
    } catch {
      // Already closed or never valid: nothing of ours is lost by ignoring it.
    }
  }
}
