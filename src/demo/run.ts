/**
 * `runDemo()`: the built-in upstream and the wsdiag proxy on free ports of 127.0.0.1, then each
 * scenario's client through the proxy, one connection at a time. The next scenario starts when the
 * proxy has reported the previous connection's `close` (never after a fixed delay), so the log reads
 * in order. Everything started here is stopped here, so the process can exit on its own.
 */
import type { Writable } from 'node:stream';
import { OperationalError, WsdiagError } from '../errors.js';
import { systemClock, type Clock, type SummaryEvent, type WsdiagEvent } from '../events/index.js';
import type { TypePolicy, AcceptedType } from '../protocol/index.js';
import { MessagePolicies } from '../policy/index.js';
import { startProxy, summaryCounts, type RunningProxy } from '../proxy/index.js';
import { createPalette, JsonlReporter, LineSink, PrettyReporter, SummaryCollector, type Reporter } from '../reporters/index.js';
import type { ClientOutcome } from './faulty-clients.js';
import { selectScenarios, type Scenario } from './scenarios.js';
import { closingText, headingText, introText } from './text.js';
import { startDemoUpstream } from './upstream.js';
import { ScenarioWatch, type PeerCloseSeen } from './watch.js';

/**
 * What the demo tells wsdiag about its upstream's message types, as `--server-accepts text` would
 * (issue 4): with it, a binary message from a client is reported as `unsupported-binary` on the wire,
 * and the upstream's Close 1003 is linked to it. Without it (`textOnlyPolicy: false`), the 1003 shows
 * only as the upstream's `peer-close`.
 */
export const DEMO_UPSTREAM_POLICY: TypePolicy = {
  accepts: 'text',
  source: "the demo's text-only upstream, as with --server-accepts text",
};

/**
 * The demo's run id, fixed so that its output is the same from run to run (demo-c1, demo-c2…) and its
 * connection ids still show the shape of real ones (a real run's id is random: k3f9x2-c1).
 */
export const DEMO_RUN_ID = 'demo';

/** A safety net, not a pacing delay: a scenario that has not ended by then is a bug in the demo. */
export const DEFAULT_SCENARIO_TIMEOUT_MS = 5000;

export interface DemoOptions {
  out: Writable;
  /** JSON Lines instead of the pretty log (no headings or closing text, so the output stays parseable). */
  json?: boolean;
  /** Also report every frame. */
  frames?: boolean;
  /** ANSI colours in the pretty log (default false; the CLI decides with shouldUseColor()). */
  color?: boolean;
  /** Run only the scenario of this name (see SCENARIOS). */
  only?: string;
  /** Wrap the pretty log at this many columns. */
  width?: number;
  /** Tell wsdiag the upstream accepts text only (DEMO_UPSTREAM_POLICY); default true. */
  textOnlyPolicy?: boolean;
  /** Message-type flags as `wsdiag proxy` takes them; `serverAccepts` overrides textOnlyPolicy. */
  serverAccepts?: AcceptedType;
  clientAccepts?: AcceptedType;
  /** Learn accepted types from the endpoints' 1003 closes (default true; --no-learn). */
  learn?: boolean;
  clock?: Clock;
  scenarioTimeoutMs?: number;
  /** The proxy's run id (default DEMO_RUN_ID). */
  runId?: string;
}

export interface ScenarioResult {
  name: string;
  title: string;
  /** Connection ids wsdiag gave the scenario's connections (one per scenario). */
  conns: readonly string[];
  /** Rule ids of the violations wsdiag reported, in order. */
  violations: string[];
  /** Close frames the endpoints sent, as wsdiag reported them. */
  peerCloses: PeerCloseSeen[];
  /** What the scenario's client itself saw. */
  client: ClientOutcome;
}

export interface DemoResult {
  scenarios: ScenarioResult[];
  summary: SummaryEvent;
}

