/**
 * The wsdiag command line: a thin shell over the library API. Each command lives in ./commands and is
 * registered here; the process exit code is set only at the edge (./run.ts). ./main.ts runs it.
 */
import { createRequire } from 'node:module';
import { Command, CommanderError } from 'commander';
import { ExitCode } from '../errors.js';

type Register = (program: Command) => void;

/**
 * Every command, in the order `wsdiag --help` lists them, each module loaded only when needed: a run loads
 * the command it runs (all of them for the general help). Loading them all up front cost `wsdiag analyze`
 * about a third of a second and 30 MiB before it read its first byte.
 */
const COMMANDS: ReadonlyArray<readonly [name: string, load: () => Promise<Register>]> = [
  ['proxy', async () => (await import('./commands/proxy.js')).registerProxy],
  ['analyze', async () => (await import('./commands/analyze.js')).registerAnalyze],
  ['sniff', async () => (await import('./commands/sniff.js')).registerSniff],
  ['explain', async () => (await import('./commands/explain.js')).registerExplain],
  ['tail', async () => (await import('./commands/tail.js')).registerTail],
  ['view', async () => (await import('./commands/view.js')).registerView],
  ['demo', async () => (await import('./commands/demo.js')).registerDemo],
  ['probe', async () => (await import('./commands/probe.js')).registerProbe],
  ['ci', async () => (await import('./commands/ci.js')).registerCi],
  ['chaos', async () => (await import('./commands/chaos.js')).registerChaos],
  ['sandwich', async () => (await import('./commands/sandwich.js')).registerSandwich],
  ['ca', async () => (await import('./commands/ca.js')).registerCa],
];

const require = createRequire(import.meta.url);
const { version } = require('../../../package.json') as { version: string };

/**
 * The program with every command, or with only `command` when it names one (the first argument names
 * the command: the program has no options that take a value).
 */
export async function buildProgram(command?: string): Promise<Command> {
  const program = new Command('wsdiag');
  program
    .description(
      'Diagnostic intercepting WebSocket proxy: relays traffic byte for byte, decodes every RFC 6455 frame ' +
        'in both directions and explains each protocol violation (1002, 1003, 1007, 1009) with a fix; it also warns ' +
        'of frames cut short (1006) and pings left unanswered (1011).',
    )
    .version(version, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      '\nStart here:\n' +
        '  wsdiag demo                                   every classic fault, explained, in a few seconds\n' +
        '  wsdiag proxy --target ws://localhost:3000     then point your client at ws://127.0.0.1:8080\n' +
        '  wsdiag explain 1002 1003                      what two close codes mean, side by side\n' +
        '\nExit status: 0 nothing that fails the run, 1 violations, 2 bad usage, 3 operational failure.',
    )
    // Commander exits 1 on bad usage; our contract (DESIGN §5) says 2.
    .exitOverride((err: CommanderError) => {
      const ok = err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help';
      process.exit(ok ? ExitCode.Ok : ExitCode.Usage);
    });
  const named = COMMANDS.filter(([name]) => name === command);
  for (const [, load] of named.length > 0 ? named : COMMANDS) (await load())(program);
  return program;
}
