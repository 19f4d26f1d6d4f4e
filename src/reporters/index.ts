/**
 * The sinks of wsdiag's one event stream, by name (vitest's ReportersMap): every command picks its output
 * here (`createOutput`), library users can import the classes directly. Adding a reporter = one file and
 * one entry in REPORTERS.
 */
import type { Writable } from 'node:stream';
import { UsageError } from '../errors.js';
import { JsonlReporter } from './jsonl.js';
import type { SinkClosedListener } from './line-sink.js';
import { PrettyReporter } from './pretty.js';
import type { PrettyOptions, Reporter } from './types.js';

export interface ReporterContext extends PrettyOptions {
  stream: Writable;
  /** Called once when the stream stops taking output (the reader went away, or a write failed). */
  onClosed?: SinkClosedListener;
}

/** A reporter writing to a stream it may lose (a closed pipe): it says so instead of throwing. */
export interface StreamReporter extends Reporter {
  readonly closed: boolean;
  readonly error: Error | undefined;
}

export type ReporterFactory = (context: ReporterContext) => StreamReporter;

export const REPORTERS = {
  pretty: (context) => new PrettyReporter(context.stream, context, context.onClosed),
  jsonl: (context) => new JsonlReporter(context.stream, context.onClosed ? { onClosed: context.onClosed } : {}),
} satisfies Record<string, ReporterFactory>;

export type ReporterName = keyof typeof REPORTERS;

export function isReporterName(name: string): name is ReporterName {
  return Object.hasOwn(REPORTERS, name);
}

/** Builds a reporter by name; an unknown name is a usage error that lists the known ones. */
export function createReporter(name: string, context: ReporterContext): StreamReporter {
  if (!isReporterName(name)) {
    throw new UsageError(`unknown reporter "${name}" (known: ${Object.keys(REPORTERS).join(', ')})`);
  }
  return REPORTERS[name](context);
}

/** A command's main output: JSON Lines with `json`, else the human log. */
export function createOutput(context: ReporterContext & { json: boolean }): StreamReporter {
  return createReporter(context.json ? 'jsonl' : 'pretty', context);
}

export { shouldUseColor, createPalette, type ColorDecision, type Palette } from './color.js';
export { JsonlReporter, openJsonlLog, describeFsError, type JsonlOptions } from './jsonl.js';
export { LineSink, stdoutClosedNotice, type LineSinkOptions, type SinkClosedListener } from './line-sink.js';
export { MultiReporter } from './multi.js';
export { PrettyReporter } from './pretty.js';
export { formatEvent, probeMatrixHeading, type FormatOptions } from './format/index.js';
export { SummaryCollector, sortedRecord } from './summary.js';
export { FilteredReporter } from './filtered.js';
export type { PrettyOptions, Reporter } from './types.js';
export { readLog, DEFAULT_POLL_INTERVAL_MS, type LogNotice, type ReadLogOptions } from './log-reader.js';
export { mergeLogs, type MergedLog, type MergeLogsOptions } from './log-merge.js';
export { LogGuard, FOREIGN_LINE_LIMIT } from './log-guard.js';
export { LineSplitter, type LogLine } from './log-lines.js';
export { renderJunitXml, type JunitCase, type JunitProblem } from './junit.js';
