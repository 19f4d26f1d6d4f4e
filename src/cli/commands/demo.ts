/**
 * `wsdiag demo`: the embedded default. A built-in text-only upstream, the proxy in front of it, and
 * scripted clients that commit each classic fault, so a newcomer sees every kind of report in seconds.
 * Flags → options → runDemo → exit 0 once the script has run.
 */
import type { Command } from 'commander';
import type { AcceptedType } from '../../protocol/index.js';
import { runDemo, type DemoOptions, listText } from '../../demo/index.js';
import { shouldUseColor } from '../../reporters/index.js';
import { action } from '../run.js';
import { addFlags, withHelp, type Flag } from '../flags.js';
import { OUTPUT } from '../options/output.js';
import { PROXY } from '../options/proxy.js';

interface DemoFlags {
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

const DEMO_FLAGS: Array<Flag<DemoOptions>> = [
  { ...withHelp(OUTPUT.json, 'events as JSON Lines on stdout instead of the pretty log'), default: false },
  { ...OUTPUT.frames, default: false },
  withHelp(OUTPUT.color, 'no colours (also off when NO_COLOR is set or stdout is not a terminal)'),
  { flags: '--only <name>', help: 'run only this scenario (names: wsdiag demo --list)', sets: ['only'] },
  { flags: '--list', help: 'list the scenarios and exit', default: false },
  { ...PROXY.serverAccepts, help: 'what wsdiag assumes the built-in server accepts (default text, as it is)', sets: ['serverAccepts'] },
  { ...PROXY.clientAccepts, help: 'what wsdiag assumes the clients accept', sets: ['clientAccepts'] },
  { ...PROXY.learn, help: "do not learn accepted types from the server's 1003 closes", sets: ['learn'] },
];

export function registerDemo(program: Command): void {
  const command = program
    .command('demo')
    .description('the embedded default: a built-in text-only upstream, wsdiag in front of it, and clients that commit each classic fault');
  addFlags(command, DEMO_FLAGS).action(
    action(async (flags: DemoFlags) => {
      if (flags.list) {
        process.stdout.write(listText());
        return 0;
      }
      const stdout = process.stdout;
      await runDemo({
        out: stdout,
        json: flags.json,
        frames: flags.frames,
        color: shouldUseColor({ stream: stdout, flag: flags.color }),
        ...(flags.only !== undefined ? { only: flags.only } : {}),
        ...(stdout.isTTY ? { width: stdout.columns } : {}),
        ...(flags.serverAccepts ? { serverAccepts: flags.serverAccepts } : {}),
        ...(flags.clientAccepts ? { clientAccepts: flags.clientAccepts } : {}),
        learn: flags.learn,
      });
      return 0;
    }),
  );
}
