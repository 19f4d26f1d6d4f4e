/**
 * The live human log: one line per connection event, one block per violation, a table at the end.
 * Formatting lives in format/ (one formatter per event type); this class decides what is shown and writes each event's text
 * in one write, so blocks never interleave.
 */
import type { Writable } from 'node:stream';
import type { WsdiagEvent } from '../events/index.js';
import { createPalette, type Palette } from './color.js';
import { LineSink, type LineSinkOptions, type SinkClosedListener } from './line-sink.js';
import { formatEvent } from './format/index.js';
import { MessageViews } from './message-views.js';
import type { PrettyOptions, Reporter } from './types.js';

export class PrettyReporter implements Reporter {
  readonly #sink: LineSink;
  readonly #options: PrettyOptions;
  readonly #palette: Palette;
  /** Each open connection's message views (subprotocol, earlier messages). */
  readonly #views = new MessageViews();

  constructor(stream: Writable, options: PrettyOptions & LineSinkOptions, onClosed?: SinkClosedListener) {
    this.#sink = new LineSink(stream, onClosed, options);
    this.#options = options;
    this.#palette = createPalette(options.color);
  }

  /** True once the stream is gone (e.g. `| head` exited); later events are dropped. */
  get closed(): boolean {
    return this.#sink.closed;
  }

  get error(): Error | undefined {
    return this.#sink.error;
  }

  /** Whether this event appears in the log under the current options. */
  shows(event: WsdiagEvent): boolean {
    if (this.#options.quiet) return showsWhenQuiet(event);
    if (event.type === 'frame') return this.#options.frames;
    return true;
  }

  write(event: WsdiagEvent): void {
    this.#views.see(event);
    if (!this.shows(event)) return;
    this.#sink.write(formatEvent(event, { palette: this.#palette, width: this.#options.width, views: this.#views }));
  }

  /**
   * An event a filter hides: not shown, but it may be the context of events that are (a connection's
   * `open` gives its messages' views their subprotocol).
   */
  see(event: WsdiagEvent): void {
    this.#views.see(event);
  }

  /** Writes `text` as it is, in order with the events (a closing sentence of the command's own). */
  writeText(text: string): void {
    this.#sink.write(text);
  }

  flush(): Promise<void> {
    return this.#sink.flush();
  }

  /** With `batchChars`: writes the gathered lines now (see LineSink.release). */
  release(): void {
    this.#sink.release();
  }

  /** See LineSink.room(): a promise while the stream still holds output it has not handed on. */
  room(): Promise<void> | null {
    return this.#sink.room();
  }

  close(): Promise<void> {
    return this.#sink.flush();
  }
}

/**
 * What `--quiet` keeps: problems, where to connect (with --listen HOST:0 nothing else tells the port) and
 * the summaries, the lines that say whether anything was found at all.
 */
function showsWhenQuiet(event: WsdiagEvent): boolean {
  switch (event.type) {
    case 'listening':
    case 'violation':
    case 'error':
    case 'summary':
    case 'sandwich-summary':
    case 'probe-summary':
    case 'gap':
    case 'capture-problem':
    case 'fault': // an injected fault (`wsdiag chaos`) is the cause of the violations next to it
      return true;
    case 'sandwich-finding':
      return event.severity !== 'info';
    case 'probe-case':
      return event.status !== 'pass';
    default:
      return false;
  }
}
