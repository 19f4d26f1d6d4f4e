/**
 * permessage-deflate senders that flush with BFINAL (RFC 7692 §7.2.3.4), through the proxy. `ws` always
 * flushes with an empty stored block, so the BFINAL sender is a raw peer; the receiver is a real `ws`
 * endpoint where it can take the messages (it does, which shows they are valid in the field), and a raw
 * peer for back references across messages (which `ws` cannot take: it drops its window after a final
 * block, though §7.2.2 has the receiver keep it). The proxy must report nothing, and still report data after
 * a final block that is not DEFLATE.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WebSocket } from 'ws';
import { closeBody, concatBytes, encodeFrame } from '../../src/protocol/encoder.js';
import { findClose } from '../support/frame-oracle.js';
import { startTestProxy, type TestProxy } from '../support/proxy.js';
import { connectRawClient, startRawServer, type RawServerPeer } from '../support/raw-peers.js';
import { closedWith, nextMessages, openWsClient, startWsServer } from '../support/ws-servers.js';
import { hex } from '../support/bytes.js';
import { FinalBlockCompressor, TestCompressor } from '../support/deflate.js';

const PMD = 'permessage-deflate';
/** RFC 7692 §7.2.3.4: "Hello" in a block with BFINAL set, then the 0x00 left of an empty stored block. */
const RFC_BFINAL_PAYLOAD = hex('f3 48 cd c9 c9 07 00 00');

/** Texts long enough to slide the 32 KiB window, with multi-byte UTF-8 and repeats within each. */
const TEXTS = [
  'Hello',
  'first BFINAL message, κόσμε '.repeat(30),
  'second, ending at its final block '.repeat(20),
  `large: ${'0123456789abcdef 𝄞 '.repeat(4000)}`,
  'after the large one',
];

/** The frames a BFINAL sender sends for TEXTS: the RFC's bytes, then zlib Z_FINISH with and without the empty block. */
function finalBlockFrames(mask: true | undefined): { frames: Uint8Array; texts: string[] } {
  const withBlock = new FinalBlockCompressor({ contextTakeover: false, emptyBlock: true });
  const withoutBlock = new FinalBlockCompressor({ contextTakeover: false, emptyBlock: false });
  const payloads = [
    RFC_BFINAL_PAYLOAD,
    withBlock.compress(TEXTS[1]!),
    withoutBlock.compress(TEXTS[2]!),
    withBlock.compress(TEXTS[3]!),
    withoutBlock.compress(TEXTS[4]!),
    // A sync-flushed message after them, as a peer mixing both flushes would send.
    new TestCompressor(false).compress('sync-flushed'),
  ];
  return {
    frames: concatBytes(payloads.map((payload) => encodeFrame({ opcode: 1, rsv1: true, payload, mask }))),
    texts: [...TEXTS, 'sync-flushed'],
  };
}

/** The conn id of the only connection of a fresh proxy. */
async function connOf(harness: TestProxy): Promise<string> {
  return (await harness.log.waitFor('open')).conn;
}

/** Ends a raw server peer's side once the client's Close arrived. */
async function endAfterClose(peer: RawServerPeer): Promise<void> {
  await peer.collector.until(() => findClose(peer.body()), 'the client Close');
  peer.socket.end();
}

