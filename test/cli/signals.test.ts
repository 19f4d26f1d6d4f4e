/**
 * The one stop-on-signal helper (src/cli/signals.ts) and the commands that use it: the first SIGINT or
 * SIGTERM asks a long-running command to stop, and it ends with exit 0 after its summary; a second one
 * exits at once, even while the first stop is still waiting; a closed stdout is not a stop; `ci` passes
 * every signal on instead (its own tests check what it does with them).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startCli, startNode, type RunningChild } from '../support/cli.js';
import { connectRawClient, startRawServer } from '../support/raw-peers.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/signal-stop.js', import.meta.url));
const VIEW_LOG = fileURLToPath(new URL('../../../test/fixtures/ui/conversation.jsonl', import.meta.url));

async function exitStatus(run: RunningChild): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  const { code, signal } = await run.exited();
  return { code, signal };
}

/** Resolves once the child's stderr holds `text` as a whole line. */
async function said(run: RunningChild, text: string): Promise<void> {
  await run.waitForStderr(new RegExp(`^${text}$`, 'm'), `"${text}"`);
}

describe('untilSignal', () => {
  for (const first of ['SIGINT', 'SIGTERM'] as const) {
    it(`the first ${first} stops the run; a second signal exits at once with 0, the shutdown still pending`, async () => {
      const run = startNode(FIXTURE, ['exit']);
      await said(run, 'ready');
      run.kill(first);
      await said(run, 'stopping');
      run.kill(first === 'SIGINT' ? 'SIGTERM' : 'SIGINT');
      assert.deepEqual(await exitStatus(run), { code: 0, signal: null });
      assert.doesNotMatch(run.stderr(), /^done/m, 'the body never returned: the exit was immediate');
    });
  }

  it('a closed stdout is not a stop: the run goes on until a signal', async () => {
    const run = startNode(FIXTURE, ['exit']);
    await said(run, 'ready');
    run.closeStdout();
    await said(run, 'stdout closed');
    assert.doesNotMatch(run.stderr(), /^stopping$/m);
    run.kill('SIGTERM');
    await said(run, 'stopping');
    run.kill('SIGTERM');
    assert.equal((await run.exited()).code, 0);
  });

  it('second: "pass" hands every signal to the listeners and never exits by itself', async () => {
    const run = startNode(FIXTURE, ['pass']);
    await said(run, 'ready');
    run.kill('SIGTERM');
    await said(run, 'stopping');
    run.kill('SIGINT');
    assert.deepEqual(await exitStatus(run), { code: 0, signal: null });
    assert.match(run.stderr(), /^signal SIGTERM\nstopping\nsignal SIGINT\ndone SIGTERM,SIGINT$/m);
  });
});

describe('long-running commands', () => {
  it('proxy: a second signal exits at once while the first waits out --grace for closing handshakes', async () => {
    // Neither peer ever answers wsdiag's Close 1001: the first stop would wait the whole grace period.
    const upstream = await startRawServer();
    try {
      const proxy = startCli(['proxy', '--target', upstream.url, '--listen', '127.0.0.1:0', '--json', '--grace', '600000']);
      const client = await connectRawClient(await proxy.port());
      assert.equal(client.statusCode, 101);
      await proxy.waitForLine((line) => line.includes('"type":"open"'), 'the open event');
      proxy.kill('SIGINT');
      // The Close 1001 reaching the client says the shutdown has begun.
      await client.collector.until(() => (client.body().length >= 2 ? true : undefined), "wsdiag's Close 1001");
      proxy.kill('SIGINT');
      assert.deepEqual(await exitStatus(proxy), { code: 0, signal: null });
      assert.equal(
        proxy.lines().some((line) => line.includes('"type":"summary"')),
        false,
        'it did not wait for the summary',
      );
      client.socket.destroy();
    } finally {
      await upstream.close();
    }
  });

  it('view: SIGTERM stops serving, exit 0', async () => {
    const view = startCli(['view', VIEW_LOG, '--listen', '127.0.0.1:0']);
    await view.waitForStdout('Ctrl-C stops.\n', 'the dashboard address');
    view.kill('SIGTERM');
    assert.deepEqual(await exitStatus(view), { code: 0, signal: null });
  });
});
