/**
 * `npm run bench:chaos`: what fault injection costs the relay. A ws echo server and closed-loop ws clients
 * through `wsdiag proxy` and through `wsdiag chaos` with a `noop` toxic in each direction (the engine runs,
 * decides nothing), in one run, alternating in each repetition so a change in the machine's load hits both
 * alike. Each relay runs in its own process; its CPU per round trip is read there. Goal: chaos throughput
 * ≥ 0.9x the proxy's, as the median of each repetition's chaos/proxy ratio (pairedRatio; the table also
 * gives the smallest and largest). (The engine alone, without sockets: `node dist/bench/chaos-engine.js`.)
 *
 * Each repetition starts a fresh pair of relays (startRelays): `wsdiag proxy` and `wsdiag chaos` processes as
 * users start them, each writing its events to a log file (`--log`). A relay's CPU per large message depends
 * on how much its heap holds (docs/performance.md, "Fault injection" and "Dashboard"), so the relays measured
 * are the programs themselves, not a process built to resemble them.
 *
 * Options: --quick (short windows, smoke test), --reps N (every row; by default 15 over one connection and 7
 * over 50), --window MS (default 2000), --control (a second `wsdiag proxy` in every repetition: the table then
 * gives twin/proxy, the run's own noise floor, next to chaos/proxy; about 1.5x the run time).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BenchChild } from './support/child.js';
import { formatNumber, formatRatio, formatSize, markdownTable } from './support/format.js';
import { countLogEvents } from './support/log-events.js';
import { describeMachine, machineInfo, warnIfBusy } from './support/machine.js';
import { writeResults } from './support/results.js';
import { startWsdiagRelay, type WsdiagRelay } from './support/relays.js';
import { roundTripsThrough, type RoundTrips } from './support/round-trips.js';
import { median, pairedRatio, rotated } from './support/stats.js';
import { must } from './support/must.js';
import { windowedOptions, type WindowedOptions } from './support/args.js';

const SIZES = [64, 4 * 1024, 256 * 1024] as const;
const CONNECTIONS = [1, 50] as const;
const GOAL = 0.9;
/**
 * 7 windows of 2 s per relay and cell: at 256 KiB one relay process's throughput moved by up to 2x between
 * 1 s windows (how the two cores happened to schedule relay, load client and echo server), so with 5
 * windows of 1 s the 256 KiB cells swung between 0.85x and 1.0x from one run to the next (2026-12-04).
 */
const FULL_RUN = { reps: 7, windowMs: 2_000 };
/**
 * Pairs over one connection unless `--reps` says otherwise. Two identical proxies paired this way gave pair
 * ratios from 0.84 to 1.07 at 64 B over one connection (2026-12-05): each process settles in a state of its
 * own, so with 7 pairs a true 0.95 landed below 0.9 about one run in ten. More fresh pairs narrow the median;
 * slicing the windows finer did not (0.73–1.13). Over 50 connections the pairs spread less.
 */
const ONE_CONNECTION_REPS = 15;
const RELAYS = ['proxy', 'chaos', 'twin'] as const;
type Relay = (typeof RELAYS)[number];

interface ChaosBenchOptions extends WindowedOptions {
  /** Repetitions of a row with this many connections. */
  repsFor(connections: number): number;
  /** A second `wsdiag proxy` (the twin) in every repetition: the A/A noise floor of this very run. */
  control: boolean;
}

function parseOptions(argv: readonly string[]): ChaosBenchOptions {
  const windowed = windowedOptions(argv, FULL_RUN);
  const fixedReps = windowed.quick || argv.includes('--reps');
  return {
    ...windowed,
    repsFor: (connections) => (fixedReps || connections > 1 ? windowed.reps : ONE_CONNECTION_REPS),
    control: argv.includes('--control'),
  };
}

interface Row {
  size: number;
  connections: number;
  relay: Relay;
  samples: RoundTrips[];
  messagesPerSecond: number;
  p99Ms: number;
  relayCpuUsPerMessage: number;
}

/**
 * Both relays, forked anew for each repetition: a relay process can keep a state of its own for minutes
 * (how its allocator, heap and JIT settled, where the scheduler put it), which moved one process's CPU per
 * message by 2x and more against its twin of the same build; fresh pairs sample those states instead of
 * drawing one for the whole run.
 */
async function startRelays(
  echoPort: number,
  measured: readonly Relay[],
): Promise<{ relays: Partial<Record<Relay, WsdiagRelay>>; logs: string }> {
  const logs = mkdtempSync(join(tmpdir(), 'wsdiag-bench-chaos-'));
  const start = (relay: Relay): Promise<WsdiagRelay> => {
    const log = ['--log', join(logs, `${relay}.jsonl`)];
    if (relay !== 'chaos') return startWsdiagRelay('proxy', echoPort, log);
    return startWsdiagRelay('chaos', echoPort, [...log, '--toxic', 'noop:client->server', '--toxic', 'noop:server->client']);
  };
  const started = await Promise.all(measured.map(start));
  return { relays: Object.fromEntries(measured.map((relay, i) => [relay, started[i]])), logs };
}

