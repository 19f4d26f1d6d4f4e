/**
 * How connections end, through the real proxy with raw and `ws` peers on 127.0.0.1: which violation an
 * endpoint's Close answers, frames cut short by a FIN or a reset (truncated-frame, and the close event's
 * 1006 story), and pings nobody answers (ping-unanswered, from the relay's timer, from a keepalive Close,
 * and at the end of the connection).
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { after, afterEach, describe, it } from 'node:test';
import type { WebSocket } from 'ws';
import { closeBody, concatBytes, encodeFrame } from '../../src/protocol/encoder.js';
import { startTestProxy, type TestProxy } from '../support/proxy.js';
import { connectRawClient, startRawServer, type RawClient, type RawServer, type RawServerPeer } from '../support/raw-peers.js';
import { closedWith, openWsClient, startWsServer, type WsServer } from '../support/ws-servers.js';
import { waitUntil } from '../support/wait.js';
import { TestCompressor } from '../support/deflate.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
after(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A raw server behind a proxy; `onPeer` decides how each upgrade is answered. */
async function rig(
  options: Parameters<typeof startTestProxy>[1] = {},
  onPeer?: (peer: RawServerPeer) => void,
): Promise<{ server: RawServer; harness: TestProxy }> {
  const server = await startRawServer(onPeer);
  const harness = await startTestProxy(server.url, options);
  cleanups.push(
    () => server.close(),
    () => harness.proxy.close(),
  );
  return { server, harness };
}

/** Resolves once the client received at least `n` bytes after the 101. */
function received(client: RawClient, n: number): Promise<true> {
  return client.collector.until(() => (client.body().length >= n ? true : undefined), `${n} bytes at the client`);
}

/** A raw client through the proxy, the upstream peer it reached, and the connection id. */
async function pair(
  server: RawServer,
  harness: TestProxy,
  headers?: Record<string, string>,
): Promise<{ client: RawClient; peer: RawServerPeer; conn: string }> {
  const index = server.peers.length;
  const client = await connectRawClient(harness.proxy.port, headers ? { headers } : {});
  assert.equal(client.statusCode, 101);
  const peer = await server.peer(index);
  const open = await harness.log.waitFor('open', (o) => o.client === `127.0.0.1:${client.socket.localPort}`);
  return { client, peer, conn: open.conn };
}

describe('a Close is linked to the violation whose code it carries', () => {
  it("RSV1 on a continuation that does not inflate: the server's 1002 answers reserved-bits, not invalid-compressed-data", async () => {
    const { server, harness } = await rig({}, (peer) => peer.accept({ headers: { 'Sec-WebSocket-Extensions': 'permessage-deflate' } }));
    const { client, peer, conn } = await pair(server, harness, { 'Sec-WebSocket-Extensions': 'permessage-deflate' });
    const compressed = new TestCompressor(true).compress('hello hello hello');
    client.send(
      concatBytes([
        encodeFrame({ opcode: 1, payload: compressed, fin: false, rsv1: true, mask: true }),
        encodeFrame({ opcode: 0, payload: Uint8Array.of(0xff, 0xff, 0xff), rsv1: true, mask: true }),
      ]),
    );
    await harness.log.waitForCount('violation', 2, (v) => v.conn === conn);
    assert.deepEqual(
      harness.log.of('violation', conn).map((v) => [v.rule, v.code, v.frame?.index]),
      [
        ['reserved-bits', 1002, 1],
        ['invalid-compressed-data', 1007, 1],
      ],
    );
    peer.send(encodeFrame({ opcode: 8, payload: closeBody(1002, 'RSV1 bit set in continuation frame') }));
    const close = await harness.log.waitFor('peer-close', (c) => c.conn === conn);
    assert.equal(close.cause?.rule, 'reserved-bits');
    assert.equal(close.blame, 'client');
    assert.match(close.explain, /exactly the code wsdiag expected/);
  });
});

