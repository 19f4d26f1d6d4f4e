/**
 * `wsdiag proxy --workers N`: several relay processes on one port, one event stream. The built CLI as a
 * user runs it, real ws endpoints and a raw misbehaving client on 127.0.0.1; every wait is on an event (a
 * line, a close), with a generous bound.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { after, before, describe, it } from 'node:test';
import type { WebSocket } from 'ws';
import { encodeFrame } from '../../src/protocol/encoder.js';
import { runCli, startCli, type RunningChild } from '../support/cli.js';
import { occupiedPort } from '../support/net.js';
import { connectRawClient } from '../support/raw-peers.js';
import { tempDir } from '../support/temp.js';
import { closedWith, nextMessages, openWsClient, startWsServer, type WsServer } from '../support/ws-servers.js';

type Event = Record<string, unknown> & { type: string };

/** Generous: a loaded 2-core machine starts three node processes per proxy here. */
const START_MS = 30_000;
const STEP_MS = 15_000;

function eventsOf(proxy: RunningChild): Event[] {
  return proxy
    .lines()
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Event);
}

async function startProxy(target: string, args: string[]): Promise<{ proxy: RunningChild; port: number }> {
  const proxy = startCli(['proxy', '--target', target, '--listen', '127.0.0.1:0', '--json', ...args]);
  return { proxy, port: await proxy.port(START_MS) };
}

async function stop(proxy: RunningChild, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  const exit = await proxy.stop(signal, STEP_MS);
  assert.deepEqual([exit.code, exit.signal], [0, null], exit.stderr);
}

/** The close event of `conn` on the proxy's stdout. */
function closeLine(proxy: RunningChild, conn: string): Promise<string> {
  return proxy.waitForLine((l) => l.includes('"type":"close"') && l.includes(`"conn":"${conn}"`), `the close of ${conn}`, STEP_MS);
}

/** The id of the n-th (1-based) open event. */
async function nthOpen(proxy: RunningChild, n: number): Promise<string> {
  await proxy.waitForLine(() => eventsOf(proxy).filter((e) => e.type === 'open').length >= n, `open #${n}`, STEP_MS);
  return String(eventsOf(proxy).filter((e) => e.type === 'open')[n - 1]!.conn);
}

/**
 * The same traffic every time, one connection after the other: a clean exchange, a text message that is
 * not UTF-8 (the ws server closes 1007), and an unmasked client frame (1002).
 */
async function scriptedTraffic(proxy: RunningChild, port: number): Promise<void> {
  const url = `ws://127.0.0.1:${port}`;
  const clean = await openWsClient(`${url}/chat`);
  const echoes = nextMessages(clean, 2);
  clean.send('héllo');
  clean.send(Buffer.from([1, 2, 3]));
  await echoes;
  clean.close(1000, 'bye');
  await closedWith(clean, STEP_MS);
  await closeLine(proxy, await nthOpen(proxy, 1));

  const invalid = await openWsClient(`${url}/text`);
  const closed = closedWith(invalid, STEP_MS);
  invalid.send(Buffer.from([0x68, 0xc3, 0x28]), { binary: false });
  await closed;
  await closeLine(proxy, await nthOpen(proxy, 2));

  const raw = await connectRawClient(port, { path: '/raw' });
  assert.equal(raw.statusCode, 101);
  raw.send(encodeFrame({ opcode: 0x1, payload: Buffer.from('hi') }));
  const conn = await nthOpen(proxy, 3);
  // The server answers with Close 1002 and waits for ours: a FIN ends it instead.
  await proxy.waitForLine((l) => l.includes('"type":"peer-close"') && l.includes(`"conn":"${conn}"`), `the peer-close of ${conn}`, STEP_MS);
  raw.socket.end();
  await closeLine(proxy, conn);
}

