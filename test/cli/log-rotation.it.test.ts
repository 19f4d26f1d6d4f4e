/**
 * Log rotation as logrotate does it: `mv FILE FILE.1`, then SIGHUP, with traffic before, during and after.
 * The moved file and the new one together hold every event of the run exactly once, in order, each line
 * whole JSON: the same lines, byte for byte, as the run's `--json` stdout. A reopen that fails is one line on
 * stderr and the run goes on logging to the file it had. For `proxy` (one process and `--workers 2`, where
 * the primary owns the log), `chaos` and `ci`. Without `--log`, SIGHUP keeps its default.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCli, startCli, type RunningChild } from '../support/cli.js';
import { tempDir } from '../support/temp.js';
import { closedWith, nextMessages, openWsClient, startWsServer, type WsServer } from '../support/ws-servers.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const STEP_MS = 30_000;
const dir = tempDir('rotate');

let upstream: WsServer;
before(async () => {
  upstream = await startWsServer();
});
after(async () => {
  await upstream.close();
});

/** `count` echo exchanges through the proxy, `batch` connections at a time, each closed with 1000. */
async function traffic(port: number, count: number, batch = 10): Promise<void> {
  for (let done = 0; done < count; done += batch) {
    await Promise.all(
      Array.from({ length: Math.min(batch, count - done) }, async (_, i) => {
        const ws = await openWsClient(`ws://127.0.0.1:${port}/rotate/${done + i}`);
        const echo = nextMessages(ws, 1, STEP_MS);
        ws.send(`hello ${done + i}`);
        await echo;
        const closed = closedWith(ws, STEP_MS);
        ws.close(1000);
        assert.equal((await closed).code, 1000);
      }),
    );
  }
}

/** The lines of a JSON Lines file, each checked to be whole JSON. */
function jsonLines(path: string): string[] {
  const text = readFileSync(path, 'utf8');
  assert.ok(text.endsWith('\n'), `${path} ends with a whole line`);
  const lines = text.slice(0, -1).split('\n');
  for (const line of lines) assert.doesNotThrow(() => JSON.parse(line), `a whole JSON line in ${path}: ${line.slice(0, 200)}`);
  return lines;
}

/** The run's --json stdout, which gets every event the log gets, in the same order. */
function stdoutLines(run: { stdout: string }): string[] {
  return run.stdout.trimEnd().split('\n');
}

/** Checks that `files`, read in order, hold exactly the events of stdout, none twice, none missing. */
function assertSplitExactly(files: readonly string[], stdout: readonly string[]): void {
  const parts = files.map(jsonLines);
  for (const [i, part] of parts.entries()) assert.ok(part.length > 0, `${files[i]} got events`);
  assert.deepEqual(parts.flat(), stdout);
  const opens = stdout.map((line) => JSON.parse(line) as { type: string; conn?: string }).filter((event) => event.type === 'open');
  assert.equal(new Set(opens.map((event) => event.conn)).size, opens.length, 'no connection id twice');
}

/** The pids of `pid`'s child processes, from /proc (the relay workers of a primary). */
function childPids(pid: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        // pid (comm) state ppid ...: comm may hold spaces and parentheses, the last ')' ends it.
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);
}

/**
 * Traffic, `mv`, SIGHUP while a second round of traffic is in flight, the reopen awaited on stderr, a
 * third round, the stop; then the moved file and the new one hold the run's events exactly once each.
 */
async function rotateUnderTraffic(run: RunningChild, log: string, options: { workers?: number } = {}): Promise<void> {
  const port = await run.port(STEP_MS);
  await traffic(port, 20);
  const during = traffic(port, 30);
  renameSync(log, `${log}.1`);
  run.kill('SIGHUP');
  if (options.workers !== undefined) {
    // As `systemctl kill -s HUP` does by default: every process of the service gets it; the workers relay on.
    const workers = childPids(run.child.pid ?? 0);
    assert.equal(workers.length, options.workers, 'the relay workers');
    for (const worker of workers) process.kill(worker, 'SIGHUP');
  }
  await run.waitForStderr(`wsdiag: log-reopened ${log}\n`, 'the reopen', STEP_MS);
  await during;
  await traffic(port, 20);
  const exit = await run.stop('SIGTERM', STEP_MS);
  assert.deepEqual([exit.code, exit.signal], [0, null], exit.stderr);
  const stdout = stdoutLines(exit);
  assertSplitExactly([`${log}.1`, log], stdout);
  assert.equal(stdout.filter((line) => line.includes('"type":"open"')).length, 70);
  assert.match(stdout.at(-1) ?? '', /"type":"summary"/, 'the summary goes to the new file');
  assert.equal(exit.stderr.match(/log-reopened/g)?.length, 1, exit.stderr);
}

