/**
 * `wsdiag analyze FILE|-`: flags → options → runAnalyze (src/analyze/run.ts), which decodes one recorded
 * direction of a WebSocket stream and reports every frame rule it breaks → exit 1 if an error-severity
 * violation was found.
 */
import type { Command } from 'commander';
import { runAnalyze, type AnalyzeInputOptions } from '../../analyze/index.js';
import type { Side } from '../../events/index.js';
import type { AcceptedType } from '../../protocol/index.js';
import { action } from '../run.js';
import { addFlags, withHelp, type Flag } from '../flags.js';
import { LIMITS, type LimitFlags } from '../options/limits.js';
import { MESSAGES, messageOptions, type MessageFlags } from '../options/messages.js';
import { OUTPUT, shownOptions, type OutputFlags } from '../options/output.js';

/** Analyze's flags as commander names their values: its own, and those of the shared groups it declares (no --log). */
interface AnalyzeFlags extends Omit<OutputFlags, 'log'>, Pick<LimitFlags, 'maxMessage'>, MessageFlags {
  from: Side;
  extensions?: string;
  accepts?: AcceptedType;
  hex?: boolean;
}

type Analyze = Flag<AnalyzeInputOptions>;

const ANALYZE_FLAGS: Analyze[] = [
  {
    flags: '--from <side>',
    help: 'who sent these bytes (masking rules depend on it)',
    choices: ['client', 'server'],
    required: true,
    sets: ['from'],
  },
  {
    flags: '--extensions <value>',
    help: 'the Sec-WebSocket-Extensions value the server accepted, e.g. "permessage-deflate; client_no_context_takeover"',
    sets: ['extensions'],
  },
  LIMITS.maxMessage,
  {
    flags: '--accepts <type>',
    help: 'message types the receiving endpoint accepts (1003 rules)',
    choices: ['text', 'binary', 'any'],
    sets: ['accepts'],
  },
  { flags: '--hex', help: 'the input is hex text (as pasted in bug reports: "81 05 48 65 ...", 0x81, \\x81 or xxd output)', sets: ['hex'] },
  withHelp(OUTPUT.json, 'print events as JSON Lines instead of the readable log'),
  OUTPUT.frames,
  withHelp(OUTPUT.quiet, 'show violations only'),
  withHelp(MESSAGES.messages, 'also report every message, ping, pong and Close with its payload (cut at --body-limit)'),
  MESSAGES.bodyLimit,
  withHelp(
    MESSAGES.redact,
    'also write REDACTED for whatever REGEX matches in payloads, previews and Close reasons (repeatable; /regex/i to give flags)',
  ),
  withHelp(OUTPUT.preview, 'omit payload previews from violations'),
  withHelp(OUTPUT.showSecrets, 'write credentials in previews and Close reasons as they came (by default they are REDACTED)'),
  withHelp(OUTPUT.color, 'plain output even on a terminal'),
];

export function registerAnalyze(program: Command): void {
  const command = program
    .command('analyze')
    .description('decode one recorded direction of a WebSocket stream (the bytes after the handshake) and report every violation')
    .argument('<file>', 'the recorded bytes, or - for standard input');
  addFlags(command, ANALYZE_FLAGS)
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  wsdiag analyze capture.bin --from client\n' +
        '  echo "81 05 48 65 6c 6c 6f" | wsdiag analyze - --hex --from client\n' +
        '  wsdiag analyze server.bin --from server --extensions permessage-deflate --json\n' +
        '\nExit status: 0 no error-severity violation, 1 violations found, 2 bad usage or unreadable input.',
    )
    .action(
      action((file: string, flags: AnalyzeFlags) =>
        runAnalyze(
          {
            file,
            hex: flags.hex === true,
            from: flags.from,
            ...(flags.extensions !== undefined ? { extensions: flags.extensions } : {}),
            ...(flags.maxMessage !== undefined ? { maxMessage: flags.maxMessage } : {}),
            ...(flags.accepts !== undefined ? { accepts: flags.accepts } : {}),
            json: flags.json === true,
            quiet: flags.quiet === true,
            ...shownOptions(flags),
            ...messageOptions(flags),
            color: flags.color,
          },
          { stdin: process.stdin, stdout: process.stdout },
        ),
      ),
    );
}
