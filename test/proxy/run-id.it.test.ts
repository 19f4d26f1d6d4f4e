/**
 * Connection ids are unique across runs: each run has a random id, in its `listening` event and at the
 * start of every connection id (`k3f9x2-c1`), so two runs appending to one log never share a `c1`.
 * ProxyOptions.runId (and SandwichOptions.runId) pin it; a bad one is refused before anything listens.
 * ProxyOptions.connCounter (what the relay workers of `proxy --workers N` are given) steps both counters.
 */
import assert from 'node:assert/strict';
import { get } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { connId, newRunId, splitConnId, RUN_ID_LENGTH } from '../../src/conn-id.js';
import { ConfigError, UsageError } from '../../src/errors.js';
import { startProxy } from '../../src/proxy/index.js';
import { startSandwich } from '../../src/sandwich/run.js';
import type { WsdiagEvent } from '../../src/events/index.js';
import { EventLog } from '../support/event-log.js';
import { startTestProxy, type TestProxy } from '../support/proxy.js';
import { withTimeout } from '../support/wait.js';
import { closedWith, openWsClient, startWsServer, type WsServer } from '../support/ws-servers.js';

/** One plain HTTP request on a connection of its own; resolves with the status once the answer is read. */
function plainGet(url: string): Promise<number> {
  return withTimeout(
    new Promise<number>((resolve, reject) => {
      get(url, { agent: false }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      }).on('error', reject);
    }),
    `GET ${url}`,
  );
}

/** One connection through `harness`, opened and closed; resolves with its id once its close event is out. */
async function oneConnection(harness: TestProxy): Promise<string> {
  const ws = await openWsClient(`${harness.proxy.url}/`);
  ws.close(1000);
  await withTimeout(closedWith(ws), 'the client to close');
  const count = harness.log.of('open').length;
  const open = harness.log.of('open')[count - 1]!;
  await harness.log.closed(open.conn);
  return open.conn;
}

