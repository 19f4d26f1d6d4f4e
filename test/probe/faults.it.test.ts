/**
 * The probe through a broken intermediary (test/support/intermediary.ts): `wsdiag chaos` with the toxics
 * of each fault, or, for handshake faults and pings answered on the way, which toxics do not commit, a
 * relay that edits the handshake. With no toxic the suite gives zero findings; each fault is caught, named
 * by its check and blamed on the intermediary; the legal changes give info only.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { runProbe, type ProbeOptions, type ProbeSummary } from '../../src/probe/run.js';
import { startReflector, type Reflector } from '../../src/probe/reflector.js';
import type { ProbeFinding } from '../../src/observe/index.js';
import { bothWays, startIntermediary, type IntermediaryFaults } from '../support/intermediary.js';

let reflector: Reflector;
before(async () => {
  reflector = await startReflector('127.0.0.1', 0);
});
after(async () => {
  await reflector.close();
});

/**
 * The probe's per-case time limit is a generous bound by default: an honest run never waits for it, and a
 * loaded machine must not turn a slow case into a timeout. Faults that lose something (a pong, a Close) are
 * only seen when the limit passes, so those cases set a short one.
 */
const LOSS_SEEN_AFTER_MS = 1500;

async function probeThrough(intermediary: IntermediaryFaults, options: Partial<ProbeOptions> = {}): Promise<ProbeSummary> {
  const proxy = await startIntermediary(`ws://127.0.0.1:${reflector.port}`, intermediary);
  try {
    return await runProbe({ through: `${proxy.url}/ws`, reflectorInstance: reflector, timeoutMs: 20_000, idleSeconds: 0.3, ...options });
  } finally {
    await proxy.close();
  }
}

function all(summary: ProbeSummary): ProbeFinding[] {
  return summary.results.flatMap((r) => r.findings);
}

test('no toxic: the whole default suite passes with zero findings', async () => {
  const summary = await probeThrough({ toxics: [] });
  assert.ok(summary.results.length >= 29, `ran ${summary.results.length} cases`);
  assert.deepEqual(all(summary), []);
  assert.deepEqual(summary.counts, { pass: summary.results.length, warn: 0, fail: 0, error: 0 });
});

test('no toxic: invalid frames are passed on, and the probe says so for each', async () => {
  const summary = await probeThrough({ toxics: [] }, { cases: 'invalid/*', includeInvalid: true });
  assert.ok(summary.results.length >= 8);
  for (const r of summary.results) {
    assert.equal(r.status, 'pass', r.case);
    assert.deepEqual(
      r.findings.map((f) => f.check),
      ['invalid-passed-on'],
      r.case,
    );
  }
});

interface FaultCase {
  intermediary: IntermediaryFaults;
  cases: string;
  /** Check ids (with direction, or `*` for either) that must be among the failures. */
  expect: string[];
  options?: Partial<ProbeOptions>;
}

