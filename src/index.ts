/**
 * wsdiag's library API (`wsdiag`): what a project needs to validate WebSocket traffic in its own test
 * suite, embed the proxy in a harness, and run any command as one call. It is the union of the subpaths
 * `wsdiag/protocol`, `wsdiag/events`, `wsdiag/proxy` and `wsdiag/reporters` (src/exports/), plus the
 * commands, the explanations and our own errors. Captures and fault injection have their own subpaths
 * (`wsdiag/capture`, `wsdiag/chaos`). Internals a folder offers only to other folders are not here.
 *
 * @example
 *   import { analyzeBytes } from 'wsdiag';
 *   const { events } = analyzeBytes(bytesTheClientSent, { from: 'client' });
 *   const violations = events.filter((e) => e.type === 'violation');
 */
export * from './exports/protocol.js';
export * from './exports/events.js';
export * from './exports/proxy.js';
export * from './exports/reporters.js';

// The observe engine that probe and sandwich share: a recorder on the decoder, and the comparison of two.
export { StreamRecorder, compareConnection, type ObservedStream, type ProbeFinding } from './observe/index.js';

// The commands, one call each.
export { runCi, renderJunit, type CiOptions, type CiResult } from './ci/index.js';
export {
  runProbe,
  runProbeReport,
  startReflector,
  CASES,
  type ProbeOptions,
  type ProbeReportOptions,
  type ProbeSummary,
} from './probe/index.js';
export { runDemo, startDemoUpstream, SCENARIOS, type DemoOptions, type DemoResult } from './demo/index.js';
export { startSandwich, type RunningSandwich, type SandwichOptions } from './sandwich/index.js';
// The long-running commands: the run with its sinks until `signal` aborts.
export {
  runProxy,
  runSandwich,
  runSniff,
  type LiveIO,
  type RunProxyOptions,
  type RunSandwichOptions,
  type RunSniffOptions,
} from './live/index.js';
export { runAnalyze, type AnalyzeInputOptions } from './analyze/index.js';
// Recordings (a file, stdin) read into one reused buffer, for analyzeReader: what `wsdiag analyze` runs.
export { openRecording, readWhole, type Recording } from './analyze/index.js';
// Reading logs: the filter language `proxy` and `tail` share, and `tail` itself (several logs merged by time).
export { createFilter, parseFilterArgs, type Filter, type FilterOptions } from './filter/index.js';
export { runTail, type TailOptions, type TailIO } from './tail/index.js';

// Explanations of close codes and rules (`wsdiag explain`).
export { explain, renderExplanations, type Explanation, type Lang } from './explain/index.js';

// Our own errors (peer faults are events, never exceptions).
export { WsdiagError, UsageError, ConfigError, OperationalError, ExitCode, type ErrorText, type OptionNamer } from './errors.js';

// Fault injection (`wsdiag chaos`; all of it in `wsdiag/chaos`): the run as one call, and the typed client of its HTTP API for tests.
export {
  startChaos,
  runChaos,
  ChaosClient,
  ChaosApiError,
  type ChaosOptions,
  type RunChaosOptions,
  type RunningChaos,
  type ChaosClientOptions,
  type AnyToxic,
  type ToxicSpec,
  type ToxicType,
} from './exports/chaos.js';
