/**
 * `wsdiag ci --target URL [options] -- COMMAND [ARGS...]`: a CI gate around any test command. The flags
 * are checked and every file is opened before anything runs; the run itself is src/ci/run.ts. This file
 * wires the process to it: stdout/stderr, the environment, SIGINT/SIGTERM.
 */
import { Command, Option } from 'commander';
import { VIOLATION_CODES } from '../../events/index.js';
import { isGithubActions } from '../../ci/annotations.js';
import { DEFAULT_FAIL_ON, parseFailOn } from '../../ci/policy.js';
import { runCi, type CiIO } from '../../ci/run.js';
import { addProxyOptions, type ProxyFlags } from '../proxy-options.js';
import { action } from '../run.js';
import { resolveProxyConfig } from './proxy.js';

interface CiFlags extends ProxyFlags {
  junit?: string;
  summaryJson?: string;
  /** Each --fail-on value as given; parsed together so errors name the bad entry. */
  failOn: string[];
}

export function registerCi(program: Command): void {
  const command = program
    .command('ci')
    .usage('--target <url> [options] -- <command...>')
    .description('run a test command through the proxy and fail the build on violations (JUnit, summary JSON, GitHub annotations)')
    .argument('<command...>', 'the test command and its arguments, after -- (e.g. -- npm test)')
    .option('--junit <file>', 'write a JUnit XML report: one test case per WebSocket connection, a failure per failing violation')
    .option('--summary-json <file>', 'write the summary event, the verdict and per-connection counts as JSON')
    .addOption(
      new Option('--fail-on <list>', `what fails the run (comma-separated, repeatable): error, warning (warnings and errors), none, close codes (${VIOLATION_CODES.join(',')}), rule ids`)
        .argParser((value: string, previous: string[]) => [...previous, value])
        .default([], 'error'),
    );
  addProxyOptions(command, { listen: '127.0.0.1:0' })
    .addHelpText(
      'after',
      '\nThe command gets WSDIAG_URL (ws:// or wss:// address of the proxy, to dial instead of the target) and\n' +
        'WSDIAG_HTTP_URL (http:// or https://) in its environment, and the terminal\'s stdin, stdout and stderr.\n' +
        '\nExamples:\n' +
        '  wsdiag ci --target ws://127.0.0.1:9000 --junit wsdiag-junit.xml -- npm test\n' +
        '  wsdiag ci --target http://localhost:3000 --fail-on 1002,1007 --summary-json wsdiag.json -- pytest -q\n' +
        '  wsdiag ci --target ws://127.0.0.1:9000 --fail-on warning --log wsdiag.log -- node test/ws.test.js\n' +
        '\nSIGINT/SIGTERM are passed to the command (a second one kills it); the reports are still written.\n' +
        'On GitHub Actions (GITHUB_ACTIONS=true) each failing violation is also printed as an ::error annotation.\n' +
        '\nExit status: the command\'s own non-zero status (128+N if killed by signal N); otherwise 1 if a\n' +
        'violation matches --fail-on, else 0. 2 bad usage, 3 cannot listen, cannot start the command, or\n' +
        'cannot write a report.',
    )
    .action(action((commandLine: string[], flags: CiFlags) => runCiFromCli(commandLine, flags)));
}

async function runCiFromCli(commandLine: string[], flags: CiFlags): Promise<number> {
  const failOn = flags.failOn.length > 0 ? parseFailOn(flags.failOn) : DEFAULT_FAIL_ON;
  const config = resolveProxyConfig(flags);
  const io: CiIO = {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    onInterrupt: (listener) => {
      process.on('SIGINT', listener);
      process.on('SIGTERM', listener);
      return () => {
        process.off('SIGINT', listener);
        process.off('SIGTERM', listener);
      };
    },
  };
  const result = await runCi(
    {
      proxy: config.options,
      command: commandLine,
      failOn,
      ...(flags.junit !== undefined ? { junit: flags.junit } : {}),
      ...(flags.summaryJson !== undefined ? { summaryJson: flags.summaryJson } : {}),
      ...(config.log !== undefined ? { log: config.log } : {}),
      json: flags.json === true,
      quiet: flags.quiet === true,
      color: flags.color,
      githubAnnotations: isGithubActions(process.env),
    },
    io,
  );
  return result.exitCode;
}
