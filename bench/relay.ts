/**
 * `npm run bench:relay`: the cost of putting wsdiag between a client and its server.
 *
 * A ws echo server, and a load generator of ws clients in closed loops, three ways in one run: direct,
 * through a bare Node TCP relay (net + pipe), and through wsdiag's proxy (events to a JSON Lines file).
 * The echo server and each relay run in their own child process, so the relay's CPU time per message is
 * measured apart from the load generator's (on 2 cores that is steadier than messages/s). Then one 1 GiB
 * message goes through the bare relay and through wsdiag, each in a fresh process, for peak RSS.
 *
 * Options: --quick (short windows, smoke test), --reps N, --window MS, --no-huge.
 */
import { formatMiB, formatNumber, formatRatio, formatSize, markdownTable } from './support/format.js';
import { BenchChild, type ChildStats } from './support/child.js';
import { textPayload } from './support/frames.js';
import { sendHugeMessage } from './support/huge-message.js';
import { runLoad } from './support/load.js';
import { describeMachine, machineInfo, warnIfBusy } from './support/machine.js';
import { writeResults } from './support/results.js';
import { must } from './support/must.js';
import { median, percentileOfSorted } from './support/stats.js';

const SIZES = [64, 4 * 1024, 256 * 1024] as const;
const CONNECTIONS = [1, 50] as const;
const MODES = ['direct', 'bare', 'wsdiag'] as const;
type Mode = (typeof MODES)[number];

const HUGE_BYTES = 2 ** 30;
const HUGE_TIMEOUT_MS = 120_000;
const RSS_GOAL = 100 * 2 ** 20;
const MAX_MESSAGES_PER_WINDOW = 2_000_000;
/** Issue goals: wsdiag throughput over the bare relay's (per size), and its p99 latency at most 1.25x. */
const THROUGHPUT_GOAL: Record<number, number> = { 64: 0.8, 4096: 0.9, 262144: 0.9 };
const P99_GOAL = 1.25;

interface Options {
  /** A smoke test: its numbers are not saved over the latest results. */
  quick: boolean;
  reps: number;
  warmupMs: number;
  windowMs: number;
  huge: boolean;
}

interface Sample {
  messagesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Relay CPU (user + system) per round trip, in microseconds; null for direct. */
  relayCpuUsPerMessage: number | null;
  messages: number;
}

interface ScenarioResult {
  mode: Mode;
  size: number;
  connections: number;
  samples: Sample[];
  messagesPerSecond: number;
  mbPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  relayCpuUsPerMessage: number | null;
}

interface HugeRunResult {
  relay: string;
  peakRss: number;
  baselineRss: number;
  seconds: number;
}

function parseOptions(argv: readonly string[]): Options {
  const quick = argv.includes('--quick');
  const numberAfter = (flag: string, fallback: number): number => {
    const at = argv.indexOf(flag);
    if (at < 0) return fallback;
    const value = Number(argv[at + 1]);
    if (!Number.isInteger(value) || value < 1) throw new Error(`${flag} takes a positive integer`);
    return value;
  };
  return {
    quick,
    reps: numberAfter('--reps', quick ? 1 : 3),
    warmupMs: quick ? 200 : 300,
    windowMs: numberAfter('--window', quick ? 500 : 1000),
    huge: !argv.includes('--no-huge'),
  };
}

function cpuMicros(before: ChildStats, after: ChildStats): number {
  return after.cpu.user - before.cpu.user + (after.cpu.system - before.cpu.system);
}

async function measure(
  mode: Mode,
  port: number,
  relay: BenchChild | null,
  size: number,
  connections: number,
  options: Options,
): Promise<Sample> {
  // Filled in by the load's window callbacks.
  const stats: { before?: ChildStats; after?: ChildStats } = {};
  const result = await runLoad({
    url: `ws://127.0.0.1:${port}/echo`,
    connections,
    payload: textPayload(size),
    warmupMs: options.warmupMs,
    measureMs: options.windowMs,
    maxMessages: MAX_MESSAGES_PER_WINDOW,
    onWindow: async (edge) => {
      if (!relay) return;
      if (edge === 'start') stats.before = await relay.stats();
      else stats.after = await relay.stats();
    },
  });
  if (result.messages === 0) throw new Error(`${mode}: no message completed a round trip`);
  return {
    messagesPerSecond: result.messages / result.seconds,
    p50Ms: percentileOfSorted(result.latenciesMs, 50),
    p99Ms: percentileOfSorted(result.latenciesMs, 99),
    relayCpuUsPerMessage: stats.before && stats.after ? cpuMicros(stats.before, stats.after) / result.messages : null,
    messages: result.messages,
  };
}

