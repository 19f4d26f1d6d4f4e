/**
 * `npm run bench:idle`: memory per open idle WebSocket, wsdiag against the bare Node relay (net + pipe, the
 * floor for any relay written in Node) in the same run, at 1,000 and 10,000 connections.
 *
 * For each count and each relay, in rotated order: a fresh relay process in front of a ws echo server (the
 * relay bench's own children, support/relay-child.ts; wsdiag as users run it, `wsdiag proxy --listen …
 * --target … --quiet`); its RSS (/proc/PID/status VmRSS) once it listens; then N WebSocket connections
 * opened from this process (raw upgrade requests, 200 at a time, each awaited to its 101) and left idle;
 * after a settle of 1 s, its RSS again. Memory per connection = (RSS with N − RSS idle) / N. Medians of the
 * repetitions.
 *
 * 10,000 connections take 10,000 descriptors here, 10,000 in the echo server and 20,000 in the relay (two
 * legs each): more than a usual open-file limit. The bench raises it first: it runs itself again through
 * `sh -c 'ulimit -n N; exec …'` (raising the hard limit needs CAP_SYS_RESOURCE, e.g. root outside a
 * container), and every child inherits the limit. When that fails it measures the largest count wsdiag
 * serves under the limit it has (its default --max-connections there) and says which limit stopped it.
 *
 * Options: --quick (one repetition at 1,000 and 10,000: a smoke run, not saved), --reps N (default 3),
 * --counts 1000,10000.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { defaultMaxConnections } from '../src/proxy/limits.js';
import { BenchChild } from './support/child.js';
import { countAfter, valueAfter } from './support/args.js';
import { formatNumber, formatRatio, markdownTable } from './support/format.js';
import { reportHeadlines } from './support/headline.js';
import { describeMachine, machineInfo, warnIfBusy } from './support/machine.js';
import { startWsdiagCli } from './support/relays.js';
import { writeResults } from './support/results.js';
import { median, rotated } from './support/stats.js';

const HOST = '127.0.0.1';
const DEFAULT_COUNTS = [1_000, 10_000];
/** Descriptors asked for: the relay's 2 per connection at the largest count, and room for the rest. */
const WANTED_FDS = 65_536;
const RAISED_ENV = 'WSDIAG_BENCH_IDLE_FDS';
/** Connections opened at once. */
const BATCH = 200;
const SETTLE_MS = 1_000;
const RELAYS = ['bare', 'wsdiag'] as const;
type RelayName = (typeof RELAYS)[number];
const LABELS: Record<RelayName, string> = { bare: 'bare Node relay', wsdiag: 'wsdiag proxy' };

interface Options {
  quick: boolean;
  reps: number;
  counts: number[];
}

interface Sample {
  relay: RelayName;
  count: number;
  idleRss: number;
  loadedRss: number;
  bytesPerConnection: number;
}

function parseOptions(argv: readonly string[]): Options {
  const quick = argv.includes('--quick');
  const counts = (valueAfter(argv, '--counts') ?? '')
    .split(',')
    .filter((c) => c !== '')
    .map(Number);
  if (counts.some((c) => !Number.isInteger(c) || c < 1)) throw new Error('--counts takes positive integers, e.g. 1000,10000');
  return { quick, reps: countAfter(argv, '--reps', quick ? 1 : 3), counts: counts.length > 0 ? counts : DEFAULT_COUNTS };
}

/** This process's open-file limit (soft), from /proc. */
function openFileLimit(): number {
  const match = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
  return match?.[1] === 'unlimited' ? Number.POSITIVE_INFINITY : Number(match?.[1] ?? 1024);
}

/**
 * Runs this bench again under a raised open-file limit, unless it already is that run. Returns the exit
 * code of that run, or null to go on here (already raised, or the raise failed: then the limit stays).
 */
function rerunWithRaisedLimit(): number | null {
  if (process.env[RAISED_ENV] !== undefined || openFileLimit() >= WANTED_FDS) return null;
  // `ulimit -n` sets both limits; raising the hard one needs root (CAP_SYS_RESOURCE).
  const script = `ulimit -n ${WANTED_FDS} 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$0" "$@"`;
  const run = spawnSync(
    'sh',
    ['-c', script, process.execPath, ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)],
    {
      stdio: 'inherit',
      env: { ...process.env, [RAISED_ENV]: '1' },
    },
  );
  if (run.error) {
    process.stderr.write(`cannot run sh to raise the open-file limit (${run.error.message}); measuring under the current one\n`);
    return null;
  }
  return run.status ?? 1;
}

