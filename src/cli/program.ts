/**
 * The wsdiag command line: a thin shell over the library API. Each command lives in ./commands and is
 * registered here; the process exit code is set only at the edge (./run.ts). ./main.ts runs it.
 */
import { createRequire } from 'node:module';
import { Command, CommanderError } from 'commander';
import { ExitCode } from '../errors.js';
import { registerProxy } from './commands/proxy.js';
import { registerAnalyze } from './commands/analyze.js';
import { registerSniff } from './commands/sniff.js';
import { registerExplain } from './commands/explain.js';
import { registerTail } from './commands/tail.js';
import { registerDemo } from './commands/demo.js';
import { registerProbe } from './commands/probe.js';
import { registerCi } from './commands/ci.js';
import { registerSandwich } from './commands/sandwich.js';
import { registerCa } from './commands/ca.js';
import { registerView } from './commands/view.js';
import { registerChaos } from './commands/chaos.js';

const require = createRequire(import.meta.url);
const { version } = require('../../../package.json') as { version: string };

export function buildProgram(): Command {
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
  // Commands register themselves here, in the order `wsdiag --help` lists them.
  registerProxy(program);
  registerAnalyze(program);
  registerSniff(program);
  registerExplain(program);
  registerTail(program);
  registerView(program);
  registerDemo(program);
  registerProbe(program);
  registerCi(program);
  registerChaos(program);
  registerSandwich(program);
  registerCa(program);
  return program;
}
