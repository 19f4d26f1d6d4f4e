/**
 * Live runs: a proxy (`wsdiag proxy`), a fault injector (`wsdiag chaos`) or a sandwich (`wsdiag sandwich`)
 * relaying with its sinks until it is told to stop, and a passive capture (`wsdiag sniff`), as one library
 * call each.
 */
export { runProxy, type LiveProxyOptions, type LiveProxyRunOptions, type RunProxyOptions } from './proxy.js';
export { runChaos, type RunChaosOptions } from './chaos.js';
export { runSandwich, type RunSandwichOptions } from './sandwich.js';
export { runSniff, captureFilter, type RunSniffOptions } from './sniff.js';
export {
  aborted,
  instanceStamp,
  livePrettyOptions,
  openLiveSinks,
  reopenedOnHangup,
  type LiveIO,
  type LiveOutputOptions,
  type LiveSinks,
} from './run.js';