describe('run ids', () => {
  let upstream: WsServer;
  before(async () => {
    upstream = await startWsServer();
  });
  after(async () => {
    await upstream.close();
  });

  it('two runs have different run ids, and their connection ids never meet', async () => {
    const runs: Array<{ run: string | undefined; runId: string; ids: string[] }> = [];
    for (let i = 0; i < 2; i++) {
      const harness = await startTestProxy(upstream.url);
      try {
        const ids = [await oneConnection(harness), await oneConnection(harness)];
        runs.push({ run: harness.log.of('listening')[0]?.run, runId: harness.proxy.runId, ids });
      } finally {
        await harness.proxy.close();
      }
    }
    for (const { run, runId, ids } of runs) {
      assert.match(run ?? '', new RegExp(`^[0-9a-z]{${RUN_ID_LENGTH}}$`), 'a random base36 run id in the listening event');
      assert.equal(runId, run, 'RunningProxy.runId is the one in the listening event');
      assert.deepEqual(ids, [`${run}-c1`, `${run}-c2`], 'the counter still counts from 1 within the run');
    }
    assert.notEqual(runs[0]!.run, runs[1]!.run);
    assert.equal(new Set(runs.flatMap((r) => r.ids)).size, 4);
  });

  it('ProxyOptions.runId pins it', async () => {
    const harness = await startTestProxy(upstream.url, { runId: 'pinned7' });
    try {
      assert.equal(harness.log.of('listening')[0]?.run, 'pinned7');
      assert.equal(await oneConnection(harness), 'pinned7-c1');
    } finally {
      await harness.proxy.close();
    }
  });

  it('ProxyOptions.connCounter: WebSocket (c) and plain HTTP (h) ids both count from start by step', async () => {
    const harness = await startTestProxy(upstream.url, { runId: 'stepped', connCounter: { start: 2, step: 3 } });
    try {
      assert.deepEqual([await oneConnection(harness), await oneConnection(harness)], ['stepped-c2', 'stepped-c5']);
      // The ws server answers a request that is not an upgrade itself (426): a plain HTTP exchange each.
      const http = harness.proxy.url.replace(/^ws:/, 'http:');
      assert.deepEqual([await plainGet(`${http}/one`), await plainGet(`${http}/two`)], [426, 426]);
      const exchanges = await harness.log.waitForCount('http', 2);
      assert.deepEqual(
        exchanges.map((e) => e.conn),
        ['stepped-h2', 'stepped-h5'],
      );
    } finally {
      await harness.proxy.close();
    }
  });

  it('a connection counter that does not start at a whole number of at least 1 is refused, before anything listens', async () => {
    for (const connCounter of [
      { start: 0, step: 1 },
      { start: 1, step: 0 },
      { start: 1.5, step: 2 },
    ]) {
      const log = new EventLog();
      await assert.rejects(
        startProxy({ target: upstream.url, listen: { host: '127.0.0.1', port: 0 }, onEvent: log.push, connCounter }),
        (err: unknown) => err instanceof ConfigError && err.option === 'connCounter',
      );
      assert.deepEqual(log.events, [], `nothing listened for ${JSON.stringify(connCounter)}`);
    }
  });

  it('a run id that is not lowercase letters and digits is a usage error, before anything listens', async () => {
    for (const runId of ['', 'Run1', 'a-b', 'a b', 'x'.repeat(33)]) {
      const log = new EventLog();
      await assert.rejects(
        startProxy({ target: upstream.url, listen: { host: '127.0.0.1', port: 0 }, onEvent: log.push, runId }),
        (err: unknown) => err instanceof UsageError && err.message === `run id "${runId}" must be 1 to 32 lowercase letters or digits`,
      );
      assert.deepEqual(log.events, [], `nothing listened for ${JSON.stringify(runId)}`);
    }
  });

  it('the sandwich gives both legs one run id: front legs <run>-c1, return legs <run>-r1', async () => {
    const events: WsdiagEvent[] = [];
    const sandwich = await startSandwich({
      listen: { host: '127.0.0.1', port: 0 },
      returnListen: { host: '127.0.0.1', port: 0 },
      // Nothing needs to answer on --via: only the listening events are looked at.
      via: 'ws://127.0.0.1:9/',
      target: upstream.url,
      onEvent: (event) => events.push(event),
    });
    try {
      const runs = events.flatMap((e) => (e.type === 'listening' ? [e.run] : []));
      assert.equal(runs.length, 2);
      assert.equal(runs[0], runs[1]);
      assert.equal(runs[0], sandwich.runId);
      assert.match(sandwich.runId, new RegExp(`^[0-9a-z]{${RUN_ID_LENGTH}}$`));
    } finally {
      await sandwich.close();
    }
    const pinned = await startSandwich({
      listen: { host: '127.0.0.1', port: 0 },
      returnListen: { host: '127.0.0.1', port: 0 },
      via: 'ws://127.0.0.1:9/',
      target: upstream.url,
      runId: 'both',
      onEvent: () => {},
    });
    try {
      assert.deepEqual([pinned.runId, pinned.front.runId, pinned.back.runId], ['both', 'both', 'both']);
    } finally {
      await pinned.close();
    }
  });
});

describe('conn-id helpers', () => {
  it('newRunId: lowercase base36 of a fixed length, different each time', () => {
    const ids = Array.from({ length: 50 }, () => newRunId());
    for (const id of ids) assert.match(id, new RegExp(`^[0-9a-z]{${RUN_ID_LENGTH}}$`));
    // 50 draws from 36^6: a repeat would take odds of about 1 in 2 million.
    assert.equal(new Set(ids).size, ids.length);
  });

  it('connId and splitConnId round-trip; an id from before run ids has no run', () => {
    assert.equal(connId('k3f9x2', 'r', 12), 'k3f9x2-r12');
    assert.deepEqual(splitConnId('k3f9x2-r12'), { run: 'k3f9x2', local: 'r12' });
    assert.deepEqual(splitConnId('c4'), { run: null, local: 'c4' });
  });
});
