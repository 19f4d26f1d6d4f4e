/**
 * JSON Lines: the machine-readable log (DESIGN §2). One event per line, serialised whole and handed to
 * the stream in a single write, `\n`-terminated. Used for `--json` on stdout and `--log FILE`.
 */
import { closeSync, openSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { OperationalError, UsageError } from '../errors.js';
import type { WsdiagEvent } from '../events/index.js';
import { ReopenableLogFile } from './log-file.js';
import { LineSink, type LineOutput, type LineSinkOptions, type SinkClosedListener } from './line-sink.js';
import type { Reporter } from './types.js';

export interface JsonlOptions extends LineSinkOptions {
  /** Called once when the stream stops taking output; `error` is unset when the reader just went away. */
  onClosed?: SinkClosedListener;
  /** The reporter owns the stream: `close()` ends it. Leave unset for process.stdout. */
  ownsStream?: boolean;
}

export class JsonlReporter implements Reporter {
  readonly #sink: LineOutput;
  readonly #ownsStream: boolean;

  /** Writes to a stream, or to a log file it then owns (a ReopenableLogFile carries its own onClosed). */
  constructor(target: Writable | ReopenableLogFile, options: JsonlOptions = {}) {
    if (target instanceof ReopenableLogFile) {
      this.#sink = target;
      this.#ownsStream = true;
    } else {
      this.#sink = new LineSink(target, options.onClosed, options);
      this.#ownsStream = options.ownsStream ?? false;
    }
  }

  /** True once the stream is gone (EPIPE, destroyed, write error): the caller may end quietly. */
  get closed(): boolean {
    return this.#sink.closed;
  }

  /** A write error other than the reader going away, for the caller to report. */
  get error(): Error | undefined {
    return this.#sink.error;
  }

  write(event: WsdiagEvent): void {
    this.#sink.write(`${JSON.stringify(event)}\n`);
  }

  flush(): Promise<void> {
    return this.#sink.flush();
  }

  /** With `batchChars`: writes the gathered lines now (see LineSink.release). */
  release(): void {
    this.#sink.release();
  }

  /** See LineSink.room(): a promise while the stream still holds output it has not handed on. */
  room(): Promise<void> | null {
    return this.#sink.room();
  }

  close(): Promise<void> {
    return this.#ownsStream ? this.#sink.end() : this.#sink.flush();
  }

  /**
   * Log rotation (SIGHUP): the log file is opened anew at its path, the lines written so far staying in
   * the file that was moved away. Does nothing for stdout. Throws an OperationalError when the path
   * cannot be opened; the old file then keeps getting lines.
   */
  reopen(): void {
    if (!(this.#sink instanceof ReopenableLogFile)) return;
    try {
      this.#sink.reopen();
    } catch (err) {
      throw new OperationalError(`cannot reopen log file ${this.#sink.path}: ${describeFsError(err)}`, { cause: err });
    }
  }
}

/**
 * Opens PATH for appending and returns a reporter that owns it. The file is opened synchronously so a
 * bad path is a usage error before anything listens, not an asynchronous stream error later. The
 * reporter can reopen it (log rotation).
 */
export function openJsonlLog(path: string, options: Omit<JsonlOptions, 'ownsStream'> = {}): JsonlReporter {
  let fd: number;
  try {
    fd = openSync(path, 'a');
  } catch (err) {
    throw new UsageError(`cannot open log file ${path}: ${describeFsError(err)}`, { cause: err });
  }
  try {
    return new JsonlReporter(new ReopenableLogFile(fd, path, options.onClosed));
  } catch (err) {
    closeSync(fd);
    throw new UsageError(`cannot open log file ${path}: ${describeFsError(err)}`, { cause: err });
  }
}

/**
 * Turns Node's "ENOENT: no such file or directory, open '/x'" into "no such file or directory (ENOENT)":
 * the path is already in our message, and the errno name helps a search.
 */
export function describeFsError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as NodeJS.ErrnoException).code;
  const match = /^[A-Z0-9_]+: (.*?)(?:, \w+ '.*')?$/s.exec(err.message);
  const text = match?.[1] ?? err.message;
  return code && !text.includes(code) ? `${text} (${code})` : text;
}
