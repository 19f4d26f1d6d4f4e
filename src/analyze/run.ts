/**
 * `wsdiag analyze FILE|-` as a library call. The input is told by its first bytes (the magic number):
 *
 * - a packet capture (pcap or pcapng) is judged whole, every WebSocket connection in it both ways, as the
 *   proxy would have judged it (./capture.ts, src/capture/): same events, with the capture's timestamps
 *   and addresses;
 * - anything else is one recorded direction of a WebSocket stream (the bytes after the handshake), raw or
 *   as pasted hex (`hex`), decoded by analyzeReader (pasted hex by analyzeBytes): it needs `from`, as only
 *   a capture says who sent what.
 *
 * Both are read through one reused buffer (./recording.ts), so an input of any size takes bounded memory,
 * and each chunk's events leave in one write, the next read waiting while the output is backed up.
 * Every event is shown as it is found, then what was decoded. Resolves with the exit code: 1 when an
 * error-severity violation was found, else 0. The input is opened (and hex parsed) before any output, so a
 * bad path is exit 2 and not a half-printed report; so is a capture nothing could be read from.
 */
import type { Readable, Writable } from 'node:stream';
import { DESCRIBE_BYTES, MAGIC_BYTES, describeNonCapture, detectCapture } from '../capture/index.js';
import { ConfigError, UsageError, type ExitCodeValue } from '../errors.js';
import type { Side, WsdiagEvent } from '../events/index.js';
import { negotiatedDeflate, type AcceptedType } from '../protocol/index.js';
import { describeFsError, JsonlReporter, PrettyReporter, SummaryCollector, shouldUseColor } from '../reporters/index.js';
import {
  analyzeBytes,
  analyzeReader,
  DEFAULT_READ_BYTES,
  type AnalyzeOptions,
  type AnalyzeResult,
  type EventContentOptions,
  type ReaderOptions,
} from '../session/index.js';
import { CaptureRun, describeCapture, noWebSocketNotice } from './capture.js';
import { parseHex } from './hex.js';
import { openRecording, readWhole, type Recording } from './recording.js';

export interface AnalyzeInputOptions extends EventContentOptions {
  /** The recorded bytes: a capture file or a raw stream, or `-` for `io.stdin`. */
  file: string;
  /** The input is hex text (as pasted in bug reports), not raw bytes: always one raw direction. */
  hex?: boolean;
  /** Who sent the bytes of a raw stream (masking rules depend on it); required for one, refused for a capture. */
  from?: Side;
  /** The Sec-WebSocket-Extensions value the server accepted (raw stream only: a capture has the handshake). */
  extensions?: string;
  maxMessage?: number;
  /** Message types the receiving endpoint accepts (1003 rules; raw stream only). */
  accepts?: AcceptedType;
  /** JSON Lines instead of the readable log. */
  json?: boolean;
  /** Violations only. */
  quiet?: boolean;
  /** false turns colour off; colour also needs a terminal and no NO_COLOR. */
  color?: boolean;
}

export interface AnalyzeIO {
  stdin: Readable;
  stdout: Writable & { isTTY?: boolean };
  /** For a notice that is not an event (a capture without WebSocket traffic); none without it. */
  stderr?: Writable;
  env?: NodeJS.ProcessEnv;
}

/** The raw-stream options a capture has no use for: it holds the handshake and says who sent what. */
const RAW_ONLY = ['from', 'extensions', 'accepts'] as const;

/**
 * Output gathered per write: one write per chunk read (or per this many characters, when one chunk makes
 * more), instead of one per event.
 */
const OUTPUT_BATCH_CHARS = 256 * 1024;

export async function runAnalyze(options: AnalyzeInputOptions, io: AnalyzeIO): Promise<ExitCodeValue> {
  const deflate = negotiatedDeflate(options.extensions);
  if (deflate && 'error' in deflate) {
    const { error } = deflate;
    throw new ConfigError('extensions', (n) => `${n('extensions')} "${options.extensions}": ${error}`);
  }
  const recording = openInput(options.file, io.stdin);
  try {
    if (options.hex) {
      const from = rawSender(options, 'hex input is one direction of a raw WebSocket stream');
      return await analyzeRaw(await readHex(recording), from, options, io);
    }
    const input = new ReadAhead(recording, new Uint8Array(DEFAULT_READ_BYTES));
    const detection = detectCapture(await readOrExplain(recording.name, input.head(MAGIC_BYTES)));
    if (detection.format !== null) return await analyzeCaptureInput(input, options, io);
    // Only a refusal looks further into the input, to say what it looks like instead.
    const from = options.from ?? rawSender(options, `${recording.name} is not a packet capture (${await whatItIs(input)})`);
    return await analyzeRaw(input, from, options, io);
  } finally {
    recording.close();
  }
}

/** Opens the input before any output: a missing, unreadable or directory path is a UsageError (exit 2). */
function openInput(file: string, stdin: Readable): Recording {
  try {
    return openRecording(file, stdin);
  } catch (err) {
    if (isSystemError(err) && err.code === 'EISDIR') throw new UsageError(`${file} is a directory, not a capture file`);
    throw new UsageError(`cannot read ${file}: ${describeFsError(err)}`, { cause: err });
  }
}

