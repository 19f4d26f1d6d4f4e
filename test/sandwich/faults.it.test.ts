/**
 * The sandwich around a broken intermediary (wsdiag chaos with toxics, or a relay that edits the
 * handshake: test/support/intermediary.ts) with real `ws` clients and server: with no toxic it gives zero
 * findings over mixed traffic, and each fault is caught, blamed on the intermediary, with the
 * leg that first carried the bad frame in the evidence and the legs matched by Sec-WebSocket-Key.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { WebSocket } from 'ws';
import type { CloseEvent, ViolationEvent } from '../../src/events/index.js';
import type { SandwichFindingEvent } from '../../src/sandwich/types.js';
import { closedWith, nextMessages, openWsClient } from '../support/ws-servers.js';
import { waitForEvent } from '../support/wait.js';
import { bothWays } from '../support/intermediary.js';
import { failures, isFinding, startRig, type Rig } from './harness.js';

function violations(rig: Rig, conn: string): Array<[string, string]> {
  return rig.events.filter((e): e is ViolationEvent => e.type === 'violation' && e.conn === conn).map((v) => [v.rule, v.dir]);
}

function closeOf(rig: Rig, conn: string): CloseEvent {
  const event = rig.events.find((e): e is CloseEvent => e.type === 'close' && e.conn === conn);
  assert.ok(event, `no close event for ${conn}`);
  return event;
}

/** Waits for a finding, checks it is blamed on the intermediary and that the legs were paired by key. */
async function expectFinding(rig: Rig, check: string, dir: string): Promise<SandwichFindingEvent> {
  const f = await rig.waitFor(isFinding(check, dir), `a ${check} finding (${dir}); seen: ${JSON.stringify(failures(rig))}`);
  assert.equal(f.severity, 'failure');
  assert.equal(f.blame, 'intermediary');
  assert.equal(f.conn, 'rig-c1');
  assert.equal(f.return_conn, 'rig-r1');
  assert.equal(f.evidence.matched_by, 'key');
  return f;
}

test('no toxic: text, binary, fragmented, compressed and subprotocol traffic gives zero findings', async () => {
  // The target pings each client once and echoes everything.
  const rig = await startRig({
    onConnection: (ws) => {
      ws.ping(Buffer.from('target-ping'));
      ws.on('message', (data, isBinary) => ws.send(data as Buffer, { binary: isBinary }));
    },
  });
  try {
    const big = randomBytes(100_000);
    const withDeflate = await openWsClient(rig.url('/chat?room=1'), ['chat'], { perMessageDeflate: true });
    const plain = await openWsClient(rig.url('/plain'), undefined, { perMessageDeflate: false });
    assert.equal(withDeflate.protocol, 'chat');
    assert.match(withDeflate.extensions, /permessage-deflate/);

    const echoes = nextMessages(withDeflate, 5);
    withDeflate.send('hello, sandwich');
    withDeflate.send(Buffer.from(Array.from({ length: 256 }, (_, i) => i)));
    withDeflate.send('frag', { fin: false });
    withDeflate.send('mented', { fin: true });
    withDeflate.send(big);
    withDeflate.send('é€😀 utf-8');
    const pong = waitForEvent(withDeflate, 'pong', 'the pong');
    withDeflate.ping(Buffer.from('client-ping'));
    const got = await echoes;
    await pong;
    assert.deepEqual(
      got.map((m) => m.data.length),
      [15, 256, 10, 100_000, Buffer.byteLength('é€😀 utf-8')],
    );

    const plainEchoes = nextMessages(plain, 3);
    plain.send(Buffer.from('binary'), { binary: true, fin: false });
    plain.send(Buffer.from(' in two'), { binary: true, fin: true });
    plain.send('text');
    plain.send(randomBytes(70_000));
    await plainEchoes;

    const bothClosed = Promise.all([closedWith(withDeflate), closedWith(plain)]);
    withDeflate.close(1000, 'done');
    plain.close(4001, 'bye');
    await bothClosed;
    await rig.closed('rig-c1', 'rig-c2', 'rig-r1', 'rig-r2');
    const summary = await rig.stop();

    assert.deepEqual(rig.findings(), []);
    assert.deepEqual(
      { pairs: summary.pairs, unmatched: summary.unmatched, failures: summary.failures, warnings: summary.warnings, infos: summary.infos },
      {
        pairs: 2,
        unmatched: { front: 0, return: 0 },
        failures: 0,
        warnings: 0,
        infos: 0,
      },
    );
    assert.equal(rig.sandwich.failed, false);
    // Honest means byte for byte: each front leg carried exactly as many bytes as its return leg.
    for (const [front, back] of [
      ['rig-c1', 'rig-r1'],
      ['rig-c2', 'rig-r2'],
    ] as const) {
      assert.deepEqual(closeOf(rig, front).bytes, closeOf(rig, back).bytes);
      assert.deepEqual(violations(rig, front), []);
      assert.deepEqual(violations(rig, back), []);
    }
  } finally {
    await rig.stop();
  }
});

