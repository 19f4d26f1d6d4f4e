/**
 * Reads a log file line by line, once or following it as it grows (`tail -f`), by polling: a stat loop
 * works the same on every file system, including network mounts where change notifications are missed.
 *
 * Following survives the two ways logs get rotated:
 *  - truncation (copytruncate, `: > log`): the file shrinks below our offset, so read again from 0;
 *  - replacement (rename + new file): the path names another file (device/inode/birth time differ), so
 *    finish reading the old file to its end, then open the new one by path and read it from 0.
 * A missing file while following is waited for. What cannot be noticed by polling: a file truncated
 * and grown past our offset between two polls, whose beginning is then skipped (as with `tail -F`).
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { OperationalError, UsageError } from '../errors.js';
import { describeFsError } from './jsonl.js';
import { LineSplitter, type LogLine } from './log-lines.js';

export type LogNotice =
  /** Following a file that does not exist (yet). */
  | { kind: 'waiting' }
  /** The file we were waiting for exists now. */
  | { kind: 'appeared' }
  /** The file shrank: reading again from the start. */
  | { kind: 'truncated' }
  /** The path now names a new file: reading it from the start. */
  | { kind: 'replaced' };

export interface ReadLogOptions {
  /** Keep reading as the file grows until `signal` aborts. */
  follow?: boolean;
  /** Milliseconds between two checks while following. */
  intervalMs?: number;
  signal?: AbortSignal;
  onLine: (line: LogLine) => void;
  onNotice?: (notice: LogNotice) => void;
  /**
   * Called once, when what the file held at the start has been read (right away when following a file that
   * does not exist yet): `wsdiag view` merges several logs by time up to there, then shows lines as they come.
   */
  onStartRead?: () => void;
  /** Awaited after each chunk of lines, so a slow consumer slows reading down instead of buffering. */
  backpressure?: () => Promise<void>;
  /**
   * Everything the file holds has been read: at its end without `follow`, after each poll's read with it.
   * May throw to stop reading (the error is thrown by readLog).
   */
  onCaughtUp?: () => void;
  /** Bytes per read. */
  chunkBytes?: number;
}

export const DEFAULT_POLL_INTERVAL_MS = 250;

interface OpenFile {
  handle: FileHandle;
  identity: string;
  position: number;
  splitter: LineSplitter;
}

/** Resolves when the file has been read (or, with `follow`, when `signal` aborts). */
export async function readLog(path: string, options: ReadLogOptions): Promise<void> {
  const reader = new LogReader(path, options);
  try {
    await reader.run();
  } finally {
    await reader.dispose();
  }
}

class LogReader {
  readonly #path: string;
  readonly #options: ReadLogOptions;
  readonly #buffer: Buffer;
  #file: OpenFile | undefined;

  constructor(path: string, options: ReadLogOptions) {
    this.#path = path;
    this.#options = options;
    this.#buffer = Buffer.alloc(options.chunkBytes ?? 64 * 1024);
  }

  get #aborted(): boolean {
    return this.#options.signal?.aborted ?? false;
  }

  async run(): Promise<void> {
    const { follow = false } = this.#options;
    const file = await this.#open(follow);
    this.#file = file;
    if (!file) this.#options.onNotice?.({ kind: 'waiting' });
    if (!follow) {
      // Without `follow` the file is there or #open threw.
      if (file) {
        await this.#drain(file);
        this.#emit(file.splitter.end());
      }
      if (!this.#aborted) this.#options.onCaughtUp?.();
      this.#options.onStartRead?.();
      return;
    }
    let startRead = false;
    while (!this.#aborted) {
      if (this.#file) {
        await this.#drain(this.#file);
        if (!this.#aborted) this.#options.onCaughtUp?.();
      }
      if (!startRead) {
        startRead = true;
        this.#options.onStartRead?.();
      }
      await sleep(this.#options.intervalMs ?? DEFAULT_POLL_INTERVAL_MS, this.#options.signal);
      if (this.#aborted) break;
      await this.#checkRotation();
    }
  }

  async dispose(): Promise<void> {
    await this.#file?.handle.close().catch(() => undefined);
    this.#file = undefined;
  }

  /** Notices a file that appeared, was replaced or truncated since the last poll. */
  async #checkRotation(): Promise<void> {
    const current = await statOrUndefined(this.#path);
    if (!this.#file) {
      if (current) {
        this.#file = await this.#open(true);
        if (this.#file) this.#options.onNotice?.({ kind: 'appeared' });
      }
      return;
    }
    // Gone without a successor yet: the old file may still be written to through its open handle.
    if (!current) return;
    if (identityOf(current) !== this.#file.identity) {
      const next = await this.#open(true);
      if (!next) return;
      // Whatever the writer put in the old file before the switch is still ours to show.
      await this.#drain(this.#file);
      this.#emit(this.#file.splitter.end());
      await this.#file.handle.close().catch(() => undefined);
      this.#file = next;
      this.#options.onNotice?.({ kind: 'replaced' });
      return;
    }
    const own = await this.#file.handle.stat();
    if (own.size < this.#file.position) {
      this.#file.position = 0;
      this.#file.splitter.reset();
      this.#options.onNotice?.({ kind: 'truncated' });
    }
  }

  /** Opens the path; undefined when it does not exist and we may wait for it. */
  async #open(mayWait: boolean): Promise<OpenFile | undefined> {
    let handle: FileHandle;
    try {
      handle = await open(this.#path, 'r');
    } catch (err) {
      if (mayWait && (err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new UsageError(`cannot read log file ${this.#path}: ${describeFsError(err)}`, { cause: err });
    }
    const stats = await handle.stat();
    if (stats.isDirectory()) {
      await handle.close();
      throw new UsageError(`cannot read log file ${this.#path}: it is a directory`);
    }
    return { handle, identity: identityOf(stats), position: 0, splitter: new LineSplitter() };
  }

  /** Reads from the file's position to its current end. */
  async #drain(file: OpenFile): Promise<void> {
    while (!this.#aborted) {
      let bytesRead: number;
      try {
        ({ bytesRead } = await file.handle.read(this.#buffer, 0, this.#buffer.length, file.position));
      } catch (err) {
        throw new OperationalError(`cannot read log file ${this.#path}: ${describeFsError(err)}`, { cause: err });
      }
      if (bytesRead === 0) return;
      file.position += bytesRead;
      this.#emit(file.splitter.push(this.#buffer.subarray(0, bytesRead)));
      await this.#options.backpressure?.();
    }
  }

  #emit(lines: LogLine[]): void {
    for (const line of lines) {
      if (this.#aborted) return;
      this.#options.onLine(line);
    }
  }
}

function identityOf(stats: Stats): string {
  return `${stats.dev}:${stats.ino}:${stats.birthtimeMs}`;
}

async function statOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch {
    return undefined;
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
