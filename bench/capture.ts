/**
 * The capture benchmark: reads a large generated capture of mixed traffic (support/capture-file.ts) with
 * the capture analyzer, in a fresh child process, and reports MB/s and peak RSS; then times
 * `tshark -2 -Y websocket` on the same file, side by side (peak RSS of tshark where python3 can measure it).
 * Not part of `npm run bench` yet.
 *
 *   node dist/bench/capture.js [--size MiB] [--reps N] [--file PATH] [--keep] [--no-tshark] [--quick]
 *
 * Default: a 1 GiB file in the system's temporary directory, 3 repetitions of ours, 1 of tshark.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCapture } from './support/capture-file.js';
import type { CaptureRunResult } from './support/capture-run.js';
import { formatMiB, formatNumber, formatRatio, markdownTable } from './support/format.js';
import { describeMachine, machineInfo, warnIfBusy } from './support/machine.js';
import { writeResults } from './support/results.js';
import { must } from './support/must.js';
import { median } from './support/stats.js';

const GOAL_RATIO = 5;
const RUNNER = fileURLToPath(new URL('./support/capture-run.js', import.meta.url));

interface Options {
  sizeMiB: number;
  reps: number;
  file: string | null;
  keep: boolean;
  tshark: boolean;
  quick: boolean;
}

function parseOptions(argv: readonly string[]): Options {
  const value = (flag: string): string | undefined => {
    const at = argv.indexOf(flag);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  const quick = argv.includes('--quick');
  const sizeMiB = Number(value('--size') ?? (quick ? 64 : 1024));
  const reps = Number(value('--reps') ?? (quick ? 1 : 3));
  if (!(sizeMiB > 0) || !Number.isInteger(reps) || reps < 1) throw new Error('--size takes MiB > 0, --reps a positive integer');
  return { sizeMiB, reps, file: value('--file') ?? null, keep: argv.includes('--keep'), tshark: !argv.includes('--no-tshark'), quick };
}

function runOurs(file: string): CaptureRunResult {
  const out = execFileSync(process.execPath, [RUNNER, file], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  return JSON.parse(out) as CaptureRunResult;
}

interface TsharkResult {
  seconds: number;
  /** Peak RSS in bytes, or null when it could not be measured. */
  peakRss: number | null;
  /** Lines of output: packets tshark dissected as WebSocket. */
  packets: number;
  version: string;
}

/**
 * `tshark -2 -Y websocket` (two passes, as a GUI user gets reassembly), output of one field per packet
 * counted and thrown away. Peak RSS comes from getrusage(RUSAGE_CHILDREN) in a python3 wrapper.
 */
function runTshark(file: string): TsharkResult {
  const args = ['-2', '-r', file, '-Y', 'websocket', '-T', 'fields', '-e', 'frame.number'];
  const version = spawnSync('tshark', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0] ?? 'tshark';
  const python = spawnSync('sh', ['-c', 'command -v python3'], { encoding: 'utf8' }).status === 0;
  const start = process.hrtime.bigint();
  if (python) {
    const script = [
      'import resource, subprocess, sys',
      'p = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)',
      'lines = p.stdout.count(b"\\n")',
      'print(lines, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, p.returncode)',
    ].join('\n');
    const out = spawnSync('python3', ['-c', script, 'tshark', ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const [lines = '0', maxRssKiB = '0', code = '1'] = out.stdout.trim().split(/\s+/);
    if (code !== '0') throw new Error(`tshark exited with ${code}`);
    return { seconds, peakRss: Number(maxRssKiB) * 1024, packets: Number(lines), version };
  }
  const out = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 1024 * 1024 * 1024 });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (out.status !== 0) throw new Error(`tshark exited with ${out.status}`);
  return { seconds, peakRss: null, packets: out.stdout.split('\n').length - 1, version };
}

