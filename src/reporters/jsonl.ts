/**
 * JSON Lines: the machine-readable log (DESIGN §2). One event per line, serialised whole and handed to
 * the stream in a single write, `\n`-terminated. Used for `--json` on stdout and `--log FILE`.
 */
import { closeSync, createWriteStream, openSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { UsageError } from '../errors.js';
import type { WsdiagEvent } from '../events/index.js';
import { LineSink, type LineSinkOptions, type SinkClosedListener } from './line-sink.js';
import type { Reporter } from './types.js';

export interface JsonlOptions extends LineSinkOptions {
  /** Called once when the stream stops taking output; `error` is unset when the reader just went away. */
  onClosed?: SinkClosedListener;
  /** The reporter owns the stream: `close()` ends it. Leave unset for process.stdout. */
  ownsStream?: boolean;
}

export class JsonlReporter implements Reporter {
  readonly #sink: LineSink;
  readonly #ownsStream: boolean;

  constructor(stream: Writable, options: JsonlOptions = {}) {
    this.#sink = new LineSink(stream, options.onClosed, options);
    this.#ownsStream = options.ownsStream ?? false;
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
}

/**
 * Opens PATH for appending and returns a reporter that owns it. The file is opened synchronously so a
 * bad path is a usage error before anything listens, not an asynchronous stream error later.
 */
export function openJsonlLog(path: string, options: Omit<JsonlOptions, 'ownsStream'> = {}): JsonlReporter {
  let fd: number;
  try {
    fd = openSync(path, 'a');
  } catch (err) {
    throw new UsageError(`cannot open log file ${path}: ${describeFsError(err)}`, { cause: err });
  }
  let stream: Writable;
  try {
    stream = createWriteStream(path, { fd, flags: 'a' });
  } catch (err) {
    closeSync(fd);
    throw new UsageError(`cannot open log file ${path}: ${describeFsError(err)}`, { cause: err });
  }
  return new JsonlReporter(stream, { ...options, ownsStream: true });
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
