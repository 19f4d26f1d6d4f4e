/**
 * `wsdiag view LOG…` as a library: the dashboard over recorded logs. Each log is checked to be a wsdiag
 * log before anything listens; then all are read to their current end and merged by time (the merge
 * `tail` uses, ../reporters/log-merge.ts; only the newest `capacity` events are kept while reading),
 * handed to the dashboard, and followed as they grow (truncation and rotation survive), new lines shown
 * as they come.
 */
import { open, stat } from 'node:fs/promises';
import { ConfigError, UsageError } from '../errors.js';
import { parseEventLine } from '../events/index.js';
import { DEFAULT_POLL_INTERVAL_MS, LineSplitter, describeFsError, mergeLogs, type LogNotice, type MergedLog } from '../reporters/index.js';
import { DEFAULT_UI_BUFFER, startDashboard, type Dashboard, type FeedEvent } from '../ui/index.js';

export interface ViewOptions {
  files: readonly string[];
  /** Where the dashboard listens (port 0 = any free one). */
  listen: { host: string; port: number };
  /** Events kept for the page (default 10000). */
  capacity?: number;
  intervalMs?: number;
  token?: boolean | string;
  /** Ends following (SIGINT in the CLI). */
  signal: AbortSignal;
  /** Once the dashboard listens (before the logs are read). */
  onReady?: (dashboard: Dashboard) => void;
  /** A line that is not a wsdiag event, a truncated or replaced file. */
  onWarning?: (text: string) => void;
  onNotice?: (file: string, notice: LogNotice) => void;
}

/** Bad lines are named one by one up to this many per log, then only counted. */
const MAX_LINE_WARNINGS = 10;
/** How much of a log's start is read to decide whether it is a wsdiag log at all. */
const SNIFF_BYTES = 64 * 1024;

/**
 * Serves the logs until `signal` aborts. Throws UsageError for a log that cannot be read, ConfigError
 * (option `files`) for one that is not a wsdiag log.
 */
export async function runView(options: ViewOptions): Promise<void> {
  for (const file of options.files) await checkWsdiagLog(file);
  const capacity = options.capacity ?? DEFAULT_UI_BUFFER;
  const dashboard = await startDashboard({
    mode: 'view',
    host: options.listen.host,
    port: options.listen.port,
    capacity,
    sources: options.files.map((label, id) => ({ id, label })),
    option: 'listen',
    ...(options.token !== undefined ? { token: options.token } : {}),
  });
  try {
    options.onReady?.(dashboard);
    await followAll(dashboard, options, capacity);
  } finally {
    await dashboard.close();
  }
}

/** A log the dashboard shows: its number on the feed, and how many of its lines were skipped. */
interface ViewedLog extends MergedLog {
  src: number;
  skipped: number;
}

async function followAll(dashboard: Dashboard, options: ViewOptions, capacity: number): Promise<void> {
  // Until the logs are merged up to where they ended at the start: the newest `capacity` events, in order.
  let initial: Array<{ event: FeedEvent; src: number }> | undefined = [];
  const logs: ViewedLog[] = options.files.map((file, src) => ({ file, src, skipped: 0 }));

  const skip = (log: ViewedLog, text: string): void => {
    const count = ++log.skipped;
    if (count <= MAX_LINE_WARNINGS) options.onWarning?.(text);
    else if ((count - MAX_LINE_WARNINGS) % 1000 === 1) options.onWarning?.(`${log.file}: more lines skipped (${count} so far)`);
  };

  await mergeLogs<ViewedLog, FeedEvent>(logs, {
    follow: true,
    intervalMs: options.intervalMs ?? DEFAULT_POLL_INTERVAL_MS,
    signal: options.signal,
    read: (log, line) => {
      if (line.tooLong) {
        skip(log, `${log.file}:${line.number}: skipped: line too long`);
        return undefined;
      }
      if (line.text.trim() === '') return undefined;
      const parsed = parseEventLine(line.text);
      if (!parsed.ok) {
        skip(log, `${log.file}:${line.number}: skipped: ${parsed.reason}`);
        return undefined;
      }
      return { ts: parsed.event.ts, item: parsed.event };
    },
    emit: (event, { src }) => {
      if (!initial) {
        dashboard.hub.publish(event, src);
        return;
      }
      initial.push({ event, src });
      if (initial.length > capacity * 2) initial.splice(0, initial.length - capacity);
    },
    onMerged: () => {
      for (const { event, src } of initial?.slice(-capacity) ?? []) dashboard.hub.publish(event, src);
      initial = undefined;
    },
    onNotice: ({ file }, notice) => options.onNotice?.(file, notice),
  });
}

/** A UsageError unless FILE exists and is a file, a ConfigError unless it starts with a wsdiag event (an empty file may still become one). */
export async function checkWsdiagLog(file: string): Promise<void> {
  let size: number;
  try {
    const stats = await stat(file);
    if (stats.isDirectory()) throw new UsageError(`cannot read log file ${file}: it is a directory`);
    size = stats.size;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`cannot read log file ${file}: ${describeFsError(err)}`, { cause: err });
  }
  if (size === 0) return;
  let text: Buffer;
  try {
    const handle = await open(file, 'r');
    try {
      const buffer = Buffer.alloc(Math.min(size, SNIFF_BYTES));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      text = buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch (err) {
    throw new UsageError(`cannot read log file ${file}: ${describeFsError(err)}`, { cause: err });
  }
  const splitter = new LineSplitter();
  const lines = [...splitter.push(text), ...(size <= SNIFF_BYTES ? splitter.end() : [])];
  const first = lines.find((line) => !line.tooLong && line.text.trim() !== '');
  if (!first) {
    // No whole line in the first 64 KiB: a wsdiag log's line would at least start as a JSON object.
    if (!/^\s*(\{|$)/.test(text.toString('utf8', 0, 256)))
      throw new ConfigError('files', `${file} is not a wsdiag log (it does not start with a JSON event)`);
    return;
  }
  const parsed = parseEventLine(first.text);
  if (!parsed.ok) throw new ConfigError('files', `${file} is not a wsdiag log (line ${first.number}: ${parsed.reason})`);
}