function main(): void {
  const options = parseOptions(process.argv.slice(2));
  const machine = machineInfo();
  warnIfBusy(machine);
  console.log(`# Capture benchmark\n\n${describeMachine(machine)}\n`);

  const dir = options.file ? null : mkdtempSync(join(tmpdir(), 'wsdiag-bench-capture-'));
  const file = options.file ?? join(must(dir, 'temporary directory'), 'mixed.pcapng');
  let generated = null;
  if (!existsSync(file)) {
    process.stderr.write(`generating ${options.sizeMiB} MiB of mixed traffic in ${file}…\n`);
    const started = Date.now();
    generated = generateCapture(file, options.sizeMiB * 1024 * 1024);
    process.stderr.write(`generated in ${((Date.now() - started) / 1000).toFixed(1)} s: ${JSON.stringify(generated.connections)}\n`);
  }
  const fileBytes = statSync(file).size;
  try {
    const ours: CaptureRunResult[] = [];
    for (let i = 0; i < options.reps; i++) {
      process.stderr.write(`wsdiag run ${i + 1}/${options.reps}…\n`);
      ours.push(runOurs(file));
    }
    const secondsOurs = median(ours.map((r) => r.seconds));
    const peakOurs = Math.max(...ours.map((r) => r.peakRss));
    const last = must(ours.at(-1), 'run');

    let tshark: TsharkResult | null = null;
    let tsharkSkipped: string | null = null;
    if (!options.tshark) tsharkSkipped = '--no-tshark';
    else if (spawnSync('sh', ['-c', 'command -v tshark']).status !== 0) tsharkSkipped = 'tshark is not installed';
    else {
      process.stderr.write('tshark -2 -Y websocket…\n');
      tshark = runTshark(file);
    }

    const mbps = (seconds: number): number => fileBytes / 1e6 / seconds;
    // Speeds relative to tshark's (the goal is wsdiag ≥ 5x); without tshark, relative to ours.
    const reference = tshark?.seconds ?? secondsOurs;
    const rows: string[][] = [
      [
        'wsdiag capture analyzer',
        formatNumber(secondsOurs, 2),
        formatNumber(mbps(secondsOurs), 1),
        formatMiB(peakOurs),
        formatRatio(reference / secondsOurs),
      ],
    ];
    if (tshark) {
      rows.push([
        'tshark -2 -Y websocket',
        formatNumber(tshark.seconds, 2),
        formatNumber(mbps(tshark.seconds), 1),
        tshark.peakRss === null ? 'n/a' : formatMiB(tshark.peakRss),
        '1.00x',
      ]);
    }
    console.log(
      `File: ${formatMiB(fileBytes)}, ${formatNumber(last.stats.reader.packets)} packets, ${formatNumber(last.stats.tcp.connections)} TCP connections (${formatNumber(last.stats.websocket.websocket)} WebSocket), ${formatNumber(last.events['violation'] ?? 0)} violations.\n`,
    );
    console.log(markdownTable(['Reader', 'seconds', 'MB/s', 'peak RSS', tshark ? 'speed vs tshark' : 'speed'], rows));
    const ratio = tshark ? tshark.seconds / secondsOurs : null;
    if (tshark && ratio !== null)
      console.log(
        `\nwsdiag reads this capture ${formatRatio(ratio, GOAL_RATIO)} as fast as ${tshark.version} (goal ≥ ${GOAL_RATIO}x: ${ratio >= GOAL_RATIO ? 'met' : 'NOT met'}).`,
      );
    else console.log(`\ntshark not run: ${tsharkSkipped}.`);

    if (!options.quick) {
      const path = writeResults('capture', { machine, fileBytes, generated, ours, tshark, ratio, goal: GOAL_RATIO });
      process.stderr.write(`results saved to ${path}\n`);
    }
  } finally {
    if (dir && !options.keep) rmSync(dir, { recursive: true, force: true });
    else if (dir) process.stderr.write(`kept ${file}\n`);
  }
}

main();