describe('truncated-frame: a frame cut short by the end of the connection', () => {
  it("the client's FIN in the middle of a frame: the frame, 100 of 1000 bytes, and the 1006 story", async () => {
    const { server, harness } = await rig();
    const { client, conn } = await pair(server, harness);
    const frame = encodeFrame({ opcode: 2, payload: new Uint8Array(1000).fill(1), mask: true });
    client.socket.end(frame.subarray(0, 8 + 100));
    const closed = await harness.log.closed(conn);
    const violations = harness.log.of('violation', conn);
    assert.deepEqual(
      violations.map((v) => [v.rule, v.code, v.severity, v.dir, v.blame]),
      [['truncated-frame', 1006, 'warning', 'client->server', 'client']],
    );
    assert.equal(
      violations[0]!.message,
      "The client's frame #0 (binary) at offset 0 was cut short: 100 of its 1000 payload bytes arrived before the client ended the connection with a FIN.",
    );
    assert.deepEqual(violations[0]!.frame, { index: 0, offset: 0, opcode: 2, length: 1000 });
    assert.deepEqual([closed.ended_by, closed.how, closed.bytes['client->server']], ['client', 'fin', 108]);
    assert.equal(
      closed.explain,
      "The client ended the connection with a FIN without a closing handshake (no Close frame either way), in the middle of the client's frame #0 (binary) at offset 0, 100 of its 1000 payload bytes relayed: both endpoints see 1006 (abnormal closure).",
    );
    assert.deepEqual(closed.cause, {
      rule: 'truncated-frame',
      dir: 'client->server',
      frame: { index: 0, offset: 0, opcode: 2, length: 1000 },
    });
  });

  it("the server's reset in the middle of a frame header: blamed on the server, relayed as it came", async () => {
    const { server, harness } = await rig();
    const { client, peer, conn } = await pair(server, harness);
    const head = encodeFrame({ opcode: 1, payload: 'x'.repeat(70_000) }).subarray(0, 5); // a 10-byte header, cut at 5
    peer.send(head);
    await received(client, head.length);
    peer.socket.resetAndDestroy();
    const closed = await harness.log.closed(conn);
    const [v] = harness.log.of('violation', conn);
    assert.deepEqual([v?.rule, v?.dir, v?.blame], ['truncated-frame', 'server->client', 'server']);
    assert.equal(
      v!.message,
      "The header of the server's frame #0 (text) at offset 0 was cut short: 5 of its 10 bytes arrived before the server reset the connection.",
    );
    assert.deepEqual([closed.ended_by, closed.how], ['server', 'reset']);
    assert.match(
      closed.explain ?? '',
      /^The server reset the connection without a closing handshake .*in the middle of the header of the server's frame #0/,
    );
  });

  it('a connection that ends on a frame boundary after a closing handshake has no warning and no story', async () => {
    const { server, harness } = await rig();
    const { client, peer, conn } = await pair(server, harness);
    client.send(encodeFrame({ opcode: 8, payload: closeBody(1000), mask: true }));
    await harness.log.waitFor('peer-close', (c) => c.conn === conn);
    peer.send(encodeFrame({ opcode: 8, payload: closeBody(1000) }));
    await harness.log.waitFor('peer-close', (c) => c.conn === conn && c.by === 'server');
    peer.socket.end();
    const closed = await harness.log.closed(conn);
    assert.deepEqual(harness.log.of('violation', conn), []);
    assert.equal(closed.explain, undefined);
    assert.deepEqual(
      harness.log.of('peer-close', conn).map((c) => [c.by, c.blame]),
      [
        ['client', null],
        ['server', null],
      ],
      'a normal close and its answer blame nobody',
    );
  });
});

