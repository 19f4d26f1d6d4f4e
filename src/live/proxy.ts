/**
 * `wsdiag proxy` as a library call: the proxy with its sinks (stdout, the log file, the summary, the
 * dashboard), run until `io.signal` aborts; then it stops accepting, closes its connections (each gets
 * its close event), writes the summary, flushes everything and resolves with the exit code. `filter`
 * narrows stdout only: the log file is the record, and the summary and the dashboard count everything.
 * With `workers` > 1 the relaying is done by that many processes (./workers.ts) and this one keeps the sinks.
 *
 * The log and pcap files are opened and the dashboard bound before the proxy listens: a bad path or a
 * busy dashboard port stops the run before any client could connect.
 */
import { startAdmin, withAdminUrl, type Admin } from '../admin/index.js';
import { checkInstanceId, checkRunId, newRunId } from '../conn-id.js';
import { ConfigError, ExitCode, type ExitCodeValue } from '../errors.js';
import { systemClock, type Clock, type WsdiagEvent } from '../events/index.js';
import { createFilter, type FilterOptions } from '../filter/index.js';
import { pcapRecorder, startProxy, summaryCounts, type ProxyAddon, type ProxyOptions, type RunningProxy } from '../proxy/index.js';
import { redactorFor } from '../redact.js';
import { CertificateAuthority, LeafCertificates } from '../tls/index.js';
import { MultiReporter, SummaryCollector } from '../reporters/index.js';
import { DEFAULT_UI_BUFFER, dashboardLines, startDashboard, withUiUrl, type Dashboard } from '../ui/index.js';
import { PcapFile } from './pcap-file.js';
import { aborted, instanceStamp, openLiveSinks, type LiveIO, type LiveOutputOptions, type LogFailure } from './run.js';
import { checkWorkers, relayInWorkers, relayWorkerSpec, serveAsWorker } from './workers.js';

/** The proxy's options without the sinks and the clock, which the run owns. */
export type LiveProxyOptions = Omit<ProxyOptions, 'onEvent' | 'clock'>;

/** What every live run around a proxy takes (`proxy`, `chaos`): the proxy, its sinks and their options. */
export interface LiveProxyRunOptions extends LiveOutputOptions {
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
  /**
   * Serve /metrics, /healthz and /readyz at this address (src/admin/): bound before the proxy listens, ready
   * once it listens, not ready from the first moment of the drain, closed last.
   */
  admin?: { host: string; port: number };
}

export interface RunProxyOptions extends LiveProxyRunOptions {
  /**
   * Relay processes sharing the port (default 1: this process relays). With more, this process starts that
   * many node:cluster workers, each running the calling script again, whose runProxy call serves as one
   * relay; this process keeps the sinks (./workers.ts).
   */
  workers?: number;
}

export function runProxy(options: RunProxyOptions, io: LiveIO): Promise<ExitCodeValue> {
  const worker = relayWorkerSpec();
  if (worker) return serveAsWorker(worker, options.proxy, io);
  const workers = checkWorkers(options.workers ?? 1);
  if (workers === 1) return runLiveProxy(options, io, forwardCertificates(startProxy));
  if (options.pcap !== undefined)
    throw new ConfigError('pcap', (n) => `${n('pcap')} records the connections of one relay process: not with ${n('workers')} above 1`);
  const warn = options.proxy.onWarning ?? ((message: string) => io.stderr.write(`wsdiag: warning: ${message}\n`));
  return runWithSinks(options, io, (sinks) =>
    relayInWorkers(
      workers,
      { ...options.proxy, runId: sinks.run },
      { write: sinks.write, addons: sinks.addons, warn, clock: sinks.clock },
      io.signal,
    ),
  );
}

/**
 * A live run around a proxy that `start` starts with the run's sinks (startProxy, or startChaos with its
 * toxics bound in): everything `runProxy` does around it.
 */
export function runLiveProxy(
  options: LiveProxyRunOptions,
  io: LiveIO,
  start: (proxy: ProxyOptions) => Promise<RunningProxy>,
): Promise<ExitCodeValue> {
  return runWithSinks(options, io, async (sinks) => {
    const proxy = await start({
      ...options.proxy,
      runId: sinks.run,
      clock: sinks.clock,
      onEvent: sinks.write,
      addons: [...(options.proxy.addons ?? []), ...sinks.addons],
    });
    await aborted(io.signal);
    await proxy.close();
  });
}

/** Where a proxy run's events go: stdout, the log file, the summary, the dashboard, the pcap file. */
interface Sinks {
  reporters: MultiReporter;
  summary: SummaryCollector;
  dashboard: Dashboard | undefined;
  admin: Admin | undefined;
  logFailure: LogFailure;
  /** The pcap file (`pcap`); its recorder, among `addons`, closes it when the proxy closes. */
  pcap: PcapFile | undefined;
  clock: Clock;
  /** The run id, made here so that the default instance id (the run id) is known before anything listens. */
  run: string;
  /** The one event stream, into every sink, each event with the run's `instance`. */
  readonly write: (event: WsdiagEvent) => void;
  /**
   * The summary and the dashboard hear what the event stream does not carry (suppressed violations,
   * refusals, handshakes) as addons, after the caller's.
   */
  addons: ProxyAddon[];
}

