/**
 * `wsdiag analyze FILE|-` as a library call: one recorded direction of a WebSocket stream (the bytes
 * after the handshake), from a file or standard input, raw or as pasted hex, decoded by analyzeReader (pasted hex by analyzeBytes);
 * every event is shown as it is found, then what was decoded. Resolves with the exit code: 1 when an
 * error-severity violation was found, else 0.
 *
 * The input is opened (and hex parsed) before any output, so a bad path is exit 2 and not a half-printed
 * report.
 */
import type { Readable, Writable } from 'node:stream';
import { ConfigError, UsageError, type ExitCodeValue } from '../errors.js';
import type { Side, WsdiagEvent } from '../events/index.js';
import { negotiatedDeflate, type AcceptedType } from '../protocol/index.js';
import { describeFsError, JsonlReporter, PrettyReporter, SummaryCollector, shouldUseColor } from '../reporters/index.js';
import {
  analyzeBytes,
  analyzeReader,
  type AnalyzeOptions,
  type AnalyzeResult,
  type EventContentOptions,
  type ReaderOptions,
} from '../session/index.js';
import { parseHex } from './hex.js';
import { openRecording, readWhole, type Recording } from './recording.js';

export interface AnalyzeInputOptions extends EventContentOptions {
  /** The recorded bytes: a file, or `-` for `io.stdin`. */
  file: string;
  /** The input is hex text (as pasted in bug reports), not raw bytes. */
  hex?: boolean;
  /** Who sent the bytes: masking rules depend on it. */
  from: Side;
  /** The Sec-WebSocket-Extensions value the server accepted. */
  extensions?: string;
  maxMessage?: number;
  /** Message types the receiving endpoint accepts (1003 rules). */
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
  env?: NodeJS.ProcessEnv;
}

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
  const input = await openInput(options, io);

  const reporter = options.json
    ? new JsonlReporter(io.stdout, { batchChars: OUTPUT_BATCH_CHARS })
    : new PrettyReporter(io.stdout, {
        color: shouldUseColor({ stream: io.stdout, flag: options.color ?? true, env: io.env ?? process.env }),
        frames: options.frames === true,
        quiet: options.quiet === true,
        batchChars: OUTPUT_BATCH_CHARS,
      });
  const summary = new SummaryCollector();
  const analysis: AnalyzeOptions & ReaderOptions = {
    from: options.from,
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
    // Each chunk's events leave in one write; the next read waits while the output is backed up.
    afterChunk: () => {
      reporter.release();
      return reporter.room();
    },
  };
  let result: AnalyzeResult;
  try {
    result = 'bytes' in input ? analyzeBytes(input.bytes, analysis) : await analyzeReader((buffer) => input.read(buffer), analysis);
  } catch (err) {
    // What was found before the input failed is shown before the error is.
    await reporter.flush();
    if (isSystemError(err)) throw new UsageError(`cannot read ${input.name}: ${describeFsError(err)}`, { cause: err });
    throw err;
  } finally {
    if ('close' in input) input.close();
  }
  const end = { ...summary.summary(), connections: 1 };
  if (reporter instanceof JsonlReporter) reporter.write(end);
  else if (!options.quiet) {
    reporter.writeText(describeResult(options.file, options.from, result));
    if (end.violations > 0) reporter.write(end);
  }
  await reporter.flush();
  return result.errors > 0 ? 1 : 0;
}

/**
 * Opens the input before any output, so a bad path is exit 2 and not a half-printed report. Raw input is
 * read as it is analysed, into one reused buffer (./recording.ts); hex text is read whole and converted.
 */
async function openInput(options: AnalyzeInputOptions, io: AnalyzeIO): Promise<Recording | { name: string; bytes: Uint8Array }> {
  const { file } = options;
  let recording: Recording;
  try {
    recording = openRecording(file, io.stdin);
  } catch (err) {
    if (isSystemError(err) && err.code === 'EISDIR') throw new UsageError(`${file} is a directory, not a capture file`);
    throw new UsageError(`cannot read ${file}: ${describeFsError(err)}`, { cause: err });
  }
  if (!options.hex) return recording;
  let text: string;
  try {
    text = (await readWhole(recording)).toString('utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${recording.name}: ${describeFsError(err)}`, { cause: err });
  } finally {
    recording.close();
  }
  const bytes = parseHex(text);
  if ('error' in bytes) {
    const { error } = bytes;
    throw new ConfigError('hex', (n) => `${n('hex')} input ${file === '-' ? '(stdin)' : file}: ${error}`);
  }
  return { name: recording.name, bytes };
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
