/**
 * `wsdiag demo`: the embedded default. A built-in text-only upstream, the proxy in front of it, and
 * scripted clients that commit each classic fault, so a newcomer sees every kind of report in seconds.
 * The command is a thin shell over runDemo(); it exits 0 once the script has run.
 */
import { Option, type Command } from 'commander';
import type { AcceptedType } from '../../protocol/message-type.js';
import { runDemo } from '../../demo/run.js';
import { listText } from '../../demo/text.js';
import { shouldUseColor } from '../../reporters/color.js';
import { action } from '../run.js';

interface DemoCliOptions {
  json: boolean;
  frames: boolean;
  /** false with --no-color. */
  color: boolean;
  only?: string;
  list: boolean;
  serverAccepts?: AcceptedType;
  clientAccepts?: AcceptedType;
  learn: boolean;
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('the embedded default: a built-in text-only upstream, wsdiag in front of it, and clients that commit each classic fault')
    .option('--json', 'events as JSON Lines on stdout instead of the pretty log', false)
    .option('--frames', 'also report every frame', false)
    .option('--no-color', 'no colours (also off when NO_COLOR is set or stdout is not a terminal)')
    .option('--only <name>', 'run only this scenario (names: wsdiag demo --list)')
    .option('--list', 'list the scenarios and exit', false)
    .addOption(new Option('--server-accepts <type>', 'what wsdiag assumes the built-in server accepts (default text, as it is)').choices(['text', 'binary', 'any']))
    .addOption(new Option('--client-accepts <type>', 'what wsdiag assumes the clients accept').choices(['text', 'binary', 'any']))
    .option('--no-learn', "do not learn accepted types from the server's 1003 closes")
    .action(
      action(async (opts: DemoCliOptions) => {
        if (opts.list) {
          process.stdout.write(listText());
          return 0;
        }
        const stdout = process.stdout;
        await runDemo({
          out: stdout,
          json: opts.json,
          frames: opts.frames,
          color: shouldUseColor({ stream: stdout, flag: opts.color }),
          only: opts.only,
          width: stdout.isTTY ? stdout.columns : undefined,
          ...(opts.serverAccepts ? { serverAccepts: opts.serverAccepts } : {}),
          ...(opts.clientAccepts ? { clientAccepts: opts.clientAccepts } : {}),
          learn: opts.learn,
        });
        return 0;
      }),
    );
}
