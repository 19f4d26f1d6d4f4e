/**
 * `npm run bench:workers`: what `wsdiag proxy --workers N` buys, side by side in one run.
 *
 * A ws echo server, and ws clients in closed loops (one message in flight per connection), through: a bare
 * Node TCP relay (net + pipe), `wsdiag proxy --quiet` with 1 and with 2 workers (the built CLI, as users run
 * it), and nginx with 1 and 2 worker processes when nginx is installed; both started as bench:relay starts
 * them (./support/relays.ts). The relay's CPU is read from /proc for its whole process tree (wsdiag's primary
 * and workers, nginx's master and workers), so "relay CPU µs/msg" counts everything a relay costs. Targets
 * run in a rotated order in each repetition.
 *
 * On a 2-core machine the load generator, the echo server and the relay share the two cores: read the
 * gain of a second worker as what that machine could give, not as what more cores would (docs/performance.md).
 *
 * Options: --quick (short windows, smoke test), --reps N, --window MS, --sizes 64,4096 (bytes).
 */
import { BenchChild } from './support/child.js';
import { formatNumber, formatRatio, formatSize, markdownTable } from './support/format.js';
import { textPayload } from './support/frames.js';
import { runLoad } from './support/load.js';
import { describeMachine, machineInfo, warnIfBusy } from './support/machine.js';
import { treeCpuMicros } from './support/proc-cpu.js';
import { nginxVersion, startNginx, startWsdiagCli, type ExternalRelay } from './support/relays.js';
import { writeResults } from './support/results.js';
import { median, percentileOfSorted } from './support/stats.js';
import { countAfter, valueAfter } from './support/args.js';

const CONNECTIONS = 50;
const MAX_MESSAGES_PER_WINDOW = 2_000_000;

interface Options {
  quick: boolean;
  reps: number;
  warmupMs: number;
  windowMs: number;
  sizes: number[];
}

/** A relay under test: where clients connect, and the CPU it has used so far (µs, its whole process tree). */
interface Target {
  name: string;
  port: number;
  cpuMicros(): Promise<number>;
  stop(): Promise<void>;
}

interface Sample {
  messagesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  cpuUsPerMessage: number;
}

interface Result {
  target: string;
  size: number;
  samples: Sample[];
  messagesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  cpuUsPerMessage: number;
}

function parseOptions(argv: readonly string[]): Options {
  const quick = argv.includes('--quick');
  const after = (flag: string): string | undefined => valueAfter(argv, flag);
  const positive = (flag: string, fallback: number): number => countAfter(argv, flag, fallback);
  const sizes = (after('--sizes') ?? '64,4096,262144').split(',').map(Number);
  if (sizes.some((s) => !Number.isInteger(s) || s < 1)) throw new Error('--sizes takes sizes in bytes, e.g. 64,4096');
  return {
    quick,
    reps: positive('--reps', quick ? 1 : 3),
    warmupMs: quick ? 200 : 1000,
    windowMs: positive('--window', quick ? 500 : 3000),
    sizes,
  };
}

/** A relay started as its own program: its CPU is its whole process tree's. */
function external(relay: ExternalRelay): Target {
  return { name: relay.name, port: relay.port, cpuMicros: () => Promise.resolve(treeCpuMicros(relay.pid)), stop: () => relay.stop() };
}

async function measure(target: Target, size: number, options: Options): Promise<Sample> {
  let before = 0;
  let after = 0;
  const result = await runLoad({
    url: `ws://127.0.0.1:${target.port}/echo`,
    connections: CONNECTIONS,
    payload: textPayload(size),
    warmupMs: options.warmupMs,
    measureMs: options.windowMs,
    maxMessages: MAX_MESSAGES_PER_WINDOW,
    onWindow: async (edge) => {
      if (edge === 'start') before = await target.cpuMicros();
      else after = await target.cpuMicros();
    },
  });
  if (result.messages === 0) throw new Error(`${target.name}: no message completed a round trip`);
  return {
    messagesPerSecond: result.messages / result.seconds,
    p50Ms: percentileOfSorted(result.latenciesMs, 50),
    p99Ms: percentileOfSorted(result.latenciesMs, 99),
    cpuUsPerMessage: (after - before) / result.messages,
  };
}