describe('SIGHUP reopens --log', () => {
  it('proxy: the moved file and the new one hold every event once, in order, whole lines', async () => {
    const log = dir.file('proxy.log');
    await rotateUnderTraffic(startCli(['proxy', '--target', upstream.url, '--listen', '127.0.0.1:0', '--json', '--log', log]), log);
  });

  it('proxy --workers 2: the primary owns the log and reopens it; the workers ignore a SIGHUP', async () => {
    const log = dir.file('workers.log');
    await rotateUnderTraffic(
      startCli(['proxy', '--target', upstream.url, '--listen', '127.0.0.1:0', '--json', '--workers', '2', '--log', log]),
      log,
      { workers: 2 },
    );
  });

  it('chaos: the same', async () => {
    const log = dir.file('chaos.log');
    await rotateUnderTraffic(
      startCli([
        'chaos',
        '--target',
        upstream.url,
        '--listen',
        '127.0.0.1:0',
        '--json',
        '--toxic',
        'fragment:server->client:size=2',
        '--log',
        log,
      ]),
      log,
    );
  });

  it('a reopen that fails is one line on stderr; the run logs on to the file it had and exits 0', async () => {
    const home = dir.file('gone');
    mkdirSync(home);
    const log = join(home, 'wsdiag.log');
    const run = startCli(['proxy', '--target', upstream.url, '--listen', '127.0.0.1:0', '--json', '--log', log]);
    const port = await run.port(STEP_MS);
    await traffic(port, 5);
    // The directory goes away (moved): the path cannot be opened again.
    const moved = `${home}.moved`;
    renameSync(home, moved);
    run.kill('SIGHUP');
    await run.waitForStderr(/^wsdiag: cannot reopen log file .*\n/m, 'the failed reopen', STEP_MS);
    await traffic(port, 5);
    const exit = await run.stop('SIGTERM', STEP_MS);
    assert.deepEqual([exit.code, exit.signal], [0, null], exit.stderr);
    assert.equal(
      exit.stderr,
      `wsdiag: cannot reopen log file ${log}: no such file or directory (ENOENT); events still go to the file opened before\n`,
    );
    assertSplitExactly([join(moved, 'wsdiag.log')], stdoutLines(exit));
  });
});

describe('SIGHUP without --log', () => {
  it('keeps its default: the process ends, as when its terminal closes', async () => {
    const run = startCli(['proxy', '--target', upstream.url, '--listen', '127.0.0.1:0', '--json']);
    await traffic(await run.port(STEP_MS), 1);
    const exit = await run.stop('SIGHUP', STEP_MS);
    assert.deepEqual([exit.code, exit.signal], [null, 'SIGHUP'], exit.stderr);
  });
});

describe('SIGHUP reopens ci --log', () => {
  it('the command rotates the log under it: both files hold every event once', async () => {
    const log = dir.file('ci.log');
    // The "test suite": a connection, the rotation (mv, SIGHUP to wsdiag ci, its parent), a wait for the new
    // file (bounded), a second connection.
    const script = `
      const fs = require('fs'); const { WebSocket } = require('ws');
      const log = ${JSON.stringify(log)};
      const exchange = () => new Promise((resolve, reject) => {
        const ws = new WebSocket(process.env.WSDIAG_URL + '/ci');
        ws.on('open', () => ws.send('ping'));
        ws.on('message', () => ws.close(1000));
        ws.on('close', resolve); ws.on('error', reject);
      });
      const appeared = () => new Promise((resolve, reject) => {
        const deadline = Date.now() + 20000;
        const check = () => fs.existsSync(log) ? resolve() : Date.now() > deadline ? reject(new Error('no new log')) : setTimeout(check, 10);
        check();
      });
      (async () => {
        await exchange();
        fs.renameSync(log, log + '.1');
        process.kill(process.ppid, 'SIGHUP');
        await appeared();
        await exchange();
      })().then(() => process.exit(0), (err) => { console.error(err.message); process.exit(7); });
    `;
    const run = await runCli(['ci', '--target', upstream.url, '--json', '--log', log, '--', process.execPath, '-e', script], { cwd: REPO });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, new RegExp(`^wsdiag: log-reopened ${log.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
    assertSplitExactly([`${log}.1`, log], stdoutLines(run));
  });
});
