/**
 * `wsdiag ci` as a library call: start the proxy, run the command with WSDIAG_URL pointing at it, stop
 * the proxy (every connection's `close` event is emitted), flush the logs, write the reports and decide
 * the exit code. The CLI (src/cli/commands/ci.ts) only parses flags and wires process signals to this.
 */
import { connect } from 'node:net';
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { accessSync, constants as fsConstants, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { constants as osConstants } from 'node:os';
import type { Writable } from 'node:stream';
import { ConfigError, OperationalError } from '../errors.js';
import { systemClock, type Clock } from '../events/index.js';
import { startProxy, summaryCounts, type ListenAddress, type ProxyAddon, type ProxyOptions } from '../proxy/index.js';
import { redactorFor } from '../redact.js';
import { instanceStamp, livePrettyOptions, reopenedOnHangup } from '../live/index.js';
import { checkInstanceId, checkRunId, newRunId } from '../conn-id.js';
import {
  describeFsError,
  JsonlReporter,
  openJsonlLog,
  stdoutClosedNotice,
  MultiReporter,
  PrettyReporter,
  SummaryCollector,
  type Reporter,
} from '../reporters/index.js';
import { githubAnnotation } from './annotations.js';
import { renderJunit } from './junit.js';
import { decideExit, type CommandOutcome, type FailOnPolicy, type RunVerdict } from './policy.js';
import { RunRecorder } from './recorder.js';
import { buildCiSummary, renderCiSummary, type CiSummary } from './summary-json.js';

/** ci listens on any free port of the loopback address, so parallel CI jobs never collide. */
export const CI_DEFAULT_LISTEN: ListenAddress = { host: '127.0.0.1', port: 0 };

export interface CiOptions {
  /** Everything the proxy takes except the event stream, which the runner owns (it adds its own addons). */
  proxy: Omit<ProxyOptions, 'onEvent'>;
  /** The command and its arguments, run without a shell. */
  command: readonly string[];
  failOn: FailOnPolicy;
  /** Write a JUnit XML report here. */
  junit?: string;
  /** Write the summary JSON here. */
  summaryJson?: string;
  /** Append JSON Lines here. */
  log?: string;
  /** The `instance` on every event (default the run id), as in a live proxy run (LiveOutputOptions). */
  instance?: string;
  /** JSON Lines on stdout instead of the readable log. */
  json?: boolean;
  /** The readable log shows where the proxy listens, violations, errors and the summary only. */
  quiet?: boolean;
  /** false with --no-color; colour also needs a TTY and no NO_COLOR. */
  color?: boolean;
  /** Print `::error` annotations for failing violations (on GitHub Actions). */
  githubAnnotations?: boolean;
}

export interface CiIO {
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable;
  /** The environment the command inherits (plus WSDIAG_URL and WSDIAG_HTTP_URL). */
  env: NodeJS.ProcessEnv;
  /** The command's stdio; the terminal's by default. */
  childStdio?: StdioOptions;
  /**
   * Subscribes to SIGINT/SIGTERM sent to wsdiag; returns the unsubscribe function. The first interrupt is
   * forwarded to the command, a second one kills it (SIGKILL); the reports are written either way.
   */
  onInterrupt?: (listener: (signal: NodeJS.Signals) => void) => () => void;
  /** Subscribes to log rotation requests (SIGHUP), each reopening `log` at its path (LiveIO.onHangup). */
  onHangup?: (listener: () => void) => () => void;
  clock?: Clock;
}

export interface CiResult {
  exitCode: number;
  reason: string;
  summary: CiSummary;
}

export async function runCi(options: CiOptions, io: CiIO): Promise<CiResult> {
  const [program, ...args] = options.command;
  if (program === undefined || program === '') throw new ConfigError('command', 'ci needs a command to run: the program and its arguments');
  const clock = io.clock ?? systemClock;
  const startedAt = clock();
  // Unwritable report paths are usage errors now, not a lost report after a long test run.
  if (options.junit !== undefined) checkWritable('junit', options.junit);
  if (options.summaryJson !== undefined) checkWritable('summaryJson', options.summaryJson);

  const runId = options.proxy.runId !== undefined ? checkRunId(options.proxy.runId) : newRunId();
  const stamp = instanceStamp(options.instance !== undefined ? checkInstanceId(options.instance) : runId);
  const recorder = new RunRecorder(options.failOn);
  const collector = new SummaryCollector();
  const sinks: Reporter[] = [outputReporter(options, io), collector, recorder];
  let logError: Error | undefined;
  if (options.log !== undefined) {
    const log = openJsonlLog(options.log, { onClosed: (err) => (logError ??= err) });
    sinks.push(io.onHangup ? reopenedOnHangup(log, options.log, { stderr: io.stderr, onHangup: io.onHangup }) : log);
  }
  const reporters = new MultiReporter(sinks);

  const interrupts = new InterruptState(io.onInterrupt);
  try {
    let outcome: CommandOutcome;
    try {
      outcome = await runBehindProxy(program, args, { ...options, proxy: { ...options.proxy, runId } }, io, {
        interrupts,
        onEvent: (event) => reporters.write(stamp(event)),
        // The recorder and the summary see the events as the logs do (they are sinks); what the event
        // stream does not carry (suppressed violations, refusals) they hear as addons.
        addons: [summaryCounts(collector), recorder],
      });
    } catch (err) {
      await reporters.close();
      throw err;
    }
    const summary = stamp(collector.summary(clock));
    reporters.write(summary);
    await reporters.close();
    if (logError) io.stderr.write(`wsdiag: cannot write log file ${options.log}: ${describeFsError(logError)}\n`);
    const upstreamUnreachable = recorder.connections.some((c) => c.open !== undefined)
      ? undefined
      : await probeTarget(options.proxy.target ?? '');
    return writeReports(options, io, {
      outcome,
      startedAt,
      endedAt: clock(),
      recorder,
      summary,
      logFailed: logError !== undefined,
      ...(upstreamUnreachable !== undefined ? { upstreamUnreachable } : {}),
    });
  } finally {
    interrupts.dispose();
  }
}

interface ProxyWiring {
  interrupts: InterruptState;
  onEvent: ProxyOptions['onEvent'];
  /** The runner's addons, after the caller's. */
  addons: readonly ProxyAddon[];
}

/** Starts the proxy, runs the command through it, and stops the proxy whatever happened. */
async function runBehindProxy(
  program: string,
  args: readonly string[],
  options: CiOptions,
  io: CiIO,
  wiring: ProxyWiring,
): Promise<CommandOutcome> {
  const proxy = await startProxy({
    ...options.proxy,
    listen: options.proxy.listen ?? CI_DEFAULT_LISTEN,
    onEvent: wiring.onEvent,
    addons: [...(options.proxy.addons ?? []), ...wiring.addons],
  });
  try {
    if (!options.json && !options.quiet) {
      io.stdout.write(`wsdiag ci: running ${program} with WSDIAG_URL=${proxy.url} WSDIAG_HTTP_URL=${proxy.httpUrl}\n`);
    }
    return await runCommand(program, args, {
      env: { ...io.env, WSDIAG_URL: proxy.url, WSDIAG_HTTP_URL: proxy.httpUrl },
      stdio: io.childStdio ?? 'inherit',
      interrupts: wiring.interrupts,
    });
  } finally {
    // Also after a command that could not start: the proxy must not outlive the run. close() emits
    // the close event of every connection still open.
    await proxy.close();
  }
}

interface RunFacts {
  outcome: CommandOutcome;
  startedAt: Date;
  endedAt: Date;
  recorder: RunRecorder;
  summary: ReturnType<SummaryCollector['summary']>;
  /** The --log file stopped taking events (disk full, deleted mount…). */
  logFailed: boolean;
  /** Why the target could not be reached, when no connection ever opened. */
  upstreamUnreachable?: string;
}

/** Writes JUnit, summary JSON and annotations, then the verdict line; returns the result. */
function writeReports(options: CiOptions, io: CiIO, facts: RunFacts): CiResult {
  const { recorder, outcome } = facts;
  const failing = recorder.failing;
  let operationalFailure = facts.logFailed;
  const write = (report: string, path: string, text: string): void => {
    try {
      writeFileSync(path, text);
    } catch (err) {
      operationalFailure = true;
      io.stderr.write(`wsdiag: cannot write the ${report} ${path}: ${describeFsError(err)}\n`);
    }
  };

  if (options.junit !== undefined) {
    write(
      'JUnit report',
      options.junit,
      renderJunit({
        startedAt: facts.startedAt,
        durationMs: facts.endedAt.getTime() - facts.startedAt.getTime(),
        connections: recorder.connections,
        runErrors: recorder.runErrors,
        properties: [
          // As the proxy's own `listening` event shows it (a token in its path is redacted).
          ['target', redactorFor(options.proxy.showSecrets, options.proxy.redact).url(options.proxy.target ?? '')],
          ['fail-on', options.failOn.text],
          // The program only: arguments may carry secrets, and a JUnit file is often published.
          ['command', options.command[0] ?? ''],
        ],
      }),
    );
  }
  const unreachable = facts.upstreamUnreachable !== undefined ? { upstreamUnreachable: facts.upstreamUnreachable } : {};
  let verdict = decideExit({ command: outcome, failing, operationalFailure, ...unreachable });
  const summary = buildCiSummary({
    summary: facts.summary,
    failOn: options.failOn.text,
    failing,
    exitCode: verdict.exitCode,
    command: outcome,
    connections: recorder.connections,
  });
  if (options.summaryJson !== undefined) {
    write('summary JSON', options.summaryJson, renderCiSummary(summary));
    verdict = decideExit({ command: outcome, failing, operationalFailure, ...unreachable });
    summary.exit_code = verdict.exitCode;
  }

  // Annotations go where the runner reads them without spoiling a JSON Lines stdout.
  const statusStream = options.json ? io.stderr : io.stdout;
  if (options.githubAnnotations) {
    for (const record of recorder.connections) {
      for (const violation of record.failing) statusStream.write(githubAnnotation(violation));
    }
  }
  statusStream.write(verdictLine(verdict, options.failOn, recorder.connections.length === 0));
  return { exitCode: verdict.exitCode, reason: verdict.reason, summary };
}

function verdictLine(verdict: RunVerdict, failOn: FailOnPolicy, noConnections: boolean): string {
  const hint = noConnections ? ' (no WebSocket connection went through wsdiag: do the tests dial WSDIAG_URL?)' : '';
  return `wsdiag ci: exit ${verdict.exitCode}: ${verdict.reason} (--fail-on ${failOn.text})${hint}\n`;
}

function outputReporter(options: CiOptions, io: CiIO): Reporter {
  // A closed stdout stops wsdiag's printing only: the command and the proxy it dials run on.
  const onClosed = stdoutClosedNotice(io.stderr, {
    rest: 'the command runs on through the proxy',
    ...(options.log !== undefined ? { log: options.log } : {}),
  });
  if (options.json) return new JsonlReporter(io.stdout, { onClosed });
  const shown = {
    frames: options.proxy.frames ?? false,
    ...(options.quiet !== undefined ? { quiet: options.quiet } : {}),
    ...(options.color !== undefined ? { color: options.color } : {}),
  };
  return new PrettyReporter(io.stdout, livePrettyOptions(shown, io), onClosed);
}

/** A report path whose directory cannot take the file is a ConfigError about `option`, before the run. */
function checkWritable(option: 'junit' | 'summaryJson', path: string): void {
  const dir = dirname(resolve(path));
  try {
    if (!statSync(dir).isDirectory()) throw new ConfigError(option, (n) => `${n(option)} ${path}: ${dir} is not a directory`);
    accessSync(dir, fsConstants.W_OK);
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(option, (n) => `${n(option)} ${path}: cannot write to ${dir}: ${describeFsError(err)}`, { cause: err });
  }
}

/** SIGINT/SIGTERM to wsdiag while the run lasts: remembered, and passed to the command once it runs. */
class InterruptState {
  #count = 0;
  #first: NodeJS.Signals | undefined;
  #listener: ((signal: NodeJS.Signals, count: number) => void) | undefined;
  readonly #unsubscribe: () => void;

  constructor(subscribe: CiIO['onInterrupt']) {
    this.#unsubscribe =
      subscribe?.((signal) => {
        this.#count++;
        this.#first ??= signal;
        this.#listener?.(signal, this.#count);
      }) ?? (() => {});
  }

  /** The first interrupt received so far, if any. */
  get first(): NodeJS.Signals | undefined {
    return this.#first;
  }

  /** Calls `listener` for each later interrupt, with how many there have been in all. */
  listen(listener: (signal: NodeJS.Signals, count: number) => void): void {
    this.#listener = listener;
  }

  stopListening(): void {
    this.#listener = undefined;
  }

  dispose(): void {
    this.#listener = undefined;
    this.#unsubscribe();
  }
}

interface CommandSetup {
  env: NodeJS.ProcessEnv;
  stdio: StdioOptions;
  interrupts: InterruptState;
}

/**
 * Runs the command to its end. A command that cannot start (ENOENT, EACCES) is an OperationalError
 * (exit 3); an interrupt that came before it started means it is never started.
 */
function runCommand(program: string, args: readonly string[], setup: CommandSetup): Promise<CommandOutcome> {
  const early = setup.interrupts.first;
  if (early !== undefined) return Promise.resolve(signaled(early));
  return new Promise((resolvePromise, reject) => {
    let child: ChildProcess;
    try {
      child = spawn(program, args, { env: setup.env, stdio: setup.stdio });
    } catch (err) {
      // Most failures arrive as an 'error' event; a few (EISDIR, bad arguments) are thrown at once.
      reject(new OperationalError(`cannot run "${program}": ${describeSpawnError(err as NodeJS.ErrnoException)}`, { cause: err }));
      return;
    }
    let started = false;
    child.once('spawn', () => {
      started = true;
    });
    child.once('error', (err: NodeJS.ErrnoException) => {
      // After a successful spawn, 'error' only reports a failed kill(); 'exit' still follows.
      if (started) return;
      setup.interrupts.stopListening();
      reject(new OperationalError(`cannot run "${program}": ${describeSpawnError(err)}`, { cause: err }));
    });
    child.once('exit', (code, signal) => {
      setup.interrupts.stopListening();
      resolvePromise(signal !== null ? signaled(signal) : { kind: 'exited', code: code ?? 0 });
    });
    setup.interrupts.listen((signal, count) => {
      // The first interrupt is passed on for the command to stop cleanly; a second means "now".
      child.kill(count === 1 ? signal : 'SIGKILL');
    });
  });
}

function signaled(signal: NodeJS.Signals): CommandOutcome {
  // Not every signal name has a number on every platform.
  const numbers: Partial<Record<NodeJS.Signals, number>> = osConstants.signals;
  return { kind: 'signaled', signal, signo: numbers[signal] ?? 0 };
}

function describeSpawnError(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ENOENT':
      return 'command not found (ENOENT); check the name and PATH, or give a path to the program';
    case 'EACCES':
      return 'permission denied (EACCES); is the file executable?';
    default:
      return describeFsError(err);
  }
}

/**
 * Whether the target accepts TCP connections: asked only when no WebSocket connection opened, to tell
 * "the tests never dialled wsdiag" (a skipped JUnit case) from "the server was not there" (exit 3).
 * Returns the reason it is unreachable, or undefined when it answers.
 */
function probeTarget(target: string, timeoutMs = 3000): Promise<string | undefined> {
  const url = new URL(target);
  const secure = url.protocol === 'wss:' || url.protocol === 'https:';
  const port = Number(url.port || (secure ? 443 : 80));
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (reason: string | undefined): void => {
      socket.destroy();
      resolve(reason);
    };
    socket.setTimeout(timeoutMs, () => done(`${url.host} did not answer within ${timeoutMs} ms`));
    socket.once('connect', () => done(undefined));
    socket.once('error', (err: NodeJS.ErrnoException) => done(`${url.host}: ${err.code ?? err.message}`));
  });
}
