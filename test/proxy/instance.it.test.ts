/**
 * `--instance ID`: every JSON Lines event of a run (stdout and --log, `listening` and `summary` included)
 * carries the instance that wrote it; without the flag it is the run id; with --workers the whole process
 * group is one instance. And connection ids stay unique across instances and restarts: three starts (two
 * of them the same instance, restarted, appending to one log) never share an id.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseEventLine, type WsdiagEvent } from '../../src/events/index.js';
import { runCli, startCli, type RunningChild } from '../support/cli.js';
import { tempDir } from '../support/temp.js';
import { closedWith, openWsClient, startWsServer, type WsServer } from '../support/ws-servers.js';

const START_MS = 30_000;
const STEP_MS = 15_000;
const REPO = fileURLToPath(new URL('../../../', import.meta.url));

function parsedLines(text: string): WsdiagEvent[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => {
      const parsed = parseEventLine(line);
      assert.ok(parsed.ok, `${line}: ${parsed.ok ? '' : parsed.reason}`);
      return parsed.event;
    });
}

async function startProxy(command: string, target: string, args: string[]): Promise<{ proxy: RunningChild; port: number }> {
  const proxy = startCli([command, '--target', target, '--listen', '127.0.0.1:0', '--json', ...args]);
  return { proxy, port: await proxy.port(START_MS) };
}

/** `n` connections, one after the other, each closed by the client; resolves once every close event is out. */
async function connections(proxy: RunningChild, port: number, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const ws = await openWsClient(`ws://127.0.0.1:${port}/i${i}`);
    ws.close(1000);
    await closedWith(ws, STEP_MS);
  }
  await proxy.until(
    () => (parsedLines(proxy.stdout()).filter((e) => e.type === 'close').length >= n ? true : undefined),
    `${n} close events`,
    STEP_MS,
  );
}

async function stop(proxy: RunningChild): Promise<WsdiagEvent[]> {
  const exit = await proxy.stop('SIGTERM', STEP_MS);
  assert.deepEqual([exit.code, exit.signal], [0, null], exit.stderr);
  return parsedLines(exit.stdout);
}