function summarise(mode: Mode, size: number, connections: number, samples: Sample[]): ScenarioResult {
  const messagesPerSecond = median(samples.map((s) => s.messagesPerSecond));
  const cpu = samples.map((s) => s.relayCpuUsPerMessage).filter((v): v is number => v !== null);
  return {
    mode,
    size,
    connections,
    samples,
    messagesPerSecond,
    mbPerSecond: (messagesPerSecond * size) / 1e6,
    p50Ms: median(samples.map((s) => s.p50Ms)),
    p99Ms: median(samples.map((s) => s.p99Ms)),
    relayCpuUsPerMessage: cpu.length > 0 ? median(cpu) : null,
  };
}

/** One 1 GiB text message through a fresh relay process; its peak RSS is the whole life's maxrss. */
async function hugeThrough(kind: 'bare' | 'wsdiag', sinkPort: number): Promise<HugeRunResult> {
  const relay =
    kind === 'bare'
      ? await BenchChild.start('bare', [String(sinkPort)])
      : await BenchChild.start('wsdiag', [`ws://127.0.0.1:${sinkPort}`, '0']);
  try {
    const idle = await relay.stats();
    const sent = await sendHugeMessage(relay.ready.port, HUGE_BYTES, HUGE_TIMEOUT_MS);
    const end = await relay.stats();
    if (kind === 'wsdiag' && (end.events['violation'] ?? 0) > 0)
      throw new Error(`wsdiag reported ${end.events['violation']} violations on the valid 1 GiB message`);
    return {
      relay: kind === 'bare' ? 'bare TCP relay' : 'wsdiag proxy',
      peakRss: end.maxRss,
      baselineRss: idle.rss,
      seconds: sent.seconds,
    };
  } finally {
    await relay.stop();
  }
}

function ms(value: number): string {
  return value < 10 ? value.toFixed(2) : value.toFixed(1);
}

function throughputTable(results: readonly ScenarioResult[]): string {
  const label: Record<Mode, string> = { direct: 'direct', bare: 'bare relay', wsdiag: 'wsdiag' };
  return markdownTable(
    ['Message', 'Conns', 'Path', 'msgs/s', 'MB/s', 'p50 ms', 'p99 ms', 'relay CPU µs/msg'],
    results.map((r) => [
      formatSize(r.size),
      String(r.connections),
      label[r.mode],
      formatNumber(r.messagesPerSecond),
      formatNumber(r.mbPerSecond, 1),
      ms(r.p50Ms),
      ms(r.p99Ms),
      r.relayCpuUsPerMessage === null ? '–' : formatNumber(r.relayCpuUsPerMessage, 1),
    ]),
    ['left', 'right', 'left'],
  );
}

interface RatioRow {
  size: number;
  connections: number;
  throughput: number;
  throughputGoal: number;
  p99: number;
  cpu: number;
}

function ratioRows(results: readonly ScenarioResult[]): RatioRow[] {
  const find = (mode: Mode, size: number, connections: number): ScenarioResult =>
    must(
      results.find((r) => r.mode === mode && r.size === size && r.connections === connections),
      `${mode} result for ${size} B × ${connections}`,
    );
  const rows: RatioRow[] = [];
  for (const size of SIZES) {
    for (const connections of CONNECTIONS) {
      const bare = find('bare', size, connections);
      const ours = find('wsdiag', size, connections);
      rows.push({
        size,
        connections,
        throughput: ours.messagesPerSecond / bare.messagesPerSecond,
        throughputGoal: must(THROUGHPUT_GOAL[size], `throughput goal for ${size} B`),
        p99: ours.p99Ms / bare.p99Ms,
        cpu: (ours.relayCpuUsPerMessage ?? Number.NaN) / (bare.relayCpuUsPerMessage ?? Number.NaN),
      });
    }
  }
  return rows;
}

function ratioTable(rows: readonly RatioRow[]): string {
  return markdownTable(
    ['Message', 'Conns', 'throughput wsdiag/bare', 'goal', 'p99 wsdiag/bare', `goal ≤ ${P99_GOAL}x`, 'relay CPU/msg wsdiag/bare'],
    rows.map((r) => [
      formatSize(r.size),
      String(r.connections),
      formatRatio(r.throughput, r.throughputGoal),
      `≥ ${r.throughputGoal}x ${r.throughput >= r.throughputGoal ? 'met' : 'missed'}`,
      formatRatio(r.p99, P99_GOAL),
      r.p99 <= P99_GOAL ? 'met' : 'missed',
      formatRatio(r.cpu),
    ]),
    ['left', 'right'],
  );
}

