/**
 * Logs for the tail tests (in process and on the command line): a log file made of lines, events as JSON
 * Lines, and what the live log shows for events, which tail must reproduce.
 */
import { writeFileSync } from 'node:fs';
import type { WsdiagEvent } from '../../src/events/index.js';
import { PrettyReporter } from '../../src/reporters/pretty.js';
import * as sample from '../fixtures/sample-events.js';
import { CaptureStream } from '../support/capture-stream.js';
import type { TempDir } from '../support/temp.js';

/** Writes each given list of lines to a new log file in `dir`, and returns its path. */
export function logWriter(dir: TempDir): (lines: string[]) => string {
  return (lines) => {
    const path = dir.file('log.jsonl');
    writeFileSync(path, lines.map((line) => `${line}\n`).join(''));
    return path;
  };
}

export const jsonl = (events: WsdiagEvent[]): string[] => events.map((event) => JSON.stringify(event));

/** What the live log shows for these events (frames on), the look tail must reproduce. */
export function pretty(events: WsdiagEvent[]): string {
  const stream = new CaptureStream();
  const reporter = new PrettyReporter(stream, { color: false, frames: true, quiet: false });
  for (const event of events) reporter.write(event);
  return stream.text;
}

/** The sample run without its frame events (what tail shows without --frames). */
export const withoutFrames = sample.run.filter((event) => event.type !== 'frame');
