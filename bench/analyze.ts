/**
 * `npm run bench:analyze`: `wsdiag analyze` as a whole process (start, read the file, decode, write,
 * exit) against ws's Receiver as a whole process on the same file, two ways (support/ws-analyze.ts): fed
 * by a read stream of 16 KiB chunks, as a Node program usually feeds it and as the issue's reference
 * figures were measured, and fed by the same synchronous 64 KiB reads wsdiag makes (the I/O alike, so
 * that ratio is the decoding's and the process's alone). Streams of masked 1 KiB and 64 KiB text frames
 * (mixed UTF-8); every run is a fresh process, the order rotated per repetition; wall time from spawn to
 * exit, CPU time and peak RSS reported by each process at exit (the same preload for all,
 * support/exit-stats.ts). Then the cost of an event per frame (`--json --frames`), and ONE 1 GiB frame
 * piped into `wsdiag analyze -` through a real pipe (`sh -c 'gen | wsdiag …'`), for peak RSS.
 *
 * Options: --quick (256 MiB streams, 3 repetitions, 256 MiB frames: a smoke test, not saved), --reps N,
 * --bytes N (stream size), --no-huge, --baseline PATH (another checkout's bin/wsdiag.js, measured in the
 * same runs: before and after a change, side by side). About 5 minutes in full, 1 in --quick.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DEFAULT_READ_BYTES } from '../src/session/analyze.js';
import { writeTextStream, type StreamFile } from './support/analyze-input.js';
import type { ExitStats } from './support/exit-stats.js';
import { formatMiB, formatNumber, formatRatio, formatSize, markdownTable } from './support/format.js';
import { reportHeadlines, type Headline } from './support/headline.js';
import { describeMachine, machineInfo, warnIfBusy } from './support/machine.js';
import { writeResults } from './support/results.js';
import { median, rotated } from './support/stats.js';
import { countAfter, valueAfter } from './support/args.js';

/** Issue goals: the whole process at least this much faster than ws's, per payload size. */
const GOALS: Partial<Record<number, number>> = { 1024: 2, 65536: 1.3 };
const RSS_GOAL = 64 * 2 ** 20;
const RUN_TIMEOUT_MS = 180_000;

const WSDIAG_BIN = fileURLToPath(new URL('../../bin/wsdiag.js', import.meta.url));
const WS_SCRIPT = fileURLToPath(new URL('./support/ws-analyze.js', import.meta.url));
const INPUT_SCRIPT = fileURLToPath(new URL('./support/analyze-input.js', import.meta.url));
const EXIT_STATS = pathToFileURL(fileURLToPath(new URL('./support/exit-stats.js', import.meta.url))).href;

interface Options {
  quick: boolean;
  reps: number;
  bytes: number;
  hugeBytes: number;
  huge: boolean;
  baseline: string | null;
}

/** Who runs: wsdiag, another checkout of it, ws fed by a read stream, ws fed by synchronous reads. */
type Contestant = 'wsdiag' | 'baseline' | 'wsStream' | 'wsSync';
const NAMES: Record<Contestant, string> = {
  wsdiag: 'wsdiag',
  baseline: 'baseline',
  wsStream: 'ws (read stream)',
  wsSync: 'ws (sync reads)',
};

interface Run {
  seconds: number;
  cpuSeconds: number;
  peakRss: number;
}

interface StreamResult {
  label: string;
  payloadSize: number;
  bytes: number;
  frames: number;
  /** 1-minute load average when the measurement started. */
  load: number;
  runs: Partial<Record<Contestant, Run[]>>;
  median: Partial<Record<Contestant, Run>>;
}

interface EventsResult {
  bytes: number;
  events: number;
  load: number;
  median: Partial<Record<Contestant, Run>>;
}

interface HugeResult {
  kind: 'text' | 'binary';
  contestant: Contestant;
  bytes: number;
  seconds: number;
  peakRss: number;
  load: number;
}

