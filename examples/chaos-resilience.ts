/**
 * A client resilience test for CI: does our WebSocket client survive what intermediaries do to traffic?
 * `wsdiag chaos` sits between the client and a server, and the test turns one fault on for one step at a
 * time through its HTTP API (`ChaosClient`):
 *
 *   1. pongs swallowed on the way back (as some antivirus filters do): the client's heartbeat must notice
 *      and reconnect, and work normally once the fault is gone;
 *   2. a text message retyped as binary (as some proxies do): the client must still read it.
 *
 *   npm run build && node dist/examples/chaos-resilience.js
 *
 * In a real suite, `ResilientClient` is your client and each step a test; the chaos run can also be the
 * command (`wsdiag chaos --target ... --api 127.0.0.1:8474`) with `new ChaosClient('http://127.0.0.1:8474')`.
 */
import assert from 'node:assert/strict';
import { EventEmitter, once } from 'node:events';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { ChaosClient, startChaos, type WsdiagEvent } from '../src/index.js';

/**
 * The client under test: JSON requests and replies, a heartbeat (a ping every `heartbeatMs`; no pong by the
 * next beat = a dead connection, reconnect), and replies read whatever their frame type.
 */
class ResilientClient extends EventEmitter {
  #ws: WebSocket | null = null;
  #timer: NodeJS.Timeout | null = null;
  #awaitingPong = false;
  #closed = false;
  connections = 0;

  constructor(
    readonly url: string,
    readonly heartbeatMs: number,
  ) {
    super();
  }

  async connect(): Promise<void> {
    const ws = new WebSocket(this.url);
    ws.on('error', () => {});
    await once(ws, 'open');
    this.#ws = ws;
    this.connections++;
    this.#awaitingPong = false;
    ws.on('pong', () => {
      this.#awaitingPong = false;
      this.emit('pong');
    });
    // A reply is JSON text; a proxy that turned it into binary does not make it any less JSON.
    ws.on('message', (data: RawData) => this.emit('reply', JSON.parse(Buffer.from(data as Buffer).toString('utf8')) as unknown));
    ws.on('close', () => {
      if (this.#ws === ws && !this.#closed) void this.connect().then(() => this.emit('reconnected'));
    });
    this.#timer ??= setInterval(() => this.#beat(), this.heartbeatMs);
  }

  async request(body: unknown): Promise<unknown> {
    const reply = once(this, 'reply');
    this.#ws?.send(JSON.stringify(body));
    return ((await reply) as [unknown])[0];
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#ws?.close(1000);
  }

  #beat(): void {
    const ws = this.#ws;
    if (ws?.readyState !== WebSocket.OPEN) return;
    if (this.#awaitingPong) {
      // No pong since the last beat: the connection is dead whatever TCP says.
      this.emit('dead');
      ws.terminate();
      return;
    }
    this.#awaitingPong = true;
    ws.ping();
  }
}

// The server: answers each JSON request with {"echo": request}, as text.
const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
server.on('connection', (ws) =>
  ws.on('message', (data: RawData) =>
    ws.send(JSON.stringify({ echo: JSON.parse(Buffer.from(data as Buffer).toString('utf8')) as unknown })),
  ),
);
await once(server, 'listening');
const { port } = server.address() as { port: number };

// wsdiag chaos in front of it, with its API; every fault it injects is a `fault` event.
const events: WsdiagEvent[] = [];
const chaos = await startChaos({
  target: `ws://127.0.0.1:${port}`,
  listen: { host: '127.0.0.1', port: 0 },
  api: { host: '127.0.0.1', port: 0 },
  seed: 'resilience',
  onEvent: (event) => events.push(event),
});
assert.ok(chaos.api, 'the API was asked for');
const toxics = new ChaosClient(chaos.api.url);

const client = new ResilientClient(chaos.url, 100);
await client.connect();
assert.deepEqual(await client.request({ step: 0 }), { echo: { step: 0 } });

// Step 1: pongs swallowed. The heartbeat finds the connection dead and reconnects.
await toxics.withToxic({ type: 'drop', stream: 'server->client', attributes: { frames: 'pong' } }, async () => {
  await once(client, 'reconnected');
});
await once(client, 'pong'); // the fault is gone: pongs come back on the new connection
assert.deepEqual(await client.request({ step: 1 }), { echo: { step: 1 } });
console.log(`step 1: pongs swallowed, the client reconnected (${client.connections} connections) and works again`);

// Step 2: the reply retyped from text to binary. The client still reads it.
await toxics.withToxic({ type: 'retype', stream: 'server->client', attributes: { to: 'binary' } }, async () => {
  assert.deepEqual(await client.request({ step: 2 }), { echo: { step: 2 } });
});
console.log('step 2: a reply retyped as binary was still read');

client.close();
await chaos.close(); // every connection's close event is emitted before this resolves
await new Promise<void>((resolve) => server.close(() => resolve()));

// What chaos did, as its log says it.
const faults = events.filter((e) => e.type === 'fault');
for (const fault of faults) console.log(`fault ${fault.conn} ${fault.dir} ${fault.toxic}: ${fault.message}`);
assert.ok(faults.some((f) => f.toxic_type === 'drop') && faults.some((f) => f.toxic_type === 'retype'));
