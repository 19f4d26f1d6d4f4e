/**
 * How the probe reaches the intermediary: wss:// with --ca or --insecure, an HTTP CONNECT proxy, and the
 * exit-3 errors when it cannot (connection refused, untrusted certificate, CONNECT refused, an
 * intermediary that does not forward to the reflector).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { OperationalError, UsageError } from '../../src/errors.js';
import { runProbe } from '../../src/probe/run.js';
import { startReflector, type Reflector } from '../../src/probe/reflector.js';
import { makeCertificate, type TestCertificate } from '../support/certs.js';
import { freePort } from '../support/net.js';
import { startConnectProxy, startTlsTerminator, type Closable } from './support.js';

let reflector: Reflector;
let cert: TestCertificate;
let tls: Closable;
before(async () => {
  reflector = await startReflector('127.0.0.1', 0);
  cert = makeCertificate();
  tls = await startTlsTerminator(cert.cert, cert.key, reflector.port);
});
after(async () => {
  await tls.close();
  await reflector.close();
  cert.remove();
});

const CASES = 'text/hello,close/server-1000';

test('wss:// through a TLS front end, trusting its CA', async () => {
  const summary = await runProbe({ through: `wss://localhost:${tls.port}/ws`, ca: cert.cert, reflectorInstance: reflector, cases: CASES });
  assert.deepEqual(
    summary.results.map((r) => [r.case, r.status, r.findings.length]),
    [
      ['text/hello', 'pass', 0],
      ['close/server-1000', 'pass', 0],
    ],
  );
});

test('wss:// with --insecure skips verification; without either the run stops with exit 3 and a hint', async () => {
  const insecure = await runProbe({
    through: `wss://127.0.0.1:${tls.port}/ws`,
    insecure: true,
    reflectorInstance: reflector,
    cases: 'text/hello',
  });
  assert.equal(insecure.counts.pass, 1);
  await assert.rejects(
    runProbe({ through: `wss://localhost:${tls.port}/ws`, reflectorInstance: reflector, cases: 'text/hello' }),
    (err: unknown) =>
      err instanceof OperationalError &&
      err.exitCode === 3 &&
      // The hint names the library's options; the CLI names them by its flags.
      /TLS handshake .* failed: .*\(use ca FILE to trust its certificate, or insecure\)$/.test(err.message) &&
      /\(use --ca FILE to trust its certificate, or --insecure\)$/.test(err.describe((option) => `--${option}`)),
  );
});

test('through an HTTP CONNECT proxy, which sees only the tunnel request', async () => {
  const proxy = await startConnectProxy();
  try {
    const summary = await runProbe({
      through: `ws://127.0.0.1:${reflector.port}/ws`,
      forwardProxy: `http://127.0.0.1:${proxy.port}`,
      reflectorInstance: reflector,
      cases: CASES,
    });
    assert.equal(summary.counts.pass, 2);
    assert.deepEqual(proxy.requests, [`127.0.0.1:${reflector.port}`, `127.0.0.1:${reflector.port}`]);
  } finally {
    await proxy.close();
  }
});

test('a CONNECT proxy that refuses the tunnel stops the run with exit 3', async () => {
  const proxy = await startConnectProxy({ refuse: true });
  try {
    await assert.rejects(
      runProbe({
        through: `ws://127.0.0.1:${reflector.port}/ws`,
        forwardProxy: `http://127.0.0.1:${proxy.port}`,
        reflectorInstance: reflector,
        cases: CASES,
      }),
      (err: unknown) => err instanceof OperationalError && /refused CONNECT 127\.0\.0\.1:\d+: "HTTP\/1\.1 403 Forbidden"/.test(err.message),
    );
  } finally {
    await proxy.close();
  }
});

test('an intermediary that cannot be reached stops the run with exit 3', async () => {
  const port = await freePort();
  await assert.rejects(
    runProbe({ through: `ws://127.0.0.1:${port}/ws`, reflectorInstance: reflector, cases: CASES }),
    (err: unknown) => err instanceof OperationalError && /cannot reach ws:\/\/127\.0\.0\.1:\d+\/ws: connection refused/.test(err.message),
  );
});

test('an intermediary that answers but never forwards to the reflector stops the run with exit 3', async () => {
  // A second reflector stands in for an intermediary routed elsewhere: it answers 409 to every upgrade.
  const elsewhere = await startReflector('127.0.0.1', 0);
  try {
    await assert.rejects(
      runProbe({ through: `ws://127.0.0.1:${elsewhere.port}/ws`, reflectorInstance: reflector, cases: CASES }),
      (err: unknown) =>
        err instanceof OperationalError &&
        /does not forward WebSocket upgrades to the reflector at 127\.0\.0\.1:\d+/.test(err.message) &&
        /409 Conflict/.test(err.message),
    );
  } finally {
    await elsewhere.close();
  }
});

test('bad options are usage errors before anything starts', async () => {
  const bad = [
    { through: 'http://example.test/' },
    { through: 'ws://x/', cases: 'nothing-like-this' },
    { through: 'ws://x/', cases: 'invalid/*' },
    { through: 'ws://x/', insecure: true },
    { through: 'ws://x/', forwardProxy: 'socks5://127.0.0.1:1080' },
  ];
  for (const options of bad) {
    await assert.rejects(runProbe({ ...options, reflectorInstance: reflector }), UsageError, JSON.stringify(options));
  }
});
