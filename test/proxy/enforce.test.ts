/**
 * --enforce: the offending frame is not forwarded, the offender gets a Close with the violation's code
 * and the rule id as reason (masked toward a server, unmasked toward a client), the other side a Close
 * 1001, and both are ended after the closing handshake or the grace period.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { after, before, describe, it } from 'node:test';
import type { WebSocket } from 'ws';
import { closeBody, concatBytes, encodeFrame } from '../../src/protocol/encoder.js';
import { completeFrames, findClose } from '../support/frame-oracle.js';
import { startTestProxy, type TestProxy } from '../support/proxy.js';
import { connectRawClient, startRawServer, type RawServer } from '../support/raw-peers.js';
import { waitUntil } from '../support/wait.js';
import { closedWith, openWsClient, startWsServer, type WsServer } from '../support/ws-servers.js';

/** What a ws server saw on its connections. */
class ServerRecord extends EventEmitter {
  messages: string[] = [];
  closes: Array<{ code: number; reason: string }> = [];
  attach(ws: WebSocket): void {
    ws.on('message', (data) => {
      this.messages.push(String(data));
      this.emit('change');
    });
    ws.on('close', (code, reason) => {
      this.closes.push({ code, reason: reason.toString() });
      this.emit('change');
    });
  }
}

