/**
 * `wsdiag tail FILE`: shows a JSON Lines log with the look of the live log, optionally following it as
 * it grows and filtering violations by code, rule or connection. `--json` passes the selected lines
 * through unchanged, so tail also works as a filter in a pipeline.
 */
import type { Writable } from 'node:stream';
import { Command, InvalidArgumentError, Option } from 'commander';
import { OperationalError } from '../../errors.js';
import { VIOLATION_CODES, type WsdiagEvent } from '../../events.js';
import { createEventFilter } from '../../reporters/event-filter.js';
import { createPalette, shouldUseColor } from '../../reporters/color.js';
import { describeFsError } from '../../reporters/jsonl.js';
import { LineSink } from '../../reporters/line-sink.js';
import { LogGuard } from '../../reporters/log-guard.js';
import type { LogLine } from '../../reporters/log-lines.js';
import { DEFAULT_POLL_INTERVAL_MS, readLog, type LogNotice } from '../../reporters/log-reader.js';
import { parseEventLine } from '../../reporters/parse-event.js';
import { PrettyReporter } from '../../reporters/pretty.js';
import { closestRuleId } from '../../rules/suggest.js';
import { RULES, findRule } from '../../rules/table.js';
import { formatSandwichFinding, formatSandwichSummary } from '../../sandwich/format.js';
import type { SandwichFindingEvent, SandwichSummaryEvent } from '../../sandwich/types.js';
import { action } from '../run.js';

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

/** The option values as commander names them (after the flags). */
interface CliOptions {
  follow?: boolean;
  code?: number[];
  rule?: string[];
  conn?: string[];
  json?: boolean;
  frames?: boolean;
  color: boolean;
  interval?: number;
}

export function registerTail(program: Command): void {
  program
    .command('tail')
    .description('pretty-print a wsdiag JSON Lines log (from --log or --json), optionally following it, with filters')
    .argument('<file>', 'the JSON Lines log to read')
    .option('-f, --follow', 'keep reading as the file grows, across truncation and rotation, until Ctrl-C')
    .option('--code <codes>', `only violations with these close codes (comma-separated, repeatable: ${VIOLATION_CODES.join(',')})`, collect(parseCode))
    .option('--rule <ids>', 'only violations of these rules (comma-separated, repeatable)', collect(parseRule))
    .option('--conn <ids>', 'only events of these connections: full ids (k3f9x2-c4), or c4 for the c4 of every run in the log (comma-separated, repeatable)', collect(parseConn))
    .option('--json', 'print the selected lines as JSON Lines, unchanged, instead of the readable log')
    .option('--frames', 'also show frame events (logs written with --frames)')
    .option('--no-color', 'plain output even on a terminal (also off with NO_COLOR)')
    .addOption(
      new Option('--interval <ms>', `with -f, how often to check the file, in milliseconds (default ${DEFAULT_POLL_INTERVAL_MS})`)
        .argParser(parseInterval),
    )
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  wsdiag tail wsdiag.log\n' +
        '  wsdiag tail -f wsdiag.log --code 1007\n' +
        '  wsdiag tail wsdiag.log --conn c4 --frames        # c4 of each run; k3f9x2-c4 for one run\n' +
        '  wsdiag tail wsdiag.log --rule invalid-utf8-text --json | jq .preview\n' +
        '\nConnection ids start with their run\'s id (listening: run k3f9x2): --conn c4 is enough when the log holds one\n' +
        'run; when it holds several, it shows the c4 of each and says so on stderr, and a full id picks one.\n' +
        'A file whose first lines are not wsdiag events (5 of them, or all it holds) is refused.\n' +
        'Exit status: 0 done (or -f stopped with Ctrl-C), 2 bad usage, unreadable file or not a wsdiag log.',
    )
    .action(
      action(async (file: string, opts: CliOptions) =>
        tailFromCli(file, {
          follow: opts.follow === true,
          codes: opts.code ?? [],
          rules: opts.rule ?? [],
          conns: opts.conn ?? [],
          json: opts.json === true,
          frames: opts.frames === true,
          color: opts.color,
          intervalMs: opts.interval ?? DEFAULT_POLL_INTERVAL_MS,
        }),
      ),
    );
}

