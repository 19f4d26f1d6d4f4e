/**
 * Known traffic with known faults for the admin endpoint's tests: a `wsdiag proxy --admin --json` in front
 * of a raw upstream, driven by raw peers byte by byte, and the exact metric values that traffic must give.
 *
 * One WebSocket connection (path /ok): the server sends "hello"; the client sends "abc", a text message
 * that is not UTF-8 (a violation, blamed on the client) and a Close 1000; the server answers Close 1000
 * and ends. One upgrade the upstream refuses with 404 (path /refused).
 */
import { closeBody, concatBytes, encodeFrame } from '../../src/protocol/encoder.js';
import type { RunningChild } from './cli.js';
import { connectRawClient, startRawServer, type RawServer } from './raw-peers.js';
import { sampleKey } from './prometheus.js';

const HELLO = encodeFrame({ opcode: 1, payload: 'hello' });
const SERVER_CLOSE = encodeFrame({ opcode: 8, payload: closeBody(1000) });
const CLIENT_FRAMES = [
  encodeFrame({ opcode: 1, payload: 'abc', mask: true }),
  encodeFrame({ opcode: 1, payload: Uint8Array.of(0xc3, 0x28), mask: true }),
  encodeFrame({ opcode: 8, payload: closeBody(1000), mask: true }),
];
const CLIENT_BYTES = concatBytes(CLIENT_FRAMES);

/** An upstream that accepts /ok and answers anything else with 404. */
export function startKnownUpstream(): Promise<RawServer> {
  return startRawServer((peer) => {
    if (peer.request.startLine.startsWith('GET /ok ')) peer.accept();
    else {
      peer.send('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      peer.socket.end();
    }
  });
}

/**
 * Plays the traffic through the proxy at `port` and resolves once wsdiag reported the connection's
 * `close` and the refused upgrade's `http` event (on the child's JSON Lines stdout).
 */
export async function playKnownTraffic(proxy: RunningChild, port: number, upstream: RawServer): Promise<void> {
  const index = upstream.peers.length;
  const client = await connectRawClient(port, { path: '/ok' });
  const peer = await upstream.peer(index);
  peer.send(HELLO);
  await client.collector.until(() => (client.body().length >= HELLO.length ? true : undefined), 'the server frame at the client');
  client.send(CLIENT_BYTES);
  await peer.collector.until(() => (peer.body().length >= CLIENT_BYTES.length ? true : undefined), 'the client frames at the server');
  peer.send(SERVER_CLOSE);
  peer.socket.end();
  await proxy.waitForLine((line) => line.includes('"type":"close"'), 'the close event');
  client.socket.destroy();
  const refused = await connectRawClient(port, { path: '/refused' });
  refused.socket.destroy();
  await proxy.waitForLine((line) => line.includes('"type":"http"') && line.includes('"upgrade":true'), 'the refused upgrade');
}

/** The exact values of the wsdiag series after playKnownTraffic, keyed as parseSamples keys them. */
export const KNOWN_SAMPLES: Readonly<Record<string, number>> = {
  wsdiag_connections_total: 1,
  wsdiag_connections_open: 0,
  [sampleKey('wsdiag_frames_total', { dir: 'client->server' })]: 3,
  [sampleKey('wsdiag_frames_total', { dir: 'server->client' })]: 2,
  [sampleKey('wsdiag_bytes_total', { dir: 'client->server' })]: CLIENT_BYTES.length,
  [sampleKey('wsdiag_bytes_total', { dir: 'server->client' })]: HELLO.length + SERVER_CLOSE.length,
  [sampleKey('wsdiag_violations_total', { rule: 'invalid-utf8-text', code: '1007', blame: 'client' })]: 1,
  [sampleKey('wsdiag_peer_closes_total', { by: 'client', code: '1000' })]: 1,
  [sampleKey('wsdiag_peer_closes_total', { by: 'server', code: '1000' })]: 1,
  [sampleKey('wsdiag_handshake_failures_total', { status: '404' })]: 1,
  wsdiag_relay_queue_bytes: 0,
};
