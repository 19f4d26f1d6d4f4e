/**
 * Writes a benchmark's results as JSON to bench/results/latest-<name>.json in the source tree (not in
 * dist/), so the latest numbers can be committed next to the code that produced them.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** bench/results/ of the repository; this file runs from dist/bench/support/. */
const RESULTS_DIR = fileURLToPath(new URL('../../../bench/results/', import.meta.url));

export function writeResults(name: string, results: unknown): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = `${RESULTS_DIR}latest-${name}.json`;
  writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);
  return path;
}
