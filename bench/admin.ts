/**
 * `npm run bench:admin`: what `--admin` costs the relay. Two `wsdiag proxy` processes in front of one ws
 * echo server in the same run, one as users run it (`--listen … --target … --quiet`), one with `--admin
 * 127.0.0.1:PORT` too, its /metrics scraped every second while the load runs (Prometheus' default is every
 * 15 s: this is the harsher case). The load of the relay bench (support/load-client.ts, its own process):
 * 50 connections, masked text messages of 64 B, 4 KiB and 256 KiB, pipelined echo; the two in rotated order
 * per repetition, medians. Goal: throughput with --admin ≥ 0.95x without.
 *
 * Options: --quick (1 repetition of 1 s windows: a smoke run, not saved), --reps N (default 5),
 * --duration MS (default 3000), --warmup MS (default 1000).
 */
import { loadavg } from 'node:os';
import { countAfter } from './support/args.js';
import { BenchChild } from './support/child.js';
import { forkLoad } from './support/fork-load.js';
import { formatNumber, formatRatio, formatSize, markdownTable } from './support/format.js';
import { reportHeadlines } from './support/headline.js';
import type { LoadResult } from './support/load-client.js';
import { describeMachine, machineInfo, warnIfBusy } from './support/machine.js';
import { freePort, startWsdiagCli, type ExternalRelay } from './support/relays.js';
import { writeResults } from './support/results.js';
import { median, rotated } from './support/stats.js';

const SIZES = [64, 4 * 1024, 256 * 1024] as const;
const CONNECTIONS = 50;
const SCRAPE_INTERVAL_MS = 1_000;
const GOAL = 0.95;
const VARIANTS = ['off', 'on'] as const;
type Variant = (typeof VARIANTS)[number];
const LABELS: Record<Variant, string> = { off: 'wsdiag proxy', on: 'wsdiag proxy --admin (scraped every 1 s)' };

interface Options {
  quick: boolean;
  reps: number;
  warmupMs: number;
  durationMs: number;
}

function parseOptions(argv: readonly string[]): Options {
  const quick = argv.includes('--quick');
  return {
    quick,
    reps: countAfter(argv, '--reps', quick ? 1 : 5),
    warmupMs: countAfter(argv, '--warmup', quick ? 500 : 1000),
    durationMs: countAfter(argv, '--duration', quick ? 1000 : 3000),
  };
}

/** Scrapes `url` every SCRAPE_INTERVAL_MS until stopped; counts the scrapes and their failures. */
function scraping(url: string): { stop: () => Promise<{ scrapes: number; failures: number }> } {
  let scrapes = 0;
  let failures = 0;
  let inFlight: Promise<void> = Promise.resolve();
  const scrape = (): void => {
    inFlight = fetch(url)
      .then(async (response) => {
        await response.text();
        if (response.status === 200) scrapes++;
        else failures++;
      })
      .catch(() => {
        failures++;
      });
  };
  scrape();
  const timer = setInterval(scrape, SCRAPE_INTERVAL_MS);
  return {
    stop: async () => {
      clearInterval(timer);
      await inFlight;
      return { scrapes, failures };
    },
  };
}

interface Cell {
  variant: Variant;
  size: number;
  messagesPerSecond: number;
  low: number;
  high: number;
  relayCpuUsPerMessage: number | null;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const machine = machineInfo();
  warnIfBusy(machine);
  const echo = await BenchChild.start('echo');
  const relays = new Map<Variant, ExternalRelay>();
  const metricsUrl = `http://127.0.0.1:${await freePort()}/metrics`;
  const samples = new Map<string, LoadResult[]>();
  let scrapes = 0;
  let failures = 0;
  const started = process.hrtime.bigint();
  try {
    relays.set('off', await startWsdiagCli(echo.ready.port));
    relays.set('on', await startWsdiagCli(echo.ready.port, ['--admin', new URL(metricsUrl).host]));
    for (let rep = 0; rep < options.reps; rep++) {
      for (const size of SIZES) {
        const rates: string[] = [];
        for (let i = 0; i < VARIANTS.length; i++) {
          const variant = rotated(VARIANTS, rep, i);
          const relay = relays.get(variant);
          if (!relay) throw new Error(`the ${variant} relay is not running`);
          const scraper = variant === 'on' ? scraping(metricsUrl) : null;
          const result = await forkLoad({
            port: relay.port,
            connections: CONNECTIONS,
            size,
            mode: 'window',
            warmupMs: options.warmupMs,
            durationMs: options.durationMs,
            relayPids: [relay.pid],
          });
          const scraped = await scraper?.stop();
          scrapes += scraped?.scrapes ?? 0;
          failures += scraped?.failures ?? 0;
          samples.set(`${variant} ${size}`, [...(samples.get(`${variant} ${size}`) ?? []), result]);
          rates.push(`${variant} ${formatNumber(result.messagesPerSecond)}`);
        }
        process.stderr.write(`  rep ${rep + 1} ${formatSize(size)}: ${rates.join(', ')} msgs/s (load ${loadavg()[0]?.toFixed(1)})\n`);
      }
    }
  } finally {
    for (const relay of relays.values()) await relay.stop();
    await echo.stop();
  }
  const totalSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (failures > 0) throw new Error(`${failures} scrapes of ${metricsUrl} failed`);

