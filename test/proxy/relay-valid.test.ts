/**
 * Valid traffic through the proxy between real `ws` endpoints: no violations, and each side receives
 * exactly the bytes the other sent. A recording TCP forwarder sits on each side of the proxy
 * (client → recorder A → proxy → recorder B → server), so the comparison is byte for byte on the wire.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { WebSocket } from 'ws';
import { sha256 } from '../support/bytes.js';
import { startTestProxy, type TestProxy } from '../support/proxy.js';
import { afterHead, startRecorder, type Recorder } from '../support/recorder.js';
import { withTimeout } from '../support/wait.js';
import { closedWith, nextMessages, openWsClient, startWsServer, type WsServer } from '../support/ws-servers.js';

interface Setup {
  server: WsServer;
  behind: Recorder;
  harness: TestProxy;
  front: Recorder;
}

async function setUp(deflate: boolean): Promise<Setup> {
  const server = await startWsServer({
    perMessageDeflate: deflate ? { threshold: 0 } : false,
    handleProtocols: (protocols) => (protocols.has('chat.v2') ? 'chat.v2' : false),
  });
  const behind = await startRecorder(server.port);
  const harness = await startTestProxy(`ws://127.0.0.1:${behind.port}`, { frames: true });
  const front = await startRecorder(harness.proxy.port);
  return { server, behind, harness, front };
}

async function tearDown(s: Setup): Promise<void> {
  await s.harness.proxy.close();
  await Promise.all([s.front.close(), s.behind.close(), s.server.close()]);
}

/** Sends a mix of messages, waits for every echo, then closes normally. */
async function converse(ws: WebSocket): Promise<Array<{ data: Buffer; isBinary: boolean }>> {
  const echoes = nextMessages(ws, 6);
  ws.send('hello, proxy');
  ws.send(Buffer.from([0, 1, 2, 3, 254, 255]));
  ws.send('é'.repeat(40_000)); // a text message far beyond one TCP segment, with 2-byte code points
  ws.send(Buffer.alloc(70_000, 0xab)); // 64-bit length form
  // A fragmented text message: three frames, a code point split across the first two.
  const euro = Buffer.from('€', 'utf8');
  ws.send(Buffer.concat([Buffer.from('price: '), euro.subarray(0, 1)]), { binary: false, fin: false });
  ws.send(Buffer.concat([euro.subarray(1), Buffer.from('12')]), { binary: false, fin: false });
  ws.send(Buffer.from(' each'), { binary: false, fin: true });
  ws.ping(Buffer.from('are you there'));
  ws.send(''); // empty text message
  const got = await echoes;
  ws.close(1000, 'done');
  await closedWith(ws);
  return got;
}

for (const deflate of [false, true]) {
  describe(`valid traffic through the proxy (${deflate ? 'permessage-deflate' : 'uncompressed'})`, () => {
    let s: Setup;
    before(async () => {
      s = await setUp(deflate);
    });
    after(() => tearDown(s));

    it('relays every byte unchanged in both directions and reports no violation', async () => {
      const ws = await openWsClient(`ws://127.0.0.1:${s.front.port}/room/1?user=a`, ['chat.v1', 'chat.v2'], {
        perMessageDeflate: deflate ? { threshold: 0 } : false,
      });
      const open = await s.harness.log.waitFor('open');
      assert.equal(open.path, '/room/1?user=a');
      assert.equal(open.subprotocol, 'chat.v2');
      assert.equal(ws.protocol, 'chat.v2');
      if (deflate) assert.match(open.extensions ?? '', /^permessage-deflate/);
      else assert.equal(open.extensions, null);

      const echoes = await converse(ws);
      assert.equal(echoes[0]!.data.toString(), 'hello, proxy');
      assert.deepEqual(echoes[1]!.data, Buffer.from([0, 1, 2, 3, 254, 255]));
      assert.equal(echoes[2]!.data.toString(), 'é'.repeat(40_000));
      assert.equal(echoes[3]!.data.length, 70_000);
      assert.equal(echoes[4]!.data.toString(), 'price: €12 each');
      assert.equal(echoes[5]!.data.length, 0);

      const close = await s.harness.log.closed(open.conn);
      assert.deepEqual(s.harness.log.of('violation'), [], 'valid traffic must not produce violations');
      assert.deepEqual(s.harness.log.of('error'), []);
      assert.equal(close.ended_by, 'client');
      assert.equal(close.how, 'close-frame');

      // Byte-exact: what the client sent (before the proxy) is what the server received (behind it).
      const front = s.front.recordings[0]!;
      const behind = s.behind.recordings[0]!;
      const clientSent = afterHead(front.up);
      const serverGot = afterHead(behind.up);
      const serverSent = afterHead(behind.down);
      const clientGot = afterHead(front.down);
      assert.ok(clientSent.length > (deflate ? 100 : 140_000), `only ${clientSent.length} bytes recorded`);
      assert.equal(sha256(serverGot), sha256(clientSent), 'client->server bytes changed in transit');
      assert.equal(sha256(clientGot), sha256(serverSent), 'server->client bytes changed in transit');
      // The analyzer counted exactly those bytes.
      assert.equal(close.bytes['client->server'], clientSent.length);
      assert.equal(close.bytes['server->client'], serverSent.length);

      const frames = s.harness.log.of('frame', open.conn);
      const fromClient = frames.filter((f) => f.dir === 'client->server');
      assert.equal(fromClient.length, close.frames['client->server']);
      assert.ok(
        fromClient.every((f) => f.masked),
        'client frames are masked',
      );
      assert.ok(
        frames.filter((f) => f.dir === 'server->client').every((f) => !f.masked),
        'server frames are not masked',
      );
      if (deflate)
        assert.ok(
          fromClient.some((f) => f.rsv1),
          'some client frames are compressed',
        );
      // Index and offset are continuous per direction.
      let expected = 0;
      for (const [i, f] of fromClient.entries()) {
        assert.equal(f.index, i);
        assert.ok(f.offset >= expected);
        expected = f.offset;
      }
    });

    it("gives each connection its own short id, starting with the run's id", async () => {
      const first = await openWsClient(`ws://127.0.0.1:${s.front.port}/`);
      const second = await openWsClient(`ws://127.0.0.1:${s.front.port}/`);
      first.close();
      second.close();
      await withTimeout(Promise.all([closedWith(first), closedWith(second)]), 'both clients to close');
      const ids = s.harness.log.of('open').map((o) => o.conn);
      assert.equal(new Set(ids).size, ids.length);
      const run = s.harness.log.of('listening')[0]?.run;
      assert.match(run ?? '', /^[0-9a-z]{6}$/);
      for (const id of ids) assert.match(id, new RegExp(`^${run}-c\\d+$`));
    });
  });
}
