/**
 * Performs an engine's actions on one direction of a relay, in order, honouring delays: the I/O half of
 * the chaos engine, kept apart so the relay only wires sockets to it. Timers and the clock are injected
 * (tests drive them by hand).
 *
 *   const runner = new ActionRunner({ write: (b) => upstream.write(b), end: () => upstream.end(),
 *                                     reset: () => destroyBoth(), fault: (f) => log(faultEvent(f, conn)) });
 *   client.on('data', (chunk) => { const now = runner.now(); runner.run(engine.push(chunk, now), now); });
 *   client.on('end', () => { const now = runner.now(); runner.run(engine.end(now), now); });
 */
import type { ChaosAction, FaultRecord } from './types.js';

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

export class ActionRunner {
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
    if (this.closed) return;
    for (const action of actions) {
      if (action.type === 'delay') {
        this.releaseAt = Math.max(this.releaseAt, now + action.ms);
        continue;
      }
      if (action.type === 'write') this.bytesQueued += action.bytes.length;
      this.queue.push({ action, at: this.releaseAt });
    }
    this.drain();
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
