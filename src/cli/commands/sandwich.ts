/**
 * `wsdiag sandwich --listen HOST:PORT --via URL --return HOST:PORT --target URL`: live differential
 * testing of an intermediary. Clients dial --listen; wsdiag forwards to the intermediary (--via), which is
 * configured to forward to wsdiag's second listener (--return), which forwards to --target. Both legs
 * are ordinary proxied connections (every frame rule runs on each); each pair of legs is compared and
 * every difference is a `sandwich-finding` blamed on the intermediary.
 *
 * Like `proxy`, it runs until SIGINT/SIGTERM (a closed stdout only stops the printing), then ends its connections, compares
 * what is left, prints both summaries and exits 0, or 1 when a failure was found (DESIGN §5).
 */
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import type { Command } from 'commander';
import { ExitCode, OperationalError, UsageError } from '../../errors.js';
import { systemClock } from '../../events.js';
import { summaryCounts } from '../../proxy/index.js';
import { parseListen } from '../../proxy/target.js';
import type { ListenAddress } from '../../proxy/types.js';
import { describeFsError } from '../../reporters/jsonl.js';
import { stdoutClosedNotice } from '../../reporters/line-sink.js';
import { SummaryCollector } from '../../reporters/index.js';
import { DEFAULT_LINGER_MS, startSandwich } from '../../sandwich/run.js';
import { SandwichJsonl, SandwichPretty, openSandwichLog, type SandwichSink } from '../../sandwich/output.js';
import type { LegProxyOptions, SandwichEvent, SandwichOptions } from '../../sandwich/types.js';
import { addLimitOptions, limitOptions, pongTimeoutOption, type LimitFlags } from '../proxy-options.js';
import { StopRequest, action, stdoutPrettyOptions, parseCount } from '../run.js';

interface SandwichFlags extends LimitFlags {
  listen: string;
  via: string;
  return: string;
  target: string;
  json?: boolean;
  log?: string;
  frames?: boolean;
  quiet?: boolean;
  maxMessage?: number;
  maxPerRule?: number;
  preview: boolean;
  showSecrets?: boolean;
  insecure?: boolean;
  ca?: string;
  maxLatency: number;
  linger: number;
  pongTimeout: number;
  color: boolean;
}

export function registerSandwich(program: Command): void {
  const command = program
    .command('sandwich')
    .description('put wsdiag on both sides of an intermediary (proxy, load balancer, tunnel) and compare live traffic as it entered and left it')
    .requiredOption('--via <url>', 'the intermediary under test (ws://, wss://, http:// or https://); configure it to forward to --return')
    .requiredOption('--return <host:port>', "wsdiag's second listener, where the intermediary forwards to; port 0 = any free port")
    .requiredOption('--target <url>', 'the real upstream the return listener forwards to (ws://, wss://, http:// or https://)')
    .option('--listen <host:port>', 'where clients connect instead of the intermediary; port 0 = any free port', '127.0.0.1:8080')
    .option('--json', 'print events as JSON Lines on stdout: both legs\' events, "sandwich-finding" lines, then "summary" and "sandwich-summary"')
    .option('--log <file>', 'also append every event as JSON Lines to FILE')
    .option('--frames', 'also report every frame (on both legs)')
    .option('--quiet', 'show only where it listens, violations, errors, findings that are not info, and the summary')
    .option('--max-message <bytes>', 'report messages larger than this (after inflation); 0 = no limit (default 104857600)', parseCount('--max-message'))
    .option('--max-per-rule <n>', 'violations logged individually per rule and connection; the rest are counted (default 20)', parseCount('--max-per-rule'))
    .addOption(pongTimeoutOption())
    .option('--no-preview', 'omit payload previews (up to 64 bytes) from violations')
    .option('--show-secrets', 'write credentials in paths, query values, subprotocols, previews and Close reasons as they came (by default they are REDACTED in every output)')
    .option('--insecure', 'do not verify TLS certificates of a wss:/https: --via or --target')
    .option('--ca <file>', 'trust this CA certificate (PEM) for a wss:/https: --via or --target')
    .option('--max-latency <ms>', 'a small message or ping slower than this through the intermediary is a failure; 0 = no bound', parseCount('--max-latency'), 0)
    .option('--linger <ms>', 'once one leg of a connection closed, how long to wait for the other before comparing', parseCount('--linger'), DEFAULT_LINGER_MS);
  addLimitOptions(command, 2)
    .option('--no-color', 'plain output even on a terminal (also off with NO_COLOR)')
    .addHelpText(
      'after',
      '\nSet-up: client → --listen (wsdiag, front leg c1) → --via (the intermediary) → --return (wsdiag, return leg r1) → --target\n' +
        '  nginx:  location /ws { proxy_pass http://127.0.0.1:9001; proxy_http_version 1.1;\n' +
        '                         proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection "upgrade"; }\n' +
        '  wsdiag sandwich --listen 127.0.0.1:8080 --via ws://127.0.0.1:80 --return 127.0.0.1:9001 --target ws://127.0.0.1:9000\n' +
        '  # then point the client at ws://127.0.0.1:8080/ws instead of the intermediary\n' +
        '\nThe legs of each connection are matched by Sec-WebSocket-Key (or, when the intermediary replaces it, by\n' +
        'path and order) and compared once both have closed: handshake, messages, control frames and the close.\n' +
        'Failures are changes RFC 6455 forbids; legal changes (new mask keys, re-fragmenting without extensions)\n' +
        'are info. Ctrl-C ends open connections and compares them too (losses there are only warnings).\n' +
        'Exit status: 0 no failure found, 1 a failure was found, 2 bad usage or unreadable file, 3 cannot listen.',
    )
    .action(action((flags: SandwichFlags) => runSandwich(flags)));
}

