/**
 * Live runs: a proxy (`wsdiag proxy`), a fault injector (`wsdiag chaos`) or a sandwich (`wsdiag sandwich`)
 * relaying with its sinks until it is told to stop, as one library call each.
 */
export { runProxy, type LiveProxyOptions, type LiveProxyRunOptions, type RunProxyOptions } from './proxy.js';
export { runChaos, type RunChaosOptions } from './chaos.js';
export { runSandwich, type RunSandwichOptions } from './sandwich.js';
export { aborted, livePrettyOptions, type LiveIO, type LiveOutputOptions } from './run.js';