/** VmRSS of a process, bytes. */
function rssOf(pid: number): number {
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) * 1024;
}

/** One WebSocket upgrade through `port`, resolved with the socket once the 101 arrived; then left idle. */
function openIdle(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: HOST, port });
    let head = '';
    const fail = (err: Error): void => {
      socket.destroy();
      reject(err);
    };
    socket.setEncoding('latin1');
    socket.once('error', fail);
    socket.once('connect', () =>
      socket.write(
        `GET /idle HTTP/1.1\r\nHost: ${HOST}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      ),
    );
    const onData = (data: string): void => {
      head += data;
      if (!head.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      if (!head.startsWith('HTTP/1.1 101')) fail(new Error(`upgrade answered ${head.split('\r\n')[0]}`));
      else {
        socket.off('error', fail);
        socket.on('error', () => {});
        resolve(socket);
      }
    };
    socket.on('data', onData);
  });
}

/** Opens `count` idle WebSockets, BATCH at a time. */
async function openMany(port: number, count: number): Promise<Socket[]> {
  const sockets: Socket[] = [];
  try {
    for (let opened = 0; opened < count; opened += BATCH) {
      sockets.push(...(await Promise.all(Array.from({ length: Math.min(BATCH, count - opened) }, () => openIdle(port)))));
    }
  } catch (err) {
    for (const socket of sockets) socket.destroy();
    throw new Error(`after ${sockets.length} connections: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  return sockets;
}

/** A fresh relay of `name` in front of the echo server: its pid, port and stop. */
async function startRelay(name: RelayName, echoPort: number): Promise<{ pid: number; port: number; stop: () => Promise<void> }> {
  if (name === 'bare') {
    const bare = await BenchChild.start('bare', [String(echoPort)]);
    return { pid: bare.pid, port: bare.ready.port, stop: () => bare.stop() };
  }
  const wsdiag = await startWsdiagCli(echoPort);
  return { pid: wsdiag.pid, port: wsdiag.port, stop: () => wsdiag.stop() };
}

async function measure(name: RelayName, count: number, echoPort: number): Promise<Sample> {
  const relay = await startRelay(name, echoPort);
  try {
    await settle();
    const idleRss = rssOf(relay.pid);
    const sockets = await openMany(relay.port, count);
    await settle();
    const loadedRss = rssOf(relay.pid);
    for (const socket of sockets) socket.destroy();
    return { relay: name, count, idleRss, loadedRss, bytesPerConnection: (loadedRss - idleRss) / count };
  } finally {
    await relay.stop();
  }
}

function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
}

/** Why `ulimit -n WANTED_FDS` fails here (sh's own words), for the report. */
function whyNotRaised(): string {
  const run = spawnSync('sh', ['-c', `ulimit -n ${WANTED_FDS}`], { encoding: 'utf8' });
  const said = (run.stderr || run.error?.message || `exit ${run.status}`).trim().replace(/^sh: \d+: /, '');
  return `\`ulimit -n ${WANTED_FDS}\`: ${said}`;
}