/** Who sent a raw stream: `from`, required (`why` says why the input is one). */
function rawSender(options: AnalyzeInputOptions, why: string): Side {
  if (options.from !== undefined) return options.from;
  throw new ConfigError(
    'from',
    (n) =>
      `${why}; to decode it as one direction of a raw WebSocket stream, say who sent it with ${n('from')} client or ${n('from')} server`,
  );
}

function reporterFor(options: AnalyzeInputOptions, io: AnalyzeIO): JsonlReporter | PrettyReporter {
  return options.json
    ? new JsonlReporter(io.stdout, { batchChars: OUTPUT_BATCH_CHARS })
    : new PrettyReporter(io.stdout, {
        color: shouldUseColor({ stream: io.stdout, flag: options.color ?? true, env: io.env ?? process.env }),
        frames: options.frames === true,
        quiet: options.quiet === true,
        batchChars: OUTPUT_BATCH_CHARS,
      });
}

/** Each chunk's events leave in one write; the next read waits while the output is backed up. */
function releaseAfterChunk(reporter: JsonlReporter | PrettyReporter): () => Promise<void> | null {
  return () => {
    reporter.release();
    return reporter.room();
  };
}

/**
 * Runs `analysis` (which reads the input); a read that fails is a UsageError naming the input, shown
 * after what was found before it.
 */
async function reading<T>(name: string, reporter: JsonlReporter | PrettyReporter, analysis: () => Promise<T>): Promise<T> {
  try {
    return await analysis();
  } catch (err) {
    await reporter.flush();
    if (isSystemError(err)) throw new UsageError(`cannot read ${name}: ${describeFsError(err)}`, { cause: err });
    throw err;
  }
}

/** Every WebSocket connection of a capture, both ways; nothing printed when nothing could be read. */
async function analyzeCaptureInput(input: ReadAhead, options: AnalyzeInputOptions, io: AnalyzeIO): Promise<ExitCodeValue> {
  for (const option of RAW_ONLY) {
    if (options[option] !== undefined)
      throw new ConfigError(
        option,
        (n) => `${n(option)} is for a raw stream; ${input.name} is a packet capture, which holds the handshake and says who sent each byte`,
      );
  }
  const reporter = reporterFor(options, io);
  const summary = new SummaryCollector();
  const run = new CaptureRun(options, (event) => {
    summary.write(event);
    reporter.write(event);
  });
  const afterChunk = releaseAfterChunk(reporter);
  await reading(input.name, reporter, async () => {
    // The capture reader copies what it keeps of a chunk before the buffer is read into again.
    for (;;) {
      const got = input.read(input.buffer);
      const n = typeof got === 'number' ? got : await got;
      if (n === 0) break;
      run.push(input.buffer.subarray(0, n));
      const wait = afterChunk();
      if (wait) await wait;
    }
  });
  const outcome = run.end();
  if (outcome.unreadable !== null) throw new UsageError(`cannot read ${input.name}: ${outcome.unreadable}`);
  const end = summary.summary();
  if (reporter instanceof JsonlReporter) reporter.write(end);
  else if (!options.quiet) {
    reporter.writeText(`\n${describeCapture(input.name, outcome)}\n`);
    if (end.violations > 0) reporter.write(end);
  }
  await reporter.flush();
  const notice = noWebSocketNotice(outcome.stats);
  if (notice !== null) io.stderr?.write(`wsdiag: ${input.name}: ${notice}.\n`);
  return outcome.errors > 0 ? 1 : 0;
}

/** One recorded direction of a stream: read through the input's buffer, or hex already parsed. */
async function analyzeRaw(input: ReadAhead | Uint8Array, from: Side, options: AnalyzeInputOptions, io: AnalyzeIO): Promise<ExitCodeValue> {
  const reporter = reporterFor(options, io);
  const summary = new SummaryCollector();
  const analysis: AnalyzeOptions & ReaderOptions = {
    from,
    extensions: options.extensions ?? null,
    ...(options.maxMessage !== undefined ? { maxMessage: options.maxMessage } : {}),
    ...(options.accepts ? { typePolicy: { accepts: options.accepts, source: `--accepts ${options.accepts}` } } : {}),
    // Frame events the log would not show (--quiet) are not made at all.
    frames: options.frames === true && (options.json === true || options.quiet !== true),
    preview: options.preview ?? true,
    showSecrets: options.showSecrets === true,
    ...(options.redact !== undefined ? { redact: options.redact } : {}),
    ...(options.messages !== undefined ? { messages: options.messages } : {}),
    ...(options.bodyLimit !== undefined ? { bodyLimit: options.bodyLimit } : {}),
    onEvent: (event: WsdiagEvent): void => {
      summary.write(event);
      reporter.write(event);
    },
    afterChunk: releaseAfterChunk(reporter),
  };
  const result: AnalyzeResult =
    input instanceof Uint8Array
      ? analyzeBytes(input, analysis)
      : await reading(input.name, reporter, () => analyzeReader((buffer) => input.read(buffer), { ...analysis, buffer: input.buffer }));
  const end = { ...summary.summary(), connections: 1 };
  if (reporter instanceof JsonlReporter) reporter.write(end);
  else if (!options.quiet) {
    reporter.writeText(describeResult(options.file, from, result));
    if (end.violations > 0) reporter.write(end);
  }
  await reporter.flush();
  return result.errors > 0 ? 1 : 0;
}

