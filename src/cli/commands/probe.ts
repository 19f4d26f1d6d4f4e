/**
 * `wsdiag probe --through URL`: the intermediary conformance probe. Every flag is checked and every file
 * read before the reflector listens; then the cases run one by one, each row of the matrix (or each JSON
 * line) printed as its case ends. Exit 0 when every case passed (warnings included), 1 when one failed,
 * 3 when the intermediary could not be reached (DESIGN §5).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import type { Command } from 'commander';
import { ExitCode, OperationalError, UsageError } from '../../errors.js';
import { systemClock } from '../../events/index.js';
import { CASES } from '../../probe/cases.js';
import { caseEvent, probeHeading, renderProbeJunit, summaryEvent } from '../../probe/report.js';
import { createOutput, createPalette } from '../../reporters/index.js';
import {
  DEFAULT_IDLE_SECONDS,
  DEFAULT_MAX_LATENCY_MS,
  DEFAULT_REFLECTOR,
  DEFAULT_TIMEOUT_MS,
  probeExitCode,
  resolveProbeOptions,
  runProbe,
  type ProbeOptions,
} from '../../probe/run.js';
import { parseListen } from '../../proxy/target.js';
import { describeFsError } from '../../reporters/jsonl.js';
import { action, parseCount, stdoutPrettyOptions } from '../run.js';

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

export function registerProbe(program: Command): void {
  program
    .command('probe')
    .description('check that an intermediary (reverse proxy, load balancer, tunnel) passes WebSocket traffic on unchanged: a scripted client and a reflector compare what was sent with what arrived')
    .option('--through <url>', 'the ws:// or wss:// URL the intermediary serves, configured to forward to the reflector')
    .option('--reflector <host:port>', 'where the reflector (the upstream the intermediary forwards to) listens', `${DEFAULT_REFLECTOR.host}:${DEFAULT_REFLECTOR.port}`)
    .option('--cases <globs>', 'run only the cases matching these comma-separated globs (e.g. "close/*,length/*")')
    .option('--list', 'list the cases and exit')
    .option('--include-invalid', 'also send invalid frames and report what the intermediary does with them')
    .option('--idle <seconds>', 'length of the idle/pings case', parseCount('--idle'), DEFAULT_IDLE_SECONDS)
    .option('--forward-proxy <url>', 'reach --through via this HTTP proxy with CONNECT (http://[user:password@]HOST:PORT)')
    .option('--insecure', 'do not verify the certificate of a wss:// --through')
    .option('--ca <file>', 'trust this CA certificate (PEM) for a wss:// --through')
    .option('--json', 'JSON Lines on stdout: one "probe-case" object per case, then a "probe-summary"')
    .option('--junit <file>', 'also write a JUnit XML report to FILE')
    .option('--timeout <ms>', 'bound of every wait (a lost frame costs this long)', parseCount('--timeout'), DEFAULT_TIMEOUT_MS)
    .option('--max-latency <ms>', 'fail a case when a small message or ping takes longer than this one way; 0 = no bound', parseCount('--max-latency'), DEFAULT_MAX_LATENCY_MS)
    .option('--show-secrets', 'write a token in the --through URL, and credentials quoted from the intermediary\'s answers, as they are (by default they are REDACTED)')
    .option('--no-color', 'plain output even on a terminal (also off with NO_COLOR)')
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
    .action(action((flags: ProbeFlags) => runProbeCommand(flags)));
}

export function probeOptionsFromFlags(flags: ProbeFlags): ProbeOptions {
  if (flags.through === undefined) throw new UsageError('--through is required: the ws:// URL the intermediary serves (see wsdiag probe --help)');
  let reflector: { host: string; port: number };
  try {
    reflector = parseListen(flags.reflector);
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message.replace('--listen', '--reflector') : String(err));
  }
  const options: ProbeOptions = {
    through: flags.through,
    reflector,
    cases: flags.cases,
    includeInvalid: flags.includeInvalid === true,
    idleSeconds: flags.idle,
    forwardProxy: flags.forwardProxy,
    insecure: flags.insecure === true,
    timeoutMs: Math.max(1, flags.timeout),
    maxLatencyMs: flags.maxLatency === 0 ? null : flags.maxLatency,
    showSecrets: flags.showSecrets === true,
  };
  if (flags.ca !== undefined) {
    let ca: Buffer;
    try {
      ca = readFileSync(flags.ca);
    } catch (err) {
      throw new UsageError(`cannot read --ca file ${flags.ca}: ${describeFsError(err)}`, { cause: err });
    }
    try {
      createSecureContext({ ca });
    } catch (err) {
      throw new UsageError(`--ca: not a usable PEM certificate (${err instanceof Error ? err.message : String(err)})`, { cause: err });
    }
    options.ca = ca;
  }
  resolveProbeOptions(options);
  return options;
}

async function runProbeCommand(flags: ProbeFlags): Promise<number> {
  if (flags.list) {
    const width = Math.max(...CASES.map((c) => c.name.length));
    process.stdout.write(CASES.map((c) => `${c.name.padEnd(width)}  ${c.summary}${c.invalid ? ' (--include-invalid)' : ''}\n`).join(''));
    return ExitCode.Ok;
  }
  const options = probeOptionsFromFlags(flags);
  if (flags.junit !== undefined) writeJunit(flags.junit, '');

  const clock = systemClock;
  const startedAt = clock();
  const stop = new AbortController();
  let signals = 0;
  const onSignal = () => {
    // A second Ctrl-C means "now".
    if (++signals > 1) process.exit(ExitCode.Ok);
    stop.abort();
  };
  // `wsdiag probe | head`: once stdout is gone, stop writing and stop the run.
  const pretty = stdoutPrettyOptions(flags);
  const output = createOutput({ json: flags.json === true, stream: process.stdout, ...pretty, onClosed: () => stop.abort() });

  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const summary = await runProbe({
      ...options,
      signal: stop.signal,
      onStart: (plan) => {
        if (!flags.json && !output.closed) process.stdout.write(probeHeading(plan, createPalette(pretty.color)));
      },
      onCase: (result) => output.write(caseEvent(result, clock)),
    });
    output.write(summaryEvent(summary, clock));
    await output.flush();
    if (flags.junit !== undefined) writeJunit(flags.junit, renderProbeJunit(summary, startedAt));
    return probeExitCode(summary);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function writeJunit(path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (err) {
    const message = `cannot write --junit file ${path}: ${describeFsError(err)}`;
    // Before the run, a bad path is the user's to fix (exit 2); after it, the environment failed (exit 3).
    throw text === '' ? new UsageError(message, { cause: err }) : new OperationalError(message, { cause: err });
  }
}
