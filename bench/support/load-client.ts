/**
 * The relay benchmark's load client, a process of its own (so its CPU is not the bench's or a relay's):
 * C connections on raw RFC 6455 frames, each sending pre-built masked text frames and reading the echoes
 * by their headers only, so the client does almost no work per byte (the design of the load generator
 * behind the reference figures).
 *
 *   window   W messages in flight per connection (default: 1 MiB / size, clamped to 1..32); each echo
 *            sends the next, the writes of one read corked together (pipelined echo)
 *   pingpong one message in flight on each connection: send, wait for the echo, send again (latency)
 *
 * Relay CPU is read from /proc for the given pids and their children (nginx's worker) at the edges of the
 * measured window. Prints one JSON LoadResult on stdout.
 *
 *   node dist/bench/support/load-client.js JSON-OPTIONS
 */
import { createHash, randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { Opcode } from '../../src/protocol/constants.js';
import { encodeFrame } from '../../src/protocol/encoder.js';
import { textPayload } from './frames.js';
import { cpuTicks, TICKS_PER_SECOND } from './proc-cpu.js';
import { percentileOfSorted } from './stats.js';

export interface LoadOptions {
  port: number;
  connections: number;
  size: number;
  mode: 'window' | 'pingpong';
  warmupMs: number;
  durationMs: number;
  /** Pids whose CPU (with their descendants') is the relay's. */
  relayPids: number[];
}

export interface LoadResult {
  messages: number;
  seconds: number;
  messagesPerSecond: number;
  window: number;
  /** Round trip of each measured message, µs. */
  latencyUs: { p50: number; p90: number; p99: number; max: number };
  /** Relay CPU (user + system, /proc ticks) in the window, seconds; null when no pid was given. */
  relayCpuSeconds: number | null;
  relayCpuUsPerMessage: number | null;
  clientCpuSeconds: number;
  errors: string[];
}

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const MAX_SAMPLES = 4_000_000;

function cpuSecondsBetween(before: Map<number, number>, after: Map<number, number>): number {
  let ticks = 0;
  for (const [pid, t] of after) ticks += t - (before.get(pid) ?? 0);
  return ticks / TICKS_PER_SECOND;
}

class Run {
  readonly frames: Buffer[];
  readonly latencies = new Float64Array(MAX_SAMPLES);
  recorded = 0;
  measuring = false;
  stopping = false;
  messages = 0;
  /** When the measured window ended early because MAX_SAMPLES messages were counted (a bound, not expected). */
  fullAt: number | null = null;
  readonly errors: string[] = [];

  constructor(
    readonly options: LoadOptions,
    readonly window: number,
  ) {
    const payload = textPayload(options.size);
    // 16 frames with different mask keys, reused round robin: no masking at run time.
    this.frames = Array.from({ length: 16 }, () => Buffer.from(encodeFrame({ opcode: Opcode.Text, payload, mask: randomBytes(4) })));
  }

  error(message: string): void {
    if (this.errors.length < 10) this.errors.push(message);
  }
}

/** One connection: sends frames, reads echo headers, times each round trip (in send order). */
class Connection {
  readonly socket: Socket;
  private readonly sentAt: Float64Array;
  private head = 0;
  private tail = 0;
  inFlight = 0;
  private next: number;
  private readonly header = Buffer.alloc(14);
  private headerLength = 0;
  private headerNeed = 2;
  private left = 0;
  private fin = false;
  private data = false;
  private messageBytes = 0;

  constructor(
    private readonly run: Run,
    id: number,
    socket: Socket,
  ) {
    this.socket = socket;
    this.sentAt = new Float64Array(run.window);
    this.next = id & 15;
  }

  send(now: number): void {
    this.socket.write(this.run.frames[this.next++ & 15] ?? Buffer.alloc(0));
    this.sentAt[this.tail] = now;
    this.tail = (this.tail + 1) % this.run.window;
    this.inFlight++;
  }

  onData(chunk: Buffer): void {
    const now = performance.now();
    const n = chunk.length;
    let i = 0;
    this.socket.cork();
    while (i < n) {
      if (this.left > 0) {
        const take = Math.min(this.left, n - i);
        if (this.data) this.messageBytes += take;
        i += take;
        this.left -= take;
        if (this.left === 0) this.frameEnd(now);
        continue;
      }
      this.header[this.headerLength++] = chunk[i++] ?? 0;
      const b0 = this.header[0] ?? 0;
      const b1 = this.header[1] ?? 0;
      if (this.headerLength === 2) {
        const len7 = b1 & 0x7f;
        this.headerNeed = 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (b1 & 0x80 ? 4 : 0);
      }
      if (this.headerLength >= 2 && this.headerLength === this.headerNeed) {
        const len7 = b1 & 0x7f;
        this.left = len7 === 126 ? this.header.readUInt16BE(2) : len7 === 127 ? Number(this.header.readBigUInt64BE(2)) : len7;
        this.fin = (b0 & 0x80) !== 0;
        const opcode = b0 & 0x0f;
        this.data = opcode < 8;
        if (opcode === Opcode.Close && !this.run.stopping) this.run.error('the server sent a Close');
        this.headerLength = 0;
        this.headerNeed = 2;
        if (this.left === 0) this.frameEnd(now);
      }
    }
    this.socket.uncork();
  }

  private frameEnd(now: number): void {
    if (!this.data || !this.fin) return;
    const run = this.run;
    if (this.inFlight === 0) {
      run.error('an echo without a message in flight');
      return;
    }
    if (this.messageBytes !== run.options.size) run.error(`an echo of ${this.messageBytes} bytes for ${run.options.size}`);
    const sent = this.sentAt[this.head] ?? now;
    this.head = (this.head + 1) % run.window;
    this.inFlight--;
    this.messageBytes = 0;
    if (run.measuring) {
      run.messages++;
      if (run.recorded < MAX_SAMPLES) run.latencies[run.recorded++] = (now - sent) * 1000;
      else if (run.fullAt === null) {
        run.fullAt = now;
        run.measuring = false;
        run.stopping = true;
      }
    }
    if (!run.stopping) this.send(now);
  }
}

function open(run: Run, id: number): Promise<Connection> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: run.options.port, noDelay: true });
    const key = randomBytes(16).toString('base64');
    const accept = createHash('sha1')
      .update(key + GUID)
      .digest('base64');
    let head = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('handshake timeout'));
    }, 10_000);
    socket.once('error', reject);
    socket.on('connect', () => {
      socket.write(
        `GET / HTTP/1.1\r\nHost: 127.0.0.1:${run.options.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    const onHandshake = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      clearTimeout(timer);
      socket.off('data', onHandshake);
      const response = head.subarray(0, end).toString('latin1');
      if (!response.startsWith('HTTP/1.1 101') || !response.includes(accept)) {
        socket.destroy();
        reject(new Error(`handshake refused: ${response.split('\r\n')[0]}`));
        return;
      }
      const connection = new Connection(run, id, socket);
      socket.on('data', (c: Buffer) => connection.onData(c));
      socket.on('error', (err) => !run.stopping && run.error(`socket: ${err.message}`));
      socket.on('close', () => !run.stopping && run.error('a connection closed during the run'));
      const rest = head.subarray(end + 4);
      if (rest.length > 0) connection.onData(rest);
      resolve(connection);
    };
    socket.on('data', onHandshake);
  });
}

/**
 * Ends a connection as a well-behaved client does (a Close frame, then FIN), so the relay sees a clean
 * ending rather than a reset in the middle of an echo; destroys it if it is not closed within 5 s.
 */
function closePolitely(socket: Socket): Promise<void> {
  if (socket.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => socket.destroy(), 5000);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.end(Buffer.from(encodeFrame({ opcode: Opcode.Close, payload: Uint8Array.of(0x03, 0xe8), mask: randomBytes(4) })));
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const window = options.mode === 'pingpong' ? 1 : Math.max(1, Math.min(32, Math.floor(2 ** 20 / options.size)));
  const run = new Run(options, window);
  const connections = await Promise.all(Array.from({ length: options.connections }, (_, i) => open(run, i)));
  const now = performance.now();
  for (const c of connections) {
    c.socket.cork();
    for (let k = 0; k < window; k++) c.send(now);
    c.socket.uncork();
  }
  await sleep(options.warmupMs);
  const relayBefore = options.relayPids.length > 0 ? cpuTicks(options.relayPids) : null;
  const clientBefore = process.cpuUsage();
  const start = performance.now();
  run.measuring = true;
  await sleep(options.durationMs);
  run.measuring = false;
  const seconds = ((run.fullAt ?? performance.now()) - start) / 1000;
  const relayAfter = relayBefore ? cpuTicks(options.relayPids) : null;
  const client = process.cpuUsage(clientBefore);
  run.stopping = true;
  // Let the echoes in flight come back before closing, so no frame is cut by the client going away.
  const drainBy = performance.now() + 15_000;
  while (connections.some((c) => c.inFlight > 0) && run.errors.length === 0 && performance.now() < drainBy) await sleep(20);
  await Promise.all(connections.map((c) => closePolitely(c.socket)));
  const sorted = run.latencies.subarray(0, run.recorded).sort();
  const relayCpuSeconds = relayBefore && relayAfter ? cpuSecondsBetween(relayBefore, relayAfter) : null;
  return {
    messages: run.messages,
    seconds,
    messagesPerSecond: run.messages / seconds,
    window,
    latencyUs: {
      p50: percentileOfSorted(sorted, 50),
      p90: percentileOfSorted(sorted, 90),
      p99: percentileOfSorted(sorted, 99),
      max: sorted.at(-1) ?? Number.NaN,
    },
    relayCpuSeconds,
    relayCpuUsPerMessage: relayCpuSeconds === null || run.messages === 0 ? null : (relayCpuSeconds / run.messages) * 1e6,
    clientCpuSeconds: (client.user + client.system) / 1e6,
    errors: run.errors,
  };
}

if (process.argv[1]?.endsWith('load-client.js') && process.argv[2]) {
  const options = JSON.parse(process.argv[2]) as LoadOptions;
  // A hard bound, whatever happens to the relay.
  setTimeout(
    () => {
      process.stdout.write(`${JSON.stringify({ errors: ['the load client hit its time limit'] })}\n`);
      process.exit(3);
    },
    options.warmupMs + options.durationMs + 30_000,
  ).unref();
  const result = await runLoad(options);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}
