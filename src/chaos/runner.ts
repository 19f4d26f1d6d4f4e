/**
 * Performs an engine's actions on one direction of a relay, in order, honouring delays: the I/O half of
 * the chaos engine, kept apart so the relay only wires sockets to it. Timers and the clock are injected
 * (tests drive them by hand). It is the engine's ChaosOutput: an action with nothing to wait for is
 * performed as the engine decides it, and only what a delay holds back is queued.
 *
 *   const runner = new ActionRunner({ write: (b) => upstream.write(b), end: () => upstream.end(),
 *                                     reset: () => destroyBoth(), fault: (f) => log(faultEvent(f, conn)) });
 *   client.on('data', (chunk) => engine.pushInto(runner, chunk, runner.now()));
 *   client.on('end', () => engine.endInto(runner, runner.now()));
 */
import type { ChaosAction, ChaosOutput, FaultRecord } from './types.js';

export interface ChaosSink {
  write(bytes: Uint8Array): void;
  /** Send FIN to the receiver. */
  end(): void;
  /** Destroy the connection with a TCP reset. */
  reset(): void;
  fault(record: FaultRecord): void;
}

export interface ChaosTimers {
  /** Milliseconds, monotonic: the clock the engine's `now` comes from. */
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemTimers: ChaosTimers = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

interface Queued {
  action: Exclude<ChaosAction, { type: 'delay' }>;
  at: number;
}

export class ActionRunner implements ChaosOutput {
  private queue: Queued[] = [];
  private head = 0;
  private releaseAt = Number.NEGATIVE_INFINITY;
  private timer: unknown = null;
  private bytesQueued = 0;
  private closed = false;

  constructor(
    private readonly sink: ChaosSink,
    private readonly timers: ChaosTimers = systemTimers,
  ) {}

  now(): number {
    return this.timers.now();
  }

  /** Bytes waiting behind a delay: a relay pauses its source while this is large (backpressure). */
  get queuedBytes(): number {
    return this.bytesQueued;
  }

  /** True while actions wait for their time. */
  get waiting(): boolean {
    return this.head < this.queue.length;
  }

  /** Performs `actions` (returned by a push or end at time `now`): now, or when their delay has passed. */
  run(actions: readonly ChaosAction[], now: number): void {
    for (const action of actions) {
      switch (action.type) {
        case 'write':
          this.write(action.bytes);
          break;
        case 'delay':
          this.delay(action.ms, now);
          break;
        case 'end':
          this.end();
          break;
        case 'reset':
          this.reset();
          break;
        case 'fault':
          this.fault(action.fault);
          break;
      }
    }
  }

  // ChaosOutput: each action now, or queued behind a delay (or behind what a delay already holds).

  write(bytes: Uint8Array): void {
    if (this.closed) return;
    if (this.isFree()) this.sink.write(bytes);
    else {
      this.bytesQueued += bytes.length;
      this.enqueue({ type: 'write', bytes });
    }
  }

  /** Holds every later action until `ms` after `now`; a release time already later stands. */
  delay(ms: number, now: number): void {
    if (!this.closed) this.releaseAt = Math.max(this.releaseAt, now + ms);
  }

  end(): void {
    if (this.closed) return;
    if (this.isFree()) this.sink.end();
    else this.enqueue({ type: 'end' });
  }

  reset(): void {
    if (this.closed) return;
    if (this.isFree()) this.perform({ type: 'reset' });
    else this.enqueue({ type: 'reset' });
  }

  fault(record: FaultRecord): void {
    if (this.closed) return;
    if (this.isFree()) this.sink.fault(record);
    else this.enqueue({ type: 'fault', fault: record });
  }

  /** Drops whatever waits (the connection is gone). */
  close(): void {
    this.closed = true;
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
    this.queue = [];
    this.head = 0;
    this.bytesQueued = 0;
  }

  /** Nothing waits and no delay holds: an action now would be performed at once. */
  isFree(): boolean {
    if (this.closed || this.head < this.queue.length) return false;
    if (this.releaseAt === Number.NEGATIVE_INFINITY) return true;
    if (this.releaseAt > this.timers.now()) return false;
    // The hold is over: later actions need not read the clock (a release time in the past holds nothing).
    this.releaseAt = Number.NEGATIVE_INFINITY;
    return true;
  }

  private enqueue(action: Queued['action']): void {
    this.queue.push({ action, at: this.releaseAt });
    this.drain();
  }

  private drain(): void {
    for (let next = this.queue[this.head]; next !== undefined && !this.closed; next = this.queue[this.head]) {
      const wait = next.at - this.timers.now();
      if (wait > 0) {
        if (this.timer === null) {
          this.timer = this.timers.setTimeout(() => {
            this.timer = null;
            this.drain();
          }, wait);
        }
        return;
      }
      this.head++;
      this.perform(next.action);
    }
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    }
  }

  private perform(action: Queued['action']): void {
    switch (action.type) {
      case 'write':
        this.bytesQueued -= action.bytes.length;
        this.sink.write(action.bytes);
        return;
      case 'fault':
        this.sink.fault(action.fault);
        return;
      case 'end':
        this.sink.end();
        return;
      case 'reset':
        this.sink.reset();
        this.close();
        return;
    }
  }
}
