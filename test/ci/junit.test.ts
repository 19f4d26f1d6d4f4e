import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderJunit, type JunitInput } from '../../src/ci/junit.js';
import { DEFAULT_FAIL_ON, parseFailOn, type FailOnPolicy } from '../../src/ci/policy.js';
import { RunRecorder } from '../../src/ci/recorder.js';
import { escapeAttribute, escapeText, xmlSafe } from '../../src/reporters/xml.js';
import type { CloseEvent, ErrorEvent, OpenEvent, PeerCloseEvent, ViolationEvent, WsdiagEvent } from '../../src/events/index.js';
import { childrenNamed, onlyChild, parseXml, XmlError, type XmlElement } from './xml-parser.js';

const STARTED = new Date('2024-05-01T12:00:00.500Z');

const open = (conn: string, path: string): OpenEvent => ({
  v: 1,
  type: 'open',
  ts: '2024-05-01T12:00:01.000Z',
  conn,
  client: '127.0.0.1:51000',
  path,
  subprotocol: null,
  extensions: null,
});

const violation = (conn: string, overrides: Partial<ViolationEvent> = {}): ViolationEvent => ({
  v: 1,
  type: 'violation',
  ts: '2024-05-01T12:00:01.250Z',
  conn,
  dir: 'client->server',
  code: 1002,
  rule: 'reserved-bits',
  severity: 'error',
  blame: 'client',
  frame: { index: 3, offset: 120, opcode: 1, length: 5 },
  message: 'RSV2 is set on a text frame but no negotiated extension defines it.',
  hint: 'Clear RSV bits unless an extension negotiated in the handshake defines them.',
  rfc: 'RFC 6455 §5.2, RFC 7692 §6.1',
  ...overrides,
});

const peerClose = (conn: string): PeerCloseEvent => ({
  v: 1,
  type: 'peer-close',
  ts: '2024-05-01T12:00:01.500Z',
  conn,
  by: 'server',
  code: 1002,
  reason: 'reserved bits',
  cause: { rule: 'reserved-bits', dir: 'client->server', frame: { index: 3, offset: 120, opcode: 1, length: 5 } },
  blame: 'client',
  explain: 'The server closed with 1002 because the client set RSV2 on frame #3.',
});

const close = (conn: string, durationMs: number, violations: number, suppressed: number): CloseEvent => ({
  v: 1,
  type: 'close',
  ts: '2024-05-01T12:00:02.000Z',
  conn,
  duration_ms: durationMs,
  frames: { 'client->server': 4, 'server->client': 1 },
  bytes: { 'client->server': 130, 'server->client': 20 },
  violations,
  suppressed,
  ended_by: 'server',
  how: 'close-frame',
});

const upstreamError = (conn: string | null, status?: number): ErrorEvent => ({
  v: 1,
  type: 'error',
  ts: '2024-05-01T12:00:03.000Z',
  conn,
  message:
    status === undefined
      ? 'A client sent a request wsdiag could not parse.'
      : `The upstream answered the upgrade of /admin with ${status} Bad Gateway instead of 101 Switching Protocols; the answer was relayed to the client.`,
  ...(status === undefined ? {} : { status }),
});

interface Fed {
  events: WsdiagEvent[];
  suppressed?: ViolationEvent[];
  policy?: FailOnPolicy;
}

function render({ events, suppressed = [], policy = DEFAULT_FAIL_ON }: Fed): { xml: string; root: XmlElement; suite: XmlElement } {
  const recorder = new RunRecorder(policy);
  for (const event of events) recorder.write(event);
  for (const v of suppressed) recorder.suppressed(v);
  const input: JunitInput = {
    startedAt: STARTED,
    durationMs: 2345,
    connections: recorder.connections,
    runErrors: recorder.runErrors,
    properties: [
      ['target', 'ws://127.0.0.1:9000'],
      ['fail-on', policy.text],
    ],
  };
  const xml = renderJunit(input);
  const root = parseXml(xml);
  return { xml, root, suite: onlyChild(root, 'testsuite') };
}

const cases = (suite: XmlElement) => childrenNamed(suite, 'testcase');
const countsOf = (el: XmlElement) =>
  Object.fromEntries(['tests', 'failures', 'errors', 'skipped'].map((name) => [name, el.attributes[name]]));