  const cells: Cell[] = SIZES.flatMap((size) =>
    VARIANTS.map((variant) => {
      const runs = samples.get(`${variant} ${size}`) ?? [];
      const rates = runs.map((r) => r.messagesPerSecond);
      const cpu = runs.map((r) => r.relayCpuUsPerMessage).filter((v): v is number => v !== null);
      return {
        variant,
        size,
        messagesPerSecond: median(rates),
        low: Math.min(...rates),
        high: Math.max(...rates),
        relayCpuUsPerMessage: cpu.length > 0 ? median(cpu) : null,
      };
    }),
  );
  const cell = (variant: Variant, size: number): Cell => {
    const found = cells.find((c) => c.variant === variant && c.size === size);
    if (!found) throw new Error(`no ${variant} measurement at ${formatSize(size)}`);
    return found;
  };
  const ratios = SIZES.map((size) => {
    const on = cell('on', size);
    const off = cell('off', size);
    const cpu =
      on.relayCpuUsPerMessage !== null && off.relayCpuUsPerMessage !== null ? on.relayCpuUsPerMessage / off.relayCpuUsPerMessage : null;
    return { size, throughput: on.messagesPerSecond / off.messagesPerSecond, cpu };
  });
  const loadAtEnd = Math.round((loadavg()[0] ?? 0) * 10) / 10;
  const lines = [
    '',
    `### --admin on vs off (wsdiag ${machine.date.slice(0, 10)})`,
    '',
    `Machine: ${describeMachine(machine)}. Both relays in front of one ws echo server, the load client in its own process: ${CONNECTIONS} connections, ` +
      `masked text messages, pipelined echo. Medians of ${options.reps} runs of ${options.durationMs / 1000} s after ${options.warmupMs / 1000} s of warm-up, order rotated per run; ` +
      `/metrics scraped every ${SCRAPE_INTERVAL_MS / 1000} s during the --admin runs (${scrapes} scrapes). Load average ${machine.loadAverage} at start, ${loadAtEnd} at the end.`,
    '',
    markdownTable(
      ['Message', 'Relay', 'msgs/s', 'spread', 'relay CPU µs/msg'],
      cells.map((c) => [
        formatSize(c.size),
        LABELS[c.variant],
        formatNumber(c.messagesPerSecond),
        `${formatNumber(c.low)}–${formatNumber(c.high)}`,
        c.relayCpuUsPerMessage === null ? '–' : formatNumber(c.relayCpuUsPerMessage, 1),
      ]),
      ['left', 'left'],
    ),
    '',
    markdownTable(
      ['Message', '--admin on / off (msgs/s)', `goal ≥ ${GOAL}x`, 'relay CPU per message, on / off'],
      ratios.map((r) => [
        formatSize(r.size),
        formatRatio(r.throughput, GOAL),
        r.throughput >= GOAL ? 'met' : 'missed',
        r.cpu === null ? '–' : formatRatio(r.cpu),
      ]),
    ),
    '',
    `(bench took ${totalSeconds.toFixed(1)} s)`,
    '',
  ];
  process.stdout.write(lines.join('\n'));
  reportHeadlines(
    ratios.map((r) => ({
      bench: 'admin',
      what: `${formatSize(r.size)}: --admin on / off (msgs/s)`,
      value: formatRatio(r.throughput, GOAL),
      goal: `≥ ${GOAL}x: ${r.throughput >= GOAL ? 'met' : 'missed'}`,
      load: loadAtEnd,
    })),
  );
  if (options.quick) process.stdout.write('Quick run: results not saved.\n');
  else {
    const path = writeResults('admin', { machine, options, scrapes, cells, ratios, totalSeconds });
    process.stdout.write(`Results: ${path}\n`);
  }
}

await main();
