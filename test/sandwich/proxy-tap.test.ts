/**
 * The proxy's optional hooks the sandwich is built on (ProxyOptions.runId, connPrefix, onHandshake, onTap,
 * onTapEnd), with raw peers so every byte is known: the tap sees each direction byte for byte, head bytes
 * first, after the handshake hook and before one end call per direction.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Direction } from '../../src/events/index.js';
import { Opcode } from '../../src/protocol/constants.js';
import { encodeFrame } from '../../src/protocol/encoder.js';
import { startProxy } from '../../src/proxy/index.js';
import type { TappedHandshake } from '../../src/proxy/types.js';
import { EventLog } from '../helpers/event-log.js';
import { connectRawClient, startRawServer } from '../helpers/raw-peers.js';

type Call = ['handshake', string, TappedHandshake] | ['data', string, Direction, Buffer] | ['end', string, Direction];

async function tappedProxy(target: string) {
  const calls: Call[] = [];
  const log = new EventLog();
  const proxy = await startProxy({
    target,
    listen: { host: '127.0.0.1', port: 0 },
    onEvent: log.push,
    runId: 'tap',
    connPrefix: 'x',
    onHandshake: (conn, handshake) => calls.push(['handshake', conn, handshake]),
    // A copy: the test must see the bytes as they were when tapped.
    onTap: (conn, dir, chunk) => calls.push(['data', conn, dir, Buffer.from(chunk)]),
    onTapEnd: (conn, dir) => calls.push(['end', conn, dir]),
  });
  return { proxy, log, calls };
}

function tapped(calls: Call[], dir: Direction): Buffer {
  return Buffer.concat(calls.filter((c): c is ['data', string, Direction, Buffer] => c[0] === 'data' && c[2] === dir).map((c) => c[3]));
}

test('the tap sees each direction byte for byte, head bytes included, between the handshake and one end per direction', async () => {
  const serverFirst = encodeFrame({ opcode: Opcode.Text, payload: 'sent with the 101' });
  const server = await startRawServer((peer) => peer.accept({ headers: { 'Sec-WebSocket-Protocol': 'chat' }, then: serverFirst }));
  const { proxy, log, calls } = await tappedProxy(server.url);
  try {
    const clientFirst = encodeFrame({ opcode: Opcode.Binary, payload: Uint8Array.of(1, 2, 3), mask: true });
    const client = await connectRawClient(proxy.port, { path: '/tap?q=1', head: clientFirst, headers: { 'Sec-WebSocket-Protocol': 'chat' } });
    const peer = await server.peer();
    const later = encodeFrame({ opcode: Opcode.Text, payload: 'later', mask: true });
    client.send(later);
    await peer.collector.waitForLength(clientFirst.length + later.length, headLength(peer));
    const serverLater = encodeFrame({ opcode: Opcode.Close, payload: Uint8Array.of(0x03, 0xe8) });
    peer.send(serverLater);
    await client.collector.waitForLength(serverFirst.length + serverLater.length, headLength(client));
    client.socket.end();
    peer.socket.end();
    await log.closed('tap-x1');

    const [first] = calls;
    assert.equal(first?.[0], 'handshake');
    assert.equal(first?.[1], 'tap-x1');
    const handshake = (first as ['handshake', string, TappedHandshake])[2];
    assert.equal(handshake.status, 101);
    assert.equal(handshake.request['sec-websocket-key'], client.key);
    assert.equal(handshake.response['sec-websocket-protocol'], 'chat');
    assert.ok(handshake.path.startsWith('/tap'));

    assert.deepEqual(tapped(calls, 'client->server'), Buffer.concat([clientFirst, later]));
    assert.deepEqual(tapped(calls, 'client->server'), peer.body());
    assert.deepEqual(tapped(calls, 'server->client'), Buffer.concat([serverFirst, serverLater]));
    assert.deepEqual(tapped(calls, 'server->client'), client.body());

    const ends = calls.filter((c) => c[0] === 'end').map((c) => `${c[1]} ${c[2]}`);
    assert.deepEqual(ends.sort(), ['tap-x1 client->server', 'tap-x1 server->client']);
    // Nothing of a direction is tapped after its end.
    for (const dir of ['client->server', 'server->client'] as const) {
      const endAt = calls.findIndex((c) => c[0] === 'end' && c[2] === dir);
      assert.ok(calls.slice(endAt).every((c) => !(c[0] === 'data' && c[2] === dir)));
    }
    assert.deepEqual(log.of('open').map((e) => e.conn), ['tap-x1']);
  } finally {
    await proxy.close();
    await server.close();
  }
});

test('an upgrade answered without a 101 reaches onHandshake with its status, and nothing is tapped', async () => {
  const server = await startRawServer((peer) => peer.send('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'));
  const { proxy, log, calls } = await tappedProxy(server.url);
  try {
    const client = await connectRawClient(proxy.port);
    assert.equal(client.statusCode, 403);
    await log.waitFor('error', (e) => e.conn === 'tap-x1');
    assert.deepEqual(calls.map((c) => [c[0], c[1]]), [['handshake', 'tap-x1']]);
    assert.equal((calls[0] as ['handshake', string, TappedHandshake])[2].status, 403);
    client.socket.destroy();
  } finally {
    await proxy.close();
    await server.close();
  }
});

/** Where the raw server's WebSocket stream starts in what it collected. */
function headLength(peer: { collector: { length: number }; body(): Buffer }): number {
  return peer.collector.length - peer.body().length;
}
