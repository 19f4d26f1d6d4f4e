/**
 * `npm run bench:http`: what wsdiag costs plain HTTP (pages, REST calls, polling), now that every exchange
 * is measured and written as an `http` event.
 *
 * A plain HTTP server, and keep-alive clients in closed loops (one request, its whole answer, the next),
 * three ways in one run: direct; through http-proxy alone, set up as wsdiag's plain HTTP pass is (the
 * floor: what relaying through http-proxy costs anyway); and through wsdiag's proxy writing its events,
 * `http` ones included, as JSON Lines to a file. Each relay runs in its own child process, so its CPU time
 * per request is its own. The ratio wsdiag / http-proxy is what wsdiag adds, the `http` event included.
 * Then the `http` event's own CPU cost, in this process: measuring an exchange, redacting its path,
 * building the event and serialising it as the log does, per exchange (CPU time, steadier than
 * requests/s on a busy machine), set against what http-proxy alone spends per exchange.
 *
 * Options: --quick (short windows, smoke test), --reps N, --window MS.
 */
import type { WsdiagEvent } from '../src/events/index.js';
import { HttpExchange } from '../src/proxy/exchange.js';
import { redactorFor } from '../src/redact.js';
import { BenchChild, type ChildStats } from './support/child.js';
import { formatNumber, formatRatio, formatSize, markdownTable } from './support/format.js';
import { runHttpLoad } from './support/http-load.js';
import { describeMachine, machineInfo, warnIfBusy } from './support/machine.js';
import { writeResults } from './support/results.js';
import { median, percentileOfSorted } from './support/stats.js';
import { countAfter } from './support/args.js';

/** GET answers of these sizes, and one POST of a 4 KiB body answered with 256 bytes (a REST call). */
const SCENARIOS = [
  { name: 'GET 64 B', method: 'GET', requestBytes: 0, responseBytes: 64 },
  { name: 'GET 16 KiB', method: 'GET', requestBytes: 0, responseBytes: 16 * 1024 },
  { name: 'POST 4 KiB', method: 'POST', requestBytes: 4 * 1024, responseBytes: 256 },
] as const;
const CONNECTIONS = [1, 16] as const;
const MODES = ['direct', 'http-proxy', 'wsdiag'] as const;
type Mode = (typeof MODES)[number];
/** wsdiag's throughput over http-proxy's alone. */
const THROUGHPUT_GOAL = 0.9;

interface Options {
  quick: boolean;
  reps: number;
  warmupMs: number;
  windowMs: number;
}

interface Sample {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  relayCpuUsPerRequest: number | null;
}

interface ScenarioResult extends Sample {
  mode: Mode;
  scenario: string;
  connections: number;
  samples: Sample[];
}

function parseOptions(argv: readonly string[]): Options {
  const quick = argv.includes('--quick');
  const numberAfter = (flag: string, fallback: number): number => countAfter(argv, flag, fallback);
  return {
    quick,
    reps: numberAfter('--reps', quick ? 1 : 3),
    warmupMs: quick ? 200 : 300,
    windowMs: numberAfter('--window', quick ? 500 : 1000),
  };
}

function cpuMicros(before: ChildStats, after: ChildStats): number {
  return after.cpu.user - before.cpu.user + (after.cpu.system - before.cpu.system);
}

async function measure(
  port: number,
  relay: BenchChild | null,
  scenario: (typeof SCENARIOS)[number],
  connections: number,
  options: Options,
): Promise<Sample> {
  // Set by the load's window callbacks: in one object, so the read below sees them.
  const cpu: { before?: ChildStats; after?: ChildStats } = {};
  const result = await runHttpLoad({
    url: `http://127.0.0.1:${port}/bytes/${scenario.responseBytes}`,
    connections,
    method: scenario.method,
    body: Buffer.alloc(scenario.requestBytes, 0x62),
    expectedBytes: scenario.responseBytes,
    warmupMs: options.warmupMs,
    measureMs: options.windowMs,
    onWindow: async (edge) => {
      if (!relay) return;
      if (edge === 'start') cpu.before = await relay.stats();
      else cpu.after = await relay.stats();
    },
  });
  if (result.requests === 0) throw new Error('no request completed');
  return {
    requestsPerSecond: result.requests / result.seconds,
    p50Ms: percentileOfSorted(result.latenciesMs, 50),
    p99Ms: percentileOfSorted(result.latenciesMs, 99),
    relayCpuUsPerRequest: cpu.before && cpu.after ? cpuMicros(cpu.before, cpu.after) / result.requests : null,
  };
}

