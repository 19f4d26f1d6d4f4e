/**
 * Offline analysis of one recorded direction (the bytes after the handshake): the library behind
 * `wsdiag analyze`, and the entry point for users who validate frames inside their own test suites.
 */
import { directionFrom, systemClock, type Clock, type Side, type WsdiagEvent } from '../events/index.js';
import { MessageRecorder, checkBodyLimit } from '../messages/index.js';
import type { TypePolicy } from '../protocol/index.js';
import { redactorFor } from '../redact.js';
import { ConnectionAnalyzer } from './analyzer.js';
import type { EventContentOptions } from './content.js';

/** The event content options (frames, previews, secrets, messages) as for the proxy; offline there is no path or subprotocol to redact. */
export interface AnalyzeOptions extends EventContentOptions {
  /** Who sent the bytes: masking rules depend on it. */
  from: Side;
  /** The negotiated Sec-WebSocket-Extensions value (e.g. "permessage-deflate; client_no_context_takeover"). */
  extensions?: string | null;
  maxMessage?: number;
  /** Message types the receiving endpoint accepts (1003 rules). */
  typePolicy?: TypePolicy | null;
  /** Violations reported per rule before the rest are only counted; unlimited by default offline. */
  maxPerRule?: number;
  clock?: Clock;
  /** Receives events as they are found; otherwise collect them from the result. */
  onEvent?: (event: WsdiagEvent) => void;
}

export interface AnalyzeResult {
  frames: number;
  bytes: number;
  violations: number;
  /** Violations of error severity: what makes `wsdiag analyze` exit 1. */
  errors: number;
  /** Where decoding stopped because frame boundaries were lost, or null. */
  stoppedAt: number | null;
  /** Bytes after that point, counted but not decoded. */
  ignoredBytes: number;
  /** The capture ends inside a frame. */
  truncated: boolean;
}

/** The connection id used by offline analysis (DESIGN §2). */
export const ANALYZE_CONN = 'analyze';

class OneDirection {
  readonly analyzer: ConnectionAnalyzer;
  readonly events: WsdiagEvent[] = [];
  errors = 0;
  stoppedAt: number | null = null;
  private readonly options: AnalyzeOptions;

  constructor(options: AnalyzeOptions) {
    this.options = options;
    const dir = directionFrom(options.from);
    const redact = redactorFor(options.showSecrets, options.redact);
    const clock = options.clock ?? systemClock;
    const messages =
      options.messages === true
        ? new MessageRecorder({
            conn: ANALYZE_CONN,
            dir,
            bodyLimit: checkBodyLimit(options.bodyLimit),
            redact,
            clock,
            emit: (event) => this.event(event),
          })
        : null;
    this.analyzer = new ConnectionAnalyzer({
      conn: ANALYZE_CONN,
      extensions: options.extensions ?? null,
      typePolicies: { [dir]: options.typePolicy ?? null },
      ...(options.maxMessage !== undefined ? { maxMessage: options.maxMessage } : {}),
      frames: options.frames ?? false,
      preview: options.preview ?? true,
      redact,
      maxPerRule: options.maxPerRule ?? Number.POSITIVE_INFINITY,
      // One direction: the answers to its pings are not in the recording.
      pongTimeoutMs: null,
      clock,
      ...(messages ? { observers: { [dir]: [messages.listeners] } } : {}),
      onEvent: (event) => this.event(event),
      onSuppressed: (violation) => {
        if (violation.severity === 'error') this.errors++;
      },
    });
  }

  push(chunk: Uint8Array): void {
    this.analyzer.push(directionFrom(this.options.from), chunk);
  }

  finish(): AnalyzeResult {
    const dir = directionFrom(this.options.from);
    const decoder = this.analyzer.decoder(dir);
    // A recording cannot say who ended the stream: the truncated-frame warning just says it ended.
    const truncated = this.analyzer.end(dir) !== null;
    const stop = decoder.stopped;
    return {
      frames: decoder.frameCount,
      bytes: decoder.bytesSeen,
      violations: this.analyzer.violations,
      errors: this.errors,
      stoppedAt: stop ? this.stoppedAt : null,
      ignoredBytes: decoder.ignoredBytes,
      truncated: truncated && !stop,
    };
  }

