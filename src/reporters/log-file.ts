/**
 * The `--log` file: a LineSink over an fs.WriteStream (the writes run on libuv's thread pool, so a slow
 * disk never stalls the relay's thread), which can be opened anew at its path for log rotation: after
 * `mv wsdiag.log wsdiag.log.1` and SIGHUP, lines already handed over still go to the moved file, in order,
 * and later lines to a new file at the path. No line is lost or split between the two.
 */
import { createWriteStream, openSync } from 'node:fs';
import { LineSink, type LineOutput, type SinkClosedListener } from './line-sink.js';

/**
 * How long log lines wait to be written together. A live reader (`wsdiag tail -f`) sees them that much
 * later; the relay spends a thread-pool write per 20 ms instead of one per event.
 */
export const LOG_GATHER_MS = 20;

export class ReopenableLogFile implements LineOutput {
  readonly path: string;
  readonly #onClosed: SinkClosedListener | undefined;
  #sink: LineSink;
  /** Files rotated away whose last lines are still being written. */
  readonly #retiring = new Set<Promise<void>>();

  /** Takes ownership of `fd`, opened for appending to `path` (the caller reports open errors its way). */
  constructor(fd: number, path: string, onClosed?: SinkClosedListener) {
    this.path = path;
    this.#onClosed = onClosed;
    this.#sink = this.#sinkOver(fd);
  }

  get closed(): boolean {
    return this.#sink.closed;
  }

  get error(): Error | undefined {
    return this.#sink.error;
  }

  write(text: string): void {
    this.#sink.write(text);
  }

  release(): void {
    this.#sink.release();
  }

  room(): Promise<void> | null {
    return this.#sink.room();
  }

  async flush(): Promise<void> {
    await Promise.all([this.#sink.flush(), ...this.#retiring]);
  }

  async end(): Promise<void> {
    await Promise.all([this.#sink.end(), ...this.#retiring]);
  }

  /**
   * Opens the path anew and sends later lines there; the previous file gets what it was handed and is
   * closed. Throws the open error (ENOENT, EACCES…) and keeps writing to the current file when the path
   * cannot be opened. Also how a log closed by a write error (a full disk) starts again.
   */
  reopen(): void {
    const fd = openSync(this.path, 'a');
    const previous = this.#sink;
    this.#sink = this.#sinkOver(fd);
    const retired: Promise<void> = previous.end().finally(() => this.#retiring.delete(retired));
    this.#retiring.add(retired);
  }

  #sinkOver(fd: number): LineSink {
    const stream = createWriteStream(this.path, { fd, flags: 'a' });
    // Only the file in use speaks for the log: a rotated file closing is not the log going away.
    const sink: LineSink = new LineSink(
      stream,
      (error) => {
        if (sink === this.#sink) this.#onClosed?.(error);
      },
      { gatherMs: LOG_GATHER_MS },
    );
    return sink;
  }
}
