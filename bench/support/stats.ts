/**
 * Small statistics helpers for the benchmarks: medians of repetitions and latency percentiles.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { must } from './must.js';

/** The median of a non-empty list (the mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of an empty list');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const upper = must(sorted[mid], 'middle value');
  return sorted.length % 2 === 1 ? upper : (must(sorted[mid - 1], 'middle value') + upper) / 2;
}

/**
 * The median of `after[i] / before[i]` over paired repetitions, and the smallest and largest of those
 * ratios. Each pair ran back to back, so a drift of the machine over the run (its load, a neighbour, the
 * host) moves both of a pair alike and cancels in the pair's ratio. The ratio of the two medians does not:
 * it may divide figures of different repetitions (one relay's median from early in the run, the other's
 * from late).
 */
export function pairedRatio(before: readonly number[], after: readonly number[]): { median: number; min: number; max: number } {
  if (before.length !== after.length) throw new RangeError(`paired lists differ in length: ${before.length} and ${after.length}`);
  const ratios = after.map((value, i) => value / must(before[i], 'paired value'));
  return { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) };
}

/** The p-th percentile (0..100, nearest rank) of values already sorted in ascending order. */
export function percentileOfSorted(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return must(sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))], 'percentile');
}

/** The item that runs `i`-th in repetition `rep`: the order rotates, so no one always runs first (or after another's garbage). */
export function rotated<T>(items: readonly T[], rep: number, i: number): T {
  return must(items[(rep + i) % items.length], 'an item to rotate');
}

/** Node's gc(), made available without the --expose-gc command-line flag. */
const gc = (() => {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

/** A full collection between timed runs, so one run's garbage is not collected on the next run's clock. */
export function collectGarbage(): void {
  gc();
}
