/**
 * Sinks for everything a sandwich run emits: the legs' ordinary events (formatted exactly as the proxy
 * formats them) and the sandwich's own `sandwich-finding` / `sandwich-summary` lines, in one stream and
 * one order. Each event is one write to a LineSink, so nothing interleaves and a closed pipe is quiet.
 */
import { closeSync, createWriteStream, openSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { UsageError } from '../errors.js';
import { createPalette, type Palette } from '../reporters/color.js';
import { describeFsError } from '../reporters/jsonl.js';
import { LineSink, type SinkClosedListener } from '../reporters/line-sink.js';
import { formatEvent } from '../reporters/pretty-format.js';
import type { PrettyOptions } from '../reporters/types.js';
import { formatSandwichFinding, formatSandwichSummary } from './format.js';
import type { SandwichEvent } from './types.js';

export interface SandwichSink {
  write(event: SandwichEvent): void;
  /** Flushes; a sink that owns its stream (a log file) also ends it. */
  close(): Promise<void>;
}

/** JSON Lines: one object per line, for `--json` on stdout and `--log FILE`. */
export class SandwichJsonl implements SandwichSink {
  readonly #sink: LineSink;
  readonly #ownsStream: boolean;

  constructor(stream: Writable, options: { onClosed?: SinkClosedListener; ownsStream?: boolean } = {}) {
    this.#sink = new LineSink(stream, options.onClosed);
    this.#ownsStream = options.ownsStream ?? false;
  }

  write(event: SandwichEvent): void {
    this.#sink.write(`${JSON.stringify(event)}\n`);
  }

  close(): Promise<void> {
    return this.#ownsStream ? this.#sink.end() : this.#sink.flush();
  }
}

/** Opens PATH for appending (synchronously: a bad path is a usage error before anything listens). */
export function openSandwichLog(path: string, onClosed?: SinkClosedListener): SandwichJsonl {
  let fd: number;
  try {
    fd = openSync(path, 'a');
  } catch (err) {
    throw new UsageError(`cannot open log file ${path}: ${describeFsError(err)}`, { cause: err });
  }
  try {
    return new SandwichJsonl(createWriteStream(path, { fd, flags: 'a' }), { ...(onClosed ? { onClosed } : {}), ownsStream: true });
  } catch (err) {
    closeSync(fd);
    throw new UsageError(`cannot open log file ${path}: ${describeFsError(err)}`, { cause: err });
  }
}

/** The human log: the proxy's formatting for leg events, ./format.ts for the sandwich's own. */
export class SandwichPretty implements SandwichSink {
  readonly #sink: LineSink;
  readonly #options: PrettyOptions;
  readonly #palette: Palette;

  constructor(stream: Writable, options: PrettyOptions, onClosed?: SinkClosedListener) {
    this.#sink = new LineSink(stream, onClosed);
    this.#options = options;
    this.#palette = createPalette(options.color);
  }

  /**
   * Whether an event appears under the current options (--quiet: where it listens and problems only;
   * frames only with --frames).
   */
  shows(event: SandwichEvent): boolean {
    if (this.#options.quiet) {
      if (event.type === 'sandwich-finding') return event.severity !== 'info';
      return event.type === 'listening' || event.type === 'violation' || event.type === 'error' || event.type === 'sandwich-summary';
    }
    if (event.type === 'frame') return this.#options.frames;
    return true;
  }

  write(event: SandwichEvent): void {
    if (!this.shows(event)) return;
    const options = { palette: this.#palette, ...(this.#options.width !== undefined ? { width: this.#options.width } : {}) };
    if (event.type === 'sandwich-finding') this.#sink.write(formatSandwichFinding(event, options));
    else if (event.type === 'sandwich-summary') this.#sink.write(formatSandwichSummary(event, options));
    else this.#sink.write(formatEvent(event, options));
  }

  close(): Promise<void> {
    return this.#sink.flush();
  }
}
