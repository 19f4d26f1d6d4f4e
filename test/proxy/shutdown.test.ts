/**
 * Stopping the proxy (RunningProxy.close(), what SIGINT/SIGTERM call): every open WebSocket gets a Close
 * 1001 on both sides at a frame boundary, nothing more is relayed, and the endpoints get the grace period
 * to complete their closing handshakes before what is left is cut. Real ws endpoints for the common case,
 * raw peers to control frame boundaries and silence.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { after, afterEach, before, describe, it } from 'node:test';
import type { WebSocket } from 'ws';
import { closeBody, concatBytes, encodeFrame } from '../../src/protocol/encoder.js';
import { closeOf, completeFrames, findClose } from '../support/frame-oracle.js';
import { startTestProxy, type TestProxy } from '../support/proxy.js';
import { connectRawClient, startRawServer, type RawClient, type RawServer, type RawServerPeer } from '../support/raw-peers.js';
import { waitUntil, withTimeout } from '../support/wait.js';
import { closedWith, openWsClient, startWsServer, type WsServer } from '../support/ws-servers.js';

/** The close code each server-side ws connection saw. */
class ServerCloses extends EventEmitter {
  readonly codes: Array<{ code: number; reason: string }> = [];
  attach(ws: WebSocket): void {
    ws.on('close', (code, reason) => {
      this.codes.push({ code, reason: reason.toString() });
      this.emit('change');
    });
  }
}