export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const scenarios = selectScenarios(options.only);
  const clock = options.clock ?? systemClock;
  const json = options.json ?? false;
  const textOnlyPolicy = options.textOnlyPolicy ?? true;
  const palette = createPalette(options.color ?? false);
  // The demo's own lines go through a sink of their own on the same stream; each write is one
  // stream.write, so they stay in order with the reporter's.
  const text = new LineSink(options.out);
  const say = (line: string) => {
    if (!json) text.write(line);
  };
  const reporter: Reporter = json
    ? new JsonlReporter(options.out)
    : new PrettyReporter(options.out, {
        color: options.color ?? false,
        frames: options.frames ?? false,
        quiet: false,
        ...(options.width !== undefined ? { width: options.width } : {}),
      });
  const summary = new SummaryCollector();
  let watch: ScenarioWatch | null = null;
  const onEvent = (event: WsdiagEvent) => {
    reporter.write(event);
    summary.write(event);
    watch?.observe(event);
  };

  say(introText(scenarios, palette));
  const upstream = await startDemoUpstream();
  let proxy: RunningProxy | undefined;
  const results: ScenarioResult[] = [];
  try {
    proxy = await startProxy({
      target: upstream.url,
      listen: { host: '127.0.0.1', port: 0 },
      onEvent,
      frames: options.frames ?? false,
      clock,
      runId: options.runId ?? DEMO_RUN_ID,
      addons: [demoPolicies(options, textOnlyPolicy), summaryCounts(summary)],
    });
    for (const scenario of scenarios) {
      say(headingText(scenario, scenarios, palette));
      watch = new ScenarioWatch();
      const client = await playScenario(scenario, proxy.url, watch, options.scenarioTimeoutMs ?? DEFAULT_SCENARIO_TIMEOUT_MS);
      results.push({
        name: scenario.name,
        title: scenario.title,
        conns: watch.conns,
        violations: watch.violations,
        peerCloses: watch.peerCloses,
        client,
      });
      watch = null;
    }
  } finally {
    await proxy?.close();
    await upstream.close();
  }

  const summaryEvent = summary.summary(clock);
  reporter.write(summaryEvent);
  say(closingText({ scenarios, textOnlyPolicy }, palette));
  await Promise.all([reporter.flush(), text.flush()]);
  return { scenarios: results, summary: summaryEvent };
}

/**
 * The demo's message-type policies: what `--server-accepts text` would give (the upstream is text-only),
 * unless the caller says otherwise, plus learning from the upstream's 1003 closes as the proxy does.
 */
function demoPolicies(options: DemoOptions, textOnlyPolicy: boolean): MessagePolicies {
  const serverAccepts = options.serverAccepts ?? (textOnlyPolicy ? DEMO_UPSTREAM_POLICY.accepts : undefined);
  return new MessagePolicies({
    ...(serverAccepts ? { serverAccepts } : {}),
    ...(options.clientAccepts ? { clientAccepts: options.clientAccepts } : {}),
    learn: options.learn ?? true,
  });
}

/** Runs one client and waits until wsdiag has reported the end of its connection. */
async function playScenario(scenario: Scenario, proxyUrl: string, watch: ScenarioWatch, timeoutMs: number): Promise<ClientOutcome> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new OperationalError(`demo scenario "${scenario.name}" did not finish within ${timeoutMs} ms${describeErrors(watch)}`)),
      timeoutMs,
    );
  });
  try {
    const [client] = await Promise.race([Promise.all([scenario.play(`${proxyUrl}${scenario.path}`), watch.connectionsClosed()]), limit]);
    return client;
  } catch (err) {
    if (err instanceof WsdiagError) throw err;
    const reason = err instanceof Error ? err.message : String(err);
    throw new OperationalError(`demo scenario "${scenario.name}" failed: ${reason}${describeErrors(watch)}`, { cause: err });
  } finally {
    clearTimeout(timer);
  }
}

function describeErrors(watch: ScenarioWatch): string {
  return watch.errors.length === 0 ? '' : ` (wsdiag reported: ${watch.errors.join('; ')})`;
}
