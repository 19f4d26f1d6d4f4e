/**
 * The few figures of each benchmark that `npm run bench` (all.ts) repeats side by side at the end of its
 * run: each bench hands them over here, and they are appended as JSON lines to the file named by
 * WSDIAG_BENCH_HEADLINES (set by all.ts; a bench run on its own writes nothing).
 */
import { appendFileSync, readFileSync } from 'node:fs';

export interface Headline {
  bench: string;
  /** What is compared, e.g. "1 KiB text: wsdiag / ws (read stream)". */
  what: string;
  value: string;
  /** The goal and whether it was met, e.g. "≥ 2x: met"; empty when there is none. */
  goal: string;
  /** 1-minute load average when the figure was measured. */
  load: number;
}

const ENV = 'WSDIAG_BENCH_HEADLINES';

export function reportHeadlines(headlines: readonly Headline[]): void {
  const path = process.env[ENV];
  if (path === undefined || path === '') return;
  appendFileSync(path, headlines.map((h) => `${JSON.stringify(h)}\n`).join(''));
}

/** The headlines written to `path` so far (all.ts). */
export function readHeadlines(path: string): Headline[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Headline);
}

export const HEADLINES_ENV = ENV;
