/**
 * `wsdiag tail FILE`: flags → TailOptions → runTail (src/tail/), with Ctrl-C or SIGTERM ending a follow.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { VIOLATION_CODES } from '../../events/index.js';
import { DEFAULT_POLL_INTERVAL_MS } from '../../reporters/index.js';
import { closestRuleId, findRule } from '../../rules/index.js';
import { runTail, type TailOptions } from '../../tail/index.js';
import { action } from '../run.js';
import { untilSignal } from '../signals.js';

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
    .option(
      '--code <codes>',
      `only violations with these close codes (comma-separated, repeatable: ${VIOLATION_CODES.join(',')})`,
      collect(parseCode),
    )
    .option('--rule <ids>', 'only violations of these rules (comma-separated, repeatable)', collect(parseRule))
    .option(
      '--conn <ids>',
      'only events of these connections: full ids (k3f9x2-c4), or c4 for the c4 of every run in the log (comma-separated, repeatable)',
      collect(parseConn),
    )
    .option('--json', 'print the selected lines as JSON Lines, unchanged, instead of the readable log')
    .option('--frames', 'also show frame events (logs written with --frames)')
    .option('--no-color', 'plain output even on a terminal (also off with NO_COLOR)')
    .addOption(
      new Option(
        '--interval <ms>',
        `with -f, how often to check the file, in milliseconds (default ${DEFAULT_POLL_INTERVAL_MS})`,
      ).argParser(parseInterval),
    )
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  wsdiag tail wsdiag.log\n' +
        '  wsdiag tail -f wsdiag.log --code 1007\n' +
        '  wsdiag tail wsdiag.log --conn c4 --frames        # c4 of each run; k3f9x2-c4 for one run\n' +
        '  wsdiag tail wsdiag.log --rule invalid-utf8-text --json | jq .preview\n' +
        "\nConnection ids start with their run's id (listening: run k3f9x2): --conn c4 is enough when the log holds one\n" +
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
function tailFromCli(file: string, options: TailOptions): Promise<number> {
  return untilSignal(({ signal }) => runTail(file, options, { stdout: process.stdout, stderr: process.stderr, signal }));
}

/** Lets a list option be given comma-separated, repeated, or both. */
function collect<T>(parse: (item: string) => T): (value: string, previous: T[] | undefined) => T[] {
  return (value, previous = []) => {
    const items = value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
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
