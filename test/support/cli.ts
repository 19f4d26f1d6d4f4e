/**
 * Child processes, the one way the tests start them: the built CLI (bin/wsdiag.js) as a user runs it, the
 * node programs under test/fixtures/ and examples/, and the real tools some tests lean on (tcpdump, nginx...).
 *
 * - `runCli(args)` runs a command to completion: exit code, signal, stdout and stderr.
 * - `startCli(args)` starts a long-running one: await a line or a pattern on its output, signal it, stop it.
 * - `runNode`/`startNode` do the same for any node script, `runProcess`/`startProcess` for any program.
 *
 * Every wait resolves on the output or the exit itself (no fixed sleeps); its time limit is a generous upper
 * bound that only turns a hang into a failure naming what never came, with the output so far. Every child
 * a test file started and that is still running after the file's last test is killed then (and awaited),
 * so a test that failed before stopping its child cannot keep the run alive.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { after } from 'node:test';
import { fileURLToPath } from 'node:url';
import { waitUntil, withTimeout } from './wait.js';

export const BIN = fileURLToPath(new URL('../../../bin/wsdiag.js', import.meta.url));

/** Upper bound on a whole run, and on any one wait for output (a loaded 2-core machine is slow, not stuck). */
export const RUN_LIMIT_MS = 60_000;
export const WAIT_LIMIT_MS = 30_000;