function summarise(mode: Mode, scenario: string, connections: number, samples: Sample[]): ScenarioResult {
  const cpu = samples.map((s) => s.relayCpuUsPerRequest).filter((v): v is number => v !== null);
  return {
    mode,
    scenario,
    connections,
    samples,
    requestsPerSecond: median(samples.map((s) => s.requestsPerSecond)),
    p50Ms: median(samples.map((s) => s.p50Ms)),
    p99Ms: median(samples.map((s) => s.p99Ms)),
    relayCpuUsPerRequest: cpu.length > 0 ? median(cpu) : null,
  };
}

/** CPU microseconds per `http` event, as the proxy makes and logs it (the best of `reps` runs). */
function eventCost(reps: number, iterations: number): number {
  const redact = redactorFor(false);
  const clock = () => new Date();
  let bytes = 0;
  const emit = (event: WsdiagEvent): void => {
    bytes += JSON.stringify(event).length + 1;
  };
  const chunk = Buffer.alloc(1024);
  let best = Number.POSITIVE_INFINITY;
  for (let rep = 0; rep < reps; rep++) {
    const before = process.cpuUsage();
    for (let i = 0; i < iterations; i++) {
      const exchange = new HttpExchange(
        {
          conn: 'k3f9x2-h1',
          client: '127.0.0.1:51234',
          method: 'GET',
          path: redact.path(`/api/items?page=${i & 7}&sort=name`),
          upgrade: false,
        },
        clock,
        emit,
      );
      exchange.countRequest(chunk);
      for (let c = 0; c < 4; c++) exchange.countResponse(chunk);
      exchange.end(200, false);
    }
    const used = process.cpuUsage(before);
    best = Math.min(best, (used.user + used.system) / iterations);
  }
  if (bytes === 0) throw new Error('no event was made');
  return best;
}