/** Everything the flags say, checked, with the CA file read, before anything listens. */
export function sandwichOptionsFromFlags(flags: SandwichFlags): Omit<SandwichOptions, 'onEvent'> {
  const proxy: LegProxyOptions = {
    frames: flags.frames === true,
    preview: flags.preview,
    showSecrets: flags.showSecrets === true,
    insecure: flags.insecure === true,
    ...limitOptions(flags),
    ...(flags.maxMessage !== undefined ? { maxMessage: flags.maxMessage } : {}),
    ...(flags.maxPerRule !== undefined ? { maxPerRule: flags.maxPerRule } : {}),
    pongTimeoutMs: flags.pongTimeout,
  };
  if (flags.ca !== undefined) proxy.ca = readCa(flags.ca);
  return {
    listen: listenFlag('--listen', flags.listen),
    returnListen: listenFlag('--return', flags.return),
    via: flags.via,
    target: flags.target,
    proxy,
    maxLatencyMs: flags.maxLatency === 0 ? null : flags.maxLatency,
    lingerMs: flags.linger,
  };
}

async function runSandwich(flags: SandwichFlags): Promise<number> {
  const options = sandwichOptionsFromFlags(flags);
  const clock = systemClock;

  // The run ends on SIGINT/SIGTERM only: a closed stdout (`| head`) stops the printing, not the relaying.
  const stop = new StopRequest();
  const stdoutClosed = stdoutClosedNotice(process.stderr, {
    rest: 'the sandwich keeps relaying until Ctrl-C or SIGTERM',
    ...(flags.log !== undefined ? { log: flags.log } : {}),
  });

  const output: SandwichSink = flags.json
    ? new SandwichJsonl(process.stdout, { onClosed: stdoutClosed })
    : new SandwichPretty(process.stdout, stdoutPrettyOptions(flags), stdoutClosed);
  let logError: Error | undefined;
  const log = flags.log !== undefined ? openSandwichLog(flags.log, (err) => (logError ??= err)) : undefined;
  const sinks = log ? [output, log] : [output];
  const legSummary = new SummaryCollector();
  const write = (event: SandwichEvent): void => {
    if (event.type !== 'sandwich-finding' && event.type !== 'sandwich-summary') legSummary.write(event);
    for (const sink of sinks) sink.write(event);
  };
  const closeSinks = () => Promise.all(sinks.map((sink) => sink.close()));

  stop.listen();
  let failed: boolean;
  try {
    const sandwich = await startSandwich({
      ...options,
      clock,
      onEvent: write,
      proxy: { ...options.proxy, addons: [...(options.proxy?.addons ?? []), summaryCounts(legSummary)] },
    }).catch(async (err: unknown) => {
      await closeSinks();
      throw err;
    });
    await stop.requested;
    const summary = await sandwich.close();
    write(legSummary.summary(clock));
    write(summary);
    failed = sandwich.failed;
    await closeSinks();
  } finally {
    stop.dispose();
  }
  if (logError) throw new OperationalError(`cannot write log file ${flags.log}: ${describeFsError(logError)}`);
  return failed ? ExitCode.Violations : ExitCode.Ok;
}

function listenFlag(flag: string, text: string): ListenAddress {
  try {
    return parseListen(text);
  } catch (err) {
    if (err instanceof UsageError) throw new UsageError(err.message.replaceAll('--listen', flag), { cause: err });
    throw err;
  }
}

function readCa(path: string): Buffer {
  let ca: Buffer;
  try {
    ca = readFileSync(path);
  } catch (err) {
    throw new UsageError(`cannot read --ca file ${path}: ${describeFsError(err)}`, { cause: err });
  }
  try {
    createSecureContext({ ca });
  } catch (err) {
    throw new UsageError(`--ca: not a usable PEM certificate (${err instanceof Error ? err.message : String(err)})`, { cause: err });
  }
  return ca;
}