function parseOptions(argv: readonly string[]): Options {
  const quick = argv.includes('--quick');
  const after = (flag: string): string | undefined => valueAfter(argv, flag);
  const count = (flag: string, fallback: number): number => countAfter(argv, flag, fallback);
  const baseline = after('--baseline');
  return {
    quick,
    reps: count('--reps', quick ? 3 : 5),
    bytes: count('--bytes', quick ? 256 * 2 ** 20 : 2 ** 30),
    hugeBytes: quick ? 256 * 2 ** 20 : 2 ** 30,
    huge: !argv.includes('--no-huge'),
    baseline: baseline === undefined ? null : resolve(baseline),
  };
}

interface ChildOutcome {
  code: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
  stats: ExitStats;
}

/** Runs `node --import exit-stats ARGS` (or a shell line), timing it from spawn to exit. */
function runChild(command: { node: readonly string[] } | { shell: string }, statsPath: string): Promise<ChildOutcome> {
  return new Promise((resolvePromise, reject) => {
    rmSync(statsPath, { force: true });
    const env = { ...process.env, NO_COLOR: '1', WSDIAG_BENCH_STATS: statsPath };
    const started = process.hrtime.bigint();
    const child =
      'node' in command
        ? spawn(process.execPath, ['--import', EXIT_STATS, ...command.node], { env, stdio: ['ignore', 'pipe', 'pipe'] })
        : spawn('sh', ['-c', command.shell], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      clearTimeout(timer);
      let stats: ExitStats;
      try {
        stats = JSON.parse(readFileSync(statsPath, 'utf8')) as ExitStats;
      } catch {
        reject(new Error(`no exit statistics (exit ${code}): ${stderr.slice(0, 500)}`));
        return;
      }
      resolvePromise({ code, stdout, stderr, seconds, stats });
    });
  });
}

function wsdiagBin(contestant: Contestant, options: Options): string {
  return contestant === 'baseline' && options.baseline !== null ? options.baseline : WSDIAG_BIN;
}

function nodeArgs(contestant: Contestant, file: string, options: Options, extra: readonly string[] = []): readonly string[] {
  if (contestant === 'wsStream') return [WS_SCRIPT, file, 'stream'];
  if (contestant === 'wsSync') return [WS_SCRIPT, file, 'sync', String(DEFAULT_READ_BYTES)];
  return [wsdiagBin(contestant, options), 'analyze', file, '--from', 'client', '--json', ...extra];
}

/** Checks that the run did the whole job on valid input before its time is used; returns its JSON lines. */
function checkOutcome(contestant: Contestant, outcome: ChildOutcome, stream: StreamFile): string[] {
  if (contestant === 'wsStream' || contestant === 'wsSync') {
    const messages = (JSON.parse(outcome.stdout.trim() || '{}') as { messages?: number }).messages;
    if (outcome.code !== 0 || messages !== stream.frames)
      throw new Error(`${NAMES[contestant]} saw ${messages} of ${stream.frames} messages (exit ${outcome.code}): ${outcome.stderr}`);
    return [];
  }
  const lines = outcome.stdout.trim().split('\n');
  const last = lines.at(-1) ?? '';
  const summary = JSON.parse(last || '{}') as { type?: string; violations?: number };
  if (outcome.code !== 0 || summary.type !== 'summary' || summary.violations !== 0) {
    throw new Error(
      `${contestant} analyze on valid input: exit ${outcome.code}, last line ${last.slice(0, 200)}; ${outcome.stderr.slice(0, 500)}`,
    );
  }
  return lines;
}

function medianRun(runs: readonly Run[]): Run {
  return {
    seconds: median(runs.map((r) => r.seconds)),
    cpuSeconds: median(runs.map((r) => r.cpuSeconds)),
    peakRss: median(runs.map((r) => r.peakRss)),
  };
}

const toRun = (outcome: ChildOutcome): Run => ({
  seconds: outcome.seconds,
  cpuSeconds: outcome.stats.cpuSeconds,
  peakRss: outcome.stats.peakRss,
});
const load = (): number => Math.round((loadavg()[0] ?? 0) * 10) / 10;

/** The median run of `c` in a result; every contestant measured has one. */
function med(median: Partial<Record<Contestant, Run>>, c: Contestant): Run {
  const run = median[c];
  if (!run) throw new Error(`no ${NAMES[c]} runs`);
  return run;
}

