/**
 * `wsdiag tail LOG...`: flags → TailOptions → runTail (src/tail/), with Ctrl-C or SIGTERM ending a follow.
 * The filter flags are the ones `proxy` has (../options/filter.ts).
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_POLL_INTERVAL_MS } from '../../reporters/index.js';
import { runTail, type TailOptions } from '../../tail/index.js';
import { action } from '../run.js';
import { addFlags, optionFlags } from '../flags.js';
import { FILTER_FLAGS, FILTER_HELP, filterOptions, type FilterFlags } from '../options/filter.js';
import { untilSignal } from '../signals.js';

/** The option values as commander names them (after the flags). */
interface CliOptions extends FilterFlags {
  follow?: boolean;
  json?: boolean;
  frames?: boolean;
  color: boolean;
  interval?: number;
  summary?: boolean;
}

export function registerTail(program: Command): void {
  const command = program
    .command('tail')
    .description(
      'pretty-print wsdiag JSON Lines logs (from --log or --json), several merged in time order, optionally following them, with filters',
    )
    .argument('<logs...>', 'the JSON Lines logs to read, merged by time')
    .option('-f, --follow', 'keep reading as the files grow, across truncation and rotation, until Ctrl-C');
  addFlags(command, FILTER_FLAGS)
    .option('--json', 'print the selected lines as JSON Lines, unchanged, instead of the readable log')
    .option('--frames', 'also show frame events (logs written with --frames)')
    .option('--no-color', 'plain output even on a terminal (also off with NO_COLOR)');
  addFlags(command, [
    {
      flags: '--summary',
      help: 'print only the summary of every run in the logs, as the live runs count it (with --json, the summary event)',
      sets: ['summary'],
    },
  ]);
  optionFlags(command).add('follow', '--follow');
  command
    .addOption(
      new Option(
        '--interval <ms>',
        `with -f, how often to check the files, in milliseconds (default ${DEFAULT_POLL_INTERVAL_MS})`,
      ).argParser(parseInterval),
    )
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  wsdiag tail wsdiag.log\n' +
        '  wsdiag tail -f wsdiag.log --code 1007\n' +
        '  wsdiag tail wsdiag.log --conn c4 --frames        # c4 of each run; k3f9x2-c4 for one run\n' +
        "  wsdiag tail wsdiag.log --type http --grep '^/api/'\n" +
        '  wsdiag tail --summary --json edge-1.log edge-2.log edge-3.log   # one summary for three instances\n' +
        '  wsdiag tail front.log back.log --type message,violation --dir client   # two logs, merged by time\n' +
        '  wsdiag tail wsdiag.log --rule invalid-utf8-text --json | jq .preview\n' +
        `\n${FILTER_HELP}\n` +
        "\nConnection ids start with their run's id (listening: run k3f9x2): --conn c4 is enough when the logs hold one\n" +
        'run; when they hold several, it shows the c4 of each and says so on stderr, and a full id picks one.\n' +
        'Several logs are merged by the time of their events; with -f each is followed, new lines shown as they come.\n' +
        'A file whose first lines are not wsdiag events (5 of them, or all it holds) is refused.\n' +
        'Exit status: 0 done (or -f stopped with Ctrl-C), 2 bad usage, unreadable file or not a wsdiag log.',
    )
    .action(
      action(async (files: string[], opts: CliOptions) =>
        tailFromCli(files, {
          follow: opts.follow === true,
          filter: filterOptions(opts),
          json: opts.json === true,
          frames: opts.frames === true,
          color: opts.color,
          intervalMs: opts.interval ?? DEFAULT_POLL_INTERVAL_MS,
          summary: opts.summary === true,
        }),
      ),
    );
}

/** Runs tail for the CLI: stdout/stderr of the process, Ctrl-C or SIGTERM ends a follow with exit 0. */
function tailFromCli(files: readonly string[], options: TailOptions): Promise<number> {
  return untilSignal(({ signal }) => runTail(files, options, { stdout: process.stdout, stderr: process.stderr, signal }));
}

export function parseInterval(value: string): number {
  const ms = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(ms) || ms < 1) {
    throw new InvalidArgumentError(`expects a whole number of milliseconds of 1 or more, got "${value}"`);
  }
  return ms;
}
