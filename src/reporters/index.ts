/**
 * The reporters by name (vitest's ReportersMap): commands pick sinks by name, library users can import
 * the classes directly. Adding a reporter = one file and one entry here.
 */
import type { Writable } from 'node:stream';
import { UsageError } from '../errors.js';
import { JsonlReporter } from './jsonl.js';
import { PrettyReporter } from './pretty.js';
import type { PrettyOptions, Reporter } from './types.js';

export interface ReporterContext extends PrettyOptions {
  stream: Writable;
}

export type ReporterFactory = (context: ReporterContext) => Reporter;

export const REPORTERS = {
  pretty: (context) => new PrettyReporter(context.stream, context),
  jsonl: (context) => new JsonlReporter(context.stream),
} satisfies Record<string, ReporterFactory>;

export type ReporterName = keyof typeof REPORTERS;

export function isReporterName(name: string): name is ReporterName {
  return Object.hasOwn(REPORTERS, name);
}

/** Builds a reporter by name; an unknown name is a usage error that lists the known ones. */
export function createReporter(name: string, context: ReporterContext): Reporter {
  if (!isReporterName(name)) {
    throw new UsageError(`unknown reporter "${name}" (known: ${Object.keys(REPORTERS).join(', ')})`);
  }
  return REPORTERS[name](context);
}

export { shouldUseColor, createPalette, type ColorDecision, type Palette } from './color.js';
export { JsonlReporter, openJsonlLog, type JsonlOptions } from './jsonl.js';
export { LineSink } from './line-sink.js';
export { MultiReporter } from './multi.js';
export { PrettyReporter } from './pretty.js';
export { formatEvent } from './pretty-format.js';
export { SummaryCollector } from './summary.js';
export { parseEventLine, type ParsedLine } from './parse-event.js';
export { createEventFilter, type EventFilterOptions } from './event-filter.js';
export type { PrettyOptions, Reporter } from './types.js';
export { readLog, type LogNotice, type ReadLogOptions } from './log-reader.js';
export { LineSplitter, type LogLine } from './log-lines.js';