function ms(value: number): string {
  return value < 10 ? value.toFixed(2) : value.toFixed(1);
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const machine = machineInfo();
  warnIfBusy(machine);
  const started = process.hrtime.bigint();
  const server = await BenchChild.start('http-echo');
  const target = `http://127.0.0.1:${server.ready.port}`;
  const bare = await BenchChild.start('http-bare', [target]);
  const wsdiag = await BenchChild.start('wsdiag', [target]);
  const relays: Record<Mode, { port: number; child: BenchChild | null }> = {
    direct: { port: server.ready.port, child: null },
    'http-proxy': { port: bare.ready.port, child: bare },
    wsdiag: { port: wsdiag.ready.port, child: wsdiag },
  };
  const results: ScenarioResult[] = [];
  let httpEvents: number;
  try {
    for (const scenario of SCENARIOS) {
      for (const connections of CONNECTIONS) {
        const samples: Record<Mode, Sample[]> = { direct: [], 'http-proxy': [], wsdiag: [] };
        for (let rep = 0; rep < options.reps; rep++) {
          // Rotate the order so no path always runs first.
          for (const mode of [...MODES.slice(rep % MODES.length), ...MODES.slice(0, rep % MODES.length)]) {
            samples[mode].push(await measure(relays[mode].port, relays[mode].child, scenario, connections, options));
          }
        }
        for (const mode of MODES) results.push(summarise(mode, scenario.name, connections, samples[mode]));
        const line = results
          .slice(-MODES.length)
          .map((r) => `${r.mode} ${formatNumber(r.requestsPerSecond)}`)
          .join(', ');
        process.stderr.write(`  ${scenario.name} × ${connections}: ${line} requests/s\n`);
      }
    }
    const counted = await wsdiag.stats();
    httpEvents = counted.events['http'] ?? 0;
    if ((counted.events['error'] ?? 0) > 0) throw new Error(`wsdiag reported ${counted.events['error']} errors on valid traffic`);
    if (httpEvents === 0) throw new Error('wsdiag wrote no http event');
  } finally {
    await Promise.all([wsdiag.stop(), bare.stop(), server.stop()]);
  }
  const perEvent = eventCost(options.quick ? 2 : 5, options.quick ? 20_000 : 100_000);
  const floorCpu = median(results.filter((r) => r.mode === 'http-proxy').map((r) => r.relayCpuUsPerRequest ?? 0));
  const totalSeconds = Number(process.hrtime.bigint() - started) / 1e9;

  const find = (mode: Mode, scenario: string, connections: number): ScenarioResult => {
    const found = results.find((r) => r.mode === mode && r.scenario === scenario && r.connections === connections);
    if (!found) throw new Error(`no result for ${mode} ${scenario} × ${connections}`);
    return found;
  };
  const ratios = SCENARIOS.flatMap((scenario) =>
    CONNECTIONS.map((connections) => {
      const floor = find('http-proxy', scenario.name, connections);
      const ours = find('wsdiag', scenario.name, connections);
      const direct = find('direct', scenario.name, connections);
      return {
        scenario: scenario.name,
        connections,
        throughput: ours.requestsPerSecond / floor.requestsPerSecond,
        cpu: (ours.relayCpuUsPerRequest ?? Number.NaN) / (floor.relayCpuUsPerRequest ?? Number.NaN),
        ofDirect: ours.requestsPerSecond / direct.requestsPerSecond,
      };
    }),
  );
  const lines = [
    '',
    `### Plain HTTP through wsdiag (${machine.date.slice(0, 10)})`,
    '',
    `Machine: ${describeMachine(machine)}.`,
    `A plain HTTP server and keep-alive clients on 127.0.0.1, one request in flight per connection (closed loop). Medians of ${options.reps} windows of ${options.windowMs} ms after ${options.warmupMs} ms warm-up.`,
    `"relay CPU µs/req" is the relay process's user + system CPU per exchange. wsdiag writes every event (${formatNumber(httpEvents)} http events in this run) as JSON Lines to a file.`,
    '',
    markdownTable(
      ['Exchange', 'Conns', 'Path', 'requests/s', 'p50 ms', 'p99 ms', 'relay CPU µs/req'],
      results.map((r) => [
        r.scenario,
        String(r.connections),
        r.mode,
        formatNumber(r.requestsPerSecond),
        ms(r.p50Ms),
        ms(r.p99Ms),
        r.relayCpuUsPerRequest === null ? '–' : formatNumber(r.relayCpuUsPerRequest, 1),
      ]),
      ['left', 'right', 'left'],
    ),
    '',
    markdownTable(
      ['Exchange', 'Conns', 'throughput wsdiag/http-proxy', `goal ≥ ${THROUGHPUT_GOAL}x`, 'relay CPU wsdiag/http-proxy', 'wsdiag/direct'],
      ratios.map((r) => [
        r.scenario,
        String(r.connections),
        formatRatio(r.throughput, THROUGHPUT_GOAL),
        r.throughput >= THROUGHPUT_GOAL ? 'met' : 'missed',
        formatRatio(r.cpu),
        formatRatio(r.ofDirect),
      ]),
      ['left', 'right'],
    ),
    '',
    `The http event's own cost: ${formatNumber(perEvent, 2)} µs of CPU per exchange (measure, redact the path, build, serialise), ` +
      `${formatNumber((100 * perEvent) / floorCpu, 1)} % of the ${formatNumber(floorCpu, 1)} µs http-proxy alone spends per exchange here (median over the table).`,
    '',
    `(bench took ${totalSeconds.toFixed(1)} s; sizes are body bytes: ${SCENARIOS.map((s) => `${s.name} answers ${formatSize(s.responseBytes)}`).join(', ')})`,
    '',
  ];
  process.stdout.write(lines.join('\n'));
  if (options.quick) {
    process.stdout.write('Quick run: results not saved.\n');
  } else {
    const path = writeResults('http', { machine, options, results, ratios, httpEvents, eventCpuUs: perEvent, totalSeconds });
    process.stdout.write(`Results: ${path}\n`);
  }
}

await main();