describe('JUnit report', () => {
  const run: Fed = {
    events: [
      open('c1', '/chat?token=s3cret'),
      violation('c1'),
      violation('c1', {
        rule: 'unsupported-text',
        code: 1003,
        severity: 'warning',
        message: 'A text message went to a binary-only server.',
      }),
      peerClose('c1'),
      close('c1', 1250, 4, 2),
      open('c2', '/feed'),
      close('c2', 80, 0, 0),
      upstreamError('c3', 502),
      upstreamError(null),
    ],
    suppressed: [violation('c1', { ts: '2024-05-01T12:00:01.300Z' }), violation('c1', { ts: '2024-05-01T12:00:01.310Z' })],
  };

  it('has one suite with counts per test case, a UTC timestamp and the run time', () => {
    const { root, suite, xml } = render(run);
    assert.ok(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n'));
    assert.equal(root.name, 'testsuites');
    assert.equal(suite.attributes['name'], 'wsdiag');
    assert.deepEqual(countsOf(suite), { tests: '3', failures: '1', errors: '1', skipped: '0' });
    assert.deepEqual(countsOf(root), countsOf(suite));
    assert.equal(suite.attributes['time'], '2.345');
    assert.equal(suite.attributes['timestamp'], '2024-05-01T12:00:00');
    const properties = onlyChild(suite, 'properties').children.map((p) => [p.attributes['name'], p.attributes['value']]);
    assert.deepEqual(properties, [
      ['target', 'ws://127.0.0.1:9000'],
      ['fail-on', 'error'],
    ]);
  });

  it('names each connection by path (without the query) and id', () => {
    const { suite } = render(run);
    assert.deepEqual(
      cases(suite).map((c) => [c.attributes['name'], c.attributes['classname'], c.attributes['time']]),
      [
        ['/chat (c1)', 'wsdiag./chat', '1.250'],
        ['/feed (c2)', 'wsdiag./feed', '0.080'],
        ['(upgrade not completed) (c3)', 'wsdiag.upgrade', '0.000'],
      ],
    );
  });

  it('has a failure per failing violation, and one for those only counted', () => {
    const { suite } = render(run);
    const [chat, feed] = cases(suite);
    const failures = childrenNamed(chat!, 'failure');
    assert.deepEqual(
      failures.map((f) => [f.attributes['message'], f.attributes['type']]),
      [
        ['reserved-bits (1002)', 'reserved-bits'],
        ['reserved-bits (1002): 2 more', 'reserved-bits'],
      ],
    );
    assert.equal(
      failures[0]!.text,
      [
        'client->server frame #3 @ offset 120, opcode 0x1 (text), length 5',
        'blame: client',
        'RSV2 is set on a text frame but no negotiated extension defines it.',
        'fix: Clear RSV bits unless an extension negotiated in the handshake defines them.',
        'rfc: RFC 6455 §5.2, RFC 7692 §6.1',
      ].join('\n'),
    );
    assert.match(failures[1]!.text, /^2 more violations of reserved-bits on this connection were counted but not logged/);
    assert.deepEqual(childrenNamed(feed!, 'failure'), []);
  });

  it('tells the close story in system-out, with the violations that do not fail the run', () => {
    const { suite } = render(run);
    const story = onlyChild(cases(suite)[0]!, 'system-out').text;
    const order = [
      'c1 open',
      'unsupported-text',
      'peer-close by server',
      'The server closed with 1002 because',
      'c1 close',
      '2 more reserved-bits (1002) violations were counted',
    ];
    let at = -1;
    for (const piece of order) {
      const found = story.indexOf(piece);
      assert.ok(found > at, `"${piece}" missing or out of order in:\n${story}`);
      at = found;
    }
    // The failing violation is a <failure>, not repeated in the story.
    assert.equal(story.includes('RSV2 is set'), false);
  });

  it('reports an upgrade that never completed as an error, and run errors in system-err', () => {
    const { suite } = render(run);
    const errored = cases(suite)[2]!;
    const error = onlyChild(errored, 'error');
    assert.equal(error.attributes['type'], 'http-502');
    assert.match(error.attributes['message']!, /answered the upgrade of \/admin with 502/);
    assert.match(onlyChild(suite, 'system-err').text, /could not parse/);
  });

  it('--fail-on decides what is a failure: none turns failures into story lines', () => {
    const { suite } = render({ ...run, policy: parseFailOn('none') });
    assert.deepEqual(countsOf(suite), { tests: '3', failures: '0', errors: '1', skipped: '0' });
    assert.match(onlyChild(cases(suite)[0]!, 'system-out').text, /RSV2 is set/);
  });

  it('--fail-on warning makes the warning a failure too', () => {
    const { suite } = render({ ...run, policy: parseFailOn('warning') });
    const types = childrenNamed(cases(suite)[0]!, 'failure').map((f) => f.attributes['message']);
    assert.deepEqual(types, ['reserved-bits (1002)', 'unsupported-text (1003)', 'reserved-bits (1002): 2 more']);
  });

  it('a failed connection keeps its errors in the story (failure or error, never both)', () => {
    const { suite } = render({
      events: [
        open('c1', '/x'),
        violation('c1'),
        { ...upstreamError('c1'), message: 'The client reset the connection.' },
        close('c1', 5, 1, 0),
      ],
    });
    const only = cases(suite)[0]!;
    assert.deepEqual(childrenNamed(only, 'error'), []);
    assert.match(onlyChild(only, 'system-out').text, /The client reset the connection\./);
    assert.deepEqual(countsOf(suite), { tests: '1', failures: '1', errors: '0', skipped: '0' });
  });

  it('without connections: one skipped test case that says WSDIAG_URL was never dialled', () => {
    const { suite } = render({ events: [] });
    assert.deepEqual(countsOf(suite), { tests: '1', failures: '0', errors: '0', skipped: '1' });
    const only = cases(suite)[0]!;
    assert.equal(only.attributes['name'], 'no WebSocket connections');
    assert.match(onlyChild(only, 'skipped').attributes['message']!, /never dialled WSDIAG_URL/);
  });

  it('stays well-formed with hostile text, and keeps it readable', () => {
    const hostile = 'end ]]> <tag attr="x"> & \'q\' \u0000nul \u001b[31mred \ud800lone \ufffe 😀\r\nnext';
    const { xml, suite } = render({
      events: [
        open('c"1', '/p<&>"\']]>\u001b?q=1'),
        violation('c"1', { message: hostile, hint: `fix ${hostile}`, preview: hostile }),
        close('c"1', 1, 1, 0),
      ],
    });
    assert.equal(xml.includes(']]>'), false);
    const only = cases(suite)[0]!;
    assert.equal(only.attributes['name'], '/p<&>"\']]>\\x1b (c"1)');
    const shown = 'end ]]> <tag attr="x"> & \'q\' \\x00nul \\x1b[31mred \\ud800lone \\ufffe 😀\r\nnext';
    const failure = onlyChild(only, 'failure');
    const lines = failure.text.split('\n');
    assert.equal(lines[2], shown.split('\n')[0]);
    assert.ok(failure.text.includes(`fix: fix ${shown}`));
    assert.ok(failure.text.endsWith(`preview: ${shown}`));
  });
});

describe('XML escaping', () => {
  it('escapes markup in text and attributes', () => {
    assert.equal(escapeText('a<b>&c]]>"\'\r\n'), 'a&lt;b&gt;&amp;c]]&gt;"\'&#13;\n');
    assert.equal(escapeAttribute('a<b>&c"\'\t\n\r'), 'a&lt;b&gt;&amp;c&quot;&apos;&#9;&#10;&#13;');
  });

  it('replaces characters XML 1.0 forbids with visible escapes, keeping astral characters', () => {
    assert.equal(xmlSafe('\u0000\u0008\u000b\u000c\u001f\t\n\r'), '\\x00\\x08\\x0b\\x0c\\x1f\t\n\r');
    assert.equal(xmlSafe('\udc00\ud83d\ude00\ud800'), '\\udc00😀\\ud800');
    assert.equal(xmlSafe('\ufffe\uffff\ufffd'), '\\ufffe\\uffff\ufffd');
  });

  it('the test parser itself rejects what a CI parser would', () => {
    for (const bad of [
      '<a>]]></a>',
      '<a>&</a>',
      '<a x="<"/>',
      '<a>\u0000</a>',
      '<a></b>',
      '<a x="1" x="2"/>',
      '<a/><b/>',
      '<a>&nbsp;</a>',
    ]) {
      assert.throws(() => parseXml(bad), XmlError, bad);
    }
    assert.equal(parseXml('<a x="1&#10;2">&lt;&#x1F600;</a>').text, '<😀');
    assert.equal(parseXml('<a>1\r\n2\r3&#13;</a>').text, '1\n2\n3\r');
  });
});