/**
 * Opens the sinks, relays with `relay` until it resolves (the run was stopped), then writes the summary,
 * flushes and closes everything and resolves with the exit code. A relay that fails closes the sinks first.
 */
async function runWithSinks(options: LiveProxyRunOptions, io: LiveIO, relay: (sinks: Sinks) => Promise<void>): Promise<ExitCodeValue> {
  const sinks = await openSinks(options, io);
  try {
    await relay(sinks);
  } catch (err) {
    await sinks.pcap?.close();
    await sinks.reporters.close();
    await sinks.dashboard?.close();
    await sinks.admin?.close();
    throw err;
  }
  sinks.write(sinks.summary.summary(sinks.clock));
  await sinks.reporters.close();
  await sinks.dashboard?.close();
  await sinks.admin?.close();
  sinks.logFailure.check();
  sinks.pcap?.check();
  return ExitCode.Ok;
}

async function openSinks(options: LiveProxyRunOptions, io: LiveIO): Promise<Sinks> {
  const clock = io.clock ?? systemClock;
  const run = options.proxy.runId !== undefined ? checkRunId(options.proxy.runId) : newRunId();
  const stamp = instanceStamp(options.instance !== undefined ? checkInstanceId(options.instance) : run);
  const summary = new SummaryCollector();
  const { reporters: sinks, logFailure } = openLiveSinks(options, io, {
    rest: 'the proxy keeps relaying until Ctrl-C or SIGTERM',
    ...(options.filter ? { shown: shownOnStdout(options.filter) } : {}),
  });
  let pcap: PcapFile | undefined;
  let dashboard: Dashboard | undefined;
  let admin: Admin | undefined;
  try {
    pcap = options.pcap !== undefined ? new PcapFile(options.pcap) : undefined;
    dashboard = await openDashboard(options, io);
    admin = options.admin ? await openAdmin(options.admin, io.signal) : undefined;
  } catch (err) {
    await dashboard?.close();
    await pcap?.close();
    await new MultiReporter(sinks).close();
    throw err;
  }
  const reporters = new MultiReporter([...sinks, summary, ...(dashboard ? [dashboard.hub] : []), ...(admin ? [admin.metrics] : [])]);
  const shown = dashboard
    ? (event: WsdiagEvent): void => reporters.write(withUiUrl(stamp(event), dashboard.url))
    : (event: WsdiagEvent): void => reporters.write(stamp(event));
  const write = admin ? adminWrite(admin, shown) : shown;
  const addons = [
    summaryCounts(summary),
    ...(admin ? [admin.metrics.addon()] : []),
    ...(dashboard ? [dashboard.hub.proxyAddon()] : []),
    ...(pcap ? [pcapRecorder({ output: pcap, redact: redactorFor(options.proxy.showSecrets, options.proxy.redact), clock })] : []),
  ];
  return { reporters, summary, dashboard, admin, logFailure, pcap, clock, run, write, addons };
}

/** Binds the admin endpoint and turns it not-ready the moment `signal` aborts (the drain begins). */
async function openAdmin(address: { host: string; port: number }, signal: AbortSignal): Promise<Admin> {
  const admin = await startAdmin(address);
  if (signal.aborted) admin.drain();
  else signal.addEventListener('abort', () => admin.drain(), { once: true });
  return admin;
}

/** The proxy is ready when it says where it listens (one process or the workers' primary alike). */
function adminWrite(admin: Admin, write: (event: WsdiagEvent) => void): (event: WsdiagEvent) => void {
  return (event) => {
    if (event.type !== 'listening') return write(event);
    write(withAdminUrl(event, admin.url));
    admin.ready();
  };
}

/** What the filter keeps, and always `listening` (with `--listen HOST:0` nothing else says the port). */
function shownOnStdout(filter: FilterOptions): (event: WsdiagEvent) => boolean {
  const keep = createFilter(filter);
  return (event) => event.type === 'listening' || keep(event);
}

async function openDashboard(options: LiveProxyRunOptions, io: LiveIO): Promise<Dashboard | undefined> {
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

/**
 * Forward mode's certificates, from the local CA in `forward.caDir` (default ~/.wsdiag, created on first
 * use) when the caller gave none: opened as the proxy starts, so an unusable CA directory is exit 2.
 */
function forwardCertificates(start: (proxy: ProxyOptions) => Promise<RunningProxy>): (proxy: ProxyOptions) => Promise<RunningProxy> {
  return async (proxy) => {
    const forward = proxy.target === undefined || proxy.mode === 'forward';
    if (!forward || proxy.forward?.certificates !== undefined) return start(proxy);
    const caDir = proxy.forward?.caDir;
    const ca = await CertificateAuthority.open(caDir !== undefined ? { dir: caDir } : {});
    return start({ ...proxy, forward: { ...proxy.forward, certificates: await LeafCertificates.create(ca) } });
  };
}
