/**
 * The intermediary conformance probe (`wsdiag probe`) as a library: its cases, the reflector, the runner
 * and its reports. Recording and comparing streams is the observe engine's (src/observe/index.ts).
 */
export {
  runProbe,
  resolveProbeOptions,
  probeExitCode,
  DEFAULT_REFLECTOR,
  DEFAULT_IDLE_SECONDS,
  DEFAULT_TIMEOUT_MS,
  DEFAULT_MAX_LATENCY_MS,
} from './run.js';
export type { ProbeOptions, ProbePlan, ProbeSummary } from './run.js';
export {
  CASES,
  selectCases,
  caseNames,
  type ProbeCase,
  type Step,
  type SendStep,
  type CloseScript,
  type HandshakeScript,
  type InvalidSpec,
} from './cases.js';
export { startReflector, PROBE_HEADER, type Reflector, type ReflectorScript, type ReflectorSession } from './reflector.js';
export { probeHeading, caseEvent, summaryEvent, renderProbeJunit } from './report.js';
export type * from './types.js';
export { runProbeReport, type ProbeReportOptions, type ProbeIO } from './reporting.js';