/** A noop toxic changes nothing: valid traffic stays valid and no fault is reported (read once chaos stopped). */
function checkNoopChangedNothing(logs: string): void {
  const counted = countLogEvents(join(logs, 'chaos.jsonl'));
  for (const type of ['violation', 'error', 'fault']) {
    if ((counted[type] ?? 0) > 0) throw new Error(`chaos reported ${counted[type]} ${type} events with noop toxics`);
  }
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const machine = machineInfo();
  warnIfBusy(machine);
  console.log(`# wsdiag chaos benchmark${options.quick ? ' (quick)' : ''}\n\n${describeMachine(machine)}\n`);
  const measured: readonly Relay[] = options.control ? RELAYS : RELAYS.filter((relay) => relay !== 'twin');
  const echo = await BenchChild.start('echo');
  const rows: Row[] = [];
  try {
    for (const size of SIZES) {
      for (const connections of CONNECTIONS) {
        const samples: Record<Relay, RoundTrips[]> = { proxy: [], chaos: [], twin: [] };
        for (let rep = 0; rep < options.repsFor(connections); rep++) {
          const { relays, logs } = await startRelays(echo.ready.port, measured);
          const relayOf = (relay: Relay): WsdiagRelay => must(relays[relay], `the ${relay} relay`);
          try {
            // One unmeasured pass each first: a fresh process runs cold (JIT, heap, socket buffers).
            for (const relay of measured) await roundTripsThrough(relayOf(relay), size, connections, options);
            for (let i = 0; i < measured.length; i++) {
              const relay = rotated(measured, rep, i);
              samples[relay].push(await roundTripsThrough(relayOf(relay), size, connections, options));
            }
            // Stopped first: the summary and every event are in the log once the process has exited.
            await Promise.all(Object.values(relays).map((relay) => relay.stop()));
            checkNoopChangedNothing(logs);
          } finally {
            await Promise.all(Object.values(relays).map((relay) => relay.stop()));
            rmSync(logs, { recursive: true, force: true });
          }
        }
        for (const relay of measured) {
          rows.push({
            size,
            connections,
            relay,
            samples: samples[relay],
            messagesPerSecond: median(samples[relay].map((s) => s.messagesPerSecond)),
            p99Ms: median(samples[relay].map((s) => s.p99Ms)),
            relayCpuUsPerMessage: median(samples[relay].map((s) => s.relayCpuUsPerMessage)),
          });
        }
        console.error(`done: ${formatSize(size)} x${connections}`);
      }
    }
  } finally {
    await echo.stop();
  }

  const find = (size: number, connections: number, relay: Relay): Row => {
    const row = rows.find((r) => r.size === size && r.connections === connections && r.relay === relay);
    if (!row) throw new Error(`no result for ${relay} ${size} x${connections}`);
    return row;
  };
  /** The median of each repetition's `relay`/proxy throughput, and the smallest and largest of those ratios. */
  const againstProxy = (size: number, connections: number, relay: Relay) =>
    pairedRatio(
      find(size, connections, 'proxy').samples.map((s) => s.messagesPerSecond),
      find(size, connections, relay).samples.map((s) => s.messagesPerSecond),
    );
  const spread = (pairs: { min: number; max: number }): string => `${pairs.min.toFixed(2)}–${pairs.max.toFixed(2)}`;
  const ratios: number[] = [];
  const table = markdownTable(
    [
      'Message',
      'Conns',
      'Pairs',
      'proxy msgs/s',
      'chaos msgs/s',
      'chaos/proxy',
      'pairs min–max',
      ...(options.control ? ['twin/proxy (A/A)', 'twin pairs min–max'] : []),
      'p99 ms proxy → chaos',
      'relay CPU µs/msg proxy → chaos',
    ],
    SIZES.flatMap((size) =>
      CONNECTIONS.map((connections) => {
        const proxy = find(size, connections, 'proxy');
        const chaos = find(size, connections, 'chaos');
        const pairs = againstProxy(size, connections, 'chaos');
        ratios.push(pairs.median);
        const twin = options.control ? againstProxy(size, connections, 'twin') : undefined;
        return [
          formatSize(size),
          String(connections),
          String(proxy.samples.length),
          formatNumber(proxy.messagesPerSecond),
          formatNumber(chaos.messagesPerSecond),
          formatRatio(pairs.median, GOAL),
          spread(pairs),
          ...(twin ? [formatRatio(twin.median), spread(twin)] : []),
          `${proxy.p99Ms.toFixed(2)} → ${chaos.p99Ms.toFixed(2)}`,
          `${formatNumber(proxy.relayCpuUsPerMessage, 1)} → ${formatNumber(chaos.relayCpuUsPerMessage, 1)}`,
        ];
      }),
    ),
    ['left', 'right'],
  );
  console.log(table);
  if (options.control) {
    console.log(
      "\ntwin/proxy: a second `wsdiag proxy` measured in the same repetitions; how far it strays from 1.00x is what the pairs alone can show of this run's noise.",
    );
  }
  const worst = Math.min(...ratios);
  console.log(
    `\nGoal: chaos (noop toxics) throughput ≥ ${GOAL}x the proxy's — worst ratio ${formatRatio(worst, GOAL)}: ${worst >= GOAL ? 'met' : 'NOT met'}.`,
  );
  if (!options.quick) {
    const path = writeResults('chaos', { machine, options, rows, worst, goal: GOAL });
    console.log(`\nSaved to ${path}`);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});
