/**
 * `wsdiag sniff -i IFACE [--port N…] [FILTER…]`: flags → options (every value checked and the log file
 * opened before tcpdump starts) → runSniff (src/live/sniff.ts) until SIGINT/SIGTERM → exit code.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { runSniff, type RunSniffOptions } from '../../live/index.js';
import { action } from '../run.js';
import { addFlags, withHelp, type Flag } from '../flags.js';
import { FILTER, FILTER_HELP, proxyFilterOptions, type FilterFlags } from '../options/filter.js';
import { LIMITS, type LimitFlags } from '../options/limits.js';
import { MESSAGE_FLAGS, messageOptions, type MessageFlags } from '../options/messages.js';
import { OUTPUT, liveOutputOptions, shownOptions, type OutputFlags } from '../options/output.js';
import { untilSignal } from '../signals.js';

interface SniffFlags extends OutputFlags, Pick<LimitFlags, 'maxMessage' | 'maxPerRule'>, MessageFlags, FilterFlags {
  interface: string;
  port?: number[];
}

/** A TCP port, 1–65535; each --port adds one. */
function port(value: string, previous: unknown): number[] {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < 1 || n > 65535)
    throw new InvalidArgumentError(`expects a TCP port from 1 to 65535, got "${value}"`);
  return [...(Array.isArray(previous) ? (previous as number[]) : []), n];
}

const SNIFF_FLAGS: Flag<RunSniffOptions>[] = [
  {
    flags: '-i, --interface <name>',
    help: 'the interface to capture on, as tcpdump names it (tcpdump -D lists them; lo for loopback, any for all)',
    required: true,
    sets: ['interface'],
  },
  { flags: '--port <n>', help: 'capture only TCP traffic to or from this port (repeatable)', parse: port, sets: ['ports'] },
];

const SHARED: Flag[] = [
  withHelp(OUTPUT.json, 'print events as JSON Lines on stdout instead of the readable log'),
  OUTPUT.log,
  OUTPUT.frames,
  withHelp(OUTPUT.quiet, 'show only violations, errors, what the capture missed and the summary'),
  ...MESSAGE_FLAGS,
  LIMITS.maxMessage,
  LIMITS.maxPerRule,
  OUTPUT.preview,
  OUTPUT.showSecrets,
  FILTER.conn,
  FILTER.dir,
  FILTER.type,
  FILTER.rule,
  FILTER.code,
  FILTER.grep,
  // -i is the interface here, as in tcpdump.
  { ...FILTER.ignoreCase, flags: '--ignore-case' },
  OUTPUT.color,
];

export function registerSniff(program: Command): void {
  const command = program
    .command('sniff')
    .description(
      'judge live WebSocket traffic without re-pointing anyone: tcpdump captures an interface, wsdiag judges every connection it sees',
    )
    .argument('[filter...]', "more of tcpdump's filter language, joined to the ports with and (e.g. host 10.0.0.2)");
  addFlags(command, [...SNIFF_FLAGS, ...SHARED])
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  sudo wsdiag sniff -i lo --port 9000                 # every WebSocket connection to or from port 9000\n' +
        '  sudo wsdiag sniff -i eth0 --port 80 --port 8080 --json --log sniff.log\n' +
        '  sudo wsdiag sniff -i any host 10.0.0.2 --quiet      # any TCP port, one host\n' +
        '\nIt runs tcpdump -i IFACE -U -w - with the filter "tcp port N or ..." (and FILTER), which needs the right to\n' +
        'capture (root, or tcpdump with cap_net_raw,cap_net_admin). Connections are judged as in wsdiag analyze:\n' +
        'the handshake must be captured (connections already open are listed, not judged), TLS is not decodable,\n' +
        "lost packets are reported as gaps. The times are the packets'.\n" +
        `\n${FILTER_HELP}\n` +
        'They choose what stdout shows; --log keeps every event and the summary counts everything.\n' +
        '\nCtrl-C (or SIGTERM) stops tcpdump, judges what it captured, closes the connections still open\n' +
        '(how: capture-end) and prints the summary.\n' +
        'Exit status: 0 stopped normally, 2 bad usage (an interface or a filter tcpdump refuses), 3 tcpdump missing,\n' +
        'not allowed to capture, or stopped on its own with an error.',
    )
    .action(
      action((filter: string[], flags: SniffFlags) => {
        const options: RunSniffOptions = {
          ...liveOutputOptions(flags),
          interface: flags.interface,
          ...(flags.port ? { ports: flags.port } : {}),
          ...(filter.length > 0 ? { bpf: filter.join(' ') } : {}),
          judge: {
            ...shownOptions(flags),
            ...messageOptions(flags),
            ...(flags.maxMessage !== undefined ? { maxMessage: flags.maxMessage } : {}),
            ...(flags.maxPerRule !== undefined ? { maxPerRule: flags.maxPerRule } : {}),
          },
          ...proxyFilterOptions(flags),
        };
        return untilSignal(({ signal, onHangup }) =>
          runSniff(options, { stdout: process.stdout, stderr: process.stderr, signal, onHangup }),
        );
      }),
    );
}