function hugeTable(results: readonly HugeRunResult[]): string {
  return markdownTable(
    ['Relay (one 1 GiB text message)', 'peak RSS', 'RSS idle', 'time', 'MB/s'],
    results.map((r) => [
      r.relay,
      formatMiB(r.peakRss),
      formatMiB(r.baselineRss),
      `${r.seconds.toFixed(2)} s`,
      formatNumber(HUGE_BYTES / 1e6 / r.seconds),
    ]),
  );
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const machine = machineInfo();
  warnIfBusy(machine);
  const started = process.hrtime.bigint();
  const echo = await BenchChild.start('echo');
  const echoUrl = `ws://127.0.0.1:${echo.ready.port}`;
  const bare = await BenchChild.start('bare', [String(echo.ready.port)]);
  const wsdiag = await BenchChild.start('wsdiag', [echoUrl]);
  const relays: Record<Mode, { port: number; child: BenchChild | null }> = {
    direct: { port: echo.ready.port, child: null },
    bare: { port: bare.ready.port, child: bare },
    wsdiag: { port: wsdiag.ready.port, child: wsdiag },
  };
  const results: ScenarioResult[] = [];
  const huge: HugeRunResult[] = [];
  try {
    for (const size of SIZES) {
      for (const connections of CONNECTIONS) {
        const samples: Record<Mode, Sample[]> = { direct: [], bare: [], wsdiag: [] };
        for (let rep = 0; rep < options.reps; rep++) {
          // Rotate the order so no path always runs first (or right after another's garbage).
          const turn = rep % MODES.length;
          for (const mode of [...MODES.slice(turn), ...MODES.slice(0, turn)]) {
            samples[mode].push(await measure(mode, relays[mode].port, relays[mode].child, size, connections, options));
          }
        }
        const summaries = MODES.map((mode) => summarise(mode, size, connections, samples[mode]));
        results.push(...summaries);
        const line = summaries.map((s) => `${s.mode} ${formatNumber(s.messagesPerSecond)}`).join(', ');
        process.stderr.write(`  ${formatSize(size)} × ${connections}: ${line} msgs/s\n`);
      }
    }
    const counted = await wsdiag.stats();
    const violations = counted.events['violation'] ?? 0;
    const errors = counted.events['error'] ?? 0;
    if (violations > 0 || errors > 0) throw new Error(`wsdiag reported ${violations} violations and ${errors} errors on valid traffic`);
    if (options.huge) {
      const sinkPort = must(echo.ready.sinkPort, "the echo server's sink port");
      huge.push(await hugeThrough('bare', sinkPort));
      huge.push(await hugeThrough('wsdiag', sinkPort));
    }
  } finally {
    await Promise.all([wsdiag.stop(), bare.stop(), echo.stop()]);
  }
  const totalSeconds = Number(process.hrtime.bigint() - started) / 1e9;

  const ratios = ratioRows(results);
  const lines = [
    '',
    `### Relay overhead (wsdiag ${machine.date.slice(0, 10)})`,
    '',
    `Machine: ${describeMachine(machine)}.`,
    `ws echo server and ws clients on 127.0.0.1, text messages, one message in flight per connection (closed loop).`,
    `Medians of ${options.reps} windows of ${options.windowMs} ms after ${options.warmupMs} ms warm-up. MB/s = round trips/s × message size (each direction carries that much).`,
    `"relay CPU µs/msg" is the relay process's user + system CPU per round trip (the message and its echo), measured in its own process.`,
    `wsdiag runs with default settings and writes its events as JSON Lines to a file.`,
    '',
    throughputTable(results),
    '',
    ratioTable(ratios),
  ];
  const ours = huge.find((h) => h.relay === 'wsdiag proxy');
  if (ours) {
    lines.push(
      '',
      hugeTable(huge),
      '',
      `Goal (wsdiag peak RSS < ${formatMiB(RSS_GOAL)} while relaying a 1 GiB message, --max-message 0 so all of it is validated): ${ours.peakRss < RSS_GOAL ? 'met' : 'missed'}.`,
    );
  }
  lines.push('', `(bench took ${totalSeconds.toFixed(1)} s)`, '');
  process.stdout.write(lines.join('\n'));
  if (options.quick) {
    process.stdout.write('Quick run: results not saved.\n');
  } else {
    const path = writeResults('relay', { machine, options, results, ratios, huge, totalSeconds });
    process.stdout.write(`Results: ${path}\n`);
  }
}

await main();
