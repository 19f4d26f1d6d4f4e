/**
 * The sandwich's own events through the shared reporters: a `sandwich-finding` and the `sandwich-summary` in the human log (golden text, no
 * colour, frozen clock), --quiet keeping problems only, and JSON Lines with one object per write.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JsonlReporter, PrettyReporter } from '../../src/reporters/index.js';
import type { LegEvidence, SandwichFindingEvent, SandwichSummaryEvent } from '../../src/events/index.js';
import { CaptureStream } from '../support/capture-stream.js';

const TS = '2025-01-02T03:04:05.678Z';

function legSide(conn: string, violations: Array<{ rule: string; frame: number | null; message: string }>, close: number): LegEvidence {
  return {
    conn,
    path: '/chat',
    key: 'dGhlIHNhbXBsZSBub25jZQ==',
    status: 101,
    offered: { subprotocols: 'chat', extensions: null },
    subprotocol: 'chat',
    extensions: null,
    stream: { dir: 'client->server', bytes: 42, frames: 3, messages: 2, closes: [{ code: close, reason: 'bye' }], violations },
  };
}

/** A leg's side of a finding about the handshake: no stream. */
function handshakeSide(conn: string): LegEvidence {
  const { stream: _stream, ...side } = legSide(conn, [], 1000);
  return side;
}

const FINDING: SandwichFindingEvent = {
  v: 1,
  type: 'sandwich-finding',
  ts: TS,
  conn: 'c1',
  return_conn: 'r1',
  check: 'rsv-added',
  severity: 'failure',
  blame: 'intermediary',
  dir: 'client->server',
  message: 'RSV1 is set on 2 more frames than were sent with it.',
  evidence: {
    matched_by: 'key',
    rule: 'reserved-bits',
    rfc: 'RFC 6455 §5.2',
    front: legSide('c1', [], 1000),
    return: legSide(
      'r1',
      [
        { rule: 'reserved-bits', frame: 0, message: 'm' },
        { rule: 'reserved-bits', frame: 1, message: 'm' },
      ],
      1000,
    ),
  },
};

const HANDSHAKE_FINDING: SandwichFindingEvent = {
  ...FINDING,
  check: 'extensions-changed',
  severity: 'failure',
  dir: 'server->client',
  message: 'Sec-WebSocket-Extensions in the 101 response was removed (it was "permessage-deflate").',
  evidence: {
    matched_by: 'path-order',
    rfc: 'RFC 6455 §9.1',
    front: { ...handshakeSide('c1'), offered: { subprotocols: null, extensions: 'permessage-deflate' }, subprotocol: null },
    return: {
      ...handshakeSide('r1'),
      offered: { subprotocols: null, extensions: 'permessage-deflate' },
      subprotocol: null,
      extensions: 'permessage-deflate',
    },
  },
};

const INFO: SandwichFindingEvent = {
  ...FINDING,
  check: 'mask-key-changed',
  severity: 'info',
  message: '3 frames arrived with a new masking key.',
};

const SUMMARY: SandwichSummaryEvent = {
  v: 1,
  type: 'sandwich-summary',
  ts: TS,
  pairs: 3,
  unmatched: { front: 0, return: 1 },
  failures: 2,
  warnings: 0,
  infos: 1,
  by_check: { 'extensions-changed': 1, 'mask-key-changed': 1, 'rsv-added': 1 },
};

function pretty(quiet = false) {
  const stream = new CaptureStream();
  return { stream, reporter: new PrettyReporter(stream, { color: false, frames: false, quiet }) };
}

test('a finding in the human log: what changed, both legs, the rule and how the legs were matched', () => {
  const { stream, reporter } = pretty();
  reporter.write(FINDING);
  reporter.write(HANDSHAKE_FINDING);
  assert.deepEqual(stream.writes, [
    '03:04:05.678  ✖ rsv-added  c1 ⇄ r1 client->server  blame: intermediary changed the traffic\n' +
      '              RSV1 is set on 2 more frames than were sent with it.\n' +
      '              front  c1  client->server: 3 frames, 2 messages, 42 B, Close 1000 "bye"\n' +
      '              return r1  client->server: 3 frames, 2 messages, 42 B, Close 1000 "bye"; reserved-bits at frame #0, frame #1\n' +
      '              rule: reserved-bits  rfc: RFC 6455 §5.2  legs matched by: key\n',
    '03:04:05.678  ✖ extensions-changed  c1 ⇄ r1 server->client  blame: intermediary changed the traffic\n' +
      '              Sec-WebSocket-Extensions in the 101 response was removed (it was "permessage-deflate").\n' +
      '              front  c1  /chat → 101  offered extensions "permessage-deflate", subprotocols none  101 chose extensions none, subprotocol none\n' +
      '              return r1  /chat → 101  offered extensions "permessage-deflate", subprotocols none  101 chose extensions "permessage-deflate", subprotocol none\n' +
      '              rfc: RFC 6455 §9.1  legs matched by: path-order\n',
  ]);
});

test('the summary: pairs, unmatched legs, failures, and a count per check, most frequent first', () => {
  const { stream, reporter } = pretty();
  reporter.write({ ...SUMMARY, by_check: { 'rsv-added': 1, 'extensions-changed': 2 } });
  assert.equal(
    stream.text,
    '03:04:05.678  sandwich  3 connections compared  1 leg unmatched  2 failures  0 warnings, 1 info\n' +
      '              check               count\n' +
      '              extensions-changed      2\n' +
      '              rsv-added               1\n',
  );
});

test('--quiet keeps where it listens, failures, warnings, violations, errors and the sandwich summary', () => {
  const { stream, reporter } = pretty(true);
  reporter.write({ v: 1, type: 'listening', ts: TS, address: '127.0.0.1', port: 41234, target: 'ws://127.0.0.1:8081/' });
  reporter.write({ v: 1, type: 'open', ts: TS, conn: 'c1', client: '127.0.0.1:1', path: '/', subprotocol: null, extensions: null });
  reporter.write(INFO);
  reporter.write(FINDING);
  reporter.write({ v: 1, type: 'error', ts: TS, conn: 'r2', message: 'r2 was not compared.' });
  reporter.write(SUMMARY);
  assert.equal(stream.writes.length, 4);
  assert.match(stream.writes[0]!, /listening on 127\.0\.0\.1:41234/);
  assert.match(stream.writes[1]!, /rsv-added/);
  assert.match(stream.writes[2]!, /error +r2/);
  assert.match(stream.writes[3]!, /sandwich {2}3 connections compared/);
});

test('JSON Lines: each event whole on its own line, in one write', async () => {
  const stream = new CaptureStream();
  const jsonl = new JsonlReporter(stream);
  jsonl.write(FINDING);
  jsonl.write(SUMMARY);
  await jsonl.close();
  assert.equal(stream.writes.length, 2);
  assert.deepEqual(
    stream.writes.map((w) => JSON.parse(w) as unknown),
    [FINDING, SUMMARY],
  );
  assert.ok(stream.writes.every((w) => w.endsWith('}\n') && w.indexOf('\n') === w.length - 1));
});
