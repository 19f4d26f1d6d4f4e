/**
 * `npm run bench:chaos`: what fault injection costs the relay. A ws echo server and closed-loop ws clients
 * through `wsdiag proxy` and through `wsdiag chaos` with a `noop` toxic in each direction (the engine runs,
 * decides nothing), in one run, alternating in each repetition so a change in the machine's load hits both
 * alike. Each relay runs in its own process; its CPU per round trip is read there. Goal: chaos throughput
 * ≥ 0.9x the proxy's, as the median of each repetition's chaos/proxy ratio (pairedRatio; the table also
 * gives the smallest and largest). (The engine alone, without sockets: `node dist/bench/chaos-engine.js`.)
 *
 * Each repetition forks a fresh pair of relays (startRelays). Both relay processes load what the `wsdiag`
 * program loads (every command), as `wsdiag proxy` and `wsdiag chaos` do: a relay's CPU per large message
 * depends on how much its heap holds (V8 collects a larger old generation far more often), so a proxy
 * loading only the proxy's modules would be measured with an advantage that has nothing to do with fault
 * injection.
 *
 * Options: --quick (short windows, smoke test), --reps N (default 7), --window MS (default 2000),
 * --own-modules (each relay loads only the modules it runs, as runs before 2026-12-03 did: shows that heap
 * effect).
 */
import { BenchChild } from './support/child.js';
import { formatNumber, formatRatio, formatSize, markdownTable } from './support/format.js';
import { describeMachine, machineInfo, warnIfBusy } from './support/machine.js';
import { writeResults } from './support/results.js';
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

interface Options extends WindowedOptions {
  ownModules: boolean;
}

function parseOptions(argv: readonly string[]): Options {
  return { ...windowedOptions(argv, FULL_RUN), ownModules: argv.includes('--own-modules') };
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
async function startRelays(target: string, modules: readonly string[]): Promise<Record<Relay, BenchChild>> {
  const [proxy, chaos] = await Promise.all([
    BenchChild.start('wsdiag', [target, ...modules]),
    BenchChild.start('wsdiag', [target, '--chaos', ...modules]),
  ]);
  return { proxy, chaos };
}

/** A noop toxic changes nothing: valid traffic stays valid and no fault is reported. */
async function checkNoopChangedNothing(chaos: BenchChild): Promise<void> {
  const counted = await chaos.stats();
  for (const type of ['violation', 'error', 'fault']) {
    if ((counted.events[type] ?? 0) > 0) throw new Error(`chaos reported ${counted.events[type]} ${type} events with noop toxics`);
  }
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const machine = machineInfo();
  warnIfBusy(machine);
  console.log(
    `# wsdiag chaos benchmark${options.quick ? ' (quick)' : ''}${options.ownModules ? ' (each relay with its own modules only)' : ''}\n\n${describeMachine(machine)}\n`,
  );
  const echo = await BenchChild.start('echo');
  const target = `ws://127.0.0.1:${echo.ready.port}`;
  const modules = options.ownModules ? [] : ['--cli-modules'];
  const rows: Row[] = [];
  try {
    for (const size of SIZES) {
      for (const connections of CONNECTIONS) {
        const samples: Record<Relay, RoundTrips[]> = { proxy: [], chaos: [] };
        for (let rep = 0; rep < options.reps; rep++) {
          const children = await startRelays(target, modules);
          try {
            // One unmeasured pass each first: a fresh process runs cold (JIT, heap, socket buffers).
            for (const relay of RELAYS) await roundTripsThrough(children[relay], size, connections, options);
            for (const relay of rep % 2 === 0 ? RELAYS : [...RELAYS].reverse()) {
              samples[relay].push(await roundTripsThrough(children[relay], size, connections, options));
            }
            await checkNoopChangedNothing(children.chaos);
          } finally {
            await Promise.all(Object.values(children).map((child) => child.stop()));
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
