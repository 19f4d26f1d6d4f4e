/**
 * `wsdiag tail` as a library: reads JSON Lines logs (any event any wsdiag command wrote), several merged
 * in time order, optionally following them all as they grow, and writes the events the filter keeps
 * (src/filter/, the language `proxy` shares) with the look of the live log, or the kept lines unchanged
 * (`json`), so tail also works as a filter in a pipeline.
 */
import type { Writable } from 'node:stream';
import { ConfigError, OperationalError } from '../errors.js';
import { parseEventLine, type WsdiagEvent } from '../events/index.js';
import { createFilter, type FilterOptions } from '../filter/index.js';
import {
  LineSink,
  LogGuard,
  PrettyReporter,
  SummaryCollector,
  describeFsError,
  mergeLogs,
  shouldUseColor,
  type LogNotice,
  type MergedLog,
} from '../reporters/index.js';

export interface TailOptions {
  follow: boolean;
  /** Which events to show (src/filter/); `{}` shows every one. */
  filter: FilterOptions;
  json: boolean;
  /** Show frame events (also shown when `filter.types` names `frame`). */
  frames: boolean;
  /** false with --no-color; colour still needs a TTY and no NO_COLOR. */
  color: boolean;
  intervalMs: number;
  /**
   * Instead of the events, the `summary` event the runs that wrote the logs would print for all of them
   * together (SummaryCollector, as the live run counts): read to the end, no filter, no follow.
   */
  summary?: boolean;
}

export interface TailIO {
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable;
  /** Ends a follow (SIGINT/SIGTERM in the CLI). */
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
}

/** A log being read, and what tells it from a file that is not a log. */
interface TailedLog extends MergedLog {
  guard: LogGuard;
}

/** A kept event and the line it was read from (for --json). */
interface Kept {
  event: WsdiagEvent;
  line: string;
}

/** Reads `files` and writes the selected events to io.stdout, merged in time order; resolves to the exit code. */
export async function runTail(files: readonly string[], options: TailOptions, io: TailIO): Promise<number> {
  // Our own controller: the output closing (`| head`) ends the read as a signal does.
  const stop = new AbortController();
  const abort = () => stop.abort();
  if (io.signal?.aborted) abort();
  io.signal?.addEventListener('abort', abort, { once: true });

  if (options.summary === true) checkSummaryOptions(options);
  const warn = (text: string) => io.stderr.write(`wsdiag: ${text}\n`);
  const where = files.length === 1 ? files[0] : 'these logs';
  const filter = createFilter(options.filter, {
    onAmbiguous: (bare, ids) =>
      warn(
        `--conn ${bare} matches connections of ${ids.length} runs in ${where} (${ids.join(', ')}), showing each; give a full id (--conn ${ids.at(-1)}) to see one`,
      ),
  });
  // Frame events are noise unless asked for, in both output forms.
  const frames = options.frames || (options.filter.types?.includes('frame') ?? false);
  const output = createOutput(options, frames, io, abort);
  // Refuses a file that is not a wsdiag log at all, instead of a warning for each of its lines.
  const logs: TailedLog[] = files.map((file) => ({
    file,
    guard: new LogGuard(file, (bad) => warn(`${file}:${bad.number}: skipped: ${bad.reason}`)),
  }));

  try {
    await mergeLogs<TailedLog, Kept>(logs, {
      follow: options.follow,
      intervalMs: options.intervalMs,
      signal: stop.signal,
      read: ({ guard }, line) => {
        if (line.tooLong) {
          guard.bad({ number: line.number, text: '', reason: 'line too long' });
          return undefined;
        }
        if (line.text.trim() === '') return undefined;
        const parsed = parseEventLine(line.text);
        if (!parsed.ok) {
          guard.bad({ number: line.number, text: line.text, reason: parsed.reason });
          return undefined;
        }
        guard.event();
        const event = parsed.event;
        if (event.type === 'frame' && !frames) return undefined;
        return { ts: event.ts, item: { event, line: line.text } };
      },
      // Filtered in merged order, so what the filter says about several runs (--conn c4) comes in time order too.
      emit: (kept) => {
        if (filter(kept.event)) output.write(kept.event, kept.line);
      },
      onCaughtUp: ({ guard }) => {
        guard.caughtUp();
      },
      onNotice: ({ file }, notice) => warn(noticeText(file, notice)),
      backpressure: () => output.flush(),
    });
  } finally {
    io.signal?.removeEventListener('abort', abort);
  }
  output.end?.();
  await output.flush();
  if (output.error) throw new OperationalError(`cannot write output: ${describeFsError(output.error)}`);
  return 0;
}

interface TailOutput {
  /** Shows one selected event; `line` is its original text, for --json. */
  write(event: WsdiagEvent, line: string): void;
  flush(): Promise<void>;
  /** Every event was written: what comes at the end (the summary) comes now. */
  end?(): void;
  readonly error: Error | undefined;
}

/** The summary counts every event of the logs as the live run did: a filter or a follow would change what it means. */
function checkSummaryOptions(options: TailOptions): void {
  if (options.follow) throw new ConfigError('summary', (n) => `${n('summary')} reads the logs to their end: not with ${n('follow')}`);
  const filtered = Object.values(options.filter).some((value) => value !== undefined && (value as readonly unknown[]).length > 0);
  if (filtered) throw new ConfigError('summary', (n) => `${n('summary')} counts every event of the logs: not with filters`);
}

function createOutput(options: TailOptions, frames: boolean, io: TailIO, onClosed: () => void): TailOutput {
  if (options.summary === true) return summaryOutput(options, io, onClosed);
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
  const pretty = new PrettyReporter(io.stdout, { color, frames, quiet: false, ...(width !== undefined ? { width } : {}) }, onClosed);
  return {
    write: (event) => pretty.write(event),
    flush: () => pretty.flush(),
    get error() {
      return pretty.error;
    },
  };
}

/**
 * The summary of the merged logs: every event goes through the live run's own SummaryCollector, and the one
 * `summary` event it makes is written at the end (JSON Lines or the readable line), timed at the last event.
 * What the logs cannot tell is left out as the collector leaves it: violations suppressed by --max-per-rule
 * count in the total (from each close's `suppressed`) but not per rule and code, and refusals at
 * --max-connections or --header-timeout (logged as rate-limited error lines) are not counted.
 */
function summaryOutput(options: TailOptions, io: TailIO, onClosed: () => void): TailOutput {
  const collector = new SummaryCollector();
  let last: string | undefined;
  const sink = options.json ? new LineSink(io.stdout, onClosed) : undefined;
  const color = shouldUseColor({ stream: io.stdout, flag: options.color, env: io.env ?? process.env });
  const pretty = sink ? undefined : new PrettyReporter(io.stdout, { color, frames: false, quiet: false }, onClosed);
  return {
    write: (event) => {
      // The logs' own summary lines are the runs' answers, not traffic: the rebuilt one is counted afresh.
      if (event.type === 'summary') return;
      collector.write(event);
      if (last === undefined || event.ts > last) last = event.ts;
    },
    end: () => {
      const summary = collector.summary(() => (last !== undefined ? new Date(last) : new Date()));
      if (sink) sink.write(`${JSON.stringify(summary)}\n`);
      else pretty?.write(summary);
    },
    flush: () => (sink ? sink.flush() : (pretty?.flush() ?? Promise.resolve())),
    get error() {
      return sink ? sink.error : pretty?.error;
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