/** Runs tail for the CLI: stdout/stderr of the process, Ctrl-C or SIGTERM ends a follow with exit 0. */
async function tailFromCli(file: string, options: TailOptions): Promise<number> {
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await runTail(file, options, { stdout: process.stdout, stderr: process.stderr, signal: stop.signal });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
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
      warn(`--conn ${bare} matches connections of ${ids.length} runs in ${file} (${ids.join(', ')}), showing each; give a full id (--conn ${ids.at(-1)}) to see one`),
  });
  // A sandwich finding belongs to both its legs (a malformed one may lack them).
  const selected = (id: unknown) => options.conns.length === 0 || (typeof id === 'string' && filter.conn(id));
  const output = createOutput(options, io, abort);
  // Refuses a file that is not a wsdiag log at all, instead of a warning for each of its lines.
  const guard = new LogGuard(file, (bad) => warn(`${file}:${bad.number}: skipped: ${bad.reason}`));

  const onLine = (line: LogLine) => {
    if (line.tooLong) return guard.bad({ number: line.number, text: '', reason: 'line too long' });
    if (line.text.trim() === '') return;
    const parsed = parseEventLine(line.text);
    if (!parsed.ok) {
      // A `wsdiag sandwich --log` file also holds the differential's own lines.
      const extra = parseSandwichLine(line.text);
      if (!extra) return guard.bad({ number: line.number, text: line.text, reason: parsed.reason });
      guard.event();
      // The sandwich's summary belongs to the whole run.
      if (extra.type === 'sandwich-summary' || selected(extra.conn) || selected(extra.return_conn)) {
        try {
          return output.writeSandwich(extra, line.text);
        } catch {
          return warn(`${file}:${line.number}: skipped: malformed ${extra.type} line`);
        }
      }
      return;
    }
    guard.event();
    // Frame events are noise unless asked for, in both output forms.
    if (parsed.event.type === 'frame' && !options.frames) return;
    if (filter(parsed.event)) output.write(parsed.event, line.text);
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
  writeSandwich(event: SandwichFindingEvent | SandwichSummaryEvent, line: string): void;
  flush(): Promise<void>;
  readonly error: Error | undefined;
}

function createOutput(options: TailOptions, io: TailIO, onClosed: () => void): TailOutput {
  if (options.json) {
    const sink = new LineSink(io.stdout, onClosed);
    return {
      write: (_event, line) => sink.write(`${line}\n`),
      writeSandwich: (_event, line) => sink.write(`${line}\n`),
      flush: () => sink.flush(),
      get error() {
        return sink.error;
      },
    };
  }
  const color = shouldUseColor({ stream: io.stdout, flag: options.color, env: io.env ?? process.env });
  const width = io.stdout.isTTY ? io.stdout.columns : undefined;
  const pretty = new PrettyReporter(io.stdout, { color, frames: options.frames, quiet: false, width }, onClosed);
  const sandwich = new LineSink(io.stdout);
  const palette = createPalette(color);
  return {
    write: (event) => pretty.write(event),
    writeSandwich: (event) =>
      sandwich.write(
        event.type === 'sandwich-finding'
          ? formatSandwichFinding(event, { palette, ...(width !== undefined ? { width } : {}) })
          : formatSandwichSummary(event, { palette, ...(width !== undefined ? { width } : {}) }),
      ),
    flush: async () => {
      await Promise.all([pretty.flush(), sandwich.flush()]);
    },
    get error() {
      return pretty.error;
    },
  };
}

/** A `sandwich-finding` or `sandwich-summary` line, or null. */
function parseSandwichLine(text: string): SandwichFindingEvent | SandwichSummaryEvent | null {
  try {
    const value = JSON.parse(text) as { v?: unknown; type?: unknown; ts?: unknown };
    if (value.v !== 1 || typeof value.ts !== 'string') return null;
    return value.type === 'sandwich-finding' || value.type === 'sandwich-summary' ? (value as SandwichFindingEvent | SandwichSummaryEvent) : null;
  } catch {
    return null;
  }
}

export function noticeText(file: string, notice: LogNotice): string {
  switch (notice.kind) {
    case 'waiting': return `waiting for ${file} to appear`;
    case 'appeared': return `${file} appeared; reading it`;
    case 'truncated': return `${file} was truncated; reading it from the start`;
    case 'replaced': return `${file} was replaced; reading the new file from the start`;
  }
}

/** Lets a list option be given comma-separated, repeated, or both. */
function collect<T>(parse: (item: string) => T): (value: string, previous: T[] | undefined) => T[] {
  return (value, previous = []) => {
    const items = value.split(',').map((item) => item.trim()).filter((item) => item !== '');
    if (items.length === 0) throw new InvalidArgumentError('expects at least one value');
    return [...previous, ...items.map(parse)];
  };
}

function parseCode(item: string): number {
  const code = Number(item);
  if (!/^\d+$/.test(item) || !(VIOLATION_CODES as readonly number[]).includes(code)) {
    throw new InvalidArgumentError(`"${item}" is not a violation code (use ${VIOLATION_CODES.join(', ')})`);
  }
  return code;
}

function parseRule(item: string): string {
  if (findRule(item)) return item;
  const near = closestRuleId(item);
  throw new InvalidArgumentError(`unknown rule "${item}"${near ? ` (did you mean "${near}"?)` : ''}`);
}

function parseConn(item: string): string {
  return item;
}

export function parseInterval(value: string): number {
  const ms = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(ms) || ms < 1) {
    throw new InvalidArgumentError(`expects a whole number of milliseconds of 1 or more, got "${value}"`);
  }
  return ms;
}