async function main(): Promise<void> {
  const rerun = rerunWithRaisedLimit();
  if (rerun !== null) process.exit(rerun);
  const options = parseOptions(process.argv.slice(2));
  const machine = machineInfo();
  warnIfBusy(machine);
  const limit = openFileLimit();
  // wsdiag's default --max-connections under this limit (2 descriptors per connection, a reserve): beyond
  // it, upgrades are answered 503. The bare relay gets the same counts.
  const largest = defaultMaxConnections(1, Number.isFinite(limit) ? limit : null);
  const counts = [...new Set(options.counts.map((c) => Math.min(c, largest)))];
  const capped = options.counts.filter((c) => c > largest);
  const stoppedBy =
    capped.length > 0
      ? `open-file limit ${limit}, soft and hard (${whyNotRaised()}): wsdiag serves at most ${formatNumber(largest)} connections under it ` +
        `(its default --max-connections: (${limit} − 128) / 2), so ${capped.map((c) => formatNumber(c)).join(', ')} became ${formatNumber(largest)}`
      : null;
  if (stoppedBy !== null) process.stderr.write(`${stoppedBy}\n`);

  const echo = await BenchChild.start('echo');
  const samples: Sample[] = [];
  const started = process.hrtime.bigint();
  try {
    for (let rep = 0; rep < options.reps; rep++) {
      for (const count of counts) {
        for (let i = 0; i < RELAYS.length; i++) {
          const sample = await measure(rotated(RELAYS, rep, i), count, echo.ready.port);
          samples.push(sample);
          process.stderr.write(
            `  rep ${rep + 1} ${formatNumber(count)} ${sample.relay}: ${formatNumber(sample.bytesPerConnection / 1024, 1)} KiB/connection\n`,
          );
        }
      }
    }
  } finally {
    await echo.stop();
  }
  const totalSeconds = Number(process.hrtime.bigint() - started) / 1e9;

  const cells = counts.flatMap((count) =>
    RELAYS.map((relay) => {
      const mine = samples.filter((s) => s.relay === relay && s.count === count);
      return {
        relay,
        count,
        bytesPerConnection: median(mine.map((s) => s.bytesPerConnection)),
        idleRss: median(mine.map((s) => s.idleRss)),
        loadedRss: median(mine.map((s) => s.loadedRss)),
        low: Math.min(...mine.map((s) => s.bytesPerConnection)),
        high: Math.max(...mine.map((s) => s.bytesPerConnection)),
      };
    }),
  );
  const kib = (bytes: number): string => formatNumber(bytes / 1024, 1);
  const mib = (bytes: number): string => formatNumber(bytes / 2 ** 20, 1);
  const ratios = counts.map((count) => {
    const of = (relay: RelayName): number => cells.find((c) => c.relay === relay && c.count === count)?.bytesPerConnection ?? Number.NaN;
    return { count, wsdiag: of('wsdiag'), bare: of('bare'), ratio: of('wsdiag') / of('bare') };
  });
  const lines = [
    '',
    `### Memory per idle WebSocket (wsdiag ${machine.date.slice(0, 10)})`,
    '',
    `Machine: ${describeMachine(machine)}. Open-file limit ${limit}. A fresh relay process per measurement in front of a ws echo server, ` +
      `N WebSocket upgrades from one client process, left idle; (RSS with N − RSS before) / N, after ${SETTLE_MS / 1000} s of settling. ` +
      `Medians of ${options.reps} runs, relay order rotated. wsdiag: \`wsdiag proxy --listen … --target … --quiet\`.`,
    '',
    markdownTable(
      ['Connections', 'Relay', 'KiB per connection', 'spread', 'RSS before (MiB)', 'RSS with N (MiB)'],
      cells.map((c) => [
        formatNumber(c.count),
        LABELS[c.relay],
        kib(c.bytesPerConnection),
        `${kib(c.low)}–${kib(c.high)}`,
        mib(c.idleRss),
        mib(c.loadedRss),
      ]),
      ['right', 'left'],
    ),
    '',
    markdownTable(
      ['Connections', 'wsdiag KiB/conn', 'bare KiB/conn', 'wsdiag / bare'],
      ratios.map((r) => [formatNumber(r.count), kib(r.wsdiag), kib(r.bare), formatRatio(r.ratio)]),
    ),
    '',
    ...(stoppedBy !== null ? [`Not measured at the counts asked for: ${stoppedBy}.`, ''] : []),
    `(bench took ${totalSeconds.toFixed(1)} s)`,
    '',
  ];
  process.stdout.write(lines.join('\n'));
  reportHeadlines(
    ratios.map((r) => ({
      bench: 'idle',
      what: `${formatNumber(r.count)} idle WebSockets: KiB per connection, wsdiag (bare relay)`,
      value: `${kib(r.wsdiag)} (${kib(r.bare)}), ${formatRatio(r.ratio)}`,
      goal: '',
      load: machine.loadAverage,
    })),
  );
  if (options.quick) process.stdout.write('Quick run: results not saved.\n');
  else {
    const path = writeResults('idle', { machine, options, openFileLimit: limit, stoppedBy, counts, cells, ratios, samples, totalSeconds });
    process.stdout.write(`Results: ${path}\n`);
  }
}

await main();
