/**
 * `wsdiag analyze FILE|-`: flags → options → runAnalyze (src/analyze/run.ts), which judges a packet capture
 * (pcap, pcapng: told by its magic number) as the proxy would, or decodes one recorded direction of a
 * WebSocket stream, and reports every rule broken → exit 1 if an error-severity violation was found.
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
  from?: Side;
  extensions?: string;
  accepts?: AcceptedType;
  hex?: boolean;
}

type Analyze = Flag<AnalyzeInputOptions>;

const ANALYZE_FLAGS: Analyze[] = [
  {
    flags: '--from <side>',
    help: 'who sent these bytes, for a raw stream (masking rules depend on it; a capture says it itself)',
    choices: ['client', 'server'],
    sets: ['from'],
  },
  {
    flags: '--extensions <value>',
    help: 'for a raw stream: the Sec-WebSocket-Extensions value the server accepted, e.g. "permessage-deflate; client_no_context_takeover"',
    sets: ['extensions'],
  },
  LIMITS.maxMessage,
  {
    flags: '--accepts <type>',
    help: 'for a raw stream: message types the receiving endpoint accepts (1003 rules)',
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
    .description(
      'judge every WebSocket connection of a packet capture (pcap, pcapng) as the proxy would, or decode one recorded direction of a stream; report every violation',
    )
    .argument('<file>', 'a capture (tcpdump -w, Wireshark), raw bytes or hex, or - for standard input');
  addFlags(command, ANALYZE_FLAGS)
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  wsdiag analyze ws.pcapng                          # every WebSocket connection in a tcpdump or Wireshark capture\n' +
        '  tcpdump -i lo -w - port 9000 | wsdiag analyze -   # a capture on stdin\n' +
        '  wsdiag analyze capture.bin --from client\n' +
        '  echo "81 05 48 65 6c 6c 6f" | wsdiag analyze - --hex --from client\n' +
        '  wsdiag analyze server.bin --from server --extensions permessage-deflate --json\n' +
        '\nA capture is told by its magic number: classic pcap (either byte order, micro- or nanoseconds) or pcapng, link\n' +
        'types Ethernet, Linux cooked (SLL, SLL2), raw IP and loopback. Each WebSocket connection in it is judged both\n' +
        "ways with its negotiated extensions, with the packets' times and addresses; bytes the capture lost are reported\n" +
        'as a gap, TLS connections are listed as not decodable. Anything else is one direction of a raw stream (--from).\n' +
        '\nExit status: 0 no error-severity violation (also a capture without WebSocket traffic, which stderr says), 1\n' +
        'violations found, 2 bad usage or unreadable input (a capture cut inside its header, of a link type not read).',
    )
    .action(
      action((file: string, flags: AnalyzeFlags) =>
        runAnalyze(
          {
            file,
            hex: flags.hex === true,
            ...(flags.from !== undefined ? { from: flags.from } : {}),
            ...(flags.extensions !== undefined ? { extensions: flags.extensions } : {}),
            ...(flags.maxMessage !== undefined ? { maxMessage: flags.maxMessage } : {}),
            ...(flags.accepts !== undefined ? { accepts: flags.accepts } : {}),
            json: flags.json === true,
            quiet: flags.quiet === true,
            ...shownOptions(flags),
            ...messageOptions(flags),
            color: flags.color,
          },
          { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr },
        ),
      ),
    );
}
