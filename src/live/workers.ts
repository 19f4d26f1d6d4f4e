/**
 * `runProxy({ workers: N })`: N relay processes on one port (node:cluster: Node 20 has no SO_REUSEPORT, so
 * the primary accepts and hands each connection to a worker in turn), one event stream.
 *
 * As with node:cluster itself, the same program runs in the primary and in every worker: the script that
 * called runProxy is started again in each worker, with the same arguments, and its runProxy call serves
 * as one relay there (./worker-link.ts has what they say to each other). So each worker builds its own
 * options, addons included (functions cannot cross processes), exactly as the primary did.
 *
 * - The primary relays nothing and owns every sink: stdout, the --log file (whole lines, one writer), the
 *   summary, the dashboard. It prints one `listening` event, with `workers`, once every worker is bound.
 * - Connection ids stay `<run>-c<N>` and unique: the workers share the run id, and worker k of N numbers its
 *   connections k, k+N, k+2N...
 * - The run-level hooks of the primary's addons (the summary's counts, the dashboard's handshakes) hear
 *   what every worker's proxy reports; each worker runs the caller's addons itself, so what an addon
 *   learns (a learned message policy) stays in its worker.
 * - Stop: SIGINT/SIGTERM (or the primary's `stop`) makes each worker close its connections with a Close
 *   1001 within the grace period; the primary waits for every worker's last event before the summary.
 */
import cluster, { type Worker } from 'node:cluster';
import { checkRunId, newRunId } from '../conn-id.js';
import { ConfigError, ExitCode, OperationalError, type ExitCodeValue } from '../errors.js';
import { SCHEMA_VERSION, systemClock, type Clock, type ListeningEvent, type WsdiagEvent } from '../events/index.js';
import { parseTarget, startProxy, type ProxyAddon, type RunningProxy } from '../proxy/index.js';
import type { LiveProxyOptions } from './proxy.js';
import { aborted, type LiveIO } from './run.js';
import {
  RecordBatch,
  WORKER_ENV,
  isWorkerMessage,
  workerSpecFrom,
  type PrimaryMessage,
  type WorkerMessage,
  type WorkerRecord,
  type WorkerSpec,
} from './worker-link.js';

/** What the primary's workers feed. */
export interface WorkerSinks {
  /** The one event stream (reporters, log, summary, dashboard). */
  readonly write: (event: WsdiagEvent) => void;
  /** The primary's own addons: only their run-level hooks (handshake, suppressed, refused) are called. */
  addons: readonly ProxyAddon[];
  /** An operator warning (each distinct one once, though every worker reports it). */
  readonly warn: (message: string) => void;
  clock: Clock;
}

/** This process's spec when it is one of the relay workers a primary started, else null. */
export function relayWorkerSpec(): WorkerSpec | null {
  return cluster.isWorker ? workerSpecFrom(process.env) : null;
}

/** Checks a worker count: a whole number from 1 up (ConfigError `workers` otherwise). */
export function checkWorkers(workers: number): number {
  if (!Number.isSafeInteger(workers) || workers < 1) {
    throw new ConfigError('workers', `workers must be a whole number of at least 1 (got ${workers})`);
  }
  return workers;
}

/** Where the workers listen (every worker shares the address), and the target as events show it. */
interface Bound {
  address: string;
  port: number;
  target: string;
}

interface Relay {
  readonly index: number;
  readonly worker: Worker;
  listening: boolean;
  done: boolean;
  exited: boolean;
  /** Resolves when the process exited. */
  readonly exit: Promise<void>;
}

/**
 * The primary: starts `count` workers, relays their records to `sinks` until `signal` aborts (or every
 * worker is gone), then stops them and waits for their last events. Rejects when a worker cannot start
 * (with that worker's error: a port in use is an OperationalError).
 */
