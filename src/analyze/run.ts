/**
 * `wsdiag analyze FILE|-` as a library call: one recorded direction of a WebSocket stream (the bytes
 * after the handshake), from a file or standard input, raw or as pasted hex, decoded by analyzeStream;
 * every event is shown as it is found, then what was decoded. Resolves with the exit code: 1 when an
 * error-severity violation was found, else 0.
 *
 * The input is opened (and hex parsed) before any output, so a bad path is exit 2 and not a half-printed
 * report.
 */
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import { ConfigError, UsageError, type ExitCodeValue } from '../errors.js';
import type { Side, WsdiagEvent } from '../events/index.js';
import { negotiatedDeflate, type AcceptedType } from '../protocol/index.js';
import { describeFsError, JsonlReporter, PrettyReporter, SummaryCollector, shouldUseColor, type Reporter } from '../reporters/index.js';
import { analyzeStream, type AnalyzeResult, type EventContentOptions } from '../session/index.js';
import { parseHex } from './hex.js';

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

export async function runAnalyze(options: AnalyzeInputOptions, io: AnalyzeIO): Promise<ExitCodeValue> {
  const deflate = negotiatedDeflate(options.extensions);
  if (deflate && 'error' in deflate) {
    const { error } = deflate;
    throw new ConfigError('extensions', (n) => `${n('extensions')} "${options.extensions}": ${error}`);
  }
  const source = await openInput(options, io);

  const reporter: Reporter = options.json
    ? new JsonlReporter(io.stdout)
    : new PrettyReporter(io.stdout, {
        color: shouldUseColor({ stream: io.stdout, flag: options.color ?? true, env: io.env ?? process.env }),
        frames: options.frames === true,
        quiet: options.quiet === true,
      });
  const summary = new SummaryCollector();
  const onEvent = (event: WsdiagEvent): void => {
    summary.write(event);
    reporter.write(event);
  };
  const result = await analyzeStream(source, {
    from: options.from,
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
  else if (!options.quiet) io.stdout.write(describeResult(options.file, options.from, result));
  if (!options.json && !options.quiet && end.violations > 0) reporter.write(end);
  await reporter.flush();
  return result.errors > 0 ? 1 : 0;
}

async function openInput(options: AnalyzeInputOptions, io: AnalyzeIO): Promise<AsyncIterable<Uint8Array> | Iterable<Uint8Array>> {
  const { file } = options;
  if (file !== '-') {
    try {
      const info = await stat(file);
      if (info.isDirectory()) throw new UsageError(`${file} is a directory, not a capture file`);
    } catch (err) {
      if (err instanceof UsageError) throw err;
      throw new UsageError(`cannot read ${file}: ${describeFsError(err)}`);
    }
  }
  if (!options.hex) return file === '-' ? io.stdin : createReadStream(file, { highWaterMark: 64 * 1024 });
  const text = file === '-' ? await readAll(io.stdin) : await readFile(file, 'utf8');
  const bytes = parseHex(text);
  if ('error' in bytes) {
    const { error } = bytes;
    throw new ConfigError('hex', (n) => `${n('hex')} input ${file === '-' ? '(stdin)' : file}: ${error}`);
  }
  return [bytes];
}

async function readAll(stream: Readable): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(parts).toString('utf8');
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
