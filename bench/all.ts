/**
 * `npm run bench`: every speed comparison the README and docs/performance.md quote, in one sitting, one
 * after another so they do not compete for the two cores: the decoder in memory (decode.ts), `wsdiag
 * analyze` as a whole process (analyze.ts) and the relay against a bare Node relay and nginx (relay.ts).
 * Each runs in its own process and prints its markdown; then their headline figures side by side, with
 * the load average each was measured at. The flags given here go to each (--quick for a smoke run of
 * about 4 minutes; the full run takes about 12).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { markdownTable } from './support/format.js';
import { HEADLINES_ENV, readHeadlines } from './support/headline.js';
import { describeMachine, machineInfo } from './support/machine.js';

const BENCHES = ['decode', 'analyze', 'relay'] as const;

function run(name: string, args: readonly string[], headlines: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const script = fileURLToPath(new URL(`./${name}.js`, import.meta.url));
    const child = spawn(process.execPath, [script, ...args], { stdio: 'inherit', env: { ...process.env, [HEADLINES_ENV]: headlines } });
    child.on('error', reject);
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

const args = process.argv.slice(2);
const machine = machineInfo();
const started = process.hrtime.bigint();
const dir = mkdtempSync(join(tmpdir(), 'wsdiag-bench-'));
const headlinesPath = join(dir, 'headlines.jsonl');
process.stdout.write(`## wsdiag benchmarks, ${machine.date}\n\nMachine: ${describeMachine(machine)}.\n`);
const failed: string[] = [];
try {
  for (const name of BENCHES) {
    const code = await run(name, args, headlinesPath);
    if (code !== 0) {
      failed.push(name);
      process.stderr.write(`bench ${name} failed (exit ${code})\n`);
    }
  }
  const headlines = readHeadlines(headlinesPath);
  if (headlines.length > 0) {
    process.stdout.write(
      `\n### Side by side (${machine.date.slice(0, 10)})\n\n${markdownTable(
        ['Bench', 'Figure', 'Value', 'Goal', 'load'],
        headlines.map((h) => [h.bench, h.what, h.value, h.goal === '' ? '–' : h.goal, String(h.load)]),
        ['left', 'left'],
      )}\n`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const minutes = Number(process.hrtime.bigint() - started) / 6e10;
process.stdout.write(`\n(all benchmarks took ${minutes.toFixed(1)} min${failed.length > 0 ? `; failed: ${failed.join(', ')}` : ''})\n`);
process.exitCode = failed.length > 0 ? 1 : 0;
