/**
 * `npm run bench:relay`: the cost of putting wsdiag between a client and its server, side by side in one
 * run with the paths it is measured against: direct (no relay), a bare Node TCP relay (net + pipe: the
 * floor for any relay written in Node) and nginx (when installed; one worker), all on 127.0.0.1.
 *
 * The load of the issue's reference figures: a ws echo server; a load client in a process of its own
 * (support/load-client.ts) with 50 connections on raw frames, masked text messages (mixed UTF-8) of 64 B,
 * 4 KiB and 256 KiB, pipelined (W = 1 MiB / size, at most 32, in flight per connection); every run in
 * rotated target order, medians of the repetitions. Relay CPU per message comes from /proc (the relay's
 * pid and its children), for one message and its echo. wsdiag runs as users run it:
 * `wsdiag proxy --listen … --target … --quiet` (plus --wsdiag-args). Then ping-pong latency (one 64 B
 * message in flight on one connection), and one 1 GiB message through the bare relay and through wsdiag's
 * proxy for peak RSS. Every run is bounded in time (warm-up + window, and a hard limit in the client) and
 * in messages.
 *
 * Options: --quick (1 repetition of 1 s windows: a smoke test, not saved), --reps N, --duration MS,
 * --warmup MS, --no-huge, --no-nginx, --wsdiag-args "…" (more flags for wsdiag proxy, e.g. "--workers 2").
 * Takes about 4 minutes in full, under 1 in --quick.
 */
import { BenchChild } from './support/child.js';
import { forkLoad } from './support/fork-load.js';
import { loadavg } from 'node:os';
import { formatMiB, formatNumber, formatRatio, formatSize, markdownTable } from './support/format.js';
import { reportHeadlines, type Headline } from './support/headline.js';
import { sendHugeMessage } from './support/huge-message.js';
import type { LoadResult } from './support/load-client.js';
import { describeMachine, machineInfo, warnIfBusy } from './support/machine.js';
import { nginxVersion, startNginx, startWsdiagCli } from './support/relays.js';
import { writeResults } from './support/results.js';
import { median, rotated } from './support/stats.js';
import { countAfter, valueAfter } from './support/args.js';

const SIZES = [64, 4 * 1024, 256 * 1024] as const;
const CONNECTIONS = 50;
const LATENCY_SIZE = 64;
const TARGETS = ['direct', 'bare', 'nginx', 'wsdiag'] as const;
type Target = (typeof TARGETS)[number];
const LABELS: Record<Target, string> = { direct: 'direct', bare: 'bare Node relay', nginx: 'nginx (1 worker)', wsdiag: 'wsdiag' };

/** Issue goals: wsdiag ≥ 1.0x the bare relay's msgs/s, ≤ 1.15x its CPU per message, p99 latency no worse. */
const THROUGHPUT_GOAL = 1.0;
const CPU_GOAL = 1.15;
const P99_GOAL = 1.0;

const HUGE_BYTES = 2 ** 30;
const HUGE_TIMEOUT_MS = 120_000;
const RSS_GOAL = 100 * 2 ** 20;

interface Options {
  quick: boolean;
  reps: number;
  warmupMs: number;
  durationMs: number;
  huge: boolean;
  nginx: boolean;
  wsdiagArgs: string[];
}

interface Cell {
  target: Target;
  size: number;
  samples: LoadResult[];
  messagesPerSecond: number;
  spread: [number, number];
  relayCpuUsPerMessage: number | null;
  p50Us: number;
  p99Us: number;
}

interface HugeRunResult {
  relay: string;
  peakRss: number;
  baselineRss: number;
  seconds: number;
}

function parseOptions(argv: readonly string[]): Options {
  const quick = argv.includes('--quick');
  const after = (flag: string): string | undefined => valueAfter(argv, flag);
  const count = (flag: string, fallback: number): number => countAfter(argv, flag, fallback);
  return {
    quick,
    reps: count('--reps', quick ? 1 : 3),
    warmupMs: count('--warmup', quick ? 500 : 1000),
    durationMs: count('--duration', quick ? 1000 : 3000),
    huge: !argv.includes('--no-huge'),
    nginx: !argv.includes('--no-nginx'),
    wsdiagArgs: (after('--wsdiag-args') ?? '').split(' ').filter((a) => a !== ''),
  };
}

