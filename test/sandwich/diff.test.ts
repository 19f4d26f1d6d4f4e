/**
 * comparePair without sockets: two LegRecords whose recorders listen to a ConnectionAnalyzer fed exact
 * frames, as the proxy feeds its analyzer and tells the leg through its tap.
 * Identical legs give nothing; a change is a finding named for the legs with each leg's evidence; a pair
 * cut by wsdiag's own shutdown reports possible in-flight losses as warnings only.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Direction } from '../../src/events/index.js';
import { Opcode } from '../../src/protocol/constants.js';
import { closeBody, encodeFrame, type FrameSpec } from '../../src/protocol/encoder.js';
import { computeAccept } from '../../src/protocol/handshake.js';
import { SHOW_SECRETS } from '../../src/redact.js';
import { comparePair } from '../../src/sandwich/diff.js';
import { ConnectionAnalyzer } from '../../src/session/analyzer.js';
import { LegRecord } from '../../src/sandwich/leg.js';
import type { LegName } from '../../src/sandwich/types.js';

const clock = () => new Date('2025-01-02T03:04:05.678Z');
const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

/** Each upgraded leg's analyzer, which decodes what `play` feeds and tells the leg's recorders. */
const analyzers = new WeakMap<LegRecord, ConnectionAnalyzer>();

function leg(name: LegName, conn: string, options: { status?: number; key?: string } = {}): LegRecord {
  const key = options.key ?? KEY;
  const status = options.status ?? 101;
  let now = 0;
  const legOptions = { keepBytes: 4096, clock: () => ++now };
  const streams = status === 101 ? LegRecord.recorders(null, legOptions) : undefined;
  const record = new LegRecord(
    name,
    conn,
    '/chat',
    {
      method: 'GET',
      path: '/chat',
      upstream: { path: '/chat', host: '127.0.0.1:9000' },
      request: {
        upgrade: 'websocket',
        connection: 'Upgrade',
        'sec-websocket-key': key,
        'sec-websocket-version': '13',
        'sec-websocket-protocol': 'chat',
      },
      status,
      response:
        status === 101
          ? { upgrade: 'websocket', connection: 'Upgrade', 'sec-websocket-accept': computeAccept(key), 'sec-websocket-protocol': 'chat' }
          : { 'content-length': '0' },
    },
    legOptions,
    streams,
  );
  if (streams) {
    const observers = { 'client->server': [streams['client->server'].listeners], 'server->client': [streams['server->client'].listeners] };
    analyzers.set(record, new ConnectionAnalyzer({ conn, onEvent: () => {}, observers }));
  }
  return record;
}

const masked = (spec: FrameSpec): Uint8Array => encodeFrame({ ...spec, mask: true });
const text = (s: string) => ({ opcode: Opcode.Text, payload: s });

/** Feeds a conversation to a leg: client frames, server frames, then both directions end. */
function play(l: LegRecord, c2s: FrameSpec[], s2c: FrameSpec[], end = true): LegRecord {
  const feed = (dir: Direction, frames: Uint8Array[]) => {
    const analyzer = analyzers.get(l)!;
    for (const f of frames) {
      l.seen(dir, f.length);
      analyzer.push(dir, f);
    }
    if (end) {
      l.end(dir);
      analyzer.end(dir);
    }
  };
  feed('client->server', c2s.map(masked));
  feed(
    'server->client',
    s2c.map((f) => encodeFrame(f)),
  );
  l.closed = end;
  return l;
}

const closeFrame = (code: number, reason = ''): FrameSpec => ({ opcode: Opcode.Close, payload: closeBody(code, reason) });

test('identical legs: no findings', () => {
  const c2s = [text('hi'), { opcode: Opcode.Binary, payload: Uint8Array.of(0, 255) }, closeFrame(1000)];
  const s2c = [text('hi'), closeFrame(1000)];
  const findings = comparePair(
    { front: play(leg('front', 'c1'), c2s, s2c), return: play(leg('return', 'r1'), c2s, s2c), by: 'key' },
    { clock },
  );
  assert.deepEqual(findings, []);
});

test('a changed payload: one finding, named for the legs, with both legs in the evidence', () => {
  // Masked client frames: 2 + 4 + 5 ("hello") and 2 + 4 + 2 (Close 1000).
  const bytes = 11 + 8;
  const front = play(leg('front', 'c1'), [text('hello'), closeFrame(1000)], [closeFrame(1000)]);
  const back = play(leg('return', 'r1'), [text('jello'), closeFrame(1000)], [closeFrame(1000)]);
  const findings = comparePair({ front, return: back, by: 'key' }, { clock });
  assert.deepEqual(findings, [
    {
      v: 1,
      type: 'sandwich-finding',
      ts: '2025-01-02T03:04:05.678Z',
      conn: 'c1',
      return_conn: 'r1',
      check: 'payload-altered',
      severity: 'failure',
      blame: 'intermediary',
      dir: 'client->server',
      message: 'Text message #0 (5 bytes) arrived changed: byte 0 was 0x68 and arrived as 0x6a.',
      evidence: {
        matched_by: 'key',
        front: {
          conn: 'c1',
          path: '/chat',
          key: KEY,
          status: 101,
          offered: { subprotocols: 'chat', extensions: null },
          subprotocol: 'chat',
          extensions: null,
          stream: { dir: 'client->server', bytes, frames: 2, messages: 1, closes: [{ code: 1000, reason: '' }] },
        },
        return: {
          conn: 'r1',
          path: '/chat',
          key: KEY,
          status: 101,
          offered: { subprotocols: 'chat', extensions: null },
          subprotocol: 'chat',
          extensions: null,
          stream: { dir: 'client->server', bytes, frames: 2, messages: 1, closes: [{ code: 1000, reason: '' }] },
        },
      },
    },
  ]);
});

