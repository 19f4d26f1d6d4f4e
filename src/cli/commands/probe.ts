/**
 * `wsdiag probe --through URL`: the intermediary conformance probe. Flags → options (every flag checked
 * and every file read before the reflector listens) → runProbeReport (src/probe/reporting.ts), which
 * prints each row of the matrix (or each JSON line) as its case ends → exit 0 when every case passed
 * (warnings included), 1 when one failed, 3 when the intermediary could not be reached (DESIGN §5).
 */
import type { Command } from 'commander';
import { ConfigError, ExitCode } from '../../errors.js';
import {
  CASES,
  runProbeReport,
  type ProbeReportOptions,
  DEFAULT_IDLE_SECONDS,
  DEFAULT_MAX_LATENCY_MS,
  DEFAULT_REFLECTOR,
  DEFAULT_TIMEOUT_MS,
} from '../../probe/index.js';
import { parseListen } from '../../proxy/index.js';
import { action } from '../run.js';
import { addFlags, wholeNumber, withHelp, type Flag } from '../flags.js';
import { OUTPUT } from '../options/output.js';
import { TLS, upstreamTlsOptions } from '../options/tls.js';
import { untilSignal } from '../signals.js';

interface ProbeFlags {
  through?: string;
  reflector: string;
  cases?: string;
  list?: boolean;
  includeInvalid?: boolean;
  idle: number;
  forwardProxy?: string;
  insecure?: boolean;
  ca?: string;
  json?: boolean;
  junit?: string;
  timeout: number;
  maxLatency: number;
  showSecrets?: boolean;
  color: boolean;
}

const PROBE_FLAGS: Array<Flag<ProbeReportOptions>> = [
  {
    flags: '--through <url>',
    help: 'the ws:// or wss:// URL the intermediary serves, configured to forward to the reflector',
    sets: ['through'],
  },
  {
    flags: '--reflector <host:port>',
    help: 'where the reflector (the upstream the intermediary forwards to) listens',
    default: `${DEFAULT_REFLECTOR.host}:${DEFAULT_REFLECTOR.port}`,
    sets: ['reflector'],
  },
  {
    flags: '--cases <globs>',
    help: 'run only the cases matching these comma-separated globs (e.g. "close/*,length/*")',
    sets: ['cases'],
    hint: 'see wsdiag probe --list',
  },
  { flags: '--list', help: 'list the cases and exit' },
  {
    flags: '--include-invalid',
    help: 'also send invalid frames and report what the intermediary does with them',
    sets: ['includeInvalid'],
  },
  {
    flags: '--idle <seconds>',
    help: 'length of the idle/pings case',
    parse: wholeNumber,
    default: DEFAULT_IDLE_SECONDS,
    sets: ['idleSeconds'],
  },
  {
    flags: '--forward-proxy <url>',
    help: 'reach --through via this HTTP proxy with CONNECT (http://[user:password@]HOST:PORT)',
    sets: ['forwardProxy'],
  },
  withHelp(TLS.insecure, 'do not verify the certificate of a wss:// --through'),
  withHelp(TLS.ca, 'trust this CA certificate (PEM) for a wss:// --through'),
  withHelp(OUTPUT.json, 'JSON Lines on stdout: one "probe-case" object per case, then a "probe-summary"'),
  { flags: '--junit <file>', help: 'also write a JUnit XML report to FILE', sets: ['junit'] },
  {
    flags: '--timeout <ms>',
    help: 'bound of every wait (a lost frame costs this long)',
    parse: wholeNumber,
    default: DEFAULT_TIMEOUT_MS,
    sets: ['timeoutMs'],
  },
  {
    flags: '--max-latency <ms>',
    help: 'fail a case when a small message or ping takes longer than this one way; 0 = no bound',
    parse: wholeNumber,
    default: DEFAULT_MAX_LATENCY_MS,
    sets: ['maxLatencyMs'],
  },
  withHelp(
    OUTPUT.showSecrets,
    "write a token in the --through URL, and credentials quoted from the intermediary's answers, as they are (by default they are REDACTED)",
  ),
  OUTPUT.color,
];

export function registerProbe(program: Command): void {
  const command = program
    .command('probe')
    .description(
      'check that an intermediary (reverse proxy, load balancer, tunnel) passes WebSocket traffic on unchanged: a scripted client and a reflector compare what was sent with what arrived',
    );
  addFlags(command, PROBE_FLAGS)
    .addHelpText(
      'after',
      '\nSet-up: start an intermediary that forwards --through to the reflector (default ws://127.0.0.1:9001), e.g.\n' +
        '  nginx:   location /ws { proxy_pass http://127.0.0.1:9001; proxy_http_version 1.1;\n' +
        '                          proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection "upgrade"; }\n' +
        '  wsdiag probe --through ws://127.0.0.1:8080/ws\n' +
        '  wsdiag probe --through ws://127.0.0.1:9001/ --forward-proxy http://127.0.0.1:8888   # a CONNECT proxy\n' +
        '  wsdiag probe --through wss://lb.example.test/ws --ca lb.pem --cases "close/*" --junit probe.xml\n' +
        '\nFailures are changes RFC 6455 forbids an intermediary to make (altered or lost messages, added RSV bits,\n' +
        'masking changes, rewritten Close codes, changed extensions...); legal changes (new mask keys, re-fragmenting\n' +
        'without extensions, answering pings itself) are reported as info. Each finding names its check id.\n' +
        'Exit status: 0 all cases passed, 1 a case failed, 2 bad usage, 3 the intermediary cannot be reached.',
    )
    .action(
      action((flags: ProbeFlags) => {
        if (flags.list) return listCases();
        const options = probeReportOptions(flags);
        return untilSignal(({ signal }) => runProbeReport(options, { stdout: process.stdout, signal }));
      }),
    );
}

function listCases(): number {
  const width = Math.max(...CASES.map((c) => c.name.length));
  process.stdout.write(CASES.map((c) => `${c.name.padEnd(width)}  ${c.summary}${c.invalid ? ' (--include-invalid)' : ''}\n`).join(''));
  return ExitCode.Ok;
}

function probeReportOptions(flags: ProbeFlags): ProbeReportOptions {
  if (flags.through === undefined) {
    throw new ConfigError('through', (n) => `${n('through')} is required: the ws:// URL the intermediary serves (see wsdiag probe --help)`);
  }
  return {
    through: flags.through,
    reflector: parseListen(flags.reflector, 'reflector'),
    ...(flags.cases !== undefined ? { cases: flags.cases } : {}),
    includeInvalid: flags.includeInvalid === true,
    idleSeconds: flags.idle,
    ...(flags.forwardProxy !== undefined ? { forwardProxy: flags.forwardProxy } : {}),
    ...upstreamTlsOptions(flags),
    timeoutMs: Math.max(1, flags.timeout),
    maxLatencyMs: flags.maxLatency === 0 ? null : flags.maxLatency,
    showSecrets: flags.showSecrets === true,
    json: flags.json === true,
    ...(flags.junit !== undefined ? { junit: flags.junit } : {}),
    color: flags.color,
  };
}
