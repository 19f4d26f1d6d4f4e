/**
 * What the relay workers of `runProxy({ workers })` and their primary say to each other over the cluster's
 * IPC channel. A worker only relays; the primary owns every sink (stdout, the --log file, the summary, the
 * dashboard), so everything the sinks need crosses here, in order:
 *
 *   worker → primary   `listening` once bound, or `failed`; then batches of records: events, and the
 *                      run-level addon hooks the primary's own addons need (handshake, suppressed,
 *                      refused); `warning`s; finally `done`, after its last close event
 *   primary → worker   `stop`: close every connection (Close 1001, --grace), flush, say `done`, exit
 *
 * Records are batched per turn of the worker's event loop: one IPC message carries every event of a burst,
 * rather than one message (and one JSON round trip) each.
 */
import type { RefusalKind, ViolationEvent, WsdiagEvent } from '../events/index.js';
import type { TappedHandshake } from '../proxy/index.js';

/** The environment variable that makes a process one of our relay workers, and what it holds. */
export const WORKER_ENV = 'WSDIAG_RELAY_WORKER';

export interface WorkerSpec {
  /** 1-based: the worker's connection counter starts here. */
  index: number;
  /** How many workers share the port: each counter steps by it. */
  count: number;
  /** The run id every worker's connection ids start with. */
  run: string;
}

/** Something the primary's sinks or addons get, in the order the worker produced it. */
export type WorkerRecord =
  | { kind: 'event'; event: WsdiagEvent }
  | { kind: 'handshake'; conn: string; handshake: TappedHandshake }
  | { kind: 'suppressed'; violation: ViolationEvent }
  | { kind: 'refused'; refusal: RefusalKind };

export type WorkerMessage =
  | { kind: 'listening'; address: string; port: number; target: string }
  | { kind: 'failed'; error: { name: string; message: string; option?: string } }
  | { kind: 'records'; records: WorkerRecord[] }
  | { kind: 'warning'; message: string }
  | { kind: 'done' };

export type PrimaryMessage = { kind: 'stop' };

/** The spec in this process's environment, or null when it is not a relay worker of ours. */
export function workerSpecFrom(env: NodeJS.ProcessEnv): WorkerSpec | null {
  const raw = env[WORKER_ENV];
  if (raw === undefined) return null;
  return JSON.parse(raw) as WorkerSpec;
}

export function isWorkerMessage(message: unknown): message is WorkerMessage {
  return typeof message === 'object' && message !== null && typeof (message as { kind?: unknown }).kind === 'string';
}

/**
 * Collects records and sends them as one message per event-loop turn. `flush` sends what is pending at
 * once (before `done`), so nothing a worker produced can arrive after it.
 */
export class RecordBatch {
  #pending: WorkerRecord[] = [];
  #scheduled = false;
  readonly #send: (message: WorkerMessage) => void;

  constructor(send: (message: WorkerMessage) => void) {
    this.#send = send;
  }

  push(record: WorkerRecord): void {
    this.#pending.push(record);
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => this.flush());
  }

  flush(): void {
    this.#scheduled = false;
    if (this.#pending.length === 0) return;
    const records = this.#pending;
    this.#pending = [];
    this.#send({ kind: 'records', records });
  }
}