function summarise(target: Target, size: number, samples: LoadResult[]): Cell {
  const rates = samples.map((s) => s.messagesPerSecond);
  const cpu = samples.map((s) => s.relayCpuUsPerMessage).filter((v): v is number => v !== null);
  return {
    target,
    size,
    samples,
    messagesPerSecond: median(rates),
    spread: [Math.min(...rates), Math.max(...rates)],
    relayCpuUsPerMessage: cpu.length > 0 ? median(cpu) : null,
    p50Us: median(samples.map((s) => s.latencyUs.p50)),
    p99Us: median(samples.map((s) => s.latencyUs.p99)),
  };
}

/** The cell of `target` at `size`; undefined when the target did not run (nginx not installed). */
function findCell(cells: readonly Cell[], target: Target, size: number): Cell | undefined {
  return cells.find((c) => c.target === target && c.size === size);
}

/** The cell of a target that always runs (direct, bare, wsdiag). */
function cellOf(cells: readonly Cell[], target: Target, size: number): Cell {
  const cell = findCell(cells, target, size);
  if (!cell) throw new Error(`no ${target} measurement at ${formatSize(size)}`);
  return cell;
}

/** a / b, NaN when either is unknown. */
function ratio(a: number | null, b: number | null): number {
  return a === null || b === null ? Number.NaN : a / b;
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
      relay: kind === 'bare' ? 'bare Node relay' : 'wsdiag proxy',
      peakRss: end.maxRss,
      baselineRss: idle.rss,
      seconds: sent.seconds,
    };
  } finally {
    await relay.stop();
  }
}

const us = (value: number | null): string => (value === null ? '–' : formatNumber(value, value < 100 ? 1 : 0));
const ms = (micros: number): string => (micros / 1000).toFixed(micros < 10_000 ? 2 : 1);

function throughputTable(cells: readonly Cell[]): string {
  return markdownTable(
    ['Message', 'Path', 'msgs/s', 'spread', '× bare', 'MB/s each way', 'relay CPU µs/msg', '× bare', 'p50 ms', 'p99 ms'],
    cells.map((c) => {
      const b = cellOf(cells, 'bare', c.size);
      return [
        formatSize(c.size),
        LABELS[c.target],
        formatNumber(c.messagesPerSecond),
        `${formatNumber(c.spread[0])}–${formatNumber(c.spread[1])}`,
        formatRatio(c.messagesPerSecond / b.messagesPerSecond),
        formatNumber((c.messagesPerSecond * c.size) / 1e6, 1),
        us(c.relayCpuUsPerMessage),
        c.relayCpuUsPerMessage === null ? '–' : formatRatio(ratio(c.relayCpuUsPerMessage, b.relayCpuUsPerMessage)),
        ms(c.p50Us),
        ms(c.p99Us),
      ];
    }),
    ['left', 'left'],
  );
}

interface RatioRow {
  size: number;
  throughput: number;
  cpu: number;
  nginx: number | null;
}

function ratioRows(cells: readonly Cell[]): RatioRow[] {
  return SIZES.map((size) => {
    const ours = cellOf(cells, 'wsdiag', size);
    const bare = cellOf(cells, 'bare', size);
    const nginx = findCell(cells, 'nginx', size);
    return {
      size,
      throughput: ours.messagesPerSecond / bare.messagesPerSecond,
      cpu: ratio(ours.relayCpuUsPerMessage, bare.relayCpuUsPerMessage),
      nginx: nginx ? ours.messagesPerSecond / nginx.messagesPerSecond : null,
    };
  });
}

function ratioTable(rows: readonly RatioRow[]): string {
  return markdownTable(
    [
      'Message',
      'wsdiag / bare Node relay (msgs/s)',
      `goal ≥ ${THROUGHPUT_GOAL}x`,
      'relay CPU per message vs bare',
      `goal ≤ ${CPU_GOAL}x`,
      'wsdiag / nginx (msgs/s)',
    ],
    rows.map((r) => [
      formatSize(r.size),
      formatRatio(r.throughput, THROUGHPUT_GOAL),
      r.throughput >= THROUGHPUT_GOAL ? 'met' : 'missed',
      formatRatio(r.cpu, CPU_GOAL),
      r.cpu <= CPU_GOAL ? 'met' : 'missed',
      r.nginx === null ? '–' : formatRatio(r.nginx),
    ]),
  );
}