async function measureStream(
  label: string,
  stream: StreamFile,
  contestants: readonly Contestant[],
  options: Options,
  statsPath: string,
): Promise<StreamResult> {
  const started = load();
  const runs: Partial<Record<Contestant, Run[]>> = {};
  // One unmeasured run each: the file is then in the page cache for everyone, and nobody pays for the first read.
  for (const c of contestants) checkOutcome(c, await runChild({ node: nodeArgs(c, stream.path, options) }, statsPath), stream);
  for (let rep = 0; rep < options.reps; rep++) {
    for (let i = 0; i < contestants.length; i++) {
      const c = rotated(contestants, rep, i);
      const outcome = await runChild({ node: nodeArgs(c, stream.path, options) }, statsPath);
      checkOutcome(c, outcome, stream);
      (runs[c] ??= []).push(toRun(outcome));
    }
  }
  const med: Partial<Record<Contestant, Run>> = {};
  for (const c of contestants) med[c] = medianRun(runs[c] ?? []);
  return { label, payloadSize: stream.payloadSize, bytes: stream.bytes, frames: stream.frames, load: started, runs, median: med };
}

/** `--json --frames`: an event per frame, the heaviest output analyze makes on valid traffic. */
async function measureEvents(
  stream: StreamFile,
  contestants: readonly Contestant[],
  options: Options,
  statsPath: string,
): Promise<EventsResult> {
  const started = load();
  const runs: Partial<Record<Contestant, Run[]>> = {};
  const ours = contestants.filter((c) => c === 'wsdiag' || c === 'baseline');
  for (let rep = 0; rep < options.reps; rep++) {
    for (let i = 0; i < ours.length; i++) {
      const c = rotated(ours, rep, i);
      const outcome = await runChild({ node: nodeArgs(c, stream.path, options, ['--frames']) }, statsPath);
      const lines = checkOutcome(c, outcome, stream);
      if (lines.length !== stream.frames + 1) throw new Error(`${c} --frames printed ${lines.length} lines for ${stream.frames} frames`);
      (runs[c] ??= []).push(toRun(outcome));
    }
  }
  const med: Partial<Record<Contestant, Run>> = {};
  for (const c of ours) med[c] = medianRun(runs[c] ?? []);
  return { bytes: stream.bytes, events: stream.frames, load: started, median: med };
}

async function measureHuge(kind: 'text' | 'binary', contestant: Contestant, options: Options, statsPath: string): Promise<HugeResult> {
  const started = load();
  const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  const node = quote(process.execPath);
  // The generator's stdout is a real pipe (not the socket pair a spawned child's stdio would be), as in a shell.
  const shell =
    `${node} ${quote(INPUT_SCRIPT)} frame ${kind} ${options.hugeBytes} | ` +
    `${node} --import ${quote(EXIT_STATS)} ${quote(wsdiagBin(contestant, options))} analyze - --from client --max-message 0`;
  const outcome = await runChild({ shell }, statsPath);
  if (outcome.code !== 0 || !/ 1 frame, \d+ bytes, 0 violations\./.test(outcome.stdout))
    throw new Error(
      `${contestant} on one ${kind} frame: exit ${outcome.code}, ${outcome.stdout.slice(0, 300)} ${outcome.stderr.slice(0, 300)}`,
    );
  return { kind, contestant, bytes: options.hugeBytes, seconds: outcome.seconds, peakRss: outcome.stats.peakRss, load: started };
}

function mbps(bytes: number, seconds: number): string {
  return formatNumber(bytes / 1e6 / seconds);
}

function streamSize(bytes: number): string {
  return formatSize(bytes >= 2 ** 20 ? Math.round(bytes / 2 ** 20) * 2 ** 20 : bytes);
}

function goalCell(ratio: number, goal: number | undefined): string {
  return goal === undefined ? '–' : `≥ ${goal}x ${ratio >= goal ? 'met' : 'missed'}`;
}

