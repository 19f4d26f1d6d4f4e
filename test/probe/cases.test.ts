/**
 * The case table covers what issue 6 lists, with the exact payload lengths it names; --cases globs
 * select from it; the report formats results the same way every time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StreamRecorder, columnOf, type ProbeFinding } from '../../src/observe/index.js';
import { CASES, selectCases, type SendStep } from '../../src/probe/cases.js';
import { encodeFrame } from '../../src/protocol/encoder.js';
import { caseEvent, probeHeading, renderProbeJunit, summaryEvent } from '../../src/probe/report.js';
import { JsonlReporter, PrettyReporter, createPalette } from '../../src/reporters/index.js';
import { CaptureStream } from '../support/capture-stream.js';
import type { ProbeSummary } from '../../src/probe/run.js';
import type { CaseResult } from '../../src/probe/types.js';

const CLOCK = () => new Date('2026-01-02T03:04:05.678Z');

/** The messages a case's side sends, as the recorder sees them. */
function sentMessages(name: string, side: 'client' | 'server') {
  const c = CASES.find((x) => x.name === name)!;
  const r = new StreamRecorder({ from: side, extensions: c.handshake?.serverExtensions ?? null });
  for (const step of c.steps.filter((s): s is SendStep => s.kind === 'send' && s.from === side)) {
    for (const f of step.frames()) r.push(encodeFrame(side === 'client' && !step.exact ? { ...f, mask: Uint8Array.of(1, 2, 3, 4) } : f));
  }
  return r.stream;
}

test('case names are unique and grouped as group/name', () => {
  const names = CASES.map((c) => c.name);
  assert.equal(new Set(names).size, names.length);
  for (const n of names) assert.match(n, /^[a-z0-9-]+\/[A-Za-z0-9-]+$/);
});

test('the payload lengths of the issue are sent in both directions, exactly', () => {
  for (const [label, length] of [
    ['0', 0],
    ['125', 125],
    ['126', 126],
    ['65535', 65535],
    ['65536', 65536],
    ['1MiB', 1 << 20],
    ['16MiB', 16 << 20],
  ] as const) {
    for (const side of ['client', 'server'] as const) {
      const messages = sentMessages(`length/${label}`, side).messages;
      assert.deepEqual(
        messages.map((m) => [m.opcode, m.length]),
        [[2, length]],
        `length/${label} from the ${side}`,
      );
    }
  }
});

test('the other cases send what their names promise', () => {
  const all256 = sentMessages('bytes/all-256', 'client').messages[0]!;
  assert.deepEqual(
    [...all256.bytes!],
    Array.from({ length: 256 }, (_, i) => i),
  );
  const pings = sentMessages('ping/125-both-ways', 'server').controls.map((c) => [c.opcode, c.length]);
  assert.deepEqual(pings, [
    [9, 125],
    [9, 0],
  ]);
  const pipeline = sentMessages('pipeline/1000-messages', 'client');
  assert.equal(pipeline.messages.length, 1000);
  assert.equal(new Set(pipeline.messages.map((m) => m.sha256)).size, 1000, 'every pipelined message is distinct, so order is checkable');
  const split = sentMessages('utf8/split-across-fragments', 'client');
  assert.equal(split.messages[0]!.frameLengths.length, 4);
  assert.deepEqual(split.violations, [], 'split UTF-8 is valid as a whole');
  const deflate = sentMessages('deflate/pass-through', 'client');
  assert.deepEqual(
    deflate.messages.map((m) => m.compressed),
    [true, true, false],
  );
  assert.deepEqual(deflate.violations, []);
  const fragmented = sentMessages('fragmented/interleaved-pings', 'client');
  assert.deepEqual(
    fragmented.controls.map((c) => c.dataFramesBefore),
    [1, 2],
  );
  const closes = CASES.filter((c) => c.name.startsWith('close/') && c.close?.code !== null).map((c) => `${c.close!.by} ${c.close!.code}`);
  for (const code of [1000, 1001, 3000, 4999])
    for (const by of ['client', 'server']) assert.ok(closes.includes(`${by} ${code}`), `${by} ${code}`);
});

test('every invalid case breaks the rule it names, and only with --include-invalid', () => {
  const invalid = CASES.filter((c) => c.invalid);
  assert.ok(invalid.length >= 8);
  for (const c of invalid) {
    const stream = sentMessages(c.name, c.invalid!.from);
    assert.ok(
      stream.violations.some((v) => v.rule === c.invalid!.rule),
      `${c.name}: ${JSON.stringify(stream.violations)}`,
    );
  }
  assert.equal(
    selectCases(undefined, false).cases.some((c) => c.invalid),
    false,
  );
  assert.equal(selectCases(undefined, true).cases.length, CASES.length);
});

