/**
 * Scale-out as examples/scale-out describes it: three wsdiag instances (`--instance a/b/c`, `--admin`,
 * `--log`) behind Debian's HAProxy in TCP mode with `leastconn` and /readyz checks, Debian's Prometheus
 * scraping the three admin endpoints. 300 WebSocket connections go through HAProxy, in batches of 10, one in
 * five a raw client that sends a text frame with RSV1 set (no extension negotiated: `reserved-bits`, 1002,
 * blamed on the client). Then the sum over the instances in Prometheus and the summary `wsdiag tail
 * --summary` rebuilds from the three logs both count exactly those faults, and no connection id repeats.
 * Skipped, saying why, without haproxy or prometheus.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { SummaryEvent } from '../../src/events/index.js';
import { closeBody, concatBytes, encodeFrame } from '../../src/protocol/encoder.js';
import { findBinary } from '../support/binaries.js';
import { runCli } from '../support/cli.js';
import { prometheusPath, startPrometheus, type RunningPrometheus } from '../support/prometheus-server.js';
import { connectRawClient, startRawServer, type RawServer } from '../support/raw-peers.js';
import { tempDir } from '../support/temp.js';
import { closedWith, openWsClient } from '../support/ws-servers.js';
import { waitForEvent } from '../support/wait.js';
import { START_MS, STEP_MS, startBalancer, startInstance, type Balancer, type Instance } from './cluster.js';

const CONNECTIONS = 300;
const BATCH = 10;
/** Every fifth connection sends the fault. */
const FAULTS = CONNECTIONS / 5;

/** What every client sends: "abc" and a Close 1000 (17 bytes masked; the fault only sets RSV1). */
const CLOSE_1000 = encodeFrame({ opcode: 8, payload: closeBody(1000), mask: true });
const FAULT_BYTES = concatBytes([encodeFrame({ opcode: 1, payload: 'abc', mask: true, rsv1: true }), CLOSE_1000]);
const SERVER_CLOSE = encodeFrame({ opcode: 8, payload: closeBody(1000) });

const haproxy = findBinary('haproxy');
const prometheus = prometheusPath();
const skip =
  haproxy === null
    ? 'haproxy is not installed (apt-get install haproxy; .ci/run installs it)'
    : 'skip' in prometheus
      ? prometheus.skip
      : false;

/**
 * The upstream behind every instance: accepts, and once a client's 17 bytes ("abc" and its Close) are in,
 * answers Close 1000 and ends the connection, as a server closes one.
 */
function startUpstream(): Promise<RawServer> {
  return startRawServer((peer) => {
    peer.accept();
    void peer.collector
      .until(() => (peer.body().length >= FAULT_BYTES.length ? true : undefined), "the client's message and Close", STEP_MS)
      .then(() => {
        peer.send(SERVER_CLOSE);
        peer.socket.end();
      })
      .catch(() => peer.socket.destroy());
  });
}

/** A real ws client: "abc", Close 1000, and the server's Close 1000 back. */
async function cleanClient(port: number, n: number): Promise<void> {
  const ws = await openWsClient(`ws://127.0.0.1:${port}/clean/${n}`);
  const closed = closedWith(ws, STEP_MS);
  ws.send('abc');
  ws.close(1000);
  assert.equal((await closed).code, 1000, `connection ${n}`);
}

/** A raw client sending "abc" with RSV1 set and a Close 1000; it ends when the server has closed. */
async function faultyClient(port: number, n: number): Promise<void> {
  const client = await connectRawClient(port, { path: `/fault/${n}` });
  assert.equal(client.statusCode, 101, `connection ${n}`);
  const closed = client.socket.closed ? Promise.resolve() : waitForEvent(client.socket, 'close', `the end of connection ${n}`, STEP_MS);
  client.send(FAULT_BYTES);
  await closed;
  assert.deepEqual([...client.body()], [...SERVER_CLOSE], `connection ${n}: the server's Close 1000, relayed`);
}