export async function relayInWorkers(count: number, proxy: LiveProxyOptions, sinks: WorkerSinks, signal: AbortSignal): Promise<void> {
  // What startProxy would refuse is refused here, before any process starts.
  if (proxy.target === undefined) {
    throw new ConfigError('workers', (n) => `${n('workers')} above 1 needs a target: forward mode runs in one process`);
  }
  parseTarget(proxy.target);
  const run = proxy.runId !== undefined ? checkRunId(proxy.runId) : newRunId();
  const warned = new Set<string>();
  let announced = false;
  let stopping = false;
  const held: WorkerRecord[] = [];
  let startup!: { resolve: (bound: Bound) => void; reject: (err: Error) => void };
  const started = new Promise<Bound>((resolve, reject) => (startup = { resolve, reject }));
  let allGone!: () => void;
  const gone = new Promise<void>((resolve) => (allGone = resolve));

  const apply = (record: WorkerRecord): void => {
    if (record.kind === 'event') sinks.write(record.event);
    else callHooks(sinks, record);
  };
  const relays: Relay[] = [];
  const spawn = (index: number): Relay => {
    const spec: WorkerSpec = { index, count, run };
    const worker = cluster.fork({ [WORKER_ENV]: JSON.stringify(spec) });
    let exited!: () => void;
    const relay: Relay = {
      index,
      worker,
      listening: false,
      done: false,
      exited: false,
      exit: new Promise((resolve) => (exited = resolve)),
    };
    worker.on('message', (message: unknown) => {
      if (!isWorkerMessage(message)) return;
      onMessage(relay, message);
    });
    worker.on('error', () => {
      // The IPC channel failed: the worker's exit tells the rest.
    });
    worker.on('exit', (code: number | null, signal: NodeJS.Signals | null) => {
      relay.exited = true;
      exited();
      if (!relay.done) {
        const how = signal !== null ? `was killed by ${signal}` : `exited with status ${code ?? 'unknown'}`;
        if (!announced) startup.reject(new OperationalError(`relay worker ${index} ${how} before it was listening`));
        else
          sinks.write(
            errorEvent(
              sinks.clock,
              stopping
                ? `Relay worker ${index} ${how} before it finished closing its connections: their close events are missing.`
                : `Relay worker ${index} ${how}: its connections were cut and their close events are missing; the other workers relay on.`,
            ),
          );
      }
      if (relays.every((r) => r.exited)) allGone();
    });
    return relay;
  };
  const onMessage = (relay: Relay, message: WorkerMessage): void => {
    switch (message.kind) {
      case 'listening':
        relay.listening = true;
        if (!announced && relays.every((r) => r.listening))
          startup.resolve({ address: message.address, port: message.port, target: message.target });
        break;
      case 'failed':
        startup.reject(workerError(message.error));
        break;
      case 'records':
        for (const record of message.records) {
          if (announced) apply(record);
          else held.push(record);
        }
        break;
      case 'warning':
        if (!warned.has(message.message)) {
          warned.add(message.message);
          sinks.warn(message.message);
        }
        break;
      case 'done':
        relay.done = true;
        break;
    }
  };

  for (let index = 1; index <= count; index++) relays.push(spawn(index));
  let first: Bound;
  try {
    first = await started;
  } catch (err) {
    stopping = true;
    for (const relay of relays) if (!relay.exited) relay.worker.process.kill();
    await Promise.all(relays.map((relay) => relay.exit));
    throw err;
  }
  const listening: ListeningEvent = {
    v: SCHEMA_VERSION,
    type: 'listening',
    ts: sinks.clock().toISOString(),
    address: first.address,
    port: first.port,
    target: first.target,
    run,
    workers: count,
  };
  sinks.write(listening);
  announced = true;
  for (const record of held.splice(0)) apply(record);

  await Promise.race([aborted(signal), gone]);
  stopping = true;
  const stop: PrimaryMessage = { kind: 'stop' };
  for (const relay of relays) {
    if (!relay.exited && relay.worker.isConnected()) relay.worker.send(stop);
  }
  await Promise.all(relays.map((relay) => relay.exit));
  if (!relays.some((relay) => relay.done) && !signal.aborted) throw new OperationalError('every relay worker exited');
}