test('rsv: rsv-added, and the return leg is the one whose analyzer saw reserved-bits', async () => {
  const rig = await startRig({ faults: { toxics: bothWays('rsv', { bit: 1 }) } });
  try {
    const ws = await openWsClient(rig.url('/'), undefined, { perMessageDeflate: false });
    ws.send('hello');
    await closedWith(ws);
    await rig.closed('rig-c1', 'rig-r1');
    const f = await expectFinding(rig, 'rsv-added', 'client->server');
    assert.equal(f.evidence.rule, 'reserved-bits');
    assert.deepEqual(f.evidence.front.stream?.violations, []);
    assert.deepEqual(
      f.evidence.return.stream?.violations?.map((v) => [v.rule, v.frame]),
      [['reserved-bits', 0]],
    );
    assert.deepEqual(violations(rig, 'rig-c1'), []);
    assert.deepEqual(violations(rig, 'rig-r1'), [['reserved-bits', 'client->server']]);
  } finally {
    await rig.stop();
  }
});

test('mask: mask-removed, seen by the return leg as unmasked-client-frame', async () => {
  const rig = await startRig({ faults: { toxics: [{ type: 'mask', stream: 'client->server' }] } });
  try {
    const ws = await openWsClient(rig.url('/'), undefined, { perMessageDeflate: false });
    ws.send('hello');
    await closedWith(ws);
    await rig.closed('rig-c1', 'rig-r1');
    const f = await expectFinding(rig, 'mask-removed', 'client->server');
    assert.equal(f.evidence.rule, 'unmasked-client-frame');
    assert.match(f.message, /arrived at the return leg unmasked/);
    assert.ok(violations(rig, 'rig-r1').some(([rule, dir]) => rule === 'unmasked-client-frame' && dir === 'client->server'));
    assert.deepEqual(violations(rig, 'rig-c1'), []);
  } finally {
    await rig.stop();
  }
});

