/**
 * How connections end, and what the close event says about it: FIN, half-close in both directions,
 * the Close handshake, resets (passed on as resets), idle timeouts and proxy shutdown. Also the links
 * between an endpoint's Close and the violation that provoked it, and flood suppression. How close()
 * ends open connections is in shutdown.test.ts.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { closeBody, concatBytes, encodeFrame } from '../../src/protocol/encoder.js';
import { connect } from 'node:net';
import { ByteCollector } from '../support/byte-collector.js';
import { findClose } from '../support/frame-oracle.js';
import { startTestProxy, type TestProxy } from '../support/proxy.js';
import {
  connectRawClient,
  startRawServer,
  upgradeRequest,
  type RawClient,
  type RawClientOptions,
  type RawServer,
  type RawServerPeer,
} from '../support/raw-peers.js';
import { closedWith, openWsClient, startWsServer, type WsServer } from '../support/ws-servers.js';

const text = (payload: string, mask?: true) => encodeFrame({ opcode: 0x1, payload, mask });

describe('connection endings', () => {
  let server: RawServer;
  let harness: TestProxy;

  before(async () => {
    // Half-open allowed upstream, so a test decides when the server answers a FIN.
    server = await startRawServer((p) => p.accept(), { allowHalfOpen: true });
    harness = await startTestProxy(server.url);
  });
  after(async () => {
    await harness.proxy.close();
    await server.close();
  });

  async function connectPair(options: RawClientOptions = {}): Promise<{ client: RawClient; peer: RawServerPeer; conn: string }> {
    const index = server.peers.length;
    const client = await connectRawClient(harness.proxy.port, options);
    const peer = await server.peer(index);
    const open = await harness.log.waitFor('open', (o) => o.client === `127.0.0.1:${client.socket.localPort}`);
    return { client, peer, conn: open.conn };
  }

  it('a client FIN is passed on and ends the connection as "fin"', async () => {
    const { client, peer, conn } = await connectPair();
    client.socket.end();
    await peer.collector.waitForEnd();
    peer.socket.end();
    const close = await harness.log.closed(conn);
    assert.equal(close.ended_by, 'client');
    assert.equal(close.how, 'fin');
  });

  it('half-close from the client: the server can still answer after the client FIN', async () => {
    const { client, peer, conn } = await connectPair();
    const last = text('last words', true);
    client.socket.end(last);
    await peer.collector.waitForEnd();
    assert.deepEqual(Buffer.from(peer.body()), Buffer.from(last));
    const reply = text('heard you');
    peer.socket.end(reply);
    await client.collector.waitForEnd();
    assert.deepEqual(Buffer.from(client.body()), Buffer.from(reply));
    const close = await harness.log.closed(conn);
    assert.equal(close.how, 'fin');
    assert.equal(close.ended_by, 'client');
    assert.deepEqual(close.frames, { 'client->server': 1, 'server->client': 1 });
  });

  it('half-close from the server: the client can still send after the server FIN', async () => {
    const { client, peer, conn } = await connectPair({ allowHalfOpen: true });
    peer.socket.end();
    await client.collector.waitForEnd();
    const late = text('still talking', true);
    client.socket.end(late);
    await peer.collector.waitForEnd();
    assert.deepEqual(Buffer.from(peer.body()), Buffer.from(late));
    const close = await harness.log.closed(conn);
    assert.equal(close.ended_by, 'server');
    assert.equal(close.how, 'fin');
  });

  it('a Close handshake before the FIN ends the connection as "close-frame" by its initiator', async () => {
    const { client, peer, conn } = await connectPair();
    const clientClose = encodeFrame({ opcode: 0x8, payload: closeBody(1000, 'bye'), mask: true });
    client.send(clientClose);
    await peer.collector.until(() => (peer.body().length >= clientClose.length ? true : undefined), 'the Close upstream');
    peer.socket.end(encodeFrame({ opcode: 0x8, payload: closeBody(1000, 'bye') }));
    await client.collector.waitForEnd();
    client.socket.end();
    const close = await harness.log.closed(conn);
    assert.equal(close.ended_by, 'client');
    assert.equal(close.how, 'close-frame');
    const closes = harness.log.of('peer-close', conn);
    assert.deepEqual(
      closes.map((c) => [c.by, c.code, c.reason]),
      [
        ['client', 1000, 'bye'],
        ['server', 1000, 'bye'],
      ],
    );
  });

  it('a client reset in the middle of a frame ends the connection as "reset" and is passed on', async () => {
    const { client, peer, conn } = await connectPair();
    // A binary frame announcing 100 bytes, of which only 10 are sent.
    const partial = encodeFrame({ opcode: 0x2, payload: new Uint8Array(100), mask: true }).subarray(0, 16);
    client.send(partial);
    await peer.collector.until(() => (peer.body().length >= partial.length ? true : undefined), 'the partial frame upstream');
    client.socket.resetAndDestroy();
    const close = await harness.log.closed(conn);
    assert.equal(close.ended_by, 'client');
    assert.equal(close.how, 'reset');
    assert.equal(close.bytes['client->server'], 16);
    assert.equal(close.frames['client->server'], 1);
    await peer.collector.waitForClose();
    assert.equal(peer.collector.error?.code, 'ECONNRESET', 'the reset reaches the server as a reset');
  });

  it('a server reset is reported as such and reaches the client as a reset', async () => {
    const { client, peer, conn } = await connectPair();
    peer.socket.resetAndDestroy();
    const close = await harness.log.closed(conn);
    assert.equal(close.ended_by, 'server');
    assert.equal(close.how, 'reset');
    await client.collector.waitForClose();
    assert.equal(client.collector.error?.code, 'ECONNRESET');
  });

  it('counts every violation but logs at most --max-per-rule per rule (flood suppression)', async () => {
    const { client, peer, conn } = await connectPair();
    const before = harness.log.suppressed.length;
    const flood = concatBytes(Array.from({ length: 30 }, (_, i) => text(`unmasked ${i}`)));
    client.send(flood);
    await harness.log.waitForCount('violation', 20, (v) => v.conn === conn);
    client.socket.end();
    await peer.collector.waitForEnd();
    peer.socket.end();
    const close = await harness.log.closed(conn);
    assert.equal(harness.log.of('violation', conn).length, 20);
    assert.equal(close.violations, 30);
    assert.equal(close.suppressed, 10);
    assert.equal(harness.log.suppressed.length - before, 10);
  });
});

describe('peer-close cause linking with a real ws server', () => {
  let server: WsServer;
  let harness: TestProxy;
  before(async () => {
    server = await startWsServer();
    harness = await startTestProxy(server.url);
  });
  after(async () => {
    await harness.proxy.close();
    await server.close();
  });

  it('the server closing 1002 after a bad client frame names the rule as its cause', async () => {
    const client = await connectRawClient(harness.proxy.port);
    const conn = (await harness.log.waitFor('open', (o) => o.client === `127.0.0.1:${client.socket.localPort}`)).conn;
    client.send(text('not masked'));
    const peerClose = await harness.log.waitFor('peer-close', (p) => p.conn === conn && p.by === 'server');
    assert.equal(peerClose.code, 1002);
    assert.equal(peerClose.blame, 'client');
    assert.equal(peerClose.cause?.rule, 'unmasked-client-frame');
    assert.equal(peerClose.cause?.dir, 'client->server');
    assert.deepEqual(peerClose.cause?.frame, { index: 0, offset: 0, opcode: 1, length: 10 });
    // And the client really got that Close.
    const close = await client.collector.until(() => findClose(client.body()), 'the Close frame at the client');
    assert.equal(close.code, 1002);
    client.socket.destroy();
  });
});

describe('proxy shutdown and idle timeout', () => {
  let server: WsServer;
  let harness: TestProxy | undefined;
  before(async () => {
    server = await startWsServer();
  });
  afterEach(async () => {
    await harness?.proxy.close();
  });
  after(() => server.close());

  it('close() also ends upgrades still waiting for the upstream, without an error event', async () => {
    const silent = await startRawServer(() => {}); // reads the request, never answers
    try {
      harness = await startTestProxy(silent.url);
      const socket = connect({ host: '127.0.0.1', port: harness.proxy.port });
      const collector = new ByteCollector(socket);
      socket.write(upgradeRequest(harness.proxy.port, {}, 'dGhlIHNhbXBsZSBub25jZQ=='));
      await silent.peer(0);
      await harness.proxy.close();
      await collector.waitForClose();
      assert.equal(collector.length, 0);
      assert.deepEqual(harness.log.of('error'), []);
    } finally {
      await silent.close();
    }
  });

  it('an idle connection is ended as "timeout"', async () => {
    harness = await startTestProxy(server.url, { idleTimeoutMs: 150 });
    const ws = await openWsClient(harness.proxy.url);
    const closed = closedWith(ws);
    const open = await harness.log.waitFor('open');
    const close = await harness.log.closed(open.conn);
    assert.equal(close.ended_by, 'proxy');
    assert.equal(close.how, 'timeout');
    assert.equal((await closed).code, 1006);
  });
});
