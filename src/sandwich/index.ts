/**
 * `wsdiag sandwich` as a library: live differential testing of an intermediary between two wsdiag
 * proxies, sharing the probe's recorder and comparisons.
 */
export { startSandwich, DEFAULT_LINGER_MS, DEFAULT_SANDWICH_KEEP_BYTES, type RunningSandwich } from './run.js';
export { comparePair, SANDWICH_NAMES, type PairToCompare } from './diff.js';
export { LegRecord } from './leg.js';
export { LegMatcher, type LegMatch, type MatchableLeg } from './matcher.js';
export { SandwichTally } from './tally.js';
export type * from './types.js';