/**
 * A worker: serves as one relay of the primary's run until the primary says stop (or this process gets
 * SIGINT/SIGTERM, or the primary is gone), then closes its connections and reports its last events.
 */
export async function serveAsWorker(
  spec: WorkerSpec,
  proxy: LiveProxyOptions,
  io: Pick<LiveIO, 'signal' | 'clock'>,
): Promise<ExitCodeValue> {
  const send = (message: WorkerMessage): Promise<void> =>
    new Promise((resolve) => {
      if (!process.connected || process.send === undefined) {
        resolve();
        return;
      }
      // A channel closing under us loses the message, nothing more: the primary's exit handler reports it.
      process.send(message, () => resolve());
    });
  const batch = new RecordBatch((message) => void send(message));
  // SIGHUP is log rotation, the business of the primary, which owns the log: a worker that gets it too (the
  // whole group or cgroup was signalled) relays on. A hangup that ends the primary ends it through 'disconnect'.
  process.on('SIGHUP', () => {});
  const stopRequested = new Promise<void>((resolve) => {
    process.on('message', (message: unknown) => {
      if ((message as PrimaryMessage | null)?.kind === 'stop') resolve();
    });
    process.once('disconnect', () => resolve());
    if (io.signal.aborted) resolve();
    else io.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  const maxConnections =
    proxy.maxConnections !== undefined && proxy.maxConnections > 0 ? Math.ceil(proxy.maxConnections / spec.count) : proxy.maxConnections;
  const forwarder: ProxyAddon = {
    name: 'relay worker',
    handshake: (conn, handshake) => batch.push({ kind: 'handshake', conn, handshake }),
    suppressed: (violation) => batch.push({ kind: 'suppressed', violation }),
    refused: (refusal) => batch.push({ kind: 'refused', refusal }),
  };
  // The target as events show it (credentials redacted), from the worker's own `listening` event.
  let shownTarget = proxy.target ?? 'forward';
  let running: RunningProxy;
  try {
    running = await startProxy({
      ...proxy,
      runId: spec.run,
      connCounter: { start: spec.index, step: spec.count },
      ...(maxConnections !== undefined ? { maxConnections } : {}),
      clock: io.clock ?? systemClock,
      onEvent: (event) => {
        if (event.type === 'listening') shownTarget = event.target;
        else batch.push({ kind: 'event', event });
      },
      onWarning: (message) => void send({ kind: 'warning', message }),
      addons: [...(proxy.addons ?? []), forwarder],
    });
  } catch (err) {
    const error = err instanceof Error ? err : new Error(String(err));
    await send({
      kind: 'failed',
      error: { name: error.name, message: error.message, ...(err instanceof ConfigError ? { option: err.option } : {}) },
    });
    if (process.connected) process.disconnect();
    return err instanceof ConfigError ? ExitCode.Usage : ExitCode.Operational;
  }
  await send({ kind: 'listening', address: running.address, port: running.port, target: shownTarget });
  await stopRequested;
  await running.close();
  batch.flush();
  await send({ kind: 'done' });
  if (process.connected) process.disconnect();
  return ExitCode.Ok;
}

/** The primary's addons hear a worker's run-level hook; one that throws gets an `error` event, as in a proxy. */
function callHooks(sinks: WorkerSinks, record: Exclude<WorkerRecord, { kind: 'event' }>): void {
  for (const addon of sinks.addons) {
    try {
      if (record.kind === 'handshake') addon.handshake?.(record.conn, record.handshake);
      else if (record.kind === 'suppressed') addon.suppressed?.(record.violation);
      else addon.refused?.(record.refusal);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      sinks.write(errorEvent(sinks.clock, `The ${addon.name} addon failed in ${record.kind}(): ${why}.`));
    }
  }
}

function workerError(error: { name: string; message: string; option?: string }): Error {
  if (error.option !== undefined) return new ConfigError(error.option, error.message);
  return new OperationalError(error.message);
}

function errorEvent(clock: Clock, message: string): WsdiagEvent {
  return { v: SCHEMA_VERSION, type: 'error', ts: clock().toISOString(), conn: null, message };
}
