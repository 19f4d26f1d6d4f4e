/**
 * The plain-HTTP benchmark's load generator: N keep-alive client connections, each in a closed loop (one
 * request, read the whole answer, the next request), a warm-up that is not recorded, then a measured
 * window. Each answer is checked for its status and size, so a relay that drops or mangles is caught.
 */
import { Agent, request } from 'node:http';

export interface HttpLoadOptions {
  /** Where to send: the server itself, or a relay in front of it. */
  url: string;
  connections: number;
  method: 'GET' | 'POST';
  /** Request body (POST). */
  body: Buffer;
  /** The answer's body length the server sends back. */
  expectedBytes: number;
  warmupMs: number;
  measureMs: number;
  /** Called right before and right after the measured window (the relay's CPU is read there). */
  onWindow?: (edge: 'start' | 'end') => Promise<void>;
}

export interface HttpLoadResult {
  /** Exchanges completed inside the measured window. */
  requests: number;
  seconds: number;
  /** Their times, request sent to answer read, in milliseconds, sorted. */
  latenciesMs: Float64Array;
}

export async function runHttpLoad(options: HttpLoadOptions): Promise<HttpLoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const latencies: number[] = [];
  // Shared with the loops, which set it: in one object, so the checks below read what they wrote.
  const run = { measuring: false, stopping: false, failure: undefined as Error | undefined };

  const exchange = (): Promise<void> =>
    new Promise((resolve) => {
      const sentAt = process.hrtime.bigint();
      const req = request(
        options.url,
        { method: options.method, agent, headers: options.method === 'POST' ? { 'Content-Length': options.body.length } : {} },
        (res) => {
          let bytes = 0;
          res.on('data', (chunk: Buffer) => (bytes += chunk.length));
          res.on('end', () => {
            if (res.statusCode !== 200 || bytes !== options.expectedBytes)
              run.failure ??= new Error(`answer ${res.statusCode} with ${bytes} bytes, expected 200 with ${options.expectedBytes}`);
            if (run.measuring) latencies.push(Number(process.hrtime.bigint() - sentAt) / 1e6);
            resolve();
          });
        },
      );
      req.on('error', (err) => {
        run.failure ??= err;
        resolve();
      });
      req.end(options.method === 'POST' ? options.body : undefined);
    });

  const loops = Array.from({ length: options.connections }, async () => {
    while (!run.stopping && run.failure === undefined) await exchange();
  });

  await sleep(options.warmupMs);
  await options.onWindow?.('start');
  const start = process.hrtime.bigint();
  run.measuring = true;
  await sleep(options.measureMs);
  run.measuring = false;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const requests = latencies.length;
  await options.onWindow?.('end');
  run.stopping = true;
  await Promise.all(loops);
  agent.destroy();
  if (run.failure) throw run.failure;
  return { requests, seconds, latenciesMs: Float64Array.from(latencies).sort() };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