test("the sentences name the front and the return leg, never the probe's reflector", () => {
  const front = play(leg('front', 'c1'), [{ opcode: Opcode.Ping, payload: 'p' }, closeFrame(1000)], [closeFrame(1000)]);
  const back = play(leg('return', 'r1'), [closeFrame(1000)], [closeFrame(1000)]);
  const [lost] = comparePair({ front, return: back, by: 'order' }, { clock });
  assert.ok(lost);
  assert.equal(lost.check, 'ping-lost');
  assert.equal(lost.message, 'A 1-byte ping (payload "p") sent from the front leg to the return leg did not arrive.');
  assert.equal(lost.evidence.matched_by, 'order');
});

test('a pair cut by shutdown: losses are warnings that say so, and the ending is not blamed', () => {
  const front = play(leg('front', 'c1'), [text('one'), text('two')], [], false);
  const back = play(leg('return', 'r1'), [text('one')], [], false);
  // The return leg ended before the front leg did anything: normally "closed by the intermediary".
  back.end('client->server');
  back.end('server->client');
  const cut = comparePair({ front, return: back, by: 'key', interrupted: true }, { clock });
  assert.deepEqual(
    cut.map((f) => [f.check, f.severity, f.evidence.interrupted]),
    [['message-dropped', 'warning', true]],
  );
  assert.match(cut[0]!.message, /did not arrive\. \(The connection was still open when wsdiag stopped/);

  const whole = comparePair({ front, return: back, by: 'key' }, { clock });
  assert.deepEqual(whole.map((f) => [f.check, f.severity]).sort(), [
    ['connection-closed-by-intermediary', 'failure'],
    ['message-dropped', 'failure'],
  ]);
});

test('an upgrade refused on the front leg that succeeded on the return leg', () => {
  const front = leg('front', 'c1', { status: 502 });
  const back = play(leg('return', 'r1'), [], []);
  const findings = comparePair({ front, return: back, by: 'key' }, { clock });
  assert.deepEqual(
    findings.map((f) => [f.check, f.dir, f.message]),
    [
      [
        'handshake-status-changed',
        'server->client',
        'The return leg answered 101 Switching Protocols, but the front leg received status 502.',
      ],
    ],
  );
  assert.equal(findings[0]!.evidence.front.subprotocol, null);
  assert.equal(findings[0]!.evidence.front.stream, undefined);
});

test("credentials: findings and evidence show them redacted (as the legs' events do), or as they came with showSecrets", () => {
  const token = 'Xk9fQ2mP7rT4vB8nL1sD6wY3zH5jC0aE';
  const offers = `bearer.${token}, chat`;
  const withOffers = (name: LegName, conn: string, offered: string): LegRecord => {
    let now = 0;
    const legOptions = { keepBytes: 4096, clock: () => ++now };
    const streams = LegRecord.recorders(null, legOptions);
    const record = new LegRecord(
      name,
      conn,
      '/chat?t=REDACTED',
      {
        method: 'GET',
        path: '/chat?t=REDACTED',
        upstream: { path: '/chat?t=REDACTED', host: '127.0.0.1:9000' },
        request: {
          upgrade: 'websocket',
          connection: 'Upgrade',
          'sec-websocket-key': KEY,
          'sec-websocket-version': '13',
          'sec-websocket-protocol': offered,
        },
        status: 101,
        response: {
          upgrade: 'websocket',
          connection: 'Upgrade',
          'sec-websocket-accept': computeAccept(KEY),
          'sec-websocket-protocol': 'chat',
        },
      },
      legOptions,
      streams,
    );
    const observers = { 'client->server': [streams['client->server'].listeners], 'server->client': [streams['server->client'].listeners] };
    analyzers.set(record, new ConnectionAnalyzer({ conn, onEvent: () => {}, observers }));
    return record;
  };
  // The intermediary dropped the credential from the offers, and rewrote a Close reason carrying one.
  const reason = `token=${token}`;
  const front = play(withOffers('front', 'c1', offers), [closeFrame(4000, reason)], [closeFrame(4000, reason)]);
  const back = play(withOffers('return', 'r1', 'chat'), [closeFrame(4000, 'token=other')], [closeFrame(4000, reason)]);

  const redacted = comparePair({ front, return: back, by: 'key' }, { clock });
  assert.ok(!JSON.stringify(redacted).includes(token.slice(0, 10)), JSON.stringify(redacted));
  const changed = redacted.find((f) => f.check === 'subprotocol-changed')!;
  assert.equal(changed.message, 'Sec-WebSocket-Protocol in the request "bearer.REDACTED, chat" arrived as "chat".');
  assert.deepEqual(changed.evidence.front.offered, { subprotocols: 'bearer.REDACTED, chat', extensions: null });
  const rewritten = redacted.find((f) => f.check === 'close-reason-rewritten')!;
  assert.equal(rewritten.message, 'The Close reason "token=REDACTED" arrived as "token=REDACTED".');
  assert.deepEqual(rewritten.evidence.front.stream?.closes, [{ code: 4000, reason: 'token=REDACTED' }]);

  const shown = comparePair({ front, return: back, by: 'key' }, { clock, redact: SHOW_SECRETS });
  assert.equal(
    shown.find((f) => f.check === 'subprotocol-changed')!.message,
    `Sec-WebSocket-Protocol in the request "${offers}" arrived as "chat".`,
  );
  assert.equal(shown.find((f) => f.check === 'close-reason-rewritten')!.message, `The Close reason "${reason}" arrived as "token=other".`);
});