function streamTable(results: readonly StreamResult[], startup: StreamResult, contestants: readonly Contestant[]): string {
  const headers = ['Stream', 'load', ...contestants.map((c) => `${NAMES[c]} s`), 'wsdiag MB/s'];
  headers.push('wsdiag / ws (stream)', 'goal', 'wsdiag / ws (sync)', 'goal', 'CPU wsdiag / ws (stream, sync)');
  if (contestants.includes('baseline')) headers.push('wsdiag / baseline');
  headers.push(`peak RSS ${contestants.map((c) => NAMES[c]).join(' / ')}`);
  const row = (r: StreamResult, startupRow: boolean): string[] => {
    const m = r.median;
    const ours = med(m, 'wsdiag');
    const goal = GOALS[r.payloadSize];
    const over = (c: Contestant): number => med(m, c).seconds / ours.seconds;
    const cpu = (c: Contestant): number => med(m, c).cpuSeconds / ours.cpuSeconds;
    const cells = [
      startupRow ? 'empty file (start-up)' : `${formatSize(r.payloadSize)} text, ${streamSize(r.bytes)}`,
      String(r.load),
      ...contestants.map((c) => med(m, c).seconds.toFixed(3)),
      startupRow ? '–' : mbps(r.bytes, ours.seconds),
      formatRatio(over('wsStream'), goal),
      startupRow ? '–' : goalCell(over('wsStream'), goal),
      formatRatio(over('wsSync'), goal),
      startupRow ? '–' : goalCell(over('wsSync'), goal),
      `${formatRatio(cpu('wsStream'))}, ${formatRatio(cpu('wsSync'))}`,
    ];
    if (contestants.includes('baseline')) cells.push(formatRatio(over('baseline')));
    cells.push(contestants.map((c) => formatMiB(med(m, c).peakRss)).join(' / '));
    return cells;
  };
  return markdownTable(headers, [...results.map((r) => row(r, false)), row(startup, true)]);
}

function eventsTable(result: EventsResult, contestants: readonly Contestant[]): string {
  const ours = contestants.filter((c) => c === 'wsdiag' || c === 'baseline');
  return markdownTable(
    ['`analyze --json --frames`, 1 KiB text', 'load', 'time', 'events/s', 'MB/s in', 'peak RSS'],
    ours.map((c) => {
      const m = med(result.median, c);
      return [
        NAMES[c],
        String(result.load),
        `${m.seconds.toFixed(2)} s`,
        formatNumber(result.events / m.seconds),
        mbps(result.bytes, m.seconds),
        formatMiB(m.peakRss),
      ];
    }),
  );
}

function hugeTable(results: readonly HugeResult[]): string {
  return markdownTable(
    ['One frame piped into `analyze - --max-message 0`', 'load', 'peak RSS', 'time', 'MB/s', `goal < ${formatMiB(RSS_GOAL)}`],
    results.map((r) => [
      `${NAMES[r.contestant]}, ${formatSize(r.bytes)} ${r.kind}`,
      String(r.load),
      formatMiB(r.peakRss),
      `${r.seconds.toFixed(2)} s`,
      mbps(r.bytes, r.seconds),
      r.peakRss < RSS_GOAL ? 'met' : 'missed',
    ]),
    ['left'],
  );
}

function headlines(results: readonly StreamResult[], huge: readonly HugeResult[]): Headline[] {
  const rows: Headline[] = [];
  for (const r of results) {
    const goal = GOALS[r.payloadSize];
    for (const ws of ['wsStream', 'wsSync'] as const) {
      const ratio = med(r.median, ws).seconds / med(r.median, 'wsdiag').seconds;
      rows.push({
        bench: 'analyze',
        what: `${formatSize(r.payloadSize)} text, whole process: wsdiag / ${NAMES[ws]}`,
        value: formatRatio(ratio, goal),
        goal: goal === undefined ? '' : `≥ ${goal}x: ${ratio >= goal ? 'met' : 'missed'}`,
        load: r.load,
      });
    }
  }
  for (const h of huge.filter((x) => x.contestant === 'wsdiag')) {
    rows.push({
      bench: 'analyze',
      what: `one ${formatSize(h.bytes)} ${h.kind} frame piped into analyze -: peak RSS`,
      value: formatMiB(h.peakRss),
      goal: `< ${formatMiB(RSS_GOAL)}: ${h.peakRss < RSS_GOAL ? 'met' : 'missed'}`,
      load: h.load,
    });
  }
  return rows;
}

