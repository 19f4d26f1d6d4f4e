/**
 * --enforce holds back a header split across reads until it can judge it, then sends the held bytes with
 * the ones that completed it (corked: one writev). What crosses must be exactly what was sent, in order,
 * wherever the stream was cut: every cut point of a short valid stream, each direction.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { after, before, describe, it } from 'node:test';
import type { Direction } from '../../src/events/index.js';
import { concatBytes, encodeFrame } from '../../src/protocol/encoder.js';
import type { ProxyAddon } from '../../src/proxy/index.js';
import { startTestProxy, type TestProxy } from '../support/proxy.js';
import { connectRawClient, startRawServer, type RawServer } from '../support/raw-peers.js';
import { waitUntil } from '../support/wait.js';

/** Counts the bytes the proxy has read (and judged) in each direction of its latest connection. */
class ReadCounter extends EventEmitter {
  seen: Record<Direction, number> = { 'client->server': 0, 'server->client': 0 };
  readonly addon: ProxyAddon = {
    name: 'read counter',
    connection: () => {
      this.seen = { 'client->server': 0, 'server->client': 0 };
      return {
        tap: (dir, chunk) => {
          this.seen[dir] += chunk.length;
          this.emit('read');
        },
      };
    },
  };

  /** Resolves once the proxy has read `bytes` of `dir`. */
  read(dir: Direction, bytes: number): Promise<true> {
    return waitUntil(this, ['read'], () => (this.seen[dir] >= bytes ? true : undefined), `the proxy to read ${bytes} bytes of ${dir}`);
  }
}

describe('--enforce forwards held bytes with the ones after them, unchanged', () => {
  let server: RawServer;
  let harness: TestProxy;
  const reads = new ReadCounter();
  before(async () => {
    server = await startRawServer();
    harness = await startTestProxy(server.url, { enforce: true, addons: [reads.addon] });
  });
  after(async () => {
    await harness.proxy.close();
    await server.close();
  });

  const toServer = concatBytes([
    encodeFrame({ opcode: 0x1, payload: 'first', mask: true }),
    encodeFrame({ opcode: 0x2, payload: Buffer.alloc(300, 7), mask: true }),
    encodeFrame({ opcode: 0x9, payload: 'ping', mask: true }),
    encodeFrame({ opcode: 0x1, payload: 'last', mask: true }),
  ]);
  const toClient = concatBytes([
    encodeFrame({ opcode: 0x1, payload: 'hello' }),
    encodeFrame({ opcode: 0xa, payload: 'ping' }),
    encodeFrame({ opcode: 0x2, payload: Buffer.alloc(200, 9) }),
  ]);

  it("client to server and server to client, cut at every offset of the frames' headers", async () => {
    // Every offset inside the first 20 bytes (headers of the first frames) and around each later header.
    const cuts = [...new Set([...Array.from({ length: 20 }, (_, i) => i + 1), 306, 308, 310, 318, 320, 322])].filter(
      (cut) => cut < toServer.length,
    );
    for (const cut of cuts) {
      const index = server.peers.length;
      const client = await connectRawClient(harness.proxy.port);
      const peer = await server.peer(index);
      client.send(toServer.subarray(0, cut));
      // The first part is read, judged and partly held before the rest is even sent: two reads at the proxy.
      await reads.read('client->server', cut);
      client.send(toServer.subarray(cut));
      await peer.collector.until(() => (peer.body().length >= toServer.length ? true : undefined), `all bytes upstream (cut ${cut})`);
      assert.deepEqual(Buffer.from(peer.body()), Buffer.from(toServer), `cut at ${cut}: the server got exactly what the client sent`);

      const back = Math.min(cut, toClient.length - 1);
      peer.socket.write(toClient.subarray(0, back));
      await reads.read('server->client', back);
      peer.socket.write(toClient.subarray(back));
      await client.collector.until(
        () => (client.body().length >= toClient.length ? true : undefined),
        `all bytes downstream (cut ${back})`,
      );
      assert.deepEqual(Buffer.from(client.body()), Buffer.from(toClient), `cut at ${back}: the client got exactly what the server sent`);
      client.socket.destroy();
    }
    assert.deepEqual(harness.log.of('violation'), []);
  });
});
