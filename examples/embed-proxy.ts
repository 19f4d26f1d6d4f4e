/**
 * Embedding the proxy in a test harness: a `ws` echo server, wsdiag in front of it, a client that talks
 * through wsdiag, and the events collected in memory.
 *
 *   npm run build && node dist/examples/embed-proxy.js
 */
import { WebSocket, WebSocketServer } from 'ws';
import { startProxy, type WsdiagEvent } from '../src/index.js';

const upstream = new WebSocketServer({ host: '127.0.0.1', port: 0 });
upstream.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
await new Promise<void>((resolve) => upstream.once('listening', () => resolve()));
const { port } = upstream.address() as { port: number };

const events: WsdiagEvent[] = [];
const proxy = await startProxy({
  target: `ws://127.0.0.1:${port}`,
  listen: { host: '127.0.0.1', port: 0 },
  onEvent: (event) => events.push(event),
});

const client = new WebSocket(`${proxy.url}/chat`);
await new Promise<void>((resolve, reject) => client.once('open', () => resolve()).once('error', reject));
client.send('hello through wsdiag');
await new Promise<void>((resolve) => client.once('message', () => resolve()));
client.close(1000, 'done');
await new Promise<void>((resolve) => client.once('close', () => resolve()));

await proxy.close(); // every connection's `close` event is emitted before this resolves
await new Promise<void>((resolve) => upstream.close(() => resolve()));
for (const event of events) console.log(JSON.stringify(event));
