/**
 * Backpressure in the relay: a client that stops reading makes the proxy pause the upstream socket
 * instead of buffering without bound, and everything flows, byte-exact, once the client reads again.
 * The Relay is driven directly on loopback socket pairs so the test can watch the proxy-side sockets.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, connect, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { systemClock } from '../../src/events/index.js';
import { encodeFrame } from '../../src/protocol/encoder.js';
import { Relay } from '../../src/proxy/relay.js';
import { EventLog } from '../support/event-log.js';
import { waitForEvent, withTimeout } from '../support/wait.js';
import { listen } from '../support/net.js';

/** A connected pair of loopback sockets: [outer end, proxy-side end]. */
async function socketPair(): Promise<[Socket, Socket]> {
  const server = createServer({ allowHalfOpen: true });
  const port = await listen(server);
  const accepted = waitForEvent(server, 'connection');
  const outer = connect({ host: '127.0.0.1', port });
  const [inner] = (await accepted) as [Socket];
  server.close();
  await waitForEvent(outer, 'connect');
  return [outer, inner];
}

const CHUNK = 256 * 1024;
const TOTAL = 32 * 1024 * 1024;

describe('relay backpressure', () => {
  it('pauses the upstream while the client does not read, with bounded buffers, then delivers every byte', async () => {
    const [client, proxyClientSide] = await socketPair();
    const [server, proxyUpstreamSide] = await socketPair();
    client.pause(); // the slow reader
    const log = new EventLog();
    const relay = new Relay({
      conn: 't1',
      client: proxyClientSide,
      upstream: proxyUpstreamSide,
      analyzer: {},
      emit: log.push,
      clock: systemClock,
    });
    relay.start(new Uint8Array(0), new Uint8Array(0));

    // The server streams one 32 MiB binary frame, honouring its own socket's backpressure.
    const sent = createHash('sha256');
    const header = encodeFrame({ opcode: 0x2, declaredLength: TOTAL });
    sent.update(header);
    server.write(header);
    const writer = (async () => {
      for (let offset = 0; offset < TOTAL; offset += CHUNK) {
        const chunk = Buffer.alloc(CHUNK, (offset / CHUNK) & 0xff);
        sent.update(chunk);
        if (!server.write(chunk)) await waitForEvent(server, 'drain', 'the server socket to drain', 20_000);
      }
    })();

    await waitForEvent(proxyUpstreamSide, 'pause', 'the proxy to pause the upstream socket', 10_000);
    assert.ok(proxyUpstreamSide.isPaused());
    // What the proxy holds toward the client: at most its high-water mark plus the one read that crossed it.
    assert.ok(
      proxyClientSide.writableLength <= proxyClientSide.writableHighWaterMark + 64 * 1024,
      `proxy buffered ${proxyClientSide.writableLength} bytes toward a client that does not read`,
    );
    assert.ok(proxyUpstreamSide.readableLength <= proxyUpstreamSide.readableHighWaterMark * 2);

    // The reader wakes up: every byte arrives, in order.
    const received = createHash('sha256');
    let receivedBytes = 0;
    const done = new Promise<void>((resolve) => {
      client.on('data', (chunk: Buffer) => {
        received.update(chunk);
        receivedBytes += chunk.length;
        if (receivedBytes === header.length + TOTAL) resolve();
      });
    });
    client.resume();
    await withTimeout(Promise.all([writer, done]), 'all 32 MiB to reach the client', 20_000);
    assert.equal(received.digest('hex'), sent.digest('hex'));

    client.end();
    server.end();
    const close = await log.closed('t1');
    assert.equal(close.bytes['server->client'], header.length + TOTAL);
    assert.equal(close.violations, 0);
    await relay.done;
  });
});