test('--cases takes comma-separated globs and reports the ones that match nothing', () => {
  const { cases, unmatched } = selectCases('close/client-*, length/1*,nope/*', false);
  assert.deepEqual(
    cases.map((c) => c.name),
    [
      'length/125',
      'length/126',
      'length/1MiB',
      'length/16MiB',
      'close/client-1000',
      'close/client-1001',
      'close/client-3000',
      'close/client-4999',
    ],
  );
  assert.deepEqual(unmatched, ['nope/*']);
  assert.deepEqual(selectCases('text.hello', false).cases, [], 'a dot is literal');
});

// -------------------------------------------------------------------------------------------------
// Report

const finding = (
  check: ProbeFinding['check'],
  severity: ProbeFinding['severity'],
  dir: ProbeFinding['dir'],
  message: string,
): ProbeFinding => ({
  check,
  severity,
  blame: severity === 'info' ? null : 'intermediary',
  dir,
  message,
});

const RESULTS: CaseResult[] = [
  { case: 'text/hello', summary: '', status: 'pass', durationMs: 12, findings: [], maxLatencyMs: 0.4, error: null },
  {
    case: 'close/client-1000',
    summary: '',
    status: 'fail',
    durationMs: 30,
    maxLatencyMs: null,
    error: null,
    findings: [
      finding('close-code-rewritten', 'failure', 'client->server', 'The Close code 1000 arrived as 1001 <&>.'),
      finding('mask-key-changed', 'info', 'client->server', 'new keys'),
    ],
  },
];
const SUMMARY: ProbeSummary = {
  through: 'ws://127.0.0.1:8080/ws',
  reflector: '127.0.0.1:9001',
  forwardProxy: null,
  cases: ['text/hello', 'close/client-1000'],
  results: RESULTS,
  counts: { pass: 1, warn: 0, fail: 1, error: 0 },
  durationMs: 1500,
};

test('findings land in the matrix column of their part of the connection', () => {
  assert.equal(columnOf(finding('extensions-changed', 'failure', 'server->client', '')), 'handshake');
  assert.equal(columnOf(finding('close-swallowed', 'failure', 'client->server', '')), 'close');
  assert.equal(columnOf(finding('payload-altered', 'failure', 'server->client', '')), 'server->client');
  assert.equal(columnOf(finding('timeout', 'warning', null, '')), 'close');
});

test('the matrix prints one row per case and the findings under it', () => {
  const stream = new CaptureStream();
  const output = new PrettyReporter(stream, { color: false, frames: false, quiet: false });
  stream.write(probeHeading(SUMMARY, createPalette(false)));
  for (const r of RESULTS) output.write(caseEvent(r, CLOCK));
  output.write(summaryEvent(SUMMARY, CLOCK));
  assert.equal(
    stream.text,
    [
      'wsdiag probe: ws://127.0.0.1:8080/ws → reflector 127.0.0.1:9001 (2 cases)',
      '',
      '  case                             hs    c→s   s→c   close   latency  result',
      '  text/hello                       ✓     ✓     ✓     ✓        0.4 ms  pass',
      '  close/client-1000                ✓     i     ✓     ✗             -  FAIL',
      '      ✗ c→s close-code-rewritten: The Close code 1000 arrived as 1001 <&>.',
      '      i c→s mask-key-changed: new keys',
      '',
      '2 cases: 1 passed, 0 with warnings, 1 failed, 0 could not run (1.5 s)',
      'Failures are changes the intermediary made that RFC 6455 forbids; "wsdiag probe --help" lists the checks.',
      '',
    ].join('\n'),
  );
});

test('JSON Lines and JUnit carry the same results', () => {
  const stream = new CaptureStream();
  new JsonlReporter(stream).write(caseEvent(RESULTS[1]!, () => new Date('2026-01-02T03:04:05.678Z')));
  const line = JSON.parse(stream.text) as Record<string, unknown>;
  assert.deepEqual(Object.keys(line), ['v', 'type', 'ts', 'case', 'status', 'duration_ms', 'max_latency_ms', 'error', 'findings']);
  assert.equal(line['ts'], '2026-01-02T03:04:05.678Z');
  const xml = renderProbeJunit(SUMMARY, new Date('2026-01-02T03:04:05.678Z'));
  assert.match(
    xml,
    /<testsuite name="wsdiag probe" tests="2" failures="1" errors="0" skipped="0" time="1\.500" timestamp="2026-01-02T03:04:05">/,
  );
  assert.match(
    xml,
    /<failure message="close-code-rewritten: The Close code 1000 arrived as 1001 &lt;&amp;&gt;\." type="close-code-rewritten">/,
  );
  assert.match(xml, /<system-out>info: mask-key-changed \(client-&gt;server\): new keys<\/system-out>/);
});