describe('ping-unanswered', () => {
  /** A ws server that pings every `everyMs` ms; `pongs` emits 'pong' for each pong it gets. */
  async function pingingServer(everyMs: number): Promise<WsServer & { pongs: EventEmitter; count: () => number }> {
    const pongs = new EventEmitter();
    let count = 0;
    const server = await startWsServer({}, (ws: WebSocket) => {
      const timer = setInterval(() => ws.ping('keepalive'), everyMs);
      ws.on('close', () => clearInterval(timer));
      ws.on('pong', () => {
        count++;
        pongs.emit('pong');
      });
    });
    cleanups.push(() => server.close());
    return { ...server, pongs, count: () => count };
  }

  it("a ws server's pings that a raw client never answers: reported by the relay's timer while the connection is open", async () => {
    const upstream = await pingingServer(50);
    const harness = await startTestProxy(upstream.url, { pongTimeoutMs: 200 });
    cleanups.push(() => harness.proxy.close());
    const client = await connectRawClient(harness.proxy.port);
    const open = await harness.log.waitFor('open');
    const v = await harness.log.waitFor('violation', (e) => e.conn === open.conn && e.rule === 'ping-unanswered');
    assert.equal(harness.log.of('close', open.conn).length, 0, 'reported before the connection ended');
    assert.deepEqual(
      [v.dir, v.blame, v.code, v.severity, v.frame?.index, v.frame?.opcode],
      ['server->client', 'client', 1011, 'warning', 0, 9],
    );
    assert.match(
      v.message,
      /^The server's ping \(frame #0 at offset 0\) has had no pong from the client for \d+ ms \(--pong-timeout 200 ms\)\./,
    );
    client.socket.destroy();
    const closed = await harness.log.closed(open.conn);
    assert.equal(
      harness.log.of('violation', open.conn).filter((e) => e.rule === 'ping-unanswered').length,
      1,
      'one report per unanswered run',
    );
    assert.equal(closed.cause?.rule, 'ping-unanswered', 'the 1006 ending is linked to it');
    assert.match(closed.explain ?? '', /with the server's ping \(frame #0\) unanswered by the client for /);
  });

  it('a ws client that answers every ping: no warning, however many pings', async () => {
    const upstream = await pingingServer(20);
    const harness = await startTestProxy(upstream.url, { pongTimeoutMs: 1000 });
    cleanups.push(() => harness.proxy.close());
    const ws = await openWsClient(harness.proxy.url);
    const open = await harness.log.waitFor('open');
    await waitUntil(upstream.pongs, ['pong'], () => (upstream.count() >= 20 ? true : undefined), '20 pongs at the server');
    ws.close(1000);
    await closedWith(ws);
    await harness.log.closed(open.conn);
    assert.deepEqual(harness.log.violations(open.conn), []);
  });

  it("a python-websockets-style keepalive Close 1011 is linked to the client's unanswered ping", async () => {
    const { server, harness } = await rig();
    const { client, peer, conn } = await pair(server, harness);
    const ping = encodeFrame({ opcode: 9, payload: 'ka' });
    peer.send(ping);
    await received(client, ping.length);
    peer.send(encodeFrame({ opcode: 8, payload: closeBody(1011, 'keepalive ping timeout') }));
    const close = await harness.log.waitFor('peer-close', (c) => c.conn === conn);
    const violation = harness.log.of('violation', conn).find((v) => v.rule === 'ping-unanswered');
    assert.ok(violation, 'the ping is reported, before the Close that it explains');
    assert.deepEqual([violation.dir, violation.blame], ['server->client', 'client']);
    assert.match(violation.message, /got no pong from the client in the .* before the server closed with 1011\./);
    assert.deepEqual(
      [close.blame, close.cause],
      ['client', { rule: 'ping-unanswered', dir: 'server->client', frame: { index: 0, offset: 0, opcode: 9, length: 2 } }],
    );
    assert.match(close.explain, /after the client left its ping \(frame #0\) unanswered for .*: a keepalive timeout\./);
  });

  it('a ping still unanswered when the server hangs up without a Close is reported at the end', async () => {
    const { server, harness } = await rig();
    const { client, peer, conn } = await pair(server, harness);
    const ping = encodeFrame({ opcode: 9 });
    peer.send(ping);
    await received(client, ping.length);
    peer.socket.end();
    const closed = await harness.log.closed(conn);
    const [v] = harness.log.of('violation', conn);
    assert.equal(v?.rule, 'ping-unanswered');
    assert.match(
      v!.message,
      /^The server's ping \(frame #0 at offset 0\) was still unanswered by the client when the connection ended, \d+ ms later\.$/,
    );
    assert.deepEqual([closed.ended_by, closed.how, closed.cause?.rule], ['server', 'fin', 'ping-unanswered']);
  });
});
