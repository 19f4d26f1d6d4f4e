/**
 * `npm run bench:messages`: what `--messages` costs the relay. A ws echo server and closed-loop ws clients
 * (text messages that look like JSON), through two wsdiag proxies in one run, a fresh pair for each
 * repetition, alternating: with default settings, and with `--messages` (a `message` event per message,
 * its first 4 KiB kept, redacted and written to the `--log` file). At 64 B, 4 KiB and 256 KiB, 1 and 50
 * connections. Goal: throughput with `--messages` ≥ 0.85x without (the median of each pair's ratio). Relay
 * CPU per round trip is each proxy process's own (/proc). The two proxies are the `wsdiag` program itself
 * (`wsdiag proxy --quiet --log FILE [--messages]`) since 2026-12-05: a proxy built from the library API held
 * less heap and left out what the command line adds to each event, and showed `--messages` cheaper than it
 * is (docs/performance.md, "Messages"). Then one 1 GiB text message goes through a fresh proxy (the bench's
 * child, for its peak RSS) without and with `--messages` (`--max-message 0`, so all of it is validated): the
 * body limit bounds what a message costs, whatever its size.
 *
 * Options: --quick (short windows, smoke test), --reps N, --window MS, --no-huge.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BenchChild } from './support/child.js';
import { formatMiB, formatNumber, formatRatio, formatSize, markdownTable } from './support/format.js';
import { sendHugeMessage } from './support/huge-message.js';
import { countLogEvents } from './support/log-events.js';
import { describeMachine, machineInfo, warnIfBusy } from './support/machine.js';
import { startWsdiagRelay, type WsdiagRelay } from './support/relays.js';
import { writeResults } from './support/results.js';
import { roundTripsThrough, type RoundTrips } from './support/round-trips.js';
import { median, pairedRatio } from './support/stats.js';
import { must } from './support/must.js';
import { windowedOptions, type WindowedOptions } from './support/args.js';

const SIZES = [64, 4 * 1024, 256 * 1024] as const;
const CONNECTIONS = [1, 50] as const;
const MODES = ['default', 'messages'] as const;
type Mode = (typeof MODES)[number];
const GOAL = 0.85;
const HUGE_BYTES = 2 ** 30;
const HUGE_TIMEOUT_MS = 180_000;
const RSS_GOAL = 100 * 2 ** 20;

interface Options extends WindowedOptions {
  huge: boolean;
}

function parseOptions(argv: readonly string[]): Options {
  return { ...windowedOptions(argv), huge: !argv.includes('--no-huge') };
}

interface Row {
  size: number;
  connections: number;
  samples: Record<Mode, RoundTrips[]>;
  messagesPerSecond: Record<Mode, number>;
  relayCpuUsPerMessage: Record<Mode, number>;
  throughputRatio: number;
  cpuRatio: number;
}

interface HugeResult {
  mode: Mode;
  peakRss: number;
  baselineRss: number;
  seconds: number;
  messageEvents: number;
}

/** One 1 GiB text message through a fresh proxy; its peak RSS is the whole life's maxrss. */
async function hugeThrough(mode: Mode, sinkPort: number): Promise<HugeResult> {
  const relay = await BenchChild.start('wsdiag', [`ws://127.0.0.1:${sinkPort}`, '0', ...(mode === 'messages' ? ['--messages'] : [])]);
  try {
    const idle = await relay.stats();
    const sent = await sendHugeMessage(relay.ready.port, HUGE_BYTES, HUGE_TIMEOUT_MS);
    const end = await relay.stats();
    if ((end.events['violation'] ?? 0) > 0)
      throw new Error(`wsdiag reported ${end.events['violation']} violations on the valid 1 GiB message`);
    return { mode, peakRss: end.maxRss, baselineRss: idle.rss, seconds: sent.seconds, messageEvents: end.events['message'] ?? 0 };
  } finally {
    await relay.stop();
  }
}

/** A fresh pair of proxies for one repetition: a process's state (heap, allocator) moves its figures more than --messages does. */
async function startRelays(echoPort: number): Promise<{ relays: Record<Mode, WsdiagRelay>; logs: string }> {
  const logs = mkdtempSync(join(tmpdir(), 'wsdiag-bench-messages-'));
  const [plain, withMessages] = await Promise.all([
    startWsdiagRelay('proxy', echoPort, ['--log', join(logs, 'default.jsonl')]),
    startWsdiagRelay('proxy', echoPort, ['--log', join(logs, 'messages.jsonl'), '--messages']),
  ]);
  return { relays: { default: plain, messages: withMessages }, logs };
}

/** The --messages proxy wrote message events, and neither reported anything wrong with valid traffic (read once both stopped). */
function checkEvents(logs: string): void {
  for (const mode of MODES) {
    const counted = countLogEvents(join(logs, `${mode}.jsonl`));
    if (mode === 'messages' && (counted['message'] ?? 0) === 0) throw new Error('the --messages proxy wrote no message event');
    const bad = (counted['violation'] ?? 0) + (counted['error'] ?? 0);
    if (bad > 0) throw new Error(`wsdiag reported ${bad} violations or errors on valid traffic`);
  }
}