/** Every measurement, in a temporary directory removed at the end. */
async function measureAll(
  contestants: readonly Contestant[],
  options: Options,
): Promise<{ startup: StreamResult; results: StreamResult[]; events: EventsResult; huge: HugeResult[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'wsdiag-bench-analyze-'));
  const statsPath = join(dir, 'exit-stats.json');
  try {
    const empty: StreamFile = { path: join(dir, 'empty.bin'), payloadSize: 0, frames: 0, bytes: 0 };
    writeFileSync(empty.path, '');
    const startup = await measureStream('start-up', empty, contestants, options, statsPath);
    const results: StreamResult[] = [];
    let events: EventsResult | null = null;
    for (const size of [1024, 65536]) {
      const stream = writeTextStream(join(dir, `text-${size}.bin`), size, options.bytes);
      const result = await measureStream(`${formatSize(size)} text`, stream, contestants, options, statsPath);
      results.push(result);
      const m = result.median;
      process.stderr.write(
        `  ${formatSize(size)} text: wsdiag/ws ${formatRatio(med(m, 'wsStream').seconds / med(m, 'wsdiag').seconds)} (read stream), ${formatRatio(med(m, 'wsSync').seconds / med(m, 'wsdiag').seconds)} (sync reads)\n`,
      );
      if (size === 1024) events = await measureEvents(stream, contestants, options, statsPath);
      rmSync(stream.path, { force: true });
    }
    if (events === null) throw new Error('the 1 KiB stream was not measured');
    const huge: HugeResult[] = [];
    if (options.huge) {
      for (const kind of ['text', 'binary'] as const) {
        for (const c of contestants) if (c === 'wsdiag' || c === 'baseline') huge.push(await measureHuge(kind, c, options, statsPath));
      }
    }
    return { startup, results, events, huge };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const machine = machineInfo();
  warnIfBusy(machine);
  const started = process.hrtime.bigint();
  const contestants: Contestant[] = options.baseline ? ['wsdiag', 'baseline', 'wsStream', 'wsSync'] : ['wsdiag', 'wsStream', 'wsSync'];
  const { startup, results, events, huge } = await measureAll(contestants, options);
  const totalSeconds = Number(process.hrtime.bigint() - started) / 1e9;

  const lines = [
    '',
    `### \`wsdiag analyze\` as a whole process (wsdiag ${machine.date.slice(0, 10)})`,
    '',
    `Machine: ${describeMachine(machine)}.`,
    `Each run is a fresh process reading a file of masked client text frames (mixed UTF-8) from the page cache: \`wsdiag analyze FILE --from client --json\` against ws's Receiver fed by a read stream of 16 KiB chunks, and by the same synchronous ${formatSize(DEFAULT_READ_BYTES)} reads as wsdiag (support/ws-analyze.ts). ` +
      `Medians of ${options.reps} runs each, order rotated, after one unmeasured run each; "s" is wall time from spawn to exit (start-up included), "CPU" user + system time of the process, MB/s counts bytes read (1 MB = 10^6 B); "load" is the 1-minute load average when the row started.`,
    '',
    streamTable(results, startup, contestants),
    '',
    eventsTable(events, contestants),
  ];
  if (options.baseline) lines.push('', `"baseline" is ${options.baseline}, measured in the same repetitions.`);
  if (huge.length > 0)
    lines.push(
      '',
      hugeTable(huge),
      '',
      `Generated by a separate process and piped (\`sh -c 'gen | wsdiag analyze - --from client --max-message 0'\`, the human log), so all of a text frame is unmasked and validated.`,
    );
  lines.push('', `(bench took ${totalSeconds.toFixed(1)} s)`, '');
  process.stdout.write(lines.join('\n'));
  reportHeadlines(headlines(results, huge));
  if (options.quick) {
    process.stdout.write('Quick run: results not saved.\n');
  } else {
    const path = writeResults('analyze', { machine, options, startup, results, events, huge, totalSeconds });
    process.stdout.write(`Results: ${path}\n`);
  }
}

await main();
