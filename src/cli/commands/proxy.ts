/**
 * `wsdiag proxy --target URL`: the main job. Every flag is checked and every file read before anything
 * listens (a typo is exit 2, not a half-started proxy); the log file is opened before listening too.
 * Then the proxy runs until SIGINT/SIGTERM (a stdout that goes away, as with `| head`, only stops the
 * printing), stops accepting, closes its connections, flushes every event, prints the summary and exits 0.
 */
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { Command } from 'commander';
import { ExitCode, OperationalError, UsageError } from '../../errors.js';
import { systemClock } from '../../events.js';
import { startProxy, summaryCounts, type ProxyOptions } from '../../proxy/index.js';
import { parseListen, parseTarget } from '../../proxy/target.js';
import { describeFsError } from '../../reporters/jsonl.js';
import { JsonlReporter, MultiReporter, PrettyReporter, SummaryCollector, openJsonlLog, type Reporter } from '../../reporters/index.js';
import { stdoutClosedNotice } from '../../reporters/line-sink.js';
import { MessagePolicies } from '../../policy/runtime.js';
import { addProxyOptions, limitOptions, type ProxyFlags } from '../proxy-options.js';
import { addUiOptions, openDashboard, type UiFlags } from '../ui-options.js';
import { withUiUrl } from '../../ui/listening.js';
import { StopRequest, action, stdoutPrettyOptions } from '../run.js';

export function registerProxy(program: Command): void {
  const command = program
    .command('proxy')
    .description('relay HTTP and WebSocket traffic to --target byte for byte, decode both directions, report every violation');
  addUiOptions(addProxyOptions(command, { listen: '127.0.0.1:8080' }))
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  wsdiag proxy --target ws://127.0.0.1:9000            # then point the client at ws://127.0.0.1:8080\n' +
        '  wsdiag proxy --target wss://api.example.com --listen 127.0.0.1:0 --json\n' +
        '  wsdiag proxy --target http://localhost:3000 --log wsdiag.log --quiet\n' +
        '  wsdiag proxy --target ws://localhost:9000 --enforce\n' +
        '  wsdiag proxy --target ws://localhost:9000 --server-accepts text --config wsdiag.json\n' +
        '  wsdiag proxy --target ws://localhost:9000 --ui          # the live dashboard (its address is printed)\n' +
        "\nCtrl-C (or SIGTERM) stops accepting, sends each open WebSocket a Close 1001 on both sides and waits up to\n" +
        '--grace for the closing handshakes, flushes the logs and prints the summary; a second Ctrl-C exits at once.\n' +
        'If stdout goes away (| head), events stop being printed (--log still gets them) and the proxy runs on.\n' +
        'Exit status: 0 stopped normally, 2 bad usage or unreadable file, 3 cannot listen.',
    )
    .action(action((flags: ProxyFlags & UiFlags) => runProxy(flags)));
}

/** Everything the flags say, checked, with the files read. */
interface ProxyConfig {
  options: Omit<ProxyOptions, 'onEvent'>;
  log?: string;
}

export function resolveProxyConfig(flags: ProxyFlags): ProxyConfig {
  const target = parseTarget(flags.target);
  const listen = parseListen(flags.listen);
  if ((flags.tlsCert === undefined) !== (flags.tlsKey === undefined)) {
    throw new UsageError(flags.tlsCert === undefined ? '--tls-key needs --tls-cert' : '--tls-cert needs --tls-key');
  }
  const options: ProxyConfig['options'] = {
    target: target.href,
    listen,
    frames: flags.frames === true,
    preview: flags.preview,
    showSecrets: flags.showSecrets === true,
    enforce: flags.enforce === true,
    insecure: flags.insecure === true,
    ...limitOptions(flags),
    ...(flags.maxPerRule !== undefined ? { maxPerRule: flags.maxPerRule } : {}),
    pongTimeoutMs: flags.pongTimeout,
    // Reads and checks --config now: a bad file is exit 2 before anything listens. --max-message goes
    // there only: a flag layer, which beats a route's max-message (src/proxy/settings.ts).
    addons: [MessagePolicies.load({
      ...(flags.serverAccepts ? { serverAccepts: flags.serverAccepts } : {}),
      ...(flags.clientAccepts ? { clientAccepts: flags.clientAccepts } : {}),
      ...(flags.maxMessage !== undefined ? { maxMessage: flags.maxMessage } : {}),
      ...(flags.config !== undefined ? { configFile: flags.config } : {}),
      learn: flags.learn,
    })],
  };
  if (flags.ca !== undefined) {
    const ca = readPem('--ca', flags.ca);
    checkTls('--ca', () => createSecureContext({ ca }));
    options.ca = ca;
  }
  if (flags.tlsCert !== undefined && flags.tlsKey !== undefined) {
    const cert = readPem('--tls-cert', flags.tlsCert);
    const key = readPem('--tls-key', flags.tlsKey);
    checkTls('--tls-cert/--tls-key', () => createSecureContext({ cert, key }));
    options.tls = { cert, key };
  }
  return flags.log !== undefined ? { options, log: flags.log } : { options };
}

async function runProxy(flags: ProxyFlags & UiFlags): Promise<number> {
  const config = resolveProxyConfig(flags);
  const clock = systemClock;

  // The run ends on SIGINT/SIGTERM only: a closed stdout (`| head`) stops the printing, not the relaying.
  const stop = new StopRequest();
  const stdoutClosed = stdoutClosedNotice(process.stderr, {
    rest: 'the proxy keeps relaying until Ctrl-C or SIGTERM',
    ...(config.log !== undefined ? { log: config.log } : {}),
  });

  const summary = new SummaryCollector();
  const output: Reporter = flags.json
    ? new JsonlReporter(process.stdout, { onClosed: stdoutClosed })
    : new PrettyReporter(process.stdout, stdoutPrettyOptions(flags), stdoutClosed);
  // Opened before listening: an unwritable path is a usage error while nothing runs yet.
  let logError: Error | undefined;
  const log = config.log !== undefined ? openJsonlLog(config.log, { onClosed: (err) => (logError ??= err) }) : undefined;
  const dashboard = await openDashboard(flags).catch(async (err: unknown) => {
    await log?.close();
    throw err;
  });
  const reporters = new MultiReporter([output, ...(log ? [log] : []), summary, ...(dashboard ? [dashboard.hub] : [])]);

  stop.listen();
  try {
    const proxy = await startProxy({
      ...config.options,
      clock,
      onEvent: (event) => reporters.write(dashboard ? withUiUrl(event, dashboard.url) : event),
      addons: [...(config.options.addons ?? []), summaryCounts(summary), ...(dashboard ? [dashboard.hub.proxyAddon()] : [])],
    }).catch(async (err: unknown) => {
      await reporters.close();
      await dashboard?.close();
      throw err;
    });
    await stop.requested;
    await proxy.close();
    reporters.write(summary.summary(clock));
    await reporters.close();
    await dashboard?.close();
  } finally {
    stop.dispose();
  }
  if (logError) throw new OperationalError(`cannot write log file ${config.log}: ${describeFsError(logError)}`);
  return ExitCode.Ok;
}

function readPem(flag: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new UsageError(`cannot read ${flag} file ${path}: ${describeFsError(err)}`, { cause: err });
  }
}

/** Node's TLS layer is the judge of a PEM file; its complaint becomes a usage error naming the flag. */
function checkTls(flag: string, build: () => unknown): void {
  try {
    build();
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new UsageError(`${flag}: not a usable PEM certificate or key (${reason})`, { cause: err });
  }
}
