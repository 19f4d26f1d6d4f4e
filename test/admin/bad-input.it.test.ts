/**
 * The admin endpoint's bad input beyond test/admin/admin.it.test.ts (`proxy --admin` on a port in use,
 * /metrics/extra, a scrape during a one-process drain): `chaos --admin` on a port in use, `--admin` on the
 * port `--listen` takes, more unknown paths (each a 404, HEAD too), and a scrape while a `--workers 2`
 * primary drains. Each failure is one line and exit 3, never a stack trace.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli, startCli } from '../support/cli.js';
import { freePort, occupiedPort } from '../support/net.js';
import { parseSamples } from '../support/prometheus.js';
import { connectRawClient, startRawServer } from '../support/raw-peers.js';

const STEP_MS = 30_000;

describe('--admin: bad input', () => {
  it('chaos --admin on a port in use: one line naming --admin, exit 3, nothing listens', async () => {
    const busy = await occupiedPort();
    try {
      const run = await runCli([
        'chaos',
        '--target',
        'ws://127.0.0.1:1',
        '--listen',
        '127.0.0.1:0',
        '--toxic',
        'noop:client->server',
        '--admin',
        String(busy.port),
      ]);
      assert.equal(run.code, 3, run.stderr);
      assert.match(
        run.stderr,
        new RegExp(`^wsdiag: --admin: cannot listen on 127\\.0\\.0\\.1:${busy.port}: the address is already in use [^\\n]*\\n$`),
      );
      assert.equal(run.stdout, '');
    } finally {
      await busy.release();
    }
  });

  it('--admin on the port --listen asks for: one line naming the listen address, exit 3', async () => {
    const port = await freePort();
    const run = await runCli(['proxy', '--target', 'ws://127.0.0.1:1', '--listen', `127.0.0.1:${port}`, '--admin', `127.0.0.1:${port}`]);
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, new RegExp(`^wsdiag: cannot listen on 127\\.0\\.0\\.1:${port}: the address is already in use[^\\n]*\\n$`));
    assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
  });

  it('answers every unknown path 404 (GET and HEAD), whatever it holds', async () => {
    const proxy = startCli(['proxy', '--target', 'ws://127.0.0.1:1', '--listen', '127.0.0.1:0', '--admin', '0', '--json']);
    try {
      const line = await proxy.waitForLine((l) => l.includes('"type":"listening"'), 'the listening event', STEP_MS);
      const admin = (JSON.parse(line) as { admin: string }).admin;
      for (const path of ['/', '/metricsz', '/healthz/', '/readyz/x', '/Metrics', `/${'x'.repeat(5000)}`, '/%00', '/metrics%2F']) {
        for (const method of ['GET', 'HEAD']) {
          const response = await fetch(`${admin}${path}`, { method });
          assert.equal(response.status, 404, `${method} ${path.slice(0, 40)}`);
          const body = await response.text();
          assert.ok(body.length < 300, 'a short answer, the path cut');
        }
      }
      // A query string does not change the path.
      assert.equal((await fetch(`${admin}/metrics?name[]=wsdiag_connections_total`)).status, 200);
      assert.equal((await fetch(`${admin}/healthz`)).status, 200, 'still serving');
    } finally {
      await proxy.stop('SIGTERM', STEP_MS);
    }
  });

  it('proxy --workers 2: a scrape while the primary drains is served, /readyz says draining', async () => {
    // An upstream that never answers wsdiag's Close 1001: the drain lasts until the peers go.
    const upstream = await startRawServer();
    const proxy = startCli([
      'proxy',
      '--target',
      upstream.url,
      '--listen',
      '127.0.0.1:0',
      '--admin',
      '0',
      '--workers',
      '2',
      '--json',
      '--grace',
      '60000',
    ]);
    try {
      const line = await proxy.waitForLine((l) => l.includes('"type":"listening"'), 'the listening event', STEP_MS);
      const { admin, port } = JSON.parse(line) as { admin: string; port: number };
      const client = await connectRawClient(port);
      const peer = await upstream.peer(0);
      await proxy.waitForLine((l) => l.includes('"type":"open"'), 'the open event', STEP_MS);
      proxy.kill('SIGTERM');
      await client.collector.until(
        () => (client.body()[0] === 0x88 && client.body().readUInt16BE(2) === 1001 ? true : undefined),
        'the Close 1001 at the client',
        STEP_MS,
      );
      const ready = await fetch(`${admin}/readyz`);
      assert.deepEqual([ready.status, await ready.text()], [503, 'draining\n']);
      const scrape = await fetch(`${admin}/metrics`);
      assert.equal(scrape.status, 200);
      const samples = parseSamples(await scrape.text());
      assert.equal(samples.get('wsdiag_connections_open'), 1);
      assert.equal(samples.get('wsdiag_connections_total'), 1);
      client.socket.destroy();
      peer.socket.destroy();
      const exit = await proxy.exited(STEP_MS);
      assert.deepEqual([exit.code, exit.signal], [0, null], exit.stderr);
    } finally {
      await upstream.close();
    }
  });
});