describe('--instance', () => {
  const dir = tempDir('instance');
  let server: WsServer;
  before(async () => {
    server = await startWsServer();
  });
  after(async () => {
    await server.close();
  });

  it('is on every event of stdout and --log, listening and summary included; the readable log does not show it', async () => {
    const log = dir.file('edge.log');
    const { proxy, port } = await startProxy('proxy', server.url, ['--instance', 'edge-1.a_B', '--log', log]);
    await connections(proxy, port, 2);
    const stdout = await stop(proxy);
    const logged = parsedLines(readFileSync(log, 'utf8'));
    for (const events of [stdout, logged]) {
      assert.deepEqual(new Set(events.map((e) => e.type)), new Set(['listening', 'open', 'peer-close', 'close', 'summary']));
      assert.deepEqual(new Set(events.map((e) => e.instance)), new Set(['edge-1.a_B']));
    }
    const pretty = startCli(['proxy', '--target', server.url, '--listen', '127.0.0.1:0', '--instance', 'edge-1.a_B']);
    await pretty.waitForStdout('listening', 'the readable listening line', START_MS);
    const exit = await pretty.stop('SIGTERM', STEP_MS);
    assert.doesNotMatch(exit.stdout, /edge-1\.a_B/);
  });

  it('defaults to the run id; with --workers 2 one instance for the whole process group', async () => {
    const single = await startProxy('proxy', server.url, []);
    await connections(single.proxy, single.port, 1);
    const events = await stop(single.proxy);
    const run = events[0]?.type === 'listening' ? events[0].run : undefined;
    assert.match(run ?? '', /^[0-9a-z]{6}$/);
    assert.deepEqual(new Set(events.map((e) => e.instance)), new Set([run]));

    const group = await startProxy('proxy', server.url, ['--workers', '2', '--instance', 'group']);
    await connections(group.proxy, group.port, 4);
    const grouped = await stop(group.proxy);
    assert.deepEqual(new Set(grouped.map((e) => e.instance)), new Set(['group']));
    const numbers = grouped.flatMap((e) => (e.type === 'open' ? [Number(/-c(\d+)$/.exec(e.conn)?.[1])] : []));
    assert.equal(numbers.length, 4);
    // Both workers' events (odd and even counters) went through the one stamp, or one worker got them all.
    assert.ok(
      numbers.every((n) => Number.isSafeInteger(n)),
      numbers.join(' '),
    );
  });

  it('connection ids never repeat across instances and restarts (two runs of one instance appending to one log)', async () => {
    const shared = dir.file('a.log');
    const other = dir.file('b.log');
    const first = await startProxy('proxy', server.url, ['--instance', 'a', '--log', shared]);
    const concurrent = await startProxy('proxy', server.url, ['--instance', 'b', '--log', other]);
    await connections(first.proxy, first.port, 3);
    await connections(concurrent.proxy, concurrent.port, 3);
    await stop(first.proxy);
    // The restart: the same instance, the same log.
    const restarted = await startProxy('proxy', server.url, ['--instance', 'a', '--log', shared]);
    await connections(restarted.proxy, restarted.port, 3);
    await stop(restarted.proxy);
    await stop(concurrent.proxy);

    const events = [...parsedLines(readFileSync(shared, 'utf8')), ...parsedLines(readFileSync(other, 'utf8'))];
    const runs = events.flatMap((e) => (e.type === 'listening' ? [{ run: e.run, instance: e.instance }] : []));
    assert.deepEqual(
      runs.map((r) => r.instance),
      ['a', 'a', 'b'],
    );
    assert.equal(new Set(runs.map((r) => r.run)).size, 3, 'a run id per start');
    const ids = events.flatMap((e) => (e.type === 'open' ? [e.conn] : []));
    assert.equal(ids.length, 9);
    assert.equal(new Set(ids).size, 9, `no id repeats: ${ids.join(' ')}`);
    // Each counts from c1 within its run: the run id is what keeps them apart.
    assert.deepEqual(
      ids.map((id) => id.replace(/^[0-9a-z]+-/, '')),
      ['c1', 'c2', 'c3', 'c1', 'c2', 'c3', 'c1', 'c2', 'c3'],
    );
  });

  it('chaos and ci take it too', async () => {
    const chaos = await startProxy('chaos', server.url, ['--instance', 'chaos-1', '--toxic', 'rsv:client->server:bit=1']);
    const events = await stop(chaos.proxy);
    assert.deepEqual(new Set(events.map((e) => e.instance)), new Set(['chaos-1']));

    const log = dir.file('ci.log');
    const result = await runCli(
      [
        'ci',
        '--target',
        server.url,
        '--instance',
        'ci-7',
        '--log',
        log,
        '--',
        process.execPath,
        '-e',
        "const ws = new (require('ws'))(process.env.WSDIAG_URL); ws.on('open', () => ws.close(1000)); ws.on('close', () => process.exit(0));",
      ],
      { cwd: REPO, env: { GITHUB_ACTIONS: undefined } },
    );
    assert.equal(result.code, 0, result.stderr);
    const logged = parsedLines(readFileSync(log, 'utf8'));
    assert.deepEqual(new Set(logged.map((e) => e.type)), new Set(['listening', 'open', 'peer-close', 'close', 'summary']));
    assert.deepEqual(new Set(logged.map((e) => e.instance)), new Set(['ci-7']));
  });

  it('a bad instance id is exit 2 naming --instance, before anything listens', async () => {
    for (const bad of ['', 'a b', 'x'.repeat(65), 'é']) {
      const result = await runCli(['proxy', '--target', server.url, '--listen', '127.0.0.1:0', '--instance', bad]);
      assert.equal(result.code, 2, `${JSON.stringify(bad)}: ${result.stderr}`);
      assert.match(result.stderr, /^wsdiag: --instance: instance id ".*" must be 1 to 64 letters, digits, "\.", "_" or "-"\n$/);
      assert.equal(result.stdout, '');
    }
  });
});