test('retype: type-changed in the direction it happened', async () => {
  const rig = await startRig({ faults: { toxics: bothWays('retype', { to: 'binary' }) } });
  try {
    const ws = await openWsClient(rig.url('/'), undefined, { perMessageDeflate: false });
    const echo = nextMessages(ws, 1);
    ws.send('text in');
    const [reply] = await echo;
    // The target got a binary message and echoed it as binary.
    assert.equal(reply!.isBinary, true);
    ws.close(1000);
    await closedWith(ws);
    await rig.closed('rig-c1', 'rig-r1');
    const f = await expectFinding(rig, 'type-changed', 'client->server');
    assert.match(f.message, /^Text message #0 \(7 bytes\) arrived as a binary message/);
    assert.deepEqual(failures(rig), ['type-changed client->server']);
  } finally {
    await rig.stop();
  }
});

test('drop pongs: pong-lost both ways', async () => {
  const rig = await startRig({
    faults: { toxics: bothWays('drop', { frames: 'pong' }) },
    // Pings the client once it has spoken (a ping sent with the 101 could beat the test's listener).
    onConnection: (ws) => ws.once('message', () => ws.ping(Buffer.from('from-target'))),
  });
  try {
    const ws = await openWsClient(rig.url('/'), undefined, { perMessageDeflate: false });
    const ping = waitForEvent(ws, 'ping', "the target's ping");
    ws.send('ping me');
    // ws answers the target's ping by itself; the client pings too and gets no pong.
    await ping;
    ws.ping(Buffer.from('from-client'));
    // The client's ping reached the target once its Close (sent after it) has: then close.
    ws.close(1000);
    await closedWith(ws);
    await rig.closed('rig-c1', 'rig-r1');
    const toClient = await expectFinding(rig, 'pong-lost', 'server->client');
    assert.match(toClient.message, /"from-client"/);
    const toTarget = await expectFinding(rig, 'pong-lost', 'client->server');
    assert.match(toTarget.message, /"from-target"/);
  } finally {
    await rig.stop();
  }
});

test('truncate (end=false): message-truncated for a message over 64 KiB', async () => {
  const rig = await startRig({ faults: { toxics: bothWays('truncate', { keep: 65536, end: false }) } });
  try {
    const ws = await openWsClient(rig.url('/'), undefined, { perMessageDeflate: false });
    const echo = nextMessages(ws, 1);
    ws.send(randomBytes(100_000));
    const [reply] = await echo;
    assert.equal(reply!.data.length, 65536);
    ws.close(1000);
    await closedWith(ws);
    await rig.closed('rig-c1', 'rig-r1');
    const f = await expectFinding(rig, 'message-truncated', 'client->server');
    assert.match(f.message, /100000 bytes.*arrived with only 65536 bytes/);
    assert.deepEqual(failures(rig), ['message-truncated client->server']);
  } finally {
    await rig.stop();
  }
});

test('drop Close: close-swallowed, once the client gives up and the legs close', async () => {
  const rig = await startRig({ faults: { toxics: bothWays('drop', { frames: 'close' }) } });
  try {
    const ws: WebSocket = await openWsClient(rig.url('/'), undefined, { perMessageDeflate: false });
    ws.close(1000, 'bye');
    // The front leg saw the Close; nothing answers it, so the client drops the connection.
    await rig.waitFor((e) => e.type === 'peer-close' && e.conn === 'rig-c1' && e.by === 'client', "the client's Close on c1");
    ws.terminate();
    await rig.closed('rig-c1', 'rig-r1');
    const f = await expectFinding(rig, 'close-swallowed', 'client->server');
    assert.match(f.message, /The Close 1000 "bye" sent from the front leg to the return leg did not arrive/);
    assert.deepEqual(f.evidence.front.stream?.closes, [{ code: 1000, reason: 'bye' }]);
    assert.deepEqual(f.evidence.return.stream?.closes, []);
    assert.equal(f.evidence.interrupted, undefined);
  } finally {
    await rig.stop();
  }
});

test('close-code: close-code-rewritten, with both codes in the evidence', async () => {
  const rig = await startRig({ faults: { toxics: bothWays('close-code', { code: 4001 }) } });
  try {
    const ws = await openWsClient(rig.url('/'), undefined, { perMessageDeflate: false });
    ws.close(1000, 'bye');
    await closedWith(ws);
    await rig.closed('rig-c1', 'rig-r1');
    const f = await expectFinding(rig, 'close-code-rewritten', 'client->server');
    assert.equal(f.message, 'The Close code 1000 arrived as 4001.');
    assert.deepEqual(f.evidence.front.stream?.closes, [{ code: 1000, reason: 'bye' }]);
    assert.deepEqual(f.evidence.return.stream?.closes, [{ code: 4001, reason: 'bye' }]);
  } finally {
    await rig.stop();
  }
});

test('extensions stripped from the request: extensions-changed on the request, each leg negotiating its own', async () => {
  const rig = await startRig({ faults: { handshake: { stripExtensions: 'request' } } });
  try {
    const ws = await openWsClient(rig.url('/'), undefined, { perMessageDeflate: true });
    assert.equal(ws.extensions, '');
    ws.close(1000);
    await closedWith(ws);
    await rig.closed('rig-c1', 'rig-r1');
    const f = await expectFinding(rig, 'extensions-changed', 'client->server');
    assert.match(f.evidence.front.offered.extensions ?? '', /^permessage-deflate/);
    assert.equal(f.evidence.return.offered.extensions, null);
    assert.equal(f.evidence.front.stream, undefined);
  } finally {
    await rig.stop();
  }
});

test('extensions stripped from the response: the front leg first carries compressed frames it cannot have', async () => {
  const rig = await startRig({ faults: { handshake: { stripExtensions: 'response' } } });
  try {
    const ws = await openWsClient(rig.url('/'), undefined, { perMessageDeflate: true });
    ws.send('hello');
    await closedWith(ws);
    await rig.closed('rig-c1', 'rig-r1');
    const ext = await expectFinding(rig, 'extensions-changed', 'server->client');
    assert.equal(ext.evidence.front.extensions, null);
    assert.equal(ext.evidence.return.extensions, 'permessage-deflate');
    const bad = await expectFinding(rig, 'protocol-violation', 'server->client');
    assert.equal(bad.evidence.rule, 'reserved-bits');
    // The front leg carried the frame that broke the rule; on the return leg it was a valid compressed frame.
    assert.deepEqual(
      bad.evidence.front.stream?.violations?.map((v) => [v.rule, v.frame]),
      [['reserved-bits', 0]],
    );
    assert.deepEqual(bad.evidence.return.stream?.violations, []);
    assert.deepEqual(violations(rig, 'rig-c1'), [['reserved-bits', 'server->client']]);
    assert.deepEqual(violations(rig, 'rig-r1'), []);
  } finally {
    await rig.stop();
  }
});

test('a key of its own upstream: legs matched by path and order, across concurrent connections', async () => {
  const rig = await startRig({ faults: { handshake: { replaceKey: true } } });
  try {
    const open = (path: string) => openWsClient(rig.url(path), undefined, { perMessageDeflate: false });
    // Three paths at once; then two connections on one path, each paired before the next opens (pairing
    // same-path connections that race is by arrival order, which a busy intermediary may not keep).
    const concurrent = await Promise.all(['/a', '/b', '/c'].map(open));
    const first = await open('/same');
    const second = await open('/same');
    const clients = [...concurrent, first, second];
    const paths = ['/a', '/b', '/c', '/same', '/same'];
    await Promise.all(
      clients.map(async (ws, i) => {
        const echo = nextMessages(ws, 1);
        // A different payload per connection: legs paired wrongly would show as payload-altered.
        ws.send(`message #${i} for ${paths[i]}`);
        await echo;
        ws.close(1000);
        await closedWith(ws);
      }),
    );
    await rig.waitFor(() => rig.findings().length >= paths.length, 'a key-replaced finding per connection');
    const summary = await rig.stop();
    assert.equal(summary.pairs, paths.length);
    assert.deepEqual(failures(rig), []);
    const found = rig.findings();
    assert.deepEqual(
      found.map((f) => [f.check, f.severity, f.blame]),
      paths.map(() => ['key-replaced', 'info', 'intermediary']),
    );
    for (const f of found) {
      assert.equal(f.evidence.matched_by, 'path-order');
      assert.equal(f.evidence.front.path, f.evidence.return.path);
      assert.notEqual(f.evidence.front.key, f.evidence.return.key);
    }
    assert.deepEqual(found.map((f) => f.evidence.front.path).sort(), [...paths].sort());
  } finally {
    await rig.stop();
  }
});

test('a connection that bypasses the intermediary is reported as an unmatched leg, not compared', async () => {
  const rig = await startRig({ lingerMs: 200 });
  try {
    // Straight to the return listener: a return leg with no front leg.
    const direct = await openWsClient(rig.sandwich.back.url, undefined, { perMessageDeflate: false });
    const closed = closedWith(direct);
    direct.close(1000);
    await closed;
    const error = await rig.waitFor((e) => e.type === 'error' && e.conn === 'rig-r1', 'the unmatched-leg error for r1');
    assert.match(
      (error as { message: string }).message,
      /^rig-r1 was not compared: it reached the return listener, but no connection from the front listener matches it/,
    );
    const summary = await rig.stop();
    assert.deepEqual([summary.pairs, summary.unmatched], [0, { front: 0, return: 1 }]);
    assert.deepEqual(rig.findings(), []);
  } finally {
    await rig.stop();
  }
});

test('a connection still open at shutdown is compared as it stands: nothing lost, nothing found', async () => {
  const rig = await startRig();
  try {
    const ws = await openWsClient(rig.url('/open'), undefined, { perMessageDeflate: false });
    const echo = nextMessages(ws, 1);
    ws.send('still here');
    await echo;
    const summary = await rig.stop();
    assert.equal(summary.pairs, 1);
    assert.deepEqual(rig.findings(), []);
  } finally {
    await rig.stop();
  }
});
