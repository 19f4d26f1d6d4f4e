/**
 * What a live run (a proxy or a sandwich relaying until it is told to stop) does around its traffic:
 * where its output goes, how it learns to stop, and what becomes of a log file that stopped taking
 * events. The run ends only when `signal` aborts: a closed stdout (`| head`) stops the printing, never
 * the relaying.
 */
import type { Writable } from 'node:stream';
import { OperationalError } from '../errors.js';
import type { Clock, WsdiagEvent } from '../events/index.js';
import {
  FilteredReporter,
  createOutput,
  describeFsError,
  openJsonlLog,
  type JsonlReporter,
  shouldUseColor,
  stdoutClosedNotice,
  type PrettyOptions,
  type Reporter,
  type SinkClosedListener,
} from '../reporters/index.js';

/** Where a live run writes and what stops it (the CLI: the process's streams and SIGINT/SIGTERM). */
export interface LiveIO {
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable;
  /** Aborting it ends the run: stop accepting, close every connection, flush, summarise. */
  signal: AbortSignal;
  /** For NO_COLOR (default process.env). */
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  /**
   * Subscribes to log rotation requests (the CLI: SIGHUP); returns the unsubscribe function. Each one
   * reopens the `log` file at its path.
   */
  onHangup?: (listener: () => void) => () => void;
}

/** How the events are shown on stdout. */
export interface LiveOutputOptions {
  /** JSON Lines on stdout instead of the readable log. */
  json?: boolean;
  /** Every frame too. */
  frames?: boolean;
  /** Only where it listens, violations, errors and the summary. */
  quiet?: boolean;
  /** false turns colour off; colour also needs a terminal and no NO_COLOR. */
  color?: boolean;
  /** Also append every event as JSON Lines to this file (opened before anything listens). */
  log?: string;
  /**
   * The `instance` every event carries (checkInstanceId); default the run id. Several instances behind one
   * balancer are told apart by it once their logs are merged.
   */
  instance?: string;
}

/**
 * Puts `instance` on each event, in place: every event reaching a run's sinks is a fresh object that only
 * the sinks will hold, and a copy per event would cost the relay what a field assignment does not.
 */
export function instanceStamp(instance: string): <E extends WsdiagEvent>(event: E) => E {
  return (event) => {
    event.instance = instance;
    return event;
  };
}

/** The readable log's options for this run's stdout: colour and width only on a terminal. */
export function livePrettyOptions(options: LiveOutputOptions, io: Pick<LiveIO, 'stdout' | 'env'>): PrettyOptions {
  return {
    color: shouldUseColor({ stream: io.stdout, flag: options.color ?? true, env: io.env ?? process.env }),
    frames: options.frames === true,
    quiet: options.quiet === true,
    ...(io.stdout.isTTY === true && io.stdout.columns !== undefined ? { width: io.stdout.columns } : {}),
  };
}

/** Resolves once `signal` aborts (at once if it already has). */
export function aborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

/**
 * The log file's first write failure (a full disk, a removed mount): remembered while the run goes on, so
 * the run still ends cleanly and then says so with exit 3.
 */
export class LogFailure {
  #error: Error | undefined;
  readonly #path: string | undefined;

  constructor(path: string | undefined) {
    this.#path = path;
  }

  readonly onClosed: SinkClosedListener = (error) => {
    this.#error ??= error;
  };

  /** Throws the OperationalError the failure deserves, if there was one. */
  check(): void {
    if (this.#error)
      throw new OperationalError(`cannot write log file ${this.#path}: ${describeFsError(this.#error)}`, { cause: this.#error });
  }
}

/** Where a live run's events go: stdout (maybe filtered) and the log file, and what became of the log. */
export interface LiveSinks {
  /** stdout, then the log file when there is one. */
  readonly reporters: readonly Reporter[];
  readonly logFailure: LogFailure;
}

/**
 * Opens a live run's sinks: stdout as JSON Lines or the readable log (`shown` narrows what it prints;
 * the log file gets every event), and the log file, opened now so a bad path is a UsageError before the
 * run starts. `rest` says what goes on when stdout goes away ("the proxy keeps relaying…").
 */
export function openLiveSinks(
  options: LiveOutputOptions,
  io: Pick<LiveIO, 'stdout' | 'stderr' | 'env' | 'onHangup'>,
  what: { rest: string; shown?: (event: WsdiagEvent) => boolean },
): LiveSinks {
  const stdoutClosed = stdoutClosedNotice(io.stderr, { rest: what.rest, ...(options.log !== undefined ? { log: options.log } : {}) });
  const stdout = createOutput({
    json: options.json === true,
    stream: io.stdout,
    ...livePrettyOptions(options, io),
    onClosed: stdoutClosed,
  });
  const logFailure = new LogFailure(options.log);
  const output = what.shown ? new FilteredReporter(stdout, what.shown) : stdout;
  if (options.log === undefined) return { reporters: [output], logFailure };
  const log = openJsonlLog(options.log, { onClosed: logFailure.onClosed });
  const rotated = io.onHangup ? reopenedOnHangup(log, options.log, { stderr: io.stderr, onHangup: io.onHangup }) : log;
  return { reporters: [output, rotated], logFailure };
}

/**
 * The `--log` file, reopened at its path on each rotation request (SIGHUP) until the run closes it: after
 * `mv wsdiag.log wsdiag.log.1` and `kill -HUP`, later events go to a new wsdiag.log, none lost or split.
 * Each reopen says so in one line on stderr; one that fails too, and the events keep going to the file in use.
 */
export function reopenedOnHangup(log: JsonlReporter, path: string, io: Required<Pick<LiveIO, 'stderr' | 'onHangup'>>): Reporter {
  const unsubscribe = io.onHangup(() => {
    try {
      log.reopen();
      io.stderr.write(`wsdiag: log-reopened ${path}\n`);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      io.stderr.write(`wsdiag: ${message}; events still go to the file opened before\n`);
    }
  });
  return {
    write: (event) => log.write(event),
    flush: () => log.flush(),
    close: () => {
      unsubscribe();
      return log.close();
    },
  };
}