/** Events with what differs between runs taken out: times, ports, the run id, and connection ids (renamed in order of appearance). */
function normalized(events: readonly Event[]): Event[] {
  const ids = new Map<string, string>();
  const rename = (text: string): string =>
    text.replace(/\b[0-9a-z]+-c\d+\b/g, (id) => {
      if (!ids.has(id)) ids.set(id, `conn${ids.size + 1}`);
      return ids.get(id)!;
    });
  return events.map((event) => {
    const copy: Event = { ...event };
    delete copy.ts;
    delete copy.duration_ms;
    // The instance is the run id unless --instance names it.
    delete copy.instance;
    if (copy.type === 'listening') {
      delete copy.port;
      delete copy.run;
      delete copy.workers;
    }
    if (typeof copy.client === 'string') copy.client = copy.client.replace(/:\d+$/, ':PORT');
    return JSON.parse(rename(JSON.stringify(copy))) as Event;
  });
}

describe('proxy --workers', () => {
  const dir = tempDir('workers');
  let server: WsServer;
  before(async () => {
    server = await startWsServer();
  });
  after(async () => {
    await server.close();
  });

  it('gives the same events (times, ports and ids aside) with 1 and 2 workers for the same traffic', async () => {
    const runs: Event[][] = [];
    for (const workers of ['1', '2']) {
      const { proxy, port } = await startProxy(server.url, ['--workers', workers]);
      await scriptedTraffic(proxy, port);
      await stop(proxy);
      runs.push(eventsOf(proxy));
    }
    const [one, two] = runs as [Event[], Event[]];
    assert.equal(one[0]!.workers, undefined, 'one process: no workers field');
    assert.equal(two[0]!.workers, 2);
    assert.deepEqual(
      one.map((e) => e.type),
      // prettier-ignore
      ['listening',
        'open', 'peer-close', 'peer-close', 'close',
        'open', 'violation', 'peer-close', 'peer-close', 'close',
        'open', 'violation', 'peer-close', 'close',
        'summary'],
    );
    assert.deepEqual(normalized(two), normalized(one));
  });

  it('numbers connections apart in each worker: ids unique, <run>-c<N>, both workers serving', async () => {
    const { proxy, port } = await startProxy(server.url, ['--workers', '2']);
    const run = String(eventsOf(proxy)[0]!.run);
    const clients = await Promise.all(Array.from({ length: 16 }, () => openWsClient(`ws://127.0.0.1:${port}/many`)));
    await proxy.waitForLine(() => eventsOf(proxy).filter((e) => e.type === 'open').length >= 16, '16 opens', STEP_MS);
    const ids = eventsOf(proxy)
      .filter((e) => e.type === 'open')
      .map((e) => String(e.conn));
    assert.equal(new Set(ids).size, 16, `unique ids: ${ids.join(' ')}`);
    const numbers = ids.map((id) => {
      const match = new RegExp(`^${run}-c(\\d+)$`).exec(id);
      assert.ok(match, `${id} is <run>-c<N>`);
      return Number(match[1]);
    });
    // Worker 1 counts 1, 3, 5...; worker 2 counts 2, 4, 6...: both got connections.
    assert.deepEqual(new Set(numbers.map((n) => n % 2)), new Set([0, 1]), `numbers ${numbers.join(' ')}`);
    for (const ws of clients) ws.close();
    // One wait for all of them (not one waiter per id on the child's output).
    const closed = (): true | undefined => {
      const closes = new Set(eventsOf(proxy).flatMap((e) => (e.type === 'close' ? [String(e.conn)] : [])));
      return ids.every((id) => closes.has(id)) ? true : undefined;
    };
    await proxy.until(closed, 'the close of every connection', STEP_MS);
    await stop(proxy);
  });

  it('writes the --log in whole lines while both workers relay at once', async () => {
    const log = dir.file('concurrent.log');
    const { proxy, port } = await startProxy(server.url, ['--workers', '2', '--frames', '--log', log]);
    const clients = 12;
    const messages = 40;
    await Promise.all(
      Array.from({ length: clients }, async (_, i) => {
        const ws = await openWsClient(`ws://127.0.0.1:${port}/burst/${i}`);
        const echoes = nextMessages(ws, messages, STEP_MS);
        for (let m = 0; m < messages; m++) ws.send(`message ${m} of client ${i}: ${'x'.repeat(m * 7)}`);
        await echoes;
        ws.close(1000);
        await closedWith(ws, STEP_MS);
      }),
    );
    await proxy.waitForLine(() => eventsOf(proxy).filter((e) => e.type === 'close').length >= clients, 'every close', STEP_MS);
    await stop(proxy);
    const text = readFileSync(log, 'utf8');
    assert.ok(text.endsWith('\n'));
    const lines = text.slice(0, -1).split('\n');
    const events = lines.map((line, i) => {
      try {
        return JSON.parse(line) as Event;
      } catch {
        assert.fail(`line ${i + 1} of the log is not one whole JSON event: ${line.slice(0, 200)}`);
      }
    });
    assert.deepEqual(
      lines,
      eventsOf(proxy).map((e) => JSON.stringify(e)),
      'the log holds what stdout printed',
    );
    // Each client: its messages and their echoes, its Close and the server's answer.
    assert.equal(events.filter((e) => e.type === 'frame').length, clients * (2 * messages + 2));
    assert.equal(events.filter((e) => e.type === 'open').length, clients);
    assert.equal(events.at(-1)!.type, 'summary');
    assert.equal(events.at(-1)!.connections, clients);
  });

  it('stops gracefully: every connection gets Close 1001 and its close event is logged before the summary', async () => {
    const log = dir.file('stop.log');
    const { proxy, port } = await startProxy(server.url, ['--workers', '2', '--log', log, '--grace', '10000']);
    const clients: WebSocket[] = await Promise.all(Array.from({ length: 6 }, () => openWsClient(`ws://127.0.0.1:${port}/stay`)));
    await proxy.waitForLine(() => eventsOf(proxy).filter((e) => e.type === 'open').length >= 6, '6 opens', STEP_MS);
    const seen = clients.map((ws) => closedWith(ws, STEP_MS));
    await stop(proxy, 'SIGINT');
    for (const close of await Promise.all(seen)) assert.deepEqual(close, { code: 1001, reason: 'wsdiag is shutting down' });
    const events = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Event);
    const closes = events.filter((e) => e.type === 'close');
    assert.equal(closes.length, 6);
    for (const close of closes) assert.deepEqual([close.ended_by, close.how], ['proxy', 'shutdown']);
    assert.equal(events.at(-1)!.type, 'summary');
    assert.deepEqual(
      events.filter((e) => e.type === 'error'),
      [],
    );
  });

  it('reports a worker that dies as an error event, and relays on with the others', async () => {
    const { proxy, port } = await startProxy(server.url, ['--workers', '2']);
    const pid = proxy.child.pid!;
    const workers = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).map(Number);
    assert.equal(workers.length, 2, `two worker processes under ${pid}: ${workers.join(' ')}`);
    process.kill(workers[0]!, 'SIGKILL');
    const error = await proxy.waitForLine((l) => l.includes('"type":"error"'), 'the error event about the worker', STEP_MS);
    assert.match(String((JSON.parse(error) as Event).message), /^Relay worker [12] was killed by SIGKILL: .*the other workers relay on\.$/);
    const ws = await openWsClient(`ws://127.0.0.1:${port}/after`);
    const echo = nextMessages(ws, 1);
    ws.send('still here');
    assert.equal((await echo)[0]!.data.toString(), 'still here');
    ws.close();
    await closeLine(proxy, await nthOpen(proxy, 1));
    await stop(proxy);
  });

  it('fails with exit 3 and one line when the port is taken, and exit 2 for a bad count', async () => {
    const busy = await occupiedPort();
    try {
      const result = await runCli(['proxy', '--target', server.url, '--listen', `127.0.0.1:${busy.port}`, '--workers', '2'], {
        timeoutMs: START_MS,
      });
      assert.equal(result.code, 3, result.stderr);
      assert.match(result.stderr, /^wsdiag: cannot listen on 127\.0\.0\.1:\d+: the address is already in use/);
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    } finally {
      await busy.release();
    }
    const bad = await runCli(['proxy', '--target', server.url, '--workers', '0']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--workers.*expects a whole number of 1 or more, or "auto", got "0"/);
  });
});

describe('proxy --workers auto', () => {
  it('starts one worker per core the process may use', async () => {
    const server = await startWsServer();
    try {
      const { proxy } = await startProxy(server.url, ['--workers', 'auto']);
      const workers = eventsOf(proxy)[0]!.workers;
      assert.equal(workers ?? 1, availableParallelism());
      await stop(proxy);
    } finally {
      await server.close();
    }
  });
});