export interface ChildOptions {
  /** Set in (or, with undefined, removed from) the child's environment. NO_COLOR=1 unless set here. */
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Written to stdin, which is then closed. Without it, runs get an empty stdin and started children an open one. */
  input?: string | Uint8Array;
  /** Nobody reads the child's stdout: it is closed before the child writes anything (`| head` gone at once). */
  closeStdout?: boolean;
  /** Upper bound on the run (runCli/runNode, and exited() without an argument). */
  timeoutMs?: number;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Text to look for: a substring, or a pattern (whose match is returned). */
export type Pattern = string | RegExp;

export interface RunningChild {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** The complete lines of stdout so far. */
  lines(): string[];
  /**
   * Resolves with the first complete stdout line (seen or to come) that contains or matches `match`. `what`
   * names it in the failure message (default: the pattern).
   */
  waitForLine(match: Pattern | ((line: string) => boolean), what?: string, ms?: number): Promise<string>;
  /** Resolves once stdout, stderr, or either, contains or matches `pattern`. */
  waitForStdout(pattern: Pattern, what?: string, ms?: number): Promise<RegExpExecArray>;
  waitForStderr(pattern: Pattern, what?: string, ms?: number): Promise<RegExpExecArray>;
  waitForOutput(pattern: Pattern, what?: string, ms?: number): Promise<RegExpExecArray>;
  /** Resolves once `check` returns something other than undefined, checked at each change of the output. */
  until<T>(check: () => T | undefined, what: string, ms?: number): Promise<T>;
  /** The port of the first `listening` event on stdout (the command runs with --json). */
  port(ms?: number): Promise<number>;
  /** Sends a signal (if the child is still running). */
  kill(signal: NodeJS.Signals): void;
  /** The reader of stdout goes away, as `| head -1` does. */
  closeStdout(): void;
  /** Resolves once the child exited and its output streams closed. */
  exited(ms?: number): Promise<Exit>;
  /** Sends `signal` (default SIGINT) and resolves with the exit. */
  stop(signal?: NodeJS.Signals, ms?: number): Promise<Exit>;
}

const live = new Set<RunningChild>();
after(async () => {
  await Promise.all(
    [...live].map(async (running) => {
      running.kill('SIGKILL');
      await running.exited(WAIT_LIMIT_MS).catch(() => {});
    }),
  );
});

/** `command ...args`, its output collected and awaitable. */
export function startProcess(command: string, args: readonly string[], options: ChildOptions = {}): RunningChild {
  const child = spawn(command, args, {
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const name = [
    command === process.execPath ? (args[0] === BIN ? 'wsdiag' : 'node') : command,
    ...(args[0] === BIN ? args.slice(1) : args),
  ].join(' ');
  const changes = new EventEmitter();
  let stdout = '';
  let stderr = '';
  const lines: string[] = [];
  let partial = '';
  let done = false;
  let spawnError: Error | null = null;
  if (options.closeStdout) child.stdout.destroy();
  child.stdout.on('error', () => {});
  child.stdout.setEncoding('utf8').on('data', (data: string) => {
    stdout += data;
    const parts = (partial + data).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
    changes.emit('change');
  });
  child.stderr.setEncoding('utf8').on('data', (data: string) => {
    stderr += data;
    changes.emit('change');
  });
  // A child may exit before reading all of its input: that is its business, not an error of the test.
  child.stdin.on('error', () => {});
  if (options.input !== undefined) child.stdin.end(options.input);
  const exit = new Promise<Exit>((resolve) => {
    child.on('error', (err) => {
      spawnError = err;
      resolve({ code: null, signal: null, stdout, stderr });
    });
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  const output = (): string => `${name}\n--- stdout:\n${stdout.slice(-2000)}\n--- stderr:\n${stderr.slice(-2000)}`;
  /** Waits for `check` on each change of the output; fails at once when the child exited without it. */
  const waitOutput = async <T>(check: () => T | undefined, what: string, ms: number): Promise<T> => {
    const result = await waitUntil(
      changes,
      ['change'],
      () => {
        const found = check();
        return found !== undefined || done ? { found } : undefined;
      },
      () => `${what} of ${output()}`,
      ms,
    );
    if (result.found === undefined) throw new Error(`${name} exited before ${what}\n${output()}`);
    return result.found;
  };
  const waitText = (source: () => string, where: string, pattern: Pattern, what?: string, ms = WAIT_LIMIT_MS): Promise<RegExpExecArray> => {
    const regexp = typeof pattern === 'string' ? new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : pattern;
    return waitOutput(() => regexp.exec(source()) ?? undefined, `${what ?? String(regexp)} on ${where}`, ms);
  };
  const running: RunningChild = {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    lines: () => lines,
    waitForLine: (match, what, ms = WAIT_LIMIT_MS) => {
      const accepts =
        typeof match === 'function'
          ? match
          : typeof match === 'string'
            ? (line: string) => line.includes(match)
            : (line: string) => match.test(line);
      return waitOutput(() => lines.find(accepts), `${what ?? `a line ${String(match)}`} on stdout`, ms);
    },
    until: (check, what, ms = WAIT_LIMIT_MS) => waitOutput(check, what, ms),
    waitForStdout: (pattern, what, ms) => waitText(() => stdout, 'stdout', pattern, what, ms),
    waitForStderr: (pattern, what, ms) => waitText(() => stderr, 'stderr', pattern, what, ms),
    waitForOutput: (pattern, what, ms) => waitText(() => `${stdout}\n${stderr}`, 'the output', pattern, what, ms),
    port: async (ms) => {
      const line = await running.waitForLine((l) => l.includes('"type":"listening"'), 'the listening event', ms);
      return (JSON.parse(line) as { port: number }).port;
    },
    kill: (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    closeStdout: () => child.stdout.destroy(),
    exited: async (ms = options.timeoutMs ?? RUN_LIMIT_MS) => {
      const result = await withTimeout(exit, () => `the exit of ${output()}`, ms);
      if (spawnError) throw spawnError;
      return result;
    },
    stop: (signal = 'SIGINT', ms = WAIT_LIMIT_MS) => {
      running.kill(signal);
      return running.exited(ms);
    },
  };
  // The exit settles every wait: what it waited for came, or it never will.
  void exit.then(() => {
    if (partial !== '') lines.push(partial);
    partial = '';
    done = true;
    live.delete(running);
    changes.emit('change');
  });
  live.add(running);
  return running;
}

/** `node script ...args`, long running. */
export function startNode(script: string, args: readonly string[], options: ChildOptions = {}): RunningChild {
  return startProcess(process.execPath, [script, ...args], options);
}

/** `wsdiag ...args`, long running. */
export function startCli(args: readonly string[], options: ChildOptions = {}): RunningChild {
  return startNode(BIN, args, options);
}

/**
 * `command ...args` to completion. A run that outlives its limit is killed and fails the test with its
 * output so far.
 */
export async function runProcess(command: string, args: readonly string[], options: ChildOptions = {}): Promise<Exit> {
  const running = startProcess(command, args, { input: '', ...options });
  try {
    return await running.exited();
  } finally {
    running.kill('SIGKILL');
  }
}

/** `node script ...args` to completion. */
export function runNode(script: string, args: readonly string[], options: ChildOptions = {}): Promise<Exit> {
  return runProcess(process.execPath, [script, ...args], options);
}

/** `wsdiag ...args` to completion. */
export function runCli(args: readonly string[], options: ChildOptions = {}): Promise<Exit> {
  return runNode(BIN, args, options);
}
