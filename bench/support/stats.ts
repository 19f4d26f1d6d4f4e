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
