/**
 * `wsdiag analyze FILE|-`: decodes one recorded direction of a WebSocket stream (the bytes after the
 * handshake) and reports every frame rule it breaks. Exit 1 if an error-severity violation was found.
 */
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { UsageError } from '../../errors.js';
import type { Side, WsdiagEvent } from '../../events/index.js';
import { negotiatedDeflate } from '../../protocol/extensions.js';
import type { AcceptedType } from '../../protocol/message-type.js';
import { describeFsError } from '../../reporters/jsonl.js';
import { JsonlReporter, PrettyReporter, SummaryCollector, shouldUseColor, type Reporter } from '../../reporters/index.js';
import { analyzeStream, type AnalyzeResult } from '../../session/analyze.js';
import { parseHex } from '../hex.js';
import { action, parseCount } from '../run.js';

interface AnalyzeFlags {
  from: Side;
  extensions?: string;
  maxMessage?: number;
  accepts?: AcceptedType;
  json?: boolean;
  frames?: boolean;
  hex?: boolean;
  quiet?: boolean;
  preview: boolean;
  showSecrets?: boolean;
  color: boolean;
}

export function registerAnalyze(program: Command): void {
  program
    .command('analyze')
    .description('decode one recorded direction of a WebSocket stream (the bytes after the handshake) and report every violation')
    .argument('<file>', 'the recorded bytes, or - for standard input')
    .addOption(new Option('--from <side>', 'who sent these bytes (masking rules depend on it)').choices(['client', 'server']).makeOptionMandatory())
    .option('--extensions <value>', 'the Sec-WebSocket-Extensions value the server accepted, e.g. "permessage-deflate; client_no_context_takeover"')
    .option('--max-message <bytes>', 'report messages larger than this (after inflation); 0 = no limit (default 104857600)', parseCount('--max-message'))
    .addOption(new Option('--accepts <type>', 'message types the receiving endpoint accepts (1003 rules)').choices(['text', 'binary', 'any']))
    .option('--hex', 'the input is hex text (as pasted in bug reports: "81 05 48 65 ...", 0x81, \\x81 or xxd output)')
    .option('--json', 'print events as JSON Lines instead of the readable log')
    .option('--frames', 'also report every frame')
    .option('--quiet', 'show violations only')
    .option('--no-preview', 'omit payload previews from violations')
    .option('--show-secrets', 'write credentials in previews and Close reasons as they came (by default they are REDACTED)')
    .option('--no-color', 'plain output even on a terminal')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  wsdiag analyze capture.bin --from client\n' +
        '  echo "81 05 48 65 6c 6c 6f" | wsdiag analyze - --hex --from client\n' +
        '  wsdiag analyze server.bin --from server --extensions permessage-deflate --json\n' +
        '\nExit status: 0 no error-severity violation, 1 violations found, 2 bad usage or unreadable input.',
    )
    .action(action((file: string, flags: AnalyzeFlags) => runAnalyze(file, flags)));
}

async function runAnalyze(file: string, flags: AnalyzeFlags): Promise<number> {
  const deflate = negotiatedDeflate(flags.extensions);
  if (deflate && 'error' in deflate) throw new UsageError(`--extensions "${flags.extensions}": ${deflate.error}`);
  const source = await openInput(file, flags.hex === true);

  const reporter: Reporter & { closed?: boolean } = flags.json
    ? new JsonlReporter(process.stdout)
    : new PrettyReporter(process.stdout, {
        color: shouldUseColor({ stream: process.stdout, flag: flags.color }),
        frames: flags.frames === true,
        quiet: flags.quiet === true,
      });
  const summary = new SummaryCollector();
  const onEvent = (event: WsdiagEvent): void => {
    summary.write(event);
    reporter.write(event);
  };
  const result = await analyzeStream(source, {
    from: flags.from,
    extensions: flags.extensions ?? null,
    ...(flags.maxMessage !== undefined ? { maxMessage: flags.maxMessage } : {}),
    ...(flags.accepts ? { typePolicy: { accepts: flags.accepts, source: `--accepts ${flags.accepts}` } } : {}),
    frames: flags.frames === true,
    preview: flags.preview,
    showSecrets: flags.showSecrets === true,
    onEvent,
  });
  const end = { ...summary.summary(), connections: 1 };
  if (flags.json) reporter.write(end);
  else if (!flags.quiet) process.stdout.write(describeResult(file, flags.from, result));
  if (!flags.json && !flags.quiet && end.violations > 0) reporter.write(end);
  await reporter.flush();
  return result.errors > 0 ? 1 : 0;
}

/** Opens the input before any output, so a bad path is a usage error and not a half-printed report. */
async function openInput(file: string, hex: boolean): Promise<AsyncIterable<Uint8Array> | Iterable<Uint8Array>> {
  if (file !== '-') {
    try {
      const info = await stat(file);
      if (info.isDirectory()) throw new UsageError(`${file} is a directory, not a capture file`);
    } catch (err) {
      if (err instanceof UsageError) throw err;
      throw new UsageError(`cannot read ${file}: ${describeFsError(err)}`);
    }
  }
  if (!hex) return file === '-' ? process.stdin : createReadStream(file, { highWaterMark: 64 * 1024 });
  const text = file === '-' ? await readAll(process.stdin) : await readFile(file, 'utf8');
  const bytes = parseHex(text);
  if ('error' in bytes) throw new UsageError(`--hex input ${file === '-' ? '(stdin)' : file}: ${bytes.error}`);
  return [bytes];
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(parts).toString('utf8');
}

function describeResult(file: string, from: Side, r: AnalyzeResult): string {
  const name = file === '-' ? 'stdin' : file;
  const lines = [`\n${name} (from ${from}): ${r.frames} frame${r.frames === 1 ? '' : 's'}, ${r.bytes} bytes, ${r.violations} violation${r.violations === 1 ? '' : 's'}.`];
  if (r.stoppedAt !== null) lines.push(`Decoding stopped at offset ${r.stoppedAt}: frame boundaries were lost; ${r.ignoredBytes} later bytes were only counted.`);
  if (r.truncated) lines.push('The capture ends in the middle of a frame.');
  return `${lines.join('\n')}\n`;
}
