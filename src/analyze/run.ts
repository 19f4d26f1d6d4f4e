/**
 * `wsdiag analyze FILE|-` as a library call. The input is told by its first bytes (the magic number):
 *
 * - a packet capture (pcap or pcapng) is judged whole, every WebSocket connection in it both ways, as the
 *   proxy would have judged it (./capture.ts, src/capture/): same events, with the capture's timestamps
 *   and addresses; read through one reused buffer, so a capture of any size takes bounded memory;
 * - anything else is one recorded direction of a WebSocket stream (the bytes after the handshake), raw or
 *   as pasted hex (`hex`), decoded by analyzeStream: it needs `from`, as only a capture says who sent what.
 *
 * Every event is shown as it is found, then what was decoded. Resolves with the exit code: 1 when an
 * error-severity violation was found, else 0. The input is opened (and hex parsed) before any output, so a
 * bad path is exit 2 and not a half-printed report; so is a capture nothing could be read from.
 */
import type { Readable, Writable } from 'node:stream';
import { DESCRIBE_BYTES, detectCapture } from '../capture/index.js';
import { ConfigError, UsageError, type ExitCodeValue } from '../errors.js';
import type { Side, WsdiagEvent } from '../events/index.js';
import { negotiatedDeflate, type AcceptedType } from '../protocol/index.js';
import { JsonlReporter, PrettyReporter, SummaryCollector, shouldUseColor, type Reporter } from '../reporters/index.js';
import { analyzeStream, type AnalyzeResult, type EventContentOptions } from '../session/index.js';
import { CaptureRun, describeCapture, noWebSocketNotice } from './capture.js';
import { parseHex } from './hex.js';
import { openAnalyzeInput, type AnalyzeInput } from './input.js';

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

export async function runAnalyze(options: AnalyzeInputOptions, io: AnalyzeIO): Promise<ExitCodeValue> {
  const deflate = negotiatedDeflate(options.extensions);
  if (deflate && 'error' in deflate) {
    const { error } = deflate;
    throw new ConfigError('extensions', (n) => `${n('extensions')} "${options.extensions}": ${error}`);
  }
  const input = await openAnalyzeInput(options.file, io.stdin);
  try {
    if (options.hex) {
      const from = rawSender(options, 'hex input is one direction of a raw WebSocket stream');
      return await analyzeRaw(await readHex(input), from, options, io);
    }
    const head = await input.peek(DESCRIBE_BYTES);
    const detection = detectCapture(head);
    if (detection.format !== null) return await analyzeCaptureInput(input, options, io);
    const from = rawSender(options, `${input.name} is not a packet capture (${detection.reason})`);
    return await analyzeRaw(input.chunks({ reuse: false }), from, options, io);
  } finally {
    await input.close();
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

function reporterFor(options: AnalyzeInputOptions, io: AnalyzeIO): Reporter {
  return options.json
    ? new JsonlReporter(io.stdout)
    : new PrettyReporter(io.stdout, {
        color: shouldUseColor({ stream: io.stdout, flag: options.color ?? true, env: io.env ?? process.env }),
        frames: options.frames === true,
        quiet: options.quiet === true,
      });
}

/** Every WebSocket connection of a capture, both ways; nothing printed when nothing could be read. */
async function analyzeCaptureInput(input: AnalyzeInput, options: AnalyzeInputOptions, io: AnalyzeIO): Promise<ExitCodeValue> {
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
  for await (const chunk of input.chunks({ reuse: true })) run.push(chunk);
  const outcome = run.end();
  if (outcome.unreadable !== null) throw new UsageError(`cannot read ${input.name}: ${outcome.unreadable}`);
  const end = summary.summary();
  if (options.json) reporter.write(end);
  else if (!options.quiet) io.stdout.write(`\n${describeCapture(input.name, outcome)}\n`);
  if (!options.json && !options.quiet && end.violations > 0) reporter.write(end);
  await reporter.flush();
  const notice = noWebSocketNotice(outcome.stats);
  if (notice !== null) io.stderr?.write(`wsdiag: ${input.name}: ${notice}.\n`);
  return outcome.errors > 0 ? 1 : 0;
}

/** One recorded direction of a stream. */
async function analyzeRaw(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  from: Side,
  options: AnalyzeInputOptions,
  io: AnalyzeIO,
): Promise<ExitCodeValue> {
  const reporter = reporterFor(options, io);
  const summary = new SummaryCollector();
  const onEvent = (event: WsdiagEvent): void => {
    summary.write(event);
    reporter.write(event);
  };
  const result = await analyzeStream(source, {
    from,
    extensions: options.extensions ?? null,
    ...(options.maxMessage !== undefined ? { maxMessage: options.maxMessage } : {}),
    ...(options.accepts ? { typePolicy: { accepts: options.accepts, source: `--accepts ${options.accepts}` } } : {}),
    frames: options.frames === true,
    preview: options.preview ?? true,
    showSecrets: options.showSecrets === true,
    ...(options.redact !== undefined ? { redact: options.redact } : {}),
    ...(options.messages !== undefined ? { messages: options.messages } : {}),
    ...(options.bodyLimit !== undefined ? { bodyLimit: options.bodyLimit } : {}),
    onEvent,
  });
  const end = { ...summary.summary(), connections: 1 };
  if (options.json) reporter.write(end);
  else if (!options.quiet) io.stdout.write(describeResult(options.file, from, result));
  if (!options.json && !options.quiet && end.violations > 0) reporter.write(end);
  await reporter.flush();
  return result.errors > 0 ? 1 : 0;
}

/** The whole input as hex text, parsed: a parse error names --hex. */
async function readHex(input: AnalyzeInput): Promise<Uint8Array[]> {
  const parts: Uint8Array[] = [];
  for await (const chunk of input.chunks({ reuse: false })) parts.push(chunk);
  const bytes = parseHex(Buffer.concat(parts).toString('utf8'));
  if ('error' in bytes) {
    const { error } = bytes;
    const name = input.name === 'stdin' ? '(stdin)' : input.name;
    throw new ConfigError('hex', (n) => `${n('hex')} input ${name}: ${error}`);
  }
  return [bytes];
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