function throughputTable(rows: readonly Row[]): string {
  return markdownTable(
    ['Message', 'Conns', 'default msgs/s', '--messages msgs/s', 'ratio', `goal ≥ ${GOAL}x`, 'relay CPU µs/msg default → --messages'],
    rows.map((r) => [
      formatSize(r.size),
      String(r.connections),
      formatNumber(r.messagesPerSecond.default),
      formatNumber(r.messagesPerSecond.messages),
      formatRatio(r.throughputRatio, GOAL),
      r.throughputRatio >= GOAL ? 'met' : 'missed',
      `${formatNumber(r.relayCpuUsPerMessage.default, 1)} → ${formatNumber(r.relayCpuUsPerMessage.messages, 1)} (${formatRatio(r.cpuRatio)})`,
    ]),
    ['left', 'right'],
  );
}

function hugeTable(results: readonly HugeResult[]): string {
  return markdownTable(
    ['Proxy (one 1 GiB text message, --max-message 0)', 'peak RSS', 'RSS idle', 'time', 'MB/s', 'message events'],
    results.map((r) => [
      r.mode === 'messages' ? 'wsdiag --messages (body limit 4096)' : 'wsdiag (default)',
      formatMiB(r.peakRss),
      formatMiB(r.baselineRss),
      `${r.seconds.toFixed(2)} s`,
      formatNumber(HUGE_BYTES / 1e6 / r.seconds),
      String(r.messageEvents),
    ]),
  );
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const machine = machineInfo();
  warnIfBusy(machine);
  const started = process.hrtime.bigint();
  const echo = await BenchChild.start('echo');
  const rows: Row[] = [];
  const huge: HugeResult[] = [];
  try {
    for (const size of SIZES) {
      for (const connections of CONNECTIONS) {
        const samples: Record<Mode, RoundTrips[]> = { default: [], messages: [] };
        for (let rep = 0; rep < options.reps; rep++) {
          const { relays, logs } = await startRelays(echo.ready.port);
          try {
            // One unmeasured pass each first: a fresh process runs cold (JIT, heap, socket buffers).
            for (const mode of MODES) await roundTripsThrough(relays[mode], size, connections, options);
            // Alternate which proxy goes first, so neither always runs right after the other's garbage.
            for (let i = 0; i < MODES.length; i++) {
              const mode = must(MODES[(rep + i) % MODES.length], 'mode');
              samples[mode].push(await roundTripsThrough(relays[mode], size, connections, options));
            }
            // Stopped first: the summary and every event are in the logs once the processes have exited.
            await Promise.all(Object.values(relays).map((r) => r.stop()));
            checkEvents(logs);
          } finally {
            await Promise.all(Object.values(relays).map((r) => r.stop()));
            rmSync(logs, { recursive: true, force: true });
          }
        }
        const rate = (mode: Mode) => median(samples[mode].map((s) => s.messagesPerSecond));
        const cpu = (mode: Mode) => median(samples[mode].map((s) => s.relayCpuUsPerMessage));
        const row: Row = {
          size,
          connections,
          samples,
          messagesPerSecond: { default: rate('default'), messages: rate('messages') },
          relayCpuUsPerMessage: { default: cpu('default'), messages: cpu('messages') },
          throughputRatio: pairedRatio(
            samples.default.map((s) => s.messagesPerSecond),
            samples.messages.map((s) => s.messagesPerSecond),
          ).median,
          cpuRatio: cpu('messages') / cpu('default'),
        };
        rows.push(row);
        process.stderr.write(
          `  ${formatSize(size)} × ${connections}: default ${formatNumber(row.messagesPerSecond.default)}, --messages ${formatNumber(row.messagesPerSecond.messages)} msgs/s (${row.throughputRatio.toFixed(2)}x)\n`,
        );
      }
    }
    if (options.huge) {
      const sinkPort = must(echo.ready.sinkPort, "echo child's sink port");
      huge.push(await hugeThrough('default', sinkPort));
      huge.push(await hugeThrough('messages', sinkPort));
    }
  } finally {
    await echo.stop();
  }
  const totalSeconds = Number(process.hrtime.bigint() - started) / 1e9;

  const lines = [
    '',
    `### --messages (wsdiag ${machine.date.slice(0, 10)})`,
    '',
    `Machine: ${describeMachine(machine)}.`,
    'ws echo server and ws clients on 127.0.0.1, text messages (JSON-like, with 2- to 4-byte UTF-8), one message in flight per connection.',
    `Medians of ${options.reps} windows of ${options.windowMs} ms after ${options.warmupMs} ms warm-up, a fresh pair of proxies for each, alternating; the ratio is the median of the pairs' own ratios. Both write their events as JSON Lines to a file; with --messages that is one event per message each way.`,
    '',
    throughputTable(rows),
  ];
  if (huge.length > 0) {
    const ours = must(
      huge.find((h) => h.mode === 'messages'),
      'huge-message result with --messages',
    );
    lines.push(
      '',
      hugeTable(huge),
      '',
      `Goal (peak RSS < ${formatMiB(RSS_GOAL)} relaying a 1 GiB message with --messages): ${ours.peakRss < RSS_GOAL ? 'met' : 'missed'}.`,
    );
  }
  lines.push('', `(bench took ${totalSeconds.toFixed(1)} s)`, '');
  process.stdout.write(lines.join('\n'));
  if (options.quick) {
    process.stdout.write('Quick run: results not saved.\n');
  } else {
    const path = writeResults('messages', { machine, options, rows, huge, totalSeconds });
    process.stdout.write(`Results: ${path}\n`);
  }
}

await main();