function summarise(target: string, size: number, samples: Sample[]): Result {
  return {
    target,
    size,
    samples,
    messagesPerSecond: median(samples.map((s) => s.messagesPerSecond)),
    p50Ms: median(samples.map((s) => s.p50Ms)),
    p99Ms: median(samples.map((s) => s.p99Ms)),
    cpuUsPerMessage: median(samples.map((s) => s.cpuUsPerMessage)),
  };
}

function table(results: readonly Result[]): string {
  const bareOf = (size: number): Result => {
    const bare = results.find((r) => r.size === size && r.target === 'bare relay');
    if (!bare) throw new Error(`no bare relay result at ${size} B`);
    return bare;
  };
  const oneOf = (size: number): Result | undefined => results.find((r) => r.size === size && r.target === 'wsdiag');
  return markdownTable(
    ['Message', 'Relay', 'msgs/s', '× bare', '× wsdiag 1 worker', 'p50 ms', 'p99 ms', 'relay CPU µs/msg', 'CPU × bare'],
    results.map((r) => {
      const bare = bareOf(r.size);
      const one = oneOf(r.size);
      return [
        formatSize(r.size),
        r.target,
        formatNumber(r.messagesPerSecond),
        formatRatio(r.messagesPerSecond / bare.messagesPerSecond),
        r.target.startsWith('wsdiag') && one ? formatRatio(r.messagesPerSecond / one.messagesPerSecond) : '',
        r.p50Ms.toFixed(2),
        r.p99Ms.toFixed(2),
        formatNumber(r.cpuUsPerMessage, 1),
        formatRatio(r.cpuUsPerMessage / bare.cpuUsPerMessage),
      ];
    }),
    ['left', 'left'],
  );
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const machine = machineInfo();
  warnIfBusy(machine);
  const started = process.hrtime.bigint();
  const echo = await BenchChild.start('echo');
  const bare = await BenchChild.start('bare', [String(echo.ready.port)]);
  const bareCpu = async (): Promise<number> => {
    const { cpu } = await bare.stats();
    return cpu.user + cpu.system;
  };
  const targets: Target[] = [{ name: 'bare relay', port: bare.ready.port, cpuMicros: bareCpu, stop: () => bare.stop() }];
  const results: Result[] = [];
  try {
    for (const workers of [1, 2]) {
      const wsdiag = external(await startWsdiagCli(echo.ready.port, ['--workers', String(workers)]));
      targets.push(workers === 1 ? wsdiag : { ...wsdiag, name: `wsdiag --workers ${workers}` });
    }
    if (nginxVersion() !== null) for (const workers of [1, 2]) targets.push(external(await startNginx(echo.ready.port, workers)));
    else process.stderr.write('nginx is not installed: its rows are skipped\n');
    for (const size of options.sizes) {
      const samples = targets.map((): Sample[] => []);
      for (let rep = 0; rep < options.reps; rep++) {
        // Rotated: no relay always runs first, or right after another's garbage.
        for (let i = 0; i < targets.length; i++) {
          const at = (rep + i) % targets.length;
          samples[at]?.push(await measure(targets[at] as Target, size, options));
        }
      }
      targets.forEach((target, at) => results.push(summarise(target.name, size, samples[at] ?? [])));
      process.stderr.write(
        `  ${formatSize(size)}: ${results
          .slice(-targets.length)
          .map((r) => `${r.target} ${formatNumber(r.messagesPerSecond)}`)
          .join(', ')} msgs/s\n`,
      );
    }
  } finally {
    await Promise.all([...targets.map((t) => t.stop()), echo.stop()]);
  }
  const totalSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const lines = [
    '',
    `### Relay workers (${machine.date.slice(0, 10)})`,
    '',
    `Machine: ${describeMachine(machine)}.`,
    `ws echo server and ${CONNECTIONS} ws clients on 127.0.0.1, text messages, one message in flight per connection (closed loop).`,
    `Medians of ${options.reps} windows of ${options.windowMs} ms after ${options.warmupMs} ms warm-up, targets in rotated order.`,
    `"relay CPU µs/msg" is the CPU of the relay's whole process tree (wsdiag's primary and workers, nginx's master and workers) per round trip.`,
    '',
    table(results),
    '',
    `(bench took ${totalSeconds.toFixed(1)} s)`,
    '',
  ];
  process.stdout.write(lines.join('\n'));
  if (options.quick) {
    process.stdout.write('Quick run: results not saved.\n');
  } else {
    const path = writeResults('workers', { machine, options, results, totalSeconds });
    process.stdout.write(`Results: ${path}\n`);
  }
}

await main();