function headlines(rows: readonly RatioRow[], latency: readonly Cell[], nginx: boolean, load: number): Headline[] {
  const out: Headline[] = [];
  for (const r of rows) {
    const size = formatSize(r.size);
    out.push(
      {
        bench: 'relay',
        what: `${size}: wsdiag / bare Node relay (msgs/s)`,
        value: formatRatio(r.throughput, THROUGHPUT_GOAL),
        goal: `≥ ${THROUGHPUT_GOAL}x: ${r.throughput >= THROUGHPUT_GOAL ? 'met' : 'missed'}`,
        load,
      },
      {
        bench: 'relay',
        what: `${size}: relay CPU per message, wsdiag / bare`,
        value: formatRatio(r.cpu, CPU_GOAL),
        goal: `≤ ${CPU_GOAL}x: ${r.cpu <= CPU_GOAL ? 'met' : 'missed'}`,
        load,
      },
      {
        bench: 'relay',
        what: `${size}: wsdiag / nginx, 1 worker (msgs/s)`,
        value: r.nginx === null ? (nginx ? 'n/a' : 'skipped (nginx not installed)') : formatRatio(r.nginx),
        goal: '',
        load,
      },
    );
  }
  const ours = latency.find((c) => c.target === 'wsdiag');
  const bare = latency.find((c) => c.target === 'bare');
  if (ours && bare) {
    const p99 = ours.p99Us / bare.p99Us;
    out.push({
      bench: 'relay',
      what: 'ping-pong 64 B: p99 latency, wsdiag / bare',
      value: formatRatio(p99, P99_GOAL),
      goal: `≤ ${P99_GOAL}x: ${p99 <= P99_GOAL ? 'met' : 'missed'}`,
      load,
    });
  }
  return out;
}

