/**
 * One page's end of the live feed. The proxy calls `push` from its event path, so nothing here may wait or
 * grow without bound: records are queued (bounded in bytes) and sent together, one WebSocket message at
 * most every 25 ms. When the page cannot keep up — its socket's `bufferedAmount` plus our queue pass the
 * limit — this page's records are dropped, counted, and once its socket has drained it is told how many
 * it missed (a `dropped` message the page shows). Other pages and the relay are never slowed.
 */
import type { WebSocket } from 'ws';
import type { RingEntry } from './ring.js';

export interface FeedClientOptions {
  /** Bytes queued here plus bytes buffered in the socket above which this page's records are dropped. */
  maxBufferedBytes: number;
  /** Bytes still buffered in the socket below which a dropping page is resumed. */
  resumeBelowBytes: number;
  /** How often a dropping page's socket is checked for having drained. */
  pollMs: number;
}

export const DEFAULT_FEED_CLIENT_OPTIONS: FeedClientOptions = {
  maxBufferedBytes: 8 * 1024 * 1024,
  resumeBelowBytes: 1024 * 1024,
  pollMs: 250,
};

/** Records per WebSocket message while replaying the ring (bounded in size too, see REPLAY_BYTES). */
const REPLAY_BYTES = 256 * 1024;
/**
 * Live records are sent at most this often, as one WebSocket message: a person does not see 25 ms, and a
 * write per event would cost the proxy a system call per frame it relays.
 */
const FLUSH_MS = 25;
/** …or at once when this much is queued, so a burst goes out in bounded pieces. */
const FLUSH_BYTES = 64 * 1024;

export class FeedClient {
  readonly #ws: WebSocket;
  readonly #options: FeedClientOptions;
  #queue: string[] = [];
  #queuedBytes = 0;
  #flushScheduled = false;
  /** While replaying the ring, live records wait in the queue (they come after it). */
  #replaying = false;
  #dropping: { count: number; first: number; last: number } | null = null;
  #timer: NodeJS.Timeout | null = null;
  #closed = false;
  /** Records not sent to this page, in total. */
  dropped = 0;

  constructor(ws: WebSocket, options: FeedClientOptions = DEFAULT_FEED_CLIENT_OPTIONS) {
    this.#ws = ws;
    this.#options = options;
    ws.on('close', () => this.#close());
    ws.on('error', () => this.#close());
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Sends `hello`, then the ring's records in chunks, each once the previous one has left. */
  async start(hello: string, replay: readonly RingEntry[]): Promise<void> {
    this.#replaying = true;
    try {
      await this.#sendNow(hello);
      let chunk: string[] = [];
      let bytes = 0;
      for (const entry of replay) {
        if (this.#closed) return;
        chunk.push(entry.json);
        bytes += entry.json.length;
        if (bytes >= REPLAY_BYTES) {
          await this.#sendNow(recordsMessage(chunk));
          chunk = [];
          bytes = 0;
        }
      }
      if (chunk.length > 0) await this.#sendNow(recordsMessage(chunk));
      await this.#sendNow('{"kind":"live"}');
    } catch {
      this.#close();
      return;
    } finally {
      this.#replaying = false;
    }
    this.#scheduleFlush();
  }

  /** Queues one record (already serialised); never blocks, never throws. */
  push(seq: number, json: string): void {
    if (this.#closed) return;
    if (this.#dropping) {
      this.#countDrop(this.#dropping, seq, 1);
      return;
    }
    if (this.#queuedBytes + json.length + this.#ws.bufferedAmount > this.#options.maxBufferedBytes) {
      this.#startDropping(seq);
      return;
    }
    this.#queue.push(json);
    this.#queuedBytes += json.length;
    this.#scheduleFlush();
  }

  close(code = 1001, reason = 'wsdiag stopped'): void {
    if (this.#closed) return;
    this.#close();
    try {
      this.#ws.close(code, reason);
    } catch {
      this.#ws.terminate();
    }
  }

  #scheduleFlush(): void {
    if (this.#replaying || this.#closed) return;
    if (this.#queuedBytes >= FLUSH_BYTES) {
      this.#flush();
      return;
    }
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setTimeout(() => {
      this.#flushScheduled = false;
      this.#flush();
    }, FLUSH_MS).unref();
  }

  #flush(): void {
    if (this.#closed || this.#replaying || this.#queue.length === 0) return;
    const message = recordsMessage(this.#queue);
    this.#queue = [];
    this.#queuedBytes = 0;
    this.#ws.send(message, (err) => {
      if (err) this.#close();
    });
  }

  #startDropping(seq: number): void {
    // What is queued was never sent: it is dropped with the rest, so the page's gap is one range.
    const queued = this.#queue.length;
    this.#queue = [];
    this.#queuedBytes = 0;
    this.#dropping = { count: 0, first: seq - queued, last: seq };
    this.#countDrop(this.#dropping, seq, queued + 1);
    this.#timer = setInterval(() => this.#checkDrained(), this.#options.pollMs);
    this.#timer.unref();
  }

  #countDrop(dropping: { count: number; last: number }, seq: number, count: number): void {
    dropping.count += count;
    dropping.last = seq;
    this.dropped += count;
  }

  #checkDrained(): void {
    if (this.#closed || !this.#dropping) return;
    if (this.#ws.bufferedAmount >= this.#options.resumeBelowBytes) return;
    const { count, first, last } = this.#dropping;
    this.#dropping = null;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#ws.send(JSON.stringify({ kind: 'dropped', count, first_seq: first, last_seq: last }), (err) => {
      if (err) this.#close();
    });
  }

  #sendNow(message: string): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.#closed) return resolve();
      this.#ws.send(message, (err) => (err ? reject(err) : resolve()));
    });
  }

  #close(): void {
    this.#closed = true;
    this.#queue = [];
    this.#queuedBytes = 0;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }
}

function recordsMessage(records: readonly string[]): string {
  return `{"kind":"records","records":[${records.join(',')}]}`;
}
