/**
 * The probe through real intermediaries, with the configs shipped in examples/: nginx and HAProxy as
 * WebSocket reverse proxies, tinyproxy as a CONNECT proxy. Each must pass the default suite with zero
 * findings and pass every invalid frame on unchanged. Skipped, with the reason, when the binary is not
 * installed (.ci/run installs them from Debian).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { runProbe, type ProbeOptions, type ProbeSummary } from '../../src/probe/run.js';
import { startReflector, type Reflector } from '../../src/probe/reflector.js';
import { freePort } from '../support/net.js';
import { findBinary } from '../support/binaries.js';
import { exampleConfig, startIntermediary, writeFile } from './support.js';

let reflector: Reflector;
before(async () => {
  reflector = await startReflector('127.0.0.1', 0);
});
after(async () => {
  await reflector.close();
});

function probe(options: Partial<ProbeOptions> & { through: string }): Promise<ProbeSummary> {
  return runProbe({ reflectorInstance: reflector, includeInvalid: true, idleSeconds: 1, ...options });
}

/** Zero findings on valid traffic; every invalid frame passed on unchanged. */
function assertTransparent(summary: ProbeSummary, name: string): void {
  const report = JSON.stringify(
    summary.results.filter((r) => r.findings.length > 0 && !r.case.startsWith('invalid/')),
    null,
    1,
  );
  for (const r of summary.results) {
    assert.equal(r.status, 'pass', `${name}: ${r.case}\n${report}`);
    if (r.case.startsWith('invalid/'))
      assert.deepEqual(
        r.findings.map((f) => f.check),
        ['invalid-passed-on'],
        `${name}: ${r.case}`,
      );
    else assert.deepEqual(r.findings, [], `${name}: ${r.case}`);
  }
  assert.ok(summary.results.length >= 39, `${name}: ran ${summary.results.length} cases`);
}

test('nginx (examples/nginx/nginx.conf) passes WebSocket traffic on unchanged', async (t) => {
  const nginx = findBinary('nginx');
  if (!nginx) return t.skip('nginx not installed');
  const port = await freePort();
  const conf = exampleConfig('nginx/nginx.conf', [
    ['127.0.0.1:8080', `127.0.0.1:${port}`],
    ['127.0.0.1:9001', `127.0.0.1:${reflector.port}`],
  ]);
  const running = await startIntermediary(
    nginx,
    (dir) => ['-p', dir, '-c', 'nginx.conf', '-e', 'stderr'],
    (dir) => writeFile(dir, 'nginx.conf', conf),
    port,
  );
  try {
    assertTransparent(await probe({ through: `ws://127.0.0.1:${port}/ws` }), 'nginx');
  } finally {
    await running.stop();
  }
});

test('HAProxy (examples/haproxy/haproxy.cfg) passes WebSocket traffic on unchanged', async (t) => {
  const haproxy = findBinary('haproxy');
  if (!haproxy) return t.skip('haproxy not installed');
  const port = await freePort();
  const conf = exampleConfig('haproxy/haproxy.cfg', [
    ['127.0.0.1:8082', `127.0.0.1:${port}`],
    ['127.0.0.1:9001', `127.0.0.1:${reflector.port}`],
  ]);
  const running = await startIntermediary(
    haproxy,
    () => ['-f', 'haproxy.cfg', '-db'],
    (dir) => writeFile(dir, 'haproxy.cfg', conf),
    port,
  );
  try {
    assertTransparent(await probe({ through: `ws://127.0.0.1:${port}/ws` }), 'haproxy');
  } finally {
    await running.stop();
  }
});

test('tinyproxy (examples/tinyproxy/tinyproxy.conf) tunnels WebSocket traffic unchanged with CONNECT', async (t) => {
  const tinyproxy = findBinary('tinyproxy');
  if (!tinyproxy) return t.skip('tinyproxy not installed');
  const port = await freePort();
  const conf = exampleConfig('tinyproxy/tinyproxy.conf', [['Port 8888', `Port ${port}`]]);
  const running = await startIntermediary(
    tinyproxy,
    () => ['-d', '-c', 'tinyproxy.conf'],
    (dir) => writeFile(dir, 'tinyproxy.conf', conf),
    port,
  );
  try {
    const summary = await probe({ through: `ws://127.0.0.1:${reflector.port}/ws`, forwardProxy: `http://127.0.0.1:${port}` });
    assert.equal(summary.forwardProxy, `http://127.0.0.1:${port}/`);
    assertTransparent(summary, 'tinyproxy');
  } finally {
    await running.stop();
  }
});
