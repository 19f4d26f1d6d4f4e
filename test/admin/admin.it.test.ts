/**
 * `--admin` as users run it: a real wsdiag relaying known traffic with known faults (raw peers), then
 * /metrics read back exactly; /healthz and /readyz through a run's life (503 before listening and from the
 * first moment of a drain, with /metrics still served during the drain); 404 and 405; a port in use is
 * one line and exit 3.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ProxyMetrics, startAdminServer } from '../../src/admin/index.js';
import { KNOWN_SAMPLES, playKnownTraffic, startKnownUpstream } from '../support/admin-traffic.js';
import { runCli, startCli, type RunningChild } from '../support/cli.js';
import { occupiedPort } from '../support/net.js';
import { family, parseSamples, sampleKey } from '../support/prometheus.js';
import { connectRawClient, startRawServer, type RawServer } from '../support/raw-peers.js';

/** The `admin` address of the child's `listening` event. */
async function adminUrl(child: RunningChild): Promise<string> {
  const line = await child.waitForLine((l) => l.includes('"type":"listening"'), 'the listening event');
  const event = JSON.parse(line) as { admin?: string; port: number };
  assert.match(event.admin ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);
  return event.admin ?? '';
}

describe('wsdiag proxy --admin: /metrics after known traffic', () => {
  let upstream: RawServer;
  let proxy: RunningChild;
  let admin: string;

  before(async () => {
    upstream = await startKnownUpstream();
    proxy = startCli(['proxy', '--target', upstream.url, '--listen', '127.0.0.1:0', '--admin', '0', '--json']);
    admin = await adminUrl(proxy);
    await playKnownTraffic(proxy, await proxy.port(), upstream);
  });
  after(async () => {
    await proxy.stop('SIGTERM');
    await upstream.close();
  });

  it('counts exactly what was relayed, by direction, rule, code and blame', async () => {
    const response = await fetch(`${admin}/metrics`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const samples = parseSamples(await response.text());
    for (const [key, value] of Object.entries(KNOWN_SAMPLES)) assert.equal(samples.get(key), value, key);
    // Only the faults sent: no other violation, peer close, upstream error or failed upgrade.
    for (const name of [
      'wsdiag_violations_total',
      'wsdiag_peer_closes_total',
      'wsdiag_handshake_failures_total',
      'wsdiag_upstream_errors_total',
    ]) {
      const expected = Object.fromEntries(Object.entries(KNOWN_SAMPLES).filter(([key]) => key.startsWith(`${name}{`)));
      assert.deepEqual(family(samples, name), expected, name);
    }
    // "abc" one way, "hello" the other; the message that is not UTF-8 is counted as a message too.
    assert.equal(samples.get(sampleKey('wsdiag_messages_total', { dir: 'client->server' })), 2);
    assert.equal(samples.get(sampleKey('wsdiag_messages_total', { dir: 'server->client' })), 1);
    // The first chunk is always timed; every observation is in the +Inf bucket.
    const count = samples.get('wsdiag_relay_latency_seconds_count') ?? 0;
    assert.ok(count >= 1, `latency samples: ${count}`);
    assert.equal(samples.get(sampleKey('wsdiag_relay_latency_seconds_bucket', { le: '+Inf' })), count);
    // prom-client's default process metrics.
    assert.ok((samples.get('process_resident_memory_bytes') ?? 0) > 0);
    assert.ok(samples.has('nodejs_eventloop_lag_seconds'));
    // Bounded labels: never a path, a host or a connection id.
    for (const key of samples.keys()) assert.doesNotMatch(key, /\/ok|\/refused|127\.0\.0\.1|-c1/, key);
  });

  it('answers /healthz and /readyz with 200 while it relays, HEAD without a body', async () => {
    for (const path of ['/healthz', '/readyz']) {
      const response = await fetch(`${admin}${path}`);
      assert.equal(response.status, 200, path);
    }
    const head = await fetch(`${admin}/metrics`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), '');
  });

  it('answers an unknown path with 404 and another method with 405', async () => {
    const unknown = await fetch(`${admin}/metrics/extra`);
    assert.equal(unknown.status, 404);
    assert.match(await unknown.text(), /try \/metrics, \/healthz, \/readyz/);
    for (const method of ['POST', 'DELETE', 'PUT']) {
      const response = await fetch(`${admin}/readyz`, { method });
      assert.equal(response.status, 405, method);
      assert.equal(response.headers.get('allow'), 'GET, HEAD');
    }
  });
});