describe('permessage-deflate with BFINAL through the proxy', () => {
  it('a raw server flushing with BFINAL, a real ws client: the client reads every message, the proxy reports nothing', async () => {
    const { frames, texts } = finalBlockFrames(undefined);
    const server = await startRawServer((peer) => peer.accept({ headers: { 'Sec-WebSocket-Extensions': PMD } }));
    const harness = await startTestProxy(server.url, { frames: true });
    try {
      const ws = await openWsClient(`ws://127.0.0.1:${harness.proxy.port}`, undefined, { perMessageDeflate: true });
      assert.equal(ws.extensions, PMD);
      const conn = await connOf(harness);
      const peer = await server.peer(0);
      const received = nextMessages(ws, texts.length);
      peer.send(frames);
      assert.deepEqual(
        (await received).map((m) => m.data.toString()),
        texts,
      );
      peer.send(encodeFrame({ opcode: 8, payload: closeBody(1000, 'done') }));
      await endAfterClose(peer);
      assert.equal((await closedWith(ws)).code, 1000);
      const close = await harness.log.closed(conn);

      const dataFrames = harness.log.of('frame', conn).filter((f) => f.dir === 'server->client' && f.opcode === 1);
      assert.equal(dataFrames.length, texts.length, 'the proxy decoded every message');
      assert.ok(dataFrames.every((f) => f.rsv1));
      assert.deepEqual(harness.log.violations(conn), []);
      assert.equal(close.violations, 0);
    } finally {
      await harness.proxy.close();
      await server.close();
    }
  });

  it('a raw client flushing with BFINAL, a real ws server: the server reads every message, the proxy reports nothing', async () => {
    const { frames, texts } = finalBlockFrames(true);
    const got: string[] = [];
    let onAll: () => void = () => {};
    const all = new Promise<void>((resolve) => (onAll = resolve));
    const server = await startWsServer({ perMessageDeflate: true }, (ws: WebSocket) => {
      ws.on('message', (data) => {
        got.push(String(data));
        if (got.length === texts.length) onAll();
      });
    });
    const harness = await startTestProxy(server.url);
    try {
      const client = await connectRawClient(harness.proxy.port, { headers: { 'Sec-WebSocket-Extensions': PMD } });
      assert.equal(client.statusCode, 101);
      assert.match(client.response.headers['sec-websocket-extensions'] ?? '', /^permessage-deflate/);
      const conn = await connOf(harness);
      client.send(frames);
      await all;
      assert.deepEqual(got, texts);
      client.send(encodeFrame({ opcode: 8, payload: closeBody(1000, 'done'), mask: true }));
      await client.collector.until(() => findClose(client.body()), 'the server Close');
      client.socket.end();
      const close = await harness.log.closed(conn);
      assert.deepEqual(harness.log.violations(conn), []);
      assert.equal(close.violations, 0);
    } finally {
      await harness.proxy.close();
      await server.close();
    }
  });

  it('back references into earlier BFINAL messages, both ways between raw peers: nothing reported', async () => {
    const server = await startRawServer((peer) => peer.accept({ headers: { 'Sec-WebSocket-Extensions': PMD } }));
    const harness = await startTestProxy(server.url, { frames: true });
    try {
      const client = await connectRawClient(harness.proxy.port, { headers: { 'Sec-WebSocket-Extensions': PMD } });
      const conn = await connOf(harness);
      const peer = await server.peer(0);
      const send = (emptyBlock: boolean, mask: true | undefined): Uint8Array => {
        const compressor = new FinalBlockCompressor({ contextTakeover: true, emptyBlock });
        return concatBytes(TEXTS.slice(1).map((text) => encodeFrame({ opcode: 1, rsv1: true, payload: compressor.compress(text), mask })));
      };
      const fromClient = send(true, true);
      const fromServer = send(false, undefined);
      client.send(fromClient);
      peer.send(fromServer);
      // Everything relayed, then a clean close both ways.
      await peer.collector.until(() => (peer.body().length >= fromClient.length ? true : undefined), 'the client messages');
      await client.collector.until(() => (client.body().length >= fromServer.length ? true : undefined), 'the server messages');
      client.send(encodeFrame({ opcode: 8, payload: closeBody(1000), mask: true }));
      await peer.collector.until(() => findClose(peer.body()), 'the client Close');
      peer.send(encodeFrame({ opcode: 8, payload: closeBody(1000) }));
      peer.socket.end();
      const close = await harness.log.closed(conn);
      const data = harness.log.of('frame', conn).filter((f) => f.opcode === 1);
      assert.equal(data.length, 2 * (TEXTS.length - 1), 'the proxy decoded every message');
      assert.deepEqual(harness.log.violations(conn), []);
      assert.equal(close.violations, 0);
    } finally {
      await harness.proxy.close();
      await server.close();
    }
  });

  it('data after a final block that is not DEFLATE is still reported, with the frame', async () => {
    const server = await startRawServer((peer) => peer.accept({ headers: { 'Sec-WebSocket-Extensions': PMD } }));
    const harness = await startTestProxy(server.url);
    try {
      const client = await connectRawClient(harness.proxy.port, { headers: { 'Sec-WebSocket-Extensions': PMD } });
      const conn = await connOf(harness);
      const peer = await server.peer(0);
      const good = encodeFrame({ opcode: 1, rsv1: true, payload: RFC_BFINAL_PAYLOAD });
      // The same final block, then a byte whose block type is 11 (reserved).
      const bad = encodeFrame({ opcode: 1, rsv1: true, payload: hex('f3 48 cd c9 c9 07 00 ff') });
      peer.send(concatBytes([good, bad]));
      const violation = await harness.log.waitFor('violation', (v) => v.conn === conn);
      assert.equal(violation.rule, 'invalid-compressed-data');
      assert.equal(violation.code, 1007);
      assert.equal(violation.dir, 'server->client');
      assert.equal(violation.blame, 'server');
      assert.deepEqual(violation.frame, { index: 1, offset: good.length, opcode: 1, length: 8 });
      client.socket.destroy();
      const close = await harness.log.closed(conn);
      assert.deepEqual(harness.log.violations(conn), [['invalid-compressed-data', 'server->client', 'server']]);
      assert.equal(close.violations, 1);
    } finally {
      await harness.proxy.close();
      await server.close();
    }
  });
});