const FAULTS: Record<string, FaultCase> = {
  'set RSV1': {
    intermediary: { toxics: bothWays('rsv', { bit: 1 }) },
    cases: 'text/hello',
    expect: ['rsv-added client->server', 'rsv-added server->client'],
  },
  'strip the mask': {
    intermediary: { toxics: [{ type: 'mask', stream: 'client->server' }] },
    cases: 'text/hello',
    expect: ['mask-removed client->server'],
  },
  'text to binary': {
    intermediary: { toxics: bothWays('retype', { to: 'binary' }) },
    cases: 'text/hello',
    expect: ['type-changed client->server', 'type-changed server->client'],
  },
  'drop pongs': {
    intermediary: { toxics: bothWays('drop', { frames: 'pong' }) },
    cases: 'ping/*',
    expect: ['pong-lost client->server', 'pong-lost server->client'],
    options: { timeoutMs: LOSS_SEEN_AFTER_MS },
  },
  'truncate over 64 KiB': {
    intermediary: { toxics: bothWays('truncate', { keep: 65536, end: false }) },
    cases: 'length/1MiB',
    expect: ['message-truncated client->server', 'message-truncated server->client'],
  },
  'swallow Close': {
    intermediary: { toxics: bothWays('drop', { frames: 'close' }) },
    cases: 'close/client-1000',
    expect: ['close-swallowed client->server'],
    options: { timeoutMs: LOSS_SEEN_AFTER_MS },
  },
  'rewrite the close code': {
    intermediary: { toxics: bothWays('close-code', { code: 1001 }) },
    cases: 'close/server-4999',
    expect: ['close-code-rewritten server->client', 'close-code-rewritten client->server'],
  },
  'strip Sec-WebSocket-Extensions from the request': {
    intermediary: { handshake: { stripExtensions: 'request' } },
    cases: 'deflate/*',
    expect: ['extensions-changed client->server'],
  },
  'strip Sec-WebSocket-Extensions from the response': {
    intermediary: { handshake: { stripExtensions: 'response' } },
    cases: 'deflate/*',
    expect: ['extensions-changed server->client', 'protocol-violation server->client'],
  },
  // Both directions are held; the finding names the slower one, which depends on the machine's load.
  'add latency': {
    intermediary: { toxics: bothWays('latency', { latency: 250 }) },
    cases: 'text/hello',
    expect: ['latency *'],
    options: { maxLatencyMs: 100 },
  },
};

for (const [name, fault] of Object.entries(FAULTS)) {
  test(`fault "${name}" is caught and blamed on the intermediary`, async () => {
    const summary = await probeThrough(fault.intermediary, { cases: fault.cases, ...fault.options });
    const failures = all(summary).filter((f) => f.severity === 'failure');
    const seen = failures.map((f) => `${f.check} ${f.dir}`);
    for (const wanted of fault.expect) {
      const found = wanted.endsWith(' *') ? seen.some((s) => s.startsWith(wanted.slice(0, -1))) : seen.includes(wanted);
      assert.ok(found, `expected ${wanted} among ${JSON.stringify(seen)}`);
    }
    for (const f of failures) assert.equal(f.blame, 'intermediary', f.message);
    assert.ok(
      summary.results.every((r) => r.status === 'fail'),
      JSON.stringify(summary.results.map((r) => [r.case, r.status])),
    );
  });
}

test('legal changes are info only: new mask keys', async () => {
  const summary = await probeThrough({ toxics: [{ type: 'remask', stream: 'client->server' }] }, { cases: 'text/hello,fragmented/*' });
  assert.deepEqual([...new Set(all(summary).map((f) => `${f.severity} ${f.check}`))], ['info mask-key-changed']);
  assert.equal(summary.counts.pass, summary.results.length);
});

test('pings the intermediary answers itself are info, not lost', async () => {
  const summary = await probeThrough({ handshake: { answerPings: true } }, { cases: 'ping/*' });
  const [result] = summary.results;
  assert.equal(result!.status, 'pass');
  assert.deepEqual(
    result!.findings.map((f) => `${f.severity} ${f.check} ${f.dir}`),
    [
      'info ping-answered-by-intermediary client->server',
      'info ping-answered-by-intermediary client->server',
      'info ping-answered-by-intermediary server->client',
      'info ping-answered-by-intermediary server->client',
    ],
  );
});

test('re-fragmenting is legal without extensions and fails under permessage-deflate', async () => {
  const summary = await probeThrough({ toxics: bothWays('fragment', { size: 1000 }) }, { cases: 'length/65536,deflate/*' });
  const byCase = new Map(summary.results.map((r) => [r.case, r]));
  const plain = byCase.get('length/65536')!;
  assert.equal(plain.status, 'pass');
  assert.deepEqual(
    plain.findings.map((f) => `${f.severity} ${f.check}`),
    ['info refragmented', 'info refragmented'],
  );
  const deflate = byCase.get('deflate/pass-through')!;
  assert.equal(deflate.status, 'fail');
  assert.ok(deflate.findings.some((f) => f.check === 'refragmented' && f.severity === 'failure' && f.rfc === 'RFC 6455 §5.4'));
});