describe('three instances behind HAProxy, scraped by Prometheus', { skip }, () => {
  const dir = tempDir('scale-out');
  // Unset until before() has run (or if it failed part way): after() stops what was started.
  let upstream: RawServer | undefined;
  const instances: Instance[] = [];
  let balancer: Balancer | undefined;
  let scraper: RunningPrometheus | undefined;

  before(async () => {
    const target = (upstream = await startUpstream()).url;
    for (const id of ['a', 'b', 'c']) instances.push(await startInstance(id, target, dir));
    balancer = await startBalancer(haproxy!, dir, instances, { inter: '1s', fall: 2, rise: 2 });
    scraper = await startPrometheus(
      (prometheus as { path: string }).path,
      dir,
      'wsdiag',
      instances.map((i) => `127.0.0.1:${i.adminPort}`),
    );
  });

  after(async () => {
    await scraper?.stop();
    await balancer?.stop();
    for (const instance of instances) await instance.child.stop('SIGTERM', STEP_MS).catch(() => {});
    await upstream?.close();
  });

  it(`300 connections, ${FAULTS} faults: Prometheus' sum and the merged tail --summary count exactly those; no connection id repeats`, async () => {
    assert.ok(balancer && scraper, 'started');
    const { port } = balancer;
    const prom = scraper;
    for (let start = 0; start < CONNECTIONS; start += BATCH) {
      await Promise.all(
        Array.from({ length: BATCH }, (_, i) => ((start + i) % 5 === 0 ? faultyClient(port, start + i) : cleanClient(port, start + i))),
      );
    }

    // Prometheus, every instance scraped: every connection counted and closed, then the faults summed.
    const sum = (promql: string) => async (): Promise<number | undefined> => {
      const result = await prom.query(promql);
      return result.length === 1 ? result[0]!.value : undefined;
    };
    await prom.until(
      async () => ((await sum('count(up{job="wsdiag"} == 1)')()) === 3 ? true : undefined),
      'the three instances up in Prometheus',
      START_MS,
    );
    await prom.until(
      async () =>
        (await sum('sum(wsdiag_connections_total)')()) === CONNECTIONS && (await sum('sum(wsdiag_connections_open)')()) === 0
          ? true
          : undefined,
      `${CONNECTIONS} connections opened and closed, summed over the instances`,
      START_MS,
    );
    assert.equal(await sum('sum(wsdiag_violations_total)')(), FAULTS);
    const byRule = await prom.query('sum by (rule, code, blame) (wsdiag_violations_total)');
    assert.deepEqual(
      byRule.map((s) => [s.labels, s.value]),
      [[{ rule: 'reserved-bits', code: '1002', blame: 'client' }, FAULTS]],
    );
    // leastconn spread them: every instance relayed some.
    const perInstance = await prom.query('wsdiag_connections_total');
    assert.equal(perInstance.length, 3);
    for (const sample of perInstance) assert.ok(sample.value > 0, `${sample.labels['instance']} relayed none`);

    // The logs: each instance stops (its summary and last events written), then one summary of all three.
    for (const instance of instances) {
      const exit = await instance.child.stop('SIGTERM', STEP_MS);
      assert.deepEqual([exit.code, exit.signal], [0, null], exit.stderr);
    }
    const merged = await runCli(['tail', '--summary', ...instances.map((i) => i.log), '--json']);
    assert.equal(merged.code, 0, merged.stderr);
    const summary = JSON.parse(merged.stdout.trim()) as SummaryEvent;
    assert.equal(summary.type, 'summary');
    assert.deepEqual(
      { connections: summary.connections, violations: summary.violations, by_rule: summary.by_rule, by_code: summary.by_code },
      { connections: CONNECTIONS, violations: FAULTS, by_rule: { 'reserved-bits': FAULTS }, by_code: { '1002': FAULTS } },
    );

    const opens = instances.flatMap((instance) =>
      readFileSync(instance.log, 'utf8')
        .split('\n')
        .filter((line) => line.includes('"type":"open"'))
        .map((line) => JSON.parse(line) as { conn: string; instance: string }),
    );
    assert.equal(opens.length, CONNECTIONS);
    assert.equal(new Set(opens.map((o) => o.conn)).size, CONNECTIONS, 'no connection id twice across the three logs');
    assert.deepEqual(new Set(opens.map((o) => o.instance)), new Set(['a', 'b', 'c']));
  });
});
