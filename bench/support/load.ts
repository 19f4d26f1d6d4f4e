/**
 * The relay benchmark's load generator: N ws clients, each in a closed loop (send one message, wait for
 * its echo, send the next), so throughput and round-trip latency come from the same traffic. A warm-up
 * phase is not recorded; then a measured window is. Bounded in time and in message count.
 */
import { once } from 'node:events';
import { WebSocket } from 'ws';

export interface LoadOptions {
  url: string;
  connections: number;
  /** The message sent (as a text message) and expected back. */
  payload: Buffer;
  warmupMs: number;
  measureMs: number;
  /** Stop the measured window early after this many round trips. */
  maxMessages: number;
  /** Called right before and right after the measured window (the relay's CPU is read there). */
  onWindow?: (edge: 'start' | 'end') => Promise<void>;
}

export interface LoadResult {
  /** Round trips completed inside the measured window. */
  messages: number;
  seconds: number;
  /** Round-trip times of the measured messages, in milliseconds, sorted. */
  latenciesMs: Float64Array;
}

/** Opens the clients, runs warm-up and measured window, waits for every in-flight echo, closes. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const clients = await Promise.all(Array.from({ length: options.connections }, () => openClient(options.url)));
  const latencies = new Float64Array(Math.max(1, options.maxMessages));
  let recorded = 0;
  let measuring = false;
  // Both change in the sockets' callbacks: declared wide, so no check of them is narrowed away.
  let stopping = false as boolean;
  let inFlight = 0;
  let settleIdle: (() => void) | null = null;
  let failure = null as Error | null;

  const expectedLength = options.payload.length;
  for (const ws of clients) {
    let sentAt = 0n;
    const send = (): void => {
      sentAt = process.hrtime.bigint();
      inFlight++;
      ws.send(options.payload, { binary: false });
    };
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      const now = process.hrtime.bigint();
      inFlight--;
      if (isBinary || data.length !== expectedLength)
        failure ??= new Error(`echo of ${expectedLength} bytes came back as ${data.length} (binary: ${isBinary})`);
      if (measuring && recorded < latencies.length) {
        latencies[recorded++] = Number(now - sentAt) / 1e6;
        if (recorded === latencies.length) stopping = true;
      }
      if (!stopping && failure === null) send();
      else if (inFlight === 0) settleIdle?.();
    });
    ws.on('close', () => {
      if (!stopping) failure ??= new Error(`a connection to ${options.url} closed during the run`);
    });
    send();
  }

  await sleep(options.warmupMs);
  await options.onWindow?.('start');
  const start = process.hrtime.bigint();
  measuring = true;
  const deadline = Date.now() + options.measureMs;
  while (Date.now() < deadline && !stopping && failure === null) await sleep(Math.min(50, deadline - Date.now()));
  measuring = false;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  await options.onWindow?.('end');
  stopping = true;
  if (inFlight > 0) {
    const idle = new Promise<void>((resolve) => (settleIdle = resolve));
    await Promise.race([idle, sleep(10_000)]);
  }
  await Promise.all(clients.map((ws) => closeClient(ws)));
  if (failure) throw failure;
  const measured = latencies.subarray(0, recorded).sort();
  return { messages: recorded, seconds, latenciesMs: measured };
}

async function openClient(url: string): Promise<WebSocket> {
  const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 0 });
  await Promise.race([
    once(ws, 'open'),
    sleep(10_000).then(() => {
      throw new Error(`could not connect to ${url} within 10 s`);
    }),
  ]);
  return ws;
}

async function closeClient(ws: WebSocket): Promise<void> {
  if (ws.readyState === WebSocket.CLOSED) return;
  const closed = once(ws, 'close');
  ws.close(1000);
  const timer = setTimeout(() => ws.terminate(), 2_000);
  await closed;
  clearTimeout(timer);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