  private event(event: WsdiagEvent): void {
    if (event.type === 'violation') {
      if (event.severity === 'error') this.errors++;
      if (event.rule === 'length-msb-set' && event.frame) this.stoppedAt = event.frame.offset;
    }
    if (this.options.onEvent) this.options.onEvent(event);
    else this.events.push(event);
  }
}

/**
 * Fills `buffer` from its start with the next bytes of a recording and says how many it wrote; 0 means
 * the recording has ended. May answer with a promise when the bytes are not there yet (a pipe).
 */
export type ReadInto = (buffer: Uint8Array) => number | Promise<number>;

/** How `analyzeReader` reads: the size of its one buffer, and what to do between chunks. */
export interface ReaderOptions {
  /** The size of the one reused buffer, the most read at a time (default DEFAULT_READ_BYTES). */
  chunkBytes?: number;
  /** The one buffer to read into, instead of a new one of `chunkBytes` (a caller that read ahead into it). */
  buffer?: Uint8Array;
  /**
   * Called after each chunk has been analysed (its events delivered): the place to hand gathered output
   * on, and to make the reads wait, by returning a promise, while the output cannot take more. A read
   * loop that never awaits otherwise (synchronous file reads) would queue all of it in memory.
   */
  afterChunk?: () => Promise<void> | null;
}

/**
 * 64 KiB: a read buffer that stays in the CPU's cache while the decoder walks it. Larger reads save
 * nothing (the decoder costs the same per byte whatever the chunk), and from a few hundred KiB on the
 * copy out of the kernel gets slower as the buffer leaves the cache.
 */
export const DEFAULT_READ_BYTES = 64 * 1024;

/**
 * Analyses a recording pulled through `read` into ONE buffer, reused for every chunk: no garbage per
 * chunk, so memory stays flat whatever the recording's length (the decoder keeps no view of a chunk
 * after `push`: what it needs across chunks, it copies). Events reach `onEvent` chunk by chunk, as with
 * `analyzeStream`. `openRecording` (src/analyze) reads files and standard input this way.
 */
export async function analyzeReader(
  read: ReadInto,
  options: AnalyzeOptions & ReaderOptions,
): Promise<AnalyzeResult & { events: WsdiagEvent[] }> {
  const run = new OneDirection(options);
  const buffer = options.buffer ?? new Uint8Array(options.chunkBytes ?? DEFAULT_READ_BYTES);
  for (;;) {
    const got = read(buffer);
    const n = typeof got === 'number' ? got : await got;
    if (n === 0) break;
    run.push(n === buffer.length ? buffer : buffer.subarray(0, n));
    const wait = options.afterChunk?.();
    if (wait) await wait;
  }
  return { ...run.finish(), events: run.events };
}

/** Analyses a stream of chunks (a file, stdin, a socket capture). */
export async function analyzeStream(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: AnalyzeOptions,
): Promise<AnalyzeResult & { events: WsdiagEvent[] }> {
  const run = new OneDirection(options);
  for await (const chunk of chunks) run.push(chunk);
  return { ...run.finish(), events: run.events };
}

/**
 * Analyses bytes already in memory, synchronously. Events are returned unless `onEvent` is given.
 *
 * @example
 *   const { events } = analyzeBytes(capturedClientBytes, { from: 'client' });
 *   assert.deepEqual(events.filter((e) => e.type === 'violation'), []);
 */
export function analyzeBytes(bytes: Uint8Array, options: AnalyzeOptions): AnalyzeResult & { events: WsdiagEvent[] } {
  const run = new OneDirection(options);
  run.push(bytes);
  return { ...run.finish(), events: run.events };
}
