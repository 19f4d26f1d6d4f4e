/**
 * `wsdiag proxy` as a library call: the proxy with its sinks (stdout, the log file, the summary, the
 * dashboard), run until `io.signal` aborts; then it stops accepting, closes its connections (each gets
 * its close event), writes the summary, flushes everything and resolves with the exit code.
 *
 * The log file is opened and the dashboard bound before the proxy listens: a bad path or a busy
 * dashboard port stops the run before any client could connect.
 */
import { ExitCode, type ExitCodeValue } from '../errors.js';
import { systemClock } from '../events/index.js';
import { startProxy, summaryCounts, type ProxyOptions, type RunningProxy } from '../proxy/index.js';
import { redactorFor } from '../redact.js';
import { JsonlReporter, MultiReporter, PrettyReporter, SummaryCollector, openJsonlLog, type Reporter } from '../reporters/index.js';
import { stdoutClosedNotice } from '../reporters/line-sink.js';
import { DEFAULT_UI_BUFFER, dashboardLines, startDashboard, withUiUrl, type Dashboard } from '../ui/index.js';
import { LogFailure, aborted, livePrettyOptions, type LiveIO, type LiveOutputOptions } from './run.js';

/** The proxy's options without the sinks and the clock, which the run owns. */
export type LiveProxyOptions = Omit<ProxyOptions, 'onEvent' | 'clock'>;

export interface RunProxyOptions extends LiveOutputOptions {
  proxy: LiveProxyOptions;
  /** Serve the live dashboard at this address (port 0 = any free one); its address is printed on stderr. */
  ui?: { host: string; port: number; capacity?: number };
}

export function runProxy(options: RunProxyOptions, io: LiveIO): Promise<ExitCodeValue> {
  return runLiveProxy(options, io, startProxy);
}

/**
 * A live run around a proxy that `start` starts with the run's sinks (startProxy, or startChaos with its
 * toxics bound in): everything `runProxy` does around it.
 */
export async function runLiveProxy(
  options: RunProxyOptions,
  io: LiveIO,
  start: (proxy: ProxyOptions) => Promise<RunningProxy>,
): Promise<ExitCodeValue> {
  const clock = io.clock ?? systemClock;
  const stdoutClosed = stdoutClosedNotice(io.stderr, {
    rest: 'the proxy keeps relaying until Ctrl-C or SIGTERM',
    ...(options.log !== undefined ? { log: options.log } : {}),
  });
  const summary = new SummaryCollector();
  const output: Reporter = options.json
    ? new JsonlReporter(io.stdout, { onClosed: stdoutClosed })
    : new PrettyReporter(io.stdout, livePrettyOptions(options, io), stdoutClosed);
  const logFailure = new LogFailure(options.log);
  const log = options.log !== undefined ? openJsonlLog(options.log, { onClosed: logFailure.onClosed }) : undefined;
  const dashboard = await openDashboard(options, io).catch(async (err: unknown) => {
    await log?.close();
    throw err;
  });
  const reporters = new MultiReporter([output, ...(log ? [log] : []), summary, ...(dashboard ? [dashboard.hub] : [])]);

  const proxy = await start({
    ...options.proxy,
    clock,
    onEvent: (event) => reporters.write(dashboard ? withUiUrl(event, dashboard.url) : event),
    // The summary and the dashboard hear what the event stream does not carry (suppressed violations,
    // refusals, handshakes) as addons, after the caller's.
    addons: [...(options.proxy.addons ?? []), summaryCounts(summary), ...(dashboard ? [dashboard.hub.proxyAddon()] : [])],
  }).catch(async (err: unknown) => {
    await reporters.close();
    await dashboard?.close();
    throw err;
  });
  await aborted(io.signal);
  await proxy.close();
  reporters.write(summary.summary(clock));
  await reporters.close();
  await dashboard?.close();
  logFailure.check();
  return ExitCode.Ok;
}

async function openDashboard(options: RunProxyOptions, io: LiveIO): Promise<Dashboard | undefined> {
  if (options.ui === undefined) return undefined;
  const dashboard = await startDashboard({
    mode: 'live',
    host: options.ui.host,
    port: options.ui.port,
    capacity: options.ui.capacity ?? DEFAULT_UI_BUFFER,
    redact: redactorFor(options.proxy.showSecrets),
  });
  io.stderr.write(
    dashboardLines(dashboard)
      .map((line) => `wsdiag: ${line}\n`)
      .join(''),
  );
  return dashboard;
}
