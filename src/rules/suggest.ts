/**
 * "Did you mean …?" for ids users type: rule ids in --fail-on, --rule, `explain`, and keys in config files.
 */
import { RULES } from './table.js';

/** Levenshtein distance with one row of memory; the inputs are short ids. */
/* eslint-disable @typescript-eslint/no-non-null-assertion -- every index is inside the rows, by the loop bounds */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length]!;
}
/* eslint-enable @typescript-eslint/no-non-null-assertion */

/** A typo budget that grows with the length of the input: one slip per four characters, at least two. */
export function typoBudget(input: string): number {
  return Math.max(2, Math.floor(input.length / 4));
}

/** The rule id nearest to a typo, if any is close enough to be a plausible suggestion. */
export function closestRuleId(input: string): string | undefined {
  let best: { id: string; distance: number } | undefined;
  for (const { id } of RULES) {
    const distance = editDistance(input, id);
    if (!best || distance < best.distance) best = { id, distance };
  }
  return best && best.distance <= typoBudget(input) ? best.id : undefined;
}
