/**
 * The intermediary conformance probe (`wsdiag probe`) as a library, plus the pieces `wsdiag sandwich`
 * shares with it: the stream recorder and the pure comparisons.
 */
export { runProbe, resolveProbeOptions, probeExitCode, DEFAULT_REFLECTOR, DEFAULT_IDLE_SECONDS, DEFAULT_TIMEOUT_MS, DEFAULT_MAX_LATENCY_MS } from './run.js';
export type { ProbeOptions, ProbePlan, ProbeSummary } from './run.js';
export { CASES, selectCases, caseNames, type ProbeCase, type Step, type SendStep, type CloseScript, type HandshakeScript, type InvalidSpec } from './cases.js';
export { startReflector, PROBE_HEADER, type Reflector, type ReflectorScript, type ReflectorSession } from './reflector.js';
export { StreamRecorder, DEFAULT_KEEP_BYTES, type RecorderOptions } from './recorder.js';
export { FrameParser, type ParsedHeader, type FrameParserSink } from './frame-parser.js';
export { compareConnection, compareStreams, LATENCY_MAX_BYTES, type ConnectionObservation, type EndObservation, type CompareOptions, type ConnectionComparison } from './compare.js';
export { compareHandshake } from './compare-handshake.js';
export { compareMessages } from './compare-messages.js';
export { classifyInvalid } from './invalid.js';
export { MatrixPrinter, caseLine, summaryLine, renderProbeJunit, columnOf } from './report.js';
export type * from './types.js';
