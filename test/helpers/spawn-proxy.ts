/**
 * `wsdiag proxy` as a child process (the built bin/wsdiag.js), with its stdout split into lines that a
 * test can wait for, and its exit awaited with a deadline.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { after } from 'node:test';
import { fileURLToPath } from 'node:url';
import { waitUntil, withTimeout } from './wait.js';

/**
 * Every proxy a test file spawned and that has not exited: killed after the file's last test, so a test
 * that failed before stopping its proxy cannot keep the file (and the whole run) alive.
 */
const live = new Set<ChildProcessWithoutNullStreams>();
after(() => {
  for (const child of live) child.kill('SIGKILL');
});

export const BIN = fileURLToPath(new URL('../../../bin/wsdiag.js', import.meta.url));

export interface SpawnedProxy {
  child: ChildProcessWithoutNullStreams;
  lines: string[];
  stderr: () => string;
  /** Resolves with the first stdout line matching `match`. */
  waitForLine(match: (line: string) => boolean, what: string, ms?: number): Promise<string>;
  /** Resolves once the stderr text so far satisfies `match`. */
  waitForStderr(match: (text: string) => boolean, what: string, ms?: number): Promise<string>;
  /** The bound port, read from the first `listening` JSON line (needs --json). */
  port(): Promise<number>;
  exited(ms?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function spawnProxy(args: string[], env: NodeJS.ProcessEnv = {}): SpawnedProxy {
  return spawnCommand('proxy', args, env);
}

/** Another long-running command (`chaos`...) the same way. */
export function spawnCommand(command: string, args: string[], env: NodeJS.ProcessEnv = {}): SpawnedProxy {
  const child = spawn(process.execPath, [BIN, command, ...args], {
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  const lines: string[] = [];
  const changes = new EventEmitter();
  let partial = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (data: string) => {
    const parts = (partial + data).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
    changes.emit('change');
  });
  child.stdout.on('error', () => {});
  child.stderr.setEncoding('utf8').on('data', (data: string) => {
    stderr += data;
    changes.emit('change');
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  exit.then(() => changes.emit('change'));
  const waitForLine = (match: (line: string) => boolean, what: string, ms?: number): Promise<string> =>
    waitUntil(changes, ['change'], () => lines.find(match), `${what} (stderr: ${stderr.trim()})`, ms);
  return {
    child,
    lines,
    stderr: () => stderr,
    waitForLine,
    waitForStderr: (match, what, ms) =>
      waitUntil(changes, ['change'], () => (match(stderr) ? stderr : undefined), `${what} (stderr: ${stderr.trim()})`, ms),
    port: async () => {
      const line = await waitForLine((l) => l.includes('"type":"listening"'), 'the listening line', 10_000);
      return (JSON.parse(line) as { port: number }).port;
    },
    exited: (ms = 10_000) => withTimeout(exit, `wsdiag ${command} to exit`, ms),
  };
}