function latencyTable(cells: readonly Cell[]): string {
  const bare = cellOf(cells, 'bare', LATENCY_SIZE);
  return markdownTable(
    ['Path (ping-pong, 1 connection, 64 B)', 'msgs/s', 'p50 µs', 'p99 µs', 'p99 × bare', 'relay CPU µs/msg'],
    cells.map((c) => [
      LABELS[c.target],
      formatNumber(c.messagesPerSecond),
      formatNumber(c.p50Us),
      formatNumber(c.p99Us),
      formatRatio(c.p99Us / bare.p99Us, P99_GOAL),
      us(c.relayCpuUsPerMessage),
    ]),
    ['left'],
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

interface Measured {
  cells: Cell[];
  latency: Cell[];
  huge: HugeRunResult[];
}

/** Starts the echo server and every relay, runs the matrix and the 1 GiB messages, stops what it started. */
async function measureAll(options: Options, nginxFound: string | null): Promise<Measured> {
  const echo = await BenchChild.start('echo');
  const stops: Array<() => Promise<void>> = [() => echo.stop()];
  try {
    const bare = await BenchChild.start('bare', [String(echo.ready.port)]);
    stops.push(() => bare.stop());
    const relays = new Map<Target, { port: number; pids: number[] }>([
      ['direct', { port: echo.ready.port, pids: [] }],
      ['bare', { port: bare.ready.port, pids: [bare.pid] }],
    ]);
    if (nginxFound !== null) {
      const nginx = await startNginx(echo.ready.port);
      stops.push(() => nginx.stop());
      relays.set('nginx', { port: nginx.port, pids: [nginx.pid] });
    }
    const wsdiag = await startWsdiagCli(echo.ready.port, options.wsdiagArgs);
    stops.push(() => wsdiag.stop());
    relays.set('wsdiag', { port: wsdiag.port, pids: [wsdiag.pid] });
    const active = TARGETS.filter((t) => relays.has(t));

    const samples = new Map<string, LoadResult[]>();
    const record = (key: string, result: LoadResult): void => {
      samples.set(key, [...(samples.get(key) ?? []), result]);
    };
    const samplesOf = (key: string): LoadResult[] => samples.get(key) ?? [];
    const run = (target: Target, size: number, mode: 'window' | 'pingpong'): Promise<LoadResult> => {
      const relay = relays.get(target);
      if (!relay) throw new Error(`${target} is not running`);
      return forkLoad({
        port: relay.port,
        connections: mode === 'pingpong' ? 1 : CONNECTIONS,
        size,
        mode,
        warmupMs: options.warmupMs,
        durationMs: options.durationMs,
        relayPids: relay.pids,
      });
    };
    for (let rep = 0; rep < options.reps; rep++) {
      for (const size of SIZES) {
        for (let i = 0; i < active.length; i++) {
          const target = rotated(active, rep, i);
          record(`${target} ${size}`, await run(target, size, 'window'));
        }
        const rates = active.map((t) => `${t} ${formatNumber(samplesOf(`${t} ${size}`).at(-1)?.messagesPerSecond ?? Number.NaN)}`);
        process.stderr.write(`  rep ${rep + 1} ${formatSize(size)}: ${rates.join(', ')} msgs/s (load ${load1()})\n`);
      }
      for (let i = 0; i < active.length; i++) {
        const target = rotated(active, rep, i);
        record(`${target} latency`, await run(target, LATENCY_SIZE, 'pingpong'));
      }
    }
    const cells = SIZES.flatMap((size) => active.map((target) => summarise(target, size, samplesOf(`${target} ${size}`))));
    const latency = active.map((target) => summarise(target, LATENCY_SIZE, samplesOf(`${target} latency`)));

    const output = wsdiag.output();
    if (/[✖⚠] \d{4} /.test(output)) throw new Error(`wsdiag reported violations on valid traffic:\n${output.slice(0, 2000)}`);
    const huge: HugeRunResult[] = [];
    const sinkPort = echo.ready.sinkPort;
    if (options.huge && sinkPort !== undefined) {
      huge.push(await hugeThrough('bare', sinkPort));
      huge.push(await hugeThrough('wsdiag', sinkPort));
    }
    return { cells, latency, huge };
  } finally {
    for (const stop of stops.reverse()) await stop();
  }
}

/** The 1-minute load average, one decimal. */
const load1 = (): number => Math.round((loadavg()[0] ?? 0) * 10) / 10;

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const machine = machineInfo();
  warnIfBusy(machine);
  const nginxFound = options.nginx ? nginxVersion() : null;
  const started = process.hrtime.bigint();
  const { cells, latency, huge } = await measureAll(options, nginxFound);
  const totalSeconds = Number(process.hrtime.bigint() - started) / 1e9;

  const ratios = ratioRows(cells);
  const loadAtEnd = load1();
  const lines = [
    '',
    `### Relay overhead (wsdiag ${machine.date.slice(0, 10)})`,
    '',
    `Machine: ${describeMachine(machine)}; nginx: ${nginxFound ?? (options.nginx ? 'not installed (skipped)' : 'skipped (--no-nginx)')}.`,
    `ws echo server, load client (its own process, raw frames) and relays on 127.0.0.1. ${CONNECTIONS} connections, masked text messages (mixed UTF-8, 16 % of bytes non-ASCII), ` +
      `pipelined echo (W = 1 MiB / size, at most 32, in flight per connection). Medians of ${options.reps} runs of ${options.durationMs / 1000} s after ${options.warmupMs / 1000} s of warm-up, target order rotated per run. ` +
      `"relay CPU µs/msg": the relay process's (and its children's) user + system CPU from /proc per echoed message (one frame each way). wsdiag: \`wsdiag proxy --listen … --target … --quiet${options.wsdiagArgs.length > 0 ? ` ${options.wsdiagArgs.join(' ')}` : ''}\`. ` +
      `Load average ${machine.loadAverage} at start, ${loadAtEnd} at the end.`,
    '',
    throughputTable(cells),
    '',
    ratioTable(ratios),
    '',
    latencyTable(latency),
    '',
    `Goal (p99 latency no worse than the bare relay's): ${cellOf(latency, 'wsdiag', LATENCY_SIZE).p99Us <= cellOf(latency, 'bare', LATENCY_SIZE).p99Us * P99_GOAL ? 'met' : 'missed'}.`,
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
  reportHeadlines(headlines(ratios, latency, nginxFound !== null, loadAtEnd));
  if (options.quick) {
    process.stdout.write('Quick run: results not saved.\n');
  } else {
    const path = writeResults('relay', { machine, options, nginx: nginxFound, cells, latency, ratios, huge, totalSeconds });
    process.stdout.write(`Results: ${path}\n`);
  }
}

await main();