describe('--enforce with a bad client frame and a real ws server', () => {
  let server: WsServer;
  let record: ServerRecord;
  let harness: TestProxy;
  before(async () => {
    record = new ServerRecord();
    server = await startWsServer({}, (ws) => record.attach(ws));
    harness = await startTestProxy(server.url, { enforce: true });
  });
  after(async () => {
    await harness.proxy.close();
    await server.close();
  });

  it('the server never receives the frame; the client gets Close 1002 with the rule id, the server 1001', async () => {
    const client = await connectRawClient(harness.proxy.port);
    const conn = (await harness.log.waitFor('open')).conn;
    const good = encodeFrame({ opcode: 0x1, payload: 'before the fault', mask: true });
    const bad = encodeFrame({ opcode: 0x1, payload: 'unmasked' });
    const after = encodeFrame({ opcode: 0x1, payload: 'after the fault', mask: true });
    client.send(concatBytes([good, bad, after]));

    const toClient = await client.collector.until(() => findClose(client.body()), 'a Close at the client');
    assert.deepEqual(toClient, { code: 1002, reason: 'unmasked-client-frame', masked: false });
    // The client answers as a client would, completing its closing handshake.
    client.send(encodeFrame({ opcode: 0x8, payload: closeBody(1002, 'unmasked-client-frame'), mask: true }));

    await waitUntil(record, ['change'], () => (record.closes.length > 0 ? true : undefined), 'the ws server to close');
    assert.equal(record.closes[0]!.code, 1001);
    assert.match(record.closes[0]!.reason, /client broke unmasked-client-frame/);
    assert.deepEqual(record.messages, ['before the fault'], 'only the frames before the fault were relayed');

    const close = await harness.log.closed(conn);
    assert.equal(close.ended_by, 'proxy');
    assert.equal(close.how, 'enforce');
    const violation = harness.log.of('violation', conn)[0]!;
    assert.equal(violation.rule, 'unmasked-client-frame');
    assert.equal(violation.frame?.offset, good.length);

    // The endpoints' answers to wsdiag's Closes are explained as such, not as faults of their own.
    const answers = harness.log.of('peer-close', conn);
    const byClient = answers.find((a) => a.by === 'client')!;
    assert.equal(byClient.cause?.rule, 'unmasked-client-frame');
    assert.equal(byClient.blame, 'client');
    assert.match(byClient.explain, /answered wsdiag's Close 1002 \(sent by --enforce because it broke unmasked-client-frame\)/);
    const byServer = answers.find((a) => a.by === 'server')!;
    assert.equal(byServer.code, 1001);
    assert.match(byServer.explain, /answered wsdiag's Close 1001 \(sent by --enforce after the client broke/);
    assert.equal(byServer.blame, null);
    await client.collector.waitForClose();
  });
});

describe('--enforce with a bad server frame', () => {
  let server: RawServer;
  let harness: TestProxy;
  before(async () => {
    server = await startRawServer();
    harness = await startTestProxy(server.url, { enforce: true, enforceGraceMs: 200 });
  });
  after(async () => {
    await harness.proxy.close();
    await server.close();
  });

  it('the client gets 1001 and never the frame; the server gets a masked Close 1002; silence ends it after the grace period', async () => {
    const ws = await openWsClient(harness.proxy.url);
    const messages: string[] = [];
    ws.on('message', (data) => messages.push(String(data)));
    const closed = closedWith(ws);
    const peer = await server.peer(0);
    const conn = (await harness.log.waitFor('open')).conn;
    peer.send(concatBytes([encodeFrame({ opcode: 0x1, payload: 'hello' }), encodeFrame({ opcode: 0x1, payload: 'masked', mask: true })]));

    const atClient = await closed;
    assert.equal(atClient.code, 1001);
    assert.deepEqual(messages, ['hello']);
    const toServer = await peer.collector.until(() => findClose(peer.body()), 'a Close at the server');
    assert.deepEqual(toServer, { code: 1002, reason: 'masked-server-frame', masked: true });

    // The raw server never answers its Close: the grace period ends the connection.
    const close = await harness.log.closed(conn);
    assert.equal(close.how, 'enforce');
    assert.equal(close.ended_by, 'proxy');
  });
});

describe('--enforce when the offending frame was already partly relayed', () => {
  let server: RawServer;
  let harness: TestProxy;
  before(async () => {
    server = await startRawServer();
    harness = await startTestProxy(server.url, { enforce: true });
  });
  after(async () => {
    await harness.proxy.close();
    await server.close();
  });

  it('resets the receiver (it is mid-frame) and still sends the offender its Close', async () => {
    const client = await connectRawClient(harness.proxy.port);
    const peer = await server.peer(0);
    const conn = (await harness.log.waitFor('open')).conn;
    // A 100-byte text frame: the first half is valid UTF-8 and goes through; the second half is not.
    const payload = Buffer.concat([Buffer.alloc(50, 0x61), Buffer.from([0xff]), Buffer.alloc(49, 0x62)]);
    const frame = encodeFrame({ opcode: 0x1, payload, mask: true });
    const firstPart = frame.subarray(0, 6 + 50);
    client.send(firstPart);
    await peer.collector.until(() => (peer.body().length >= firstPart.length ? true : undefined), 'the first half upstream');
    client.send(frame.subarray(firstPart.length));

    const toClient = await client.collector.until(() => findClose(client.body()), 'a Close at the client');
    assert.deepEqual(toClient, { code: 1007, reason: 'invalid-utf8-text', masked: false });
    await peer.collector.waitForClose();
    assert.equal(peer.body().length, firstPart.length, 'nothing after the fault reached the server');
    assert.equal(completeFrames(peer.body()).length, 0, 'the server got no Close in the middle of a frame');
    const error = await harness.log.waitFor('error', (e) => e.conn === conn);
    assert.match(error.message, /the server was in the middle of receiving a frame when invalid-utf8-text was found/);
    client.socket.destroy();
    const close = await harness.log.closed(conn);
    assert.equal(close.how, 'enforce');
  });
});

describe('--enforce holds back what it cannot judge yet', () => {
  let server: RawServer;
  let harness: TestProxy;
  before(async () => {
    server = await startRawServer();
    harness = await startTestProxy(server.url, { enforce: true });
  });
  after(async () => {
    await harness.proxy.close();
    await server.close();
  });

  for (const [name, bad, rule] of [
    ['a header split across reads', encodeFrame({ opcode: 0x3, payload: 'reserved', mask: true }), 'reserved-opcode'],
    [
      'a Close frame arriving in two parts',
      encodeFrame({ opcode: 0x8, payload: closeBody(1005, 'local only'), mask: true }),
      'invalid-close-code',
    ],
  ] as const) {
    it(`${name}: no byte of the refused frame reaches the server, which gets a clean Close 1001`, async () => {
      const index = server.peers.length;
      const client = await connectRawClient(harness.proxy.port);
      const peer = await server.peer(index);
      const good = encodeFrame({ opcode: 0x1, payload: 'fine', mask: true });
      client.send(concatBytes([good, bad.subarray(0, 3)]));
      await peer.collector.until(() => (peer.body().length >= good.length ? true : undefined), 'the good frame upstream');
      client.send(bad.subarray(3));

      const toClient = await client.collector.until(() => findClose(client.body()), 'a Close at the client');
      assert.deepEqual(toClient, { code: 1002, reason: rule, masked: false });
      await peer.collector.until(() => findClose(peer.body()), 'a Close at the server');
      const frames = completeFrames(peer.body());
      assert.deepEqual(
        frames.map((f) => [f.opcode, f.masked]),
        [
          [0x1, true],
          [0x8, true],
        ],
        "the good frame, then wsdiag's masked Close: nothing of the refused frame",
      );
      assert.equal(findClose(peer.body())!.code, 1001);
      client.socket.destroy();
    });
  }
});

describe('--enforce on the handshake', () => {
  let server: RawServer;
  let harness: TestProxy;
  let badAccept = false;
  before(async () => {
    server = await startRawServer((peer) => peer.accept(badAccept ? { headers: { 'Sec-WebSocket-Accept': 'wrong' } } : {}));
    harness = await startTestProxy(server.url, { enforce: true });
  });
  after(async () => {
    await harness.proxy.close();
    await server.close();
  });

  it('refuses an invalid upgrade request with 400 without contacting the upstream', async () => {
    const client = await connectRawClient(harness.proxy.port, { headers: { 'Sec-WebSocket-Version': '8' } });
    assert.equal(client.statusCode, 400);
    await client.collector.waitForEnd();
    assert.match(client.body().toString(), /handshake-invalid-request: The upgrade request has Sec-WebSocket-Version "8" instead of 13/);
    const violation = await harness.log.waitFor('violation');
    assert.equal(violation.rule, 'handshake-invalid-request');
    const error = await harness.log.waitFor('error', (e) => e.conn === violation.conn);
    assert.match(error.message, /--enforce refused the upgrade request/);
    assert.equal(server.peers.length, 0, 'the upstream was not contacted');
  });

  it('refuses a 101 with a bad accept: the client gets 502', async () => {
    badAccept = true;
    const client = await connectRawClient(harness.proxy.port);
    assert.equal(client.statusCode, 502);
    await client.collector.waitForEnd();
    assert.match(client.body().toString(), /handshake-bad-accept/);
    await harness.log.waitFor('violation', (v) => v.rule === 'handshake-bad-accept');
    assert.equal(harness.log.of('open').length, 0);
  });
});
