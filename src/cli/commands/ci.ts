/**
 * `wsdiag ci --target URL [options] -- COMMAND [ARGS...]`: a CI gate around any test command. Flags →
 * options (checked, files read, before anything runs) → runCi (src/ci/run.ts) with the process's streams,
 * environment and signals → the exit code it decided.
 */
import type { Command } from 'commander';
import { VIOLATION_CODES } from '../../events/index.js';
import { isGithubActions, DEFAULT_FAIL_ON, parseFailOn, runCi, type CiOptions } from '../../ci/index.js';
import { action } from '../run.js';
import { addFlags, addOptionHints, type Flag } from '../flags.js';
import { proxyCommandFlags, proxyRunOptions, type ProxyCommandFlags } from '../options/proxy.js';
import { untilSignal } from '../signals.js';
import { tuneHeapForRelaying } from '../heap.js';

interface CiFlags extends ProxyCommandFlags {
  junit?: string;
  summaryJson?: string;
  /** Each --fail-on value as given; parsed together so errors name the bad entry. */
  failOn: string[];
}

const CI_FLAGS: Array<Flag<CiOptions>> = [
  {
    flags: '--junit <file>',
    help: 'write a JUnit XML report: one test case per WebSocket connection, a failure per failing violation',
    sets: ['junit'],
  },
  { flags: '--summary-json <file>', help: 'write the summary event, the verdict and per-connection counts as JSON', sets: ['summaryJson'] },
  {
    flags: '--fail-on <list>',
    help: `what fails the run (comma-separated, repeatable): error, warning (warnings and errors), none, close codes (${VIOLATION_CODES.join(',')}), rule ids`,
    parse: (value: string, previous: unknown) => [...(previous as string[]), value],
    default: [],
    defaultText: 'error',
    sets: ['failOn'],
  },
];

export function registerCi(program: Command): void {
  const command = program
    .command('ci')
    .usage('--target <url> [options] -- <command...>')
    .description('run a test command through the proxy and fail the build on violations (JUnit, summary JSON, GitHub annotations)')
    .argument('<command...>', 'the test command and its arguments, after -- (e.g. -- npm test)');
  addOptionHints(addFlags(command, [...CI_FLAGS, ...proxyCommandFlags('127.0.0.1:0')]), {
    command: 'give it after --, e.g. wsdiag ci --target ws://127.0.0.1:9000 -- npm test',
  })
    .addHelpText(
      'after',
      '\nThe command gets WSDIAG_URL (ws:// or wss:// address of the proxy, to dial instead of the target) and\n' +
        "WSDIAG_HTTP_URL (http:// or https://) in its environment, and the terminal's stdin, stdout and stderr.\n" +
        '\nExamples:\n' +
        '  wsdiag ci --target ws://127.0.0.1:9000 --junit wsdiag-junit.xml -- npm test\n' +
        '  wsdiag ci --target http://localhost:3000 --fail-on 1002,1007 --summary-json wsdiag.json -- pytest -q\n' +
        '  wsdiag ci --target ws://127.0.0.1:9000 --fail-on warning --log wsdiag.log -- node test/ws.test.js\n' +
        '\nSIGINT/SIGTERM are passed to the command (a second one kills it); the reports are still written.\n' +
        'On GitHub Actions (GITHUB_ACTIONS=true) each failing violation is also printed as an ::error annotation.\n' +
        "\nExit status: the command's own non-zero status (128+N if killed by signal N); otherwise 1 if a\n" +
        'violation matches --fail-on, else 0. 2 bad usage, 3 cannot listen, cannot start the command, or\n' +
        'cannot write a report.',
    )
    .action(
      action(async (commandLine: string[], flags: CiFlags) => {
        const options = ciOptions(commandLine, flags);
        tuneHeapForRelaying();
        const result = await untilSignal(
          ({ onSignal, onHangup }) =>
            runCi(options, {
              stdout: process.stdout,
              stderr: process.stderr,
              env: process.env,
              onInterrupt: onSignal,
              onHangup,
            }),
          // Every signal goes to the command (a second one kills it): the reports must still be written.
          { second: 'pass' },
        );
        return result.exitCode;
      }),
    );
}

function ciOptions(commandLine: string[], flags: CiFlags): CiOptions {
  const failOn = flags.failOn.length > 0 ? parseFailOn(flags.failOn) : DEFAULT_FAIL_ON;
  const { proxy, log, instance, json, quiet, color } = proxyRunOptions(flags);
  return {
    proxy,
    command: commandLine,
    failOn,
    ...(flags.junit !== undefined ? { junit: flags.junit } : {}),
    ...(flags.summaryJson !== undefined ? { summaryJson: flags.summaryJson } : {}),
    ...(log !== undefined ? { log } : {}),
    ...(instance !== undefined ? { instance } : {}),
    json: json === true,
    quiet: quiet === true,
    color: color !== false,
    githubAnnotations: isGithubActions(process.env),
  };
}