describe('shutdown with real ws endpoints', () => {
  let server: WsServer;
  let closes: ServerCloses;
  let harness: TestProxy;
  before(async () => {
    closes = new ServerCloses();
    server = await startWsServer({}, (ws) => closes.attach(ws));
    // A grace far longer than the test's bound: close() must resolve because the handshakes completed.
    harness = await startTestProxy(server.url, { shutdownGraceMs: 60_000 });
  });
  after(() => server.close());

  it('every client and the upstream get Close 1001; each connection ends "proxy/shutdown" after both answered', async () => {
    const n = 6;
    const clients = await Promise.all(Array.from({ length: n }, () => openWsClient(harness.proxy.url)));
    const atClients = clients.map((ws) => closedWith(ws, 15_000));
    const opens = await harness.log.waitForCount('open', n);

    await withTimeout(harness.proxy.close(), 'close() to resolve once the closing handshakes completed', 15_000);

    for (const seen of await Promise.all(atClients)) assert.deepEqual(seen, { code: 1001, reason: 'wsdiag is shutting down' });
    await waitUntil(closes, ['change'], () => (closes.codes.length === n ? true : undefined), `${n} server-side closes`);
    for (const seen of closes.codes) assert.deepEqual(seen, { code: 1001, reason: 'wsdiag is shutting down' });
    for (const open of opens) {
      const close = harness.log.of('close', open.conn);
      assert.equal(close.length, 1, 'the close event was emitted before close() resolved');
      assert.equal(close[0]!.ended_by, 'proxy');
      assert.equal(close[0]!.how, 'shutdown');
      // Both endpoints answered wsdiag's Close: the handshakes completed, they were not cut by the grace timer.
      const answers = harness.log.of('peer-close', open.conn);
      assert.deepEqual(answers.map((a) => [a.by, a.code]).sort(), [
        ['client', 1001],
        ['server', 1001],
      ]);
      for (const answer of answers) assert.match(answer.explain, /answered wsdiag's Close 1001 \(sent because wsdiag was shutting down\)/);
    }
    assert.deepEqual(harness.log.of('error'), []);
  });
});

describe('shutdown with raw peers', () => {
  let server: RawServer;
  let harness: TestProxy | undefined;
  before(async () => {
    server = await startRawServer();
  });
  afterEach(async () => {
    await harness?.proxy.close();
    harness = undefined;
  });
  after(() => server.close());

  async function connectPair(
    options: Parameters<typeof startTestProxy>[1],
  ): Promise<{ client: RawClient; peer: RawServerPeer; conn: string; proxy: TestProxy }> {
    const proxy = await startTestProxy(server.url, options);
    harness = proxy;
    const index = server.peers.length;
    const client = await connectRawClient(proxy.proxy.port);
    const peer = await server.peer(index);
    const conn = (await proxy.log.waitFor('open')).conn;
    return { client, peer, conn, proxy };
  }

  /** Resolves once the server received exactly `expected` (so nothing was put between those bytes). */
  async function serverHas(peer: RawServerPeer, expected: Uint8Array): Promise<void> {
    const got = await peer.collector.until(
      () => (peer.body().length >= expected.length ? peer.body() : undefined),
      `${expected.length} bytes at the server`,
    );
    assert.deepEqual(got, Buffer.from(expected), 'the server received exactly the bytes sent, nothing in between');
  }

  it('a direction in the middle of a frame gets its Close right after the frame, and nothing after it', async () => {
    const { client, peer, conn, proxy } = await connectPair({ shutdownGraceMs: 60_000 });
    const big = encodeFrame({ opcode: 0x2, payload: new Uint8Array(100_000).fill(7), mask: true });
    const after = encodeFrame({ opcode: 0x1, payload: 'sent after the frame', mask: true });
    // The header and a first part of the payload: the server is now in the middle of a frame.
    let sent = 1000;
    client.send(big.subarray(0, sent));
    await serverHas(peer, big.subarray(0, sent));

    const closing = proxy.proxy.close();
    // The client was between frames: it gets its Close at once (unmasked, as from a server).
    const toClient = await client.collector.until(() => findClose(client.body()), 'a Close at the client');
    assert.deepEqual(toClient, { code: 1001, reason: 'wsdiag is shutting down', masked: false });

    // The rest of the frame arrives slowly: each piece is relayed, and no Close is put inside the frame.
    for (const size of [20_000, 30_000, 40_000]) {
      client.send(big.subarray(sent, sent + size));
      sent += size;
      await serverHas(peer, big.subarray(0, sent));
    }
    // Its end, in one write with another frame that must not be relayed: the Close goes right after the frame.
    client.send(concatBytes([big.subarray(sent), after]));
    const toServer = await peer.collector.until(() => findClose(peer.body()), 'a Close at the server');
    assert.deepEqual(toServer, { code: 1001, reason: 'wsdiag is shutting down', masked: true });
    const frames = completeFrames(peer.body());
    assert.deepEqual(
      frames.map((f) => [f.opcode, f.payload.length]),
      [
        [0x2, 100_000],
        [0x8, 2 + 'wsdiag is shutting down'.length],
      ],
    );
    assert.equal(peer.body().length, big.length + frames[1]!.payload.length + 6, 'nothing after the Close');

    // Both answer; the handshakes are complete and wsdiag ends the connection.
    client.send(encodeFrame({ opcode: 0x8, payload: closeBody(1001, ''), mask: true }));
    peer.send(encodeFrame({ opcode: 0x8, payload: closeBody(1001, '') }));
    await withTimeout(closing, 'close() to resolve after both answers', 15_000);
    const close = proxy.log.of('close', conn)[0]!;
    assert.equal(close.how, 'shutdown');
    assert.equal(close.ended_by, 'proxy');
    assert.equal(close.frames['client->server'], 3, 'the frame after the big one was still decoded');
    assert.ok(
      completeFrames(client.body()).every((f) => f.opcode === 0x8),
      'the server Close was not relayed to the client',
    );
  });

  it("a side that already has the other endpoint's Close gets no second one; its answer ends the handshake", async () => {
    const { client, peer, conn, proxy } = await connectPair({ shutdownGraceMs: 60_000 });
    const clientClose = encodeFrame({ opcode: 0x8, payload: closeBody(1000, 'done'), mask: true });
    client.send(clientClose);
    await serverHas(peer, clientClose);

    const closing = proxy.proxy.close();
    const toClient = await client.collector.until(() => findClose(client.body()), 'a Close at the client');
    assert.equal(toClient.code, 1001);
    // The server answers the client's Close; wsdiag waits for nothing else (the client already sent its own).
    peer.send(encodeFrame({ opcode: 0x8, payload: closeBody(1000, 'done') }));
    await withTimeout(closing, 'close() to resolve after the server answered', 15_000);
    await peer.collector.waitForEnd();
    assert.deepEqual(
      completeFrames(peer.body()).map((f) => closeOf(f)),
      [{ code: 1000, reason: 'done' }],
      'exactly one Close reached the server',
    );
    assert.equal(proxy.log.of('close', conn)[0]!.how, 'shutdown');
  });

  const lastWords = encodeFrame({ opcode: 0x1, payload: 'last words', mask: true });
  for (const [name, last] of [
    ['a whole frame', lastWords],
    ['the middle of a frame', lastWords.subarray(0, 9)],
  ] as const) {
    it(`after a client FIN at ${name}, the server gets no Close (its stream has ended) and nobody is waited for`, async () => {
      const { client, peer, conn, proxy } = await connectPair({ shutdownGraceMs: 60_000 });
      client.socket.end(last);
      await peer.collector.waitForEnd();
      await serverHas(peer, last);

      await withTimeout(proxy.proxy.close(), 'close() to resolve without waiting for the grace period', 15_000);
      assert.deepEqual(peer.body(), Buffer.from(last), 'nothing after the FIN');
      assert.equal(findClose(client.body())?.code, 1001, 'the client, still reading, gets its Close');
      assert.equal(proxy.log.of('close', conn)[0]!.how, 'fin', 'the client had already ended the connection');
    });
  }

  it('endpoints that never answer are cut when the grace period ends', async () => {
    const { client, peer, conn, proxy } = await connectPair({ shutdownGraceMs: 200 });
    await withTimeout(proxy.proxy.close(), 'close() to resolve after the grace period', 15_000);
    assert.equal(findClose(client.body())?.code, 1001);
    assert.equal(findClose(peer.body())?.code, 1001);
    await client.collector.waitForClose();
    await peer.collector.waitForClose();
    const close = proxy.log.of('close', conn)[0]!;
    assert.equal(close.ended_by, 'proxy');
    assert.equal(close.how, 'shutdown');
    assert.deepEqual(proxy.log.of('peer-close', conn), []);
  });
});
