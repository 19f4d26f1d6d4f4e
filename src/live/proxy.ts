/**
 * `wsdiag proxy` as a library call: the proxy with its sinks (stdout, the log file, the summary, the
 * dashboard), run until `io.signal` aborts; then it stops accepting, closes its connections (each gets
 * its close event), writes the summary, flushes everything and resolves with the exit code. `filter`
 * narrows stdout only: the log file is the record, and the summary and the dashboard count everything.
 *
 * The log and pcap files are opened and the dashboard bound before the proxy listens: a bad path or a
 * busy dashboard port stops the run before any client could connect.
 */
import { ExitCode, type ExitCodeValue } from '../errors.js';
import { systemClock, type WsdiagEvent } from '../events/index.js';
import { createFilter, type FilterOptions } from '../filter/index.js';
import { pcapRecorder, startProxy, summaryCounts, type ProxyOptions, type RunningProxy } from '../proxy/index.js';
import { redactorFor } from '../redact.js';
import { MultiReporter, SummaryCollector } from '../reporters/index.js';
import { DEFAULT_UI_BUFFER, dashboardLines, startDashboard, withUiUrl, type Dashboard } from '../ui/index.js';
import { PcapFile } from './pcap-file.js';
import { aborted, openLiveSinks, type LiveIO, type LiveOutputOptions } from './run.js';

/** The proxy's options without the sinks and the clock, which the run owns. */
export type LiveProxyOptions = Omit<ProxyOptions, 'onEvent' | 'clock'>;

export interface RunProxyOptions extends LiveOutputOptions {
  proxy: LiveProxyOptions;
  /** Serve the live dashboard at this address (port 0 = any free one); its address is printed on stderr. */
  ui?: { host: string; port: number; capacity?: number };
  /**
   * Which events stdout shows (src/filter/, the language `tail` shares). The `listening` event is always
   * shown: it says where to connect. The log file, the summary and the dashboard get every event.
   */
  filter?: FilterOptions;
  /**
   * Also write every WebSocket connection relayed to this file as pcapng, both legs (src/proxy/pcap.ts);
   * created or emptied before the proxy listens.
   */
  pcap?: string;
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
  const summary = new SummaryCollector();
  const { reporters: sinks, logFailure } = openLiveSinks(options, io, {
    rest: 'the proxy keeps relaying until Ctrl-C or SIGTERM',
    ...(options.filter ? { shown: shownOnStdout(options.filter) } : {}),
  });
  let pcap: PcapFile | undefined;
  let dashboard: Dashboard | undefined;
  try {
    pcap = options.pcap !== undefined ? new PcapFile(options.pcap) : undefined;
    dashboard = await openDashboard(options, io);
  } catch (err) {
    await pcap?.close();
    await new MultiReporter(sinks).close();
    throw err;
  }
  const reporters = new MultiReporter([...sinks, summary, ...(dashboard ? [dashboard.hub] : [])]);
  const recorder = pcap
    ? [pcapRecorder({ output: pcap, redact: redactorFor(options.proxy.showSecrets, options.proxy.redact), clock })]
    : [];

  const proxy = await start({
    ...options.proxy,
    clock,
    onEvent: (event) => reporters.write(dashboard ? withUiUrl(event, dashboard.url) : event),
    // The summary and the dashboard hear what the event stream does not carry (suppressed violations,
    // refusals, handshakes) as addons, after the caller's.
    addons: [...(options.proxy.addons ?? []), summaryCounts(summary), ...(dashboard ? [dashboard.hub.proxyAddon()] : []), ...recorder],
  }).catch(async (err: unknown) => {
    await pcap?.close();
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
  pcap?.check();
  return ExitCode.Ok;
}

/** What the filter keeps, and always `listening` (with `--listen HOST:0` nothing else says the port). */
function shownOnStdout(filter: FilterOptions): (event: WsdiagEvent) => boolean {
  const keep = createFilter(filter);
  return (event) => event.type === 'listening' || keep(event);
}

async function openDashboard(options: RunProxyOptions, io: LiveIO): Promise<Dashboard | undefined> {
  if (options.ui === undefined) return undefined;
  const dashboard = await startDashboard({
    mode: 'live',
    host: options.ui.host,
    port: options.ui.port,
    capacity: options.ui.capacity ?? DEFAULT_UI_BUFFER,
    redact: redactorFor(options.proxy.showSecrets, options.proxy.redact),
  });
  io.stderr.write(
    dashboardLines(dashboard)
      .map((line) => `wsdiag: ${line}\n`)
      .join(''),
  );
  return dashboard;
}