/** The whole input as hex text, parsed: a parse error names --hex. */
async function readHex(recording: Recording): Promise<Uint8Array> {
  const text = (await readOrExplain(recording.name, readWhole(recording))).toString('utf8');
  const bytes = parseHex(text);
  if ('error' in bytes) {
    const { error } = bytes;
    const name = recording.name === 'stdin' ? '(stdin)' : recording.name;
    throw new ConfigError('hex', (n) => `${n('hex')} input ${name}: ${error}`);
  }
  return bytes;
}

/** What an input that is not a capture looks like (its first DESCRIBE_BYTES: gzip, text, JSON…). */
async function whatItIs(input: ReadAhead): Promise<string> {
  return describeNonCapture(await readOrExplain(input.name, input.head(DESCRIBE_BYTES)));
}

/** A read before any output: its failure is a UsageError naming the input. */
async function readOrExplain<T>(name: string, read: Promise<T>): Promise<T> {
  try {
    return await read;
  } catch (err) {
    throw new UsageError(`cannot read ${name}: ${describeFsError(err)}`, { cause: err });
  }
}

/**
 * A recording whose first bytes were read ahead (to tell a capture by its magic number) and are handed out
 * again first, before the rest is read. Reads go into `buffer`, the one buffer the whole analysis reuses;
 * the head normally is a single read left in place there, so it costs no copy.
 */
class ReadAhead {
  readonly name: string;
  readonly buffer: Uint8Array;
  readonly #recording: Recording;
  /** Bytes of the head still in `buffer`, from its start (one read was enough). */
  #inPlace = 0;
  /** The head gathered from several short reads (a pipe's first writes), handed out first. */
  #held: Uint8Array | null = null;
  #started = false;
  #ended = false;

  constructor(recording: Recording, buffer: Uint8Array) {
    this.#recording = recording;
    this.name = recording.name;
    this.buffer = buffer;
  }

  /**
   * At least `length` bytes from the start (fewer when the recording is shorter), read only as far as
   * needed: what a pipe has delivered so far may be all there is for a while. Before any `read`.
   */
  async head(length: number): Promise<Uint8Array> {
    if (!this.#started) {
      this.#started = true;
      const first = await this.#recording.read(this.buffer);
      if (first === 0) this.#ended = true;
      this.#inPlace = first;
    }
    let head = this.#held ?? this.buffer.subarray(0, this.#inPlace);
    if (head.length >= length || this.#ended) return head;
    // Short reads (a pipe's first writes): gathered apart, as the next read overwrites the buffer.
    const parts = [Buffer.from(head)];
    let total = head.length;
    this.#inPlace = 0;
    while (total < length) {
      const n = await this.#recording.read(this.buffer);
      if (n === 0) {
        this.#ended = true;
        break;
      }
      parts.push(Buffer.from(this.buffer.subarray(0, n)));
      total += n;
    }
    head = Buffer.concat(parts);
    this.#held = head;
    return head;
  }

  /** As Recording.read: the head first, then the rest of the recording. */
  read(buffer: Uint8Array): number | Promise<number> {
    if (this.#inPlace > 0) {
      const n = this.#inPlace;
      this.#inPlace = 0;
      if (buffer !== this.buffer) buffer.set(this.buffer.subarray(0, n), 0);
      return n;
    }
    if (this.#held !== null) {
      const held = this.#held;
      const n = Math.min(held.length, buffer.length);
      buffer.set(held.subarray(0, n), 0);
      this.#held = n === held.length ? null : held.subarray(n);
      return n;
    }
    if (this.#ended) return 0;
    return this.#recording.read(buffer);
  }
}

/** An error from the system (a failed open or read), as opposed to a bug. */
function isSystemError(err: unknown): err is NodeJS.ErrnoException & { code: string } {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string';
}

function describeResult(file: string, from: Side, r: AnalyzeResult): string {
  const name = file === '-' ? 'stdin' : file;
  const lines = [
    `\n${name} (from ${from}): ${r.frames} frame${r.frames === 1 ? '' : 's'}, ${r.bytes} bytes, ${r.violations} violation${r.violations === 1 ? '' : 's'}.`,
  ];
  if (r.stoppedAt !== null)
    lines.push(`Decoding stopped at offset ${r.stoppedAt}: frame boundaries were lost; ${r.ignoredBytes} later bytes were only counted.`);
  if (r.truncated) lines.push('The capture ends in the middle of a frame.');
  return `${lines.join('\n')}\n`;
}
