/**
 * `wsdiag tail` as a library: reads a JSON Lines log (any event any wsdiag command wrote), optionally
 * following it as it grows, and writes the selected events with the look of the live log, or the selected
 * lines unchanged (`json`), so tail also works as a filter in a pipeline.
 */
import type { Writable } from 'node:stream';
import { OperationalError } from '../errors.js';
import { parseEventLine, type WsdiagEvent } from '../events/index.js';
import {
  shouldUseColor,
  createEventFilter,
  describeFsError,
  LineSink,
  LogGuard,
  type LogLine,
  readLog,
  type LogNotice,
  PrettyReporter,
} from '../reporters/index.js';

export interface TailOptions {
  follow: boolean;
  codes: number[];
  rules: string[];
  conns: string[];
  json: boolean;
  frames: boolean;
  /** false with --no-color; colour still needs a TTY and no NO_COLOR. */
  color: boolean;
  intervalMs: number;
}

export interface TailIO {
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable;
  /** Ends a follow (SIGINT/SIGTERM in the CLI). */
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
}

/** Reads FILE and writes the selected events to io.stdout; resolves to the exit code. */
export async function runTail(file: string, options: TailOptions, io: TailIO): Promise<number> {
  // Our own controller: the output closing (`| head`) ends the read as a signal does.
  const stop = new AbortController();
  const abort = () => stop.abort();
  if (io.signal?.aborted) abort();
  io.signal?.addEventListener('abort', abort, { once: true });

  const warn = (text: string) => io.stderr.write(`wsdiag: ${text}\n`);
  const filter = createEventFilter({
    codes: options.codes,
    rules: options.rules,
    conns: options.conns,
    onAmbiguous: (bare, ids) =>
      warn(
        `--conn ${bare} matches connections of ${ids.length} runs in ${file} (${ids.join(', ')}), showing each; give a full id (--conn ${ids.at(-1)}) to see one`,
      ),
  });
  const output = createOutput(options, io, abort);
  // Refuses a file that is not a wsdiag log at all, instead of a warning for each of its lines.
  const guard = new LogGuard(file, (bad) => warn(`${file}:${bad.number}: skipped: ${bad.reason}`));

  const onLine = (line: LogLine) => {
    if (line.tooLong) return guard.bad({ number: line.number, text: '', reason: 'line too long' });
    if (line.text.trim() === '') return;
    const parsed = parseEventLine(line.text);
    if (!parsed.ok) return guard.bad({ number: line.number, text: line.text, reason: parsed.reason });
    guard.event();
    const event = parsed.event;
    // Frame events are noise unless asked for, in both output forms.
    if (event.type === 'frame' && !options.frames) return;
    // A sandwich finding belongs to both its legs.
    const selected =
      event.type === 'sandwich-finding' && options.conns.length > 0
        ? filter.conn(event.conn) || filter.conn(event.return_conn)
        : filter(event);
    if (selected) output.write(event, line.text);
  };

  try {
    await readLog(file, {
      follow: options.follow,
      intervalMs: options.intervalMs,
      signal: stop.signal,
      onLine,
      onNotice: (notice) => warn(noticeText(file, notice)),
      onCaughtUp: () => guard.caughtUp(),
      backpressure: () => output.flush(),
    });
  } finally {
    io.signal?.removeEventListener('abort', abort);
  }
  await output.flush();
  if (output.error) throw new OperationalError(`cannot write output: ${describeFsError(output.error)}`);
  return 0;
}

interface TailOutput {
  /** Shows one selected event; `line` is its original text, for --json. */
  write(event: WsdiagEvent, line: string): void;
  flush(): Promise<void>;
  readonly error: Error | undefined;
}

function createOutput(options: TailOptions, io: TailIO, onClosed: () => void): TailOutput {
  if (options.json) {
    const sink = new LineSink(io.stdout, onClosed);
    return {
      write: (_event, line) => sink.write(`${line}\n`),
      flush: () => sink.flush(),
      get error() {
        return sink.error;
      },
    };
  }
  const color = shouldUseColor({ stream: io.stdout, flag: options.color, env: io.env ?? process.env });
  const width = io.stdout.isTTY ? io.stdout.columns : undefined;
  const pretty = new PrettyReporter(
    io.stdout,
    { color, frames: options.frames, quiet: false, ...(width !== undefined ? { width } : {}) },
    onClosed,
  );
  return {
    write: (event) => pretty.write(event),
    flush: () => pretty.flush(),
    get error() {
      return pretty.error;
    },
  };
}

export function noticeText(file: string, notice: LogNotice): string {
  switch (notice.kind) {
    case 'waiting':
      return `waiting for ${file} to appear`;
    case 'appeared':
      return `${file} appeared; reading it`;
    case 'truncated':
      return `${file} was truncated; reading it from the start`;
    case 'replaced':
      return `${file} was replaced; reading the new file from the start`;
  }
}
