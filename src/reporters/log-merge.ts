/**
 * Several logs read as one, in time order: what `tail LOG...` prints and what `wsdiag view LOG...` shows.
 * Each log is read with the tail reader (./log-reader.ts: following, truncation and rotation included).
 * What the logs hold when reading starts is merged by timestamp: each log is in time order already, so
 * this is a k-way merge that only ever holds the next few lines of each log, whatever their size. Ties
 * go to the log named first, lines of one log keep their order. Once every log has been read to its end,
 * lines that arrive later (following) are passed on as they come, which is time order too.
 *
 * A log that is not in time order (lines edited by hand) is not sorted: its lines keep their order and
 * meet the others' where they stand.
 */
import { readLog, type LogNotice } from './log-reader.js';
import type { LogLine } from './log-lines.js';

/** A log to read: its path, and whatever the caller keeps with it (handed back with each of its lines). */
export interface MergedLog {
  readonly file: string;
}

export interface MergeLogsOptions<L extends MergedLog, T> {
  follow: boolean;
  intervalMs?: number;
  /** Ends following (and stops reading early). */
  signal?: AbortSignal;
  /**
   * A line of `log`, in that log's order: what to merge and its timestamp, or undefined to drop it (a
   * blank or bad line; warn here). May throw to stop everything (a file that is not a log): mergeLogs
   * then rejects with that error.
   */
  read: (log: L, line: LogLine) => { ts: string; item: T } | undefined;
  /** Each item, in merged order, with the log it came from. */
  emit: (item: T, log: L) => void;
  /** Awaited while reading, so a slow consumer slows every reader down instead of letting lines pile up. */
  backpressure?: () => Promise<void>;
  /** Everything `log` holds has been read (each poll, when following). May throw, as `read`. */
  onCaughtUp?: (log: L) => void;
  onNotice?: (log: L, notice: LogNotice) => void;
  /** Every log has been read to where it ended at the start, and all of that emitted: what follows comes live. */
  onMerged?: () => void;
}

/** Lines per log read ahead of the merge before its reader waits. */
const READ_AHEAD = 4096;

/** One log's lines read ahead of the merge, oldest first. */
class Lookahead<T> {
  #items: Array<{ ts: string; item: T }> = [];
  /** Index of the oldest item still here (the array is compacted now and then, not shifted per item). */
  #head = 0;

  get size(): number {
    return this.#items.length - this.#head;
  }

  push(entry: { ts: string; item: T }): void {
    this.#items.push(entry);
  }

  peek(): { ts: string; item: T } | undefined {
    return this.#items[this.#head];
  }

  shift(): T | undefined {
    const entry = this.#items[this.#head];
    if (!entry) return undefined;
    this.#head++;
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#head = 0;
    } else if (this.#head >= READ_AHEAD) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return entry.item;
  }
}

interface Source<L, T> {
  log: L;
  lines: Lookahead<T>;
  /** The log has been read to where it ended at the start. */
  started: boolean;
  /** Resolves the reader's wait for room in its lookahead. */
  wake: (() => void) | undefined;
}

/**
 * Reads the logs and emits their items in time order (ties: the log listed first); resolves when all are
 * read (following: when `signal` aborts).
 */
export async function mergeLogs<L extends MergedLog, T>(logs: readonly L[], options: MergeLogsOptions<L, T>): Promise<void> {
  // One reader failing (an unreadable file, not a log) stops the others, which would otherwise follow forever.
  const stop = new AbortController();
  const abort = () => stop.abort();
  if (options.signal?.aborted) abort();
  options.signal?.addEventListener('abort', abort, { once: true });

  const sources: Array<Source<L, T>> = logs.map((log) => ({ log, lines: new Lookahead<T>(), started: false, wake: undefined }));
  let live = false;

  /** Emits every item that is known to come next: the oldest head, while no unfinished log could still beat it. */
  const pump = (): void => {
    if (live) return;
    for (;;) {
      let next: { source: Source<L, T>; ts: string } | undefined;
      for (const source of sources) {
        const head = source.lines.peek();
        if (!head) {
          // A log still being read may yet give an older line: wait for it.
          if (!source.started) return;
          continue;
        }
        if (!next || head.ts < next.ts) next = { source, ts: head.ts };
      }
      if (!next) break;
      const item = next.source.lines.shift() as T;
      if (next.source.lines.size < READ_AHEAD) next.source.wake?.();
      options.emit(item, next.source.log);
    }
    if (sources.every((source) => source.started)) {
      live = true;
      options.onMerged?.();
    }
  };

  // The first failure, boxed: whatever was thrown, even undefined, is rethrown as it was.
  let failure: { error: unknown } | undefined;
  const readers = sources.map(async (source) => {
    const { log } = source;
    try {
      await readLog(log.file, {
        follow: options.follow,
        ...(options.intervalMs !== undefined ? { intervalMs: options.intervalMs } : {}),
        signal: stop.signal,
        onLine: (line) => {
          const read = options.read(log, line);
          if (!read) return;
          if (live) options.emit(read.item, log);
          else source.lines.push(read);
        },
        onStartRead: () => {
          source.started = true;
          pump();
        },
        onCaughtUp: () => options.onCaughtUp?.(log),
        onNotice: (notice) => options.onNotice?.(log, notice),
        backpressure: async () => {
          pump();
          await options.backpressure?.();
          // Too far ahead of the others: wait until the merge has taken some of this log's lines.
          if (!live && source.lines.size >= READ_AHEAD && !stop.signal.aborted) {
            await new Promise<void>((resolve) => {
              const done = (): void => {
                stop.signal.removeEventListener('abort', done);
                source.wake = undefined;
                resolve();
              };
              source.wake = done;
              stop.signal.addEventListener('abort', done, { once: true });
            });
          }
        },
      });
    } catch (err) {
      failure ??= { error: err };
      abort();
    } finally {
      // A log that ended (or failed) early must not hold the merge back.
      source.started = true;
      if (!stop.signal.aborted) pump();
    }
  });

  try {
    await Promise.all(readers);
  } finally {
    options.signal?.removeEventListener('abort', abort);
  }
  if (failure) throw failure.error;
}
