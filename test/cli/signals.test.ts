/**
 * The one stop-on-signal helper (src/cli/signals.ts) and the commands that use it: the first SIGINT or
 * SIGTERM asks a long-running command to stop, and it ends with exit 0 after its summary; a second one
 * exits at once, even while the first stop is still waiting; a closed stdout is not a stop; `ci` passes
 * every signal on instead (its own tests check what it does with them).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { connectRawClient, startRawServer } from '../helpers/raw-peers.js';
import { spawnProxy, type SpawnedProxy } from '../helpers/spawn-proxy.js';
import { waitUntil, withTimeout } from '../helpers/wait.js';
import { BIN } from '../support/cli.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/signal-stop.js', import.meta.url));

interface Child {
  child: ChildProcessWithoutNullStreams;
  stderr(): string;
  /** Resolves once stderr holds `text` as a whole line. */
  said(text: string): Promise<void>;
  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children = new Set<ChildProcessWithoutNullStreams>();
after(() => {
  for (const child of children) child.kill('SIGKILL');
});

function start(file: string, args: string[]): Child {
  const child = spawn(process.execPath, [file, ...args], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['pipe', 'pipe', 'pipe'] });
  children.add(child);
  const changes = new EventEmitter();
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (data: string) => {
    stderr += data;
    changes.emit('change');
  });
  child.stdout.on('data', () => {});
  child.stdout.on('error', () => {});
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
      changes.emit('change');
    }),
  );
  return {
    child,
    stderr: () => stderr,
    said: async (text) => {
      await waitUntil(
        changes,
        ['change'],
        () => (stderr.split('\n').includes(text) ? true : undefined),
        `"${text}" on stderr (so far: ${stderr.trim()})`,
        10_000,
      );
    },
    exited: () => withTimeout(exit, 'the child to exit', 10_000),
  };
}

describe('untilSignal', () => {
  for (const first of ['SIGINT', 'SIGTERM'] as const) {
    it(`the first ${first} stops the run; a second signal exits at once with 0, the shutdown still pending`, async () => {
      const run = start(FIXTURE, ['exit']);
      await run.said('ready');
      run.child.kill(first);
      await run.said('stopping');
      run.child.kill(first === 'SIGINT' ? 'SIGTERM' : 'SIGINT');
      assert.deepEqual(await run.exited(), { code: 0, signal: null });
      assert.doesNotMatch(run.stderr(), /^done/m, 'the body never returned: the exit was immediate');
    });
  }

  it('a closed stdout is not a stop: the run goes on until a signal', async () => {
    const run = start(FIXTURE, ['exit']);
    await run.said('ready');
    run.child.stdout.destroy();
    await run.said('stdout closed');
    assert.doesNotMatch(run.stderr(), /^stopping$/m);
    run.child.kill('SIGTERM');
    await run.said('stopping');
    run.child.kill('SIGTERM');
    assert.equal((await run.exited()).code, 0);
  });

  it('second: "pass" hands every signal to the listeners and never exits by itself', async () => {
    const run = start(FIXTURE, ['pass']);
    await run.said('ready');
    run.child.kill('SIGTERM');
    await run.said('stopping');
    run.child.kill('SIGINT');
    assert.deepEqual(await run.exited(), { code: 0, signal: null });
    assert.match(run.stderr(), /^signal SIGTERM\nstopping\nsignal SIGINT\ndone SIGTERM,SIGINT$/m);
  });
});

describe('long-running commands', () => {
  let proxy: SpawnedProxy | undefined;
  after(() => proxy?.child.kill('SIGKILL'));

  it('proxy: a second signal exits at once while the first waits out --grace for closing handshakes', async () => {
    // Neither peer ever answers wsdiag's Close 1001: the first stop would wait the whole grace period.
    const upstream = await startRawServer();
    try {
      proxy = spawnProxy(['--target', upstream.url, '--listen', '127.0.0.1:0', '--json', '--grace', '600000']);
      const client = await connectRawClient(await proxy.port());
      assert.equal(client.statusCode, 101);
      await proxy.waitForLine((line) => line.includes('"type":"open"'), 'the open event');
      proxy.child.kill('SIGINT');
      // The Close 1001 reaching the client says the shutdown has begun.
      await client.collector.until(() => (client.body().length >= 2 ? true : undefined), "wsdiag's Close 1001");
      proxy.child.kill('SIGINT');
      assert.deepEqual(await proxy.exited(), { code: 0, signal: null });
      assert.equal(
        proxy.lines.some((line) => line.includes('"type":"summary"')),
        false,
        'it did not wait for the summary',
      );
      client.socket.destroy();
    } finally {
      await upstream.close();
    }
  });

  it('view: SIGTERM stops serving, exit 0', async () => {
    const view = start(BIN, [
      'view',
      fileURLToPath(new URL('../../../test/fixtures/ui/conversation.jsonl', import.meta.url)),
      '--listen',
      '127.0.0.1:0',
    ]);
    const changes = new EventEmitter();
    let stdout = '';
    view.child.stdout.setEncoding('utf8').on('data', (data: string) => {
      stdout += data;
      changes.emit('change');
    });
    await waitUntil(changes, ['change'], () => (/Ctrl-C stops\.\n/.test(stdout) ? true : undefined), 'the dashboard address', 10_000);
    view.child.kill('SIGTERM');
    assert.deepEqual(await view.exited(), { code: 0, signal: null });
  });
});