describe('wsdiag proxy --admin: a port in use', () => {
  it('is one line naming --admin, and exit 3, before the proxy listens', async () => {
    const busy = await occupiedPort();
    try {
      const run = await runCli(['proxy', '--target', 'ws://127.0.0.1:1', '--listen', '127.0.0.1:0', '--admin', String(busy.port)]);
      assert.equal(run.code, 3, run.stderr);
      assert.equal(
        run.stderr,
        `wsdiag: --admin: cannot listen on 127.0.0.1:${busy.port}: the address is already in use (another wsdiag or server runs there; pick another port, or 0 for any free one)\n`,
      );
      assert.equal(run.stdout, '', 'nothing listened');
    } finally {
      await busy.release();
    }
  });

  it('a bad address is a usage error (exit 2)', async () => {
    const run = await runCli(['proxy', '--target', 'ws://127.0.0.1:1', '--admin', 'here']);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /^wsdiag: --admin "here" is not HOST:PORT or PORT/);
  });
});

describe('wsdiag proxy --admin: draining', () => {
  it('turns /readyz to 503 at the first moment of the drain and serves /metrics until the drain ends', async () => {
    // An upstream that never answers wsdiag's Close 1001: the drain lasts until the peers go.
    const upstream = await startRawServer();
    const proxy = startCli([
      'proxy',
      '--target',
      upstream.url,
      '--listen',
      '127.0.0.1:0',
      '--admin',
      '127.0.0.1:0',
      '--json',
      '--grace',
      '60000',
    ]);
    try {
      const admin = await adminUrl(proxy);
      const client = await connectRawClient(await proxy.port());
      const peer = await upstream.peer(0);
      assert.equal((await fetch(`${admin}/readyz`)).status, 200);
      proxy.kill('SIGTERM');
      // The drain has begun once both sides got their Close 1001 (no fixed sleep: the bytes say so).
      const isClose1001 = (bytes: Buffer): true | undefined => (bytes[0] === 0x88 && bytes.readUInt16BE(2) === 1001 ? true : undefined);
      await client.collector.until(() => isClose1001(client.body()), 'the Close 1001 at the client');
      // The upstream's is masked: its code follows the 4-byte key.
      await peer.collector.until(
        () => (peer.body().length >= 8 && peer.body()[0] === 0x88 ? true : undefined),
        'the Close at the upstream',
      );
      const ready = await fetch(`${admin}/readyz`);
      assert.equal(ready.status, 503);
      assert.equal(await ready.text(), 'draining\n');
      assert.equal((await fetch(`${admin}/healthz`)).status, 200);
      const scrape = await fetch(`${admin}/metrics`);
      assert.equal(scrape.status, 200);
      const samples = parseSamples(await scrape.text());
      assert.equal(samples.get('wsdiag_connections_open'), 1);
      assert.equal(samples.get('wsdiag_connections_total'), 1);
      // The peers go: the drain ends, the run ends, and the endpoint with it.
      client.socket.destroy();
      peer.socket.destroy();
      const exit = await proxy.exited();
      assert.equal(exit.code, 0, exit.stderr);
      await assert.rejects(fetch(`${admin}/healthz`));
    } finally {
      await upstream.close();
    }
  });
});

describe('startAdminServer: readiness through a run', () => {
  it('is 503 "starting" until ready(), 200 then, 503 "draining" for good after drain()', async () => {
    const server = await startAdminServer({ host: '127.0.0.1', port: 0, metrics: new ProxyMetrics({ defaultMetrics: false }) });
    try {
      const readyz = async (): Promise<[number, string]> => {
        const response = await fetch(`${server.url}/readyz`);
        return [response.status, await response.text()];
      };
      assert.deepEqual(await readyz(), [503, 'starting\n']);
      server.ready();
      assert.deepEqual(await readyz(), [200, 'ready\n']);
      server.drain();
      server.ready();
      assert.deepEqual(await readyz(), [503, 'draining\n']);
      assert.equal(server.readiness, 'draining');
    } finally {
      await server.close();
    }
  });
});
