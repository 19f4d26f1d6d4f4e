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
 * Options: --quick (short windows, smoke test), --reps N (default 7), --window MS (default 2000).
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
import { median, pairedRatio } from './support/stats.js';
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
const RELAYS = ['proxy', 'chaos'] as const;
type Relay = (typeof RELAYS)[number];

function parseOptions(argv: readonly string[]): WindowedOptions {
  return windowedOptions(argv, FULL_RUN);
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
async function startRelays(echoPort: number): Promise<{ relays: Record<Relay, WsdiagRelay>; logs: string }> {
  const logs = mkdtempSync(join(tmpdir(), 'wsdiag-bench-chaos-'));
  const [proxy, chaos] = await Promise.all([
    startWsdiagRelay('proxy', echoPort, ['--log', join(logs, 'proxy.jsonl')]),
    startWsdiagRelay('chaos', echoPort, [
      '--log',
      join(logs, 'chaos.jsonl'),
      '--toxic',
      'noop:client->server',
      '--toxic',
      'noop:server->client',
    ]),
  ]);
  return { relays: { proxy, chaos }, logs };
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
  const echo = await BenchChild.start('echo');
  const rows: Row[] = [];
  try {
    for (const size of SIZES) {
      for (const connections of CONNECTIONS) {
        const samples: Record<Relay, RoundTrips[]> = { proxy: [], chaos: [] };
        for (let rep = 0; rep < options.reps; rep++) {
          const { relays, logs } = await startRelays(echo.ready.port);
          try {
            // One unmeasured pass each first: a fresh process runs cold (JIT, heap, socket buffers).
            for (const relay of RELAYS) await roundTripsThrough(relays[relay], size, connections, options);
            for (const relay of rep % 2 === 0 ? RELAYS : [...RELAYS].reverse()) {
              samples[relay].push(await roundTripsThrough(relays[relay], size, connections, options));
            }
            // Stopped first: the summary and every event are in the log once the process has exited.
            await Promise.all(Object.values(relays).map((relay) => relay.stop()));
            checkNoopChangedNothing(logs);
          } finally {
            await Promise.all(Object.values(relays).map((relay) => relay.stop()));
            rmSync(logs, { recursive: true, force: true });
          }
        }
        for (const relay of RELAYS) {
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
  const ratios: number[] = [];
  const table = markdownTable(
    [
      'Message',
      'Conns',
      'proxy msgs/s',
      'chaos msgs/s',
      'chaos/proxy',
      'pairs min–max',
      'p99 ms proxy → chaos',
      'relay CPU µs/msg proxy → chaos',
    ],
    SIZES.flatMap((size) =>
      CONNECTIONS.map((connections) => {
        const proxy = find(size, connections, 'proxy');
        const chaos = find(size, connections, 'chaos');
        const pairs = pairedRatio(
          proxy.samples.map((s) => s.messagesPerSecond),
          chaos.samples.map((s) => s.messagesPerSecond),
        );
        const ratio = pairs.median;
        ratios.push(ratio);
        return [
          formatSize(size),
          String(connections),
          formatNumber(proxy.messagesPerSecond),
          formatNumber(chaos.messagesPerSecond),
          formatRatio(ratio, GOAL),
          `${pairs.min.toFixed(2)}–${pairs.max.toFixed(2)}`,
          `${proxy.p99Ms.toFixed(2)} → ${chaos.p99Ms.toFixed(2)}`,
          `${formatNumber(proxy.relayCpuUsPerMessage, 1)} → ${formatNumber(chaos.relayCpuUsPerMessage, 1)}`,
        ];
      }),
    ),
    ['left', 'right'],
  );
  console.log(table);
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
