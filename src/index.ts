/**
 * wsdiag's library API: everything the CLI does is available here, so frames can be validated inside a
 * project's own test suite and the proxy embedded in a harness.
 *
 * @example
 *   import { analyzeBytes } from 'wsdiag';
 *   const { events } = analyzeBytes(bytesTheClientSent, { from: 'client' });
 *   const violations = events.filter((e) => e.type === 'violation');
 */

// The event schema (DESIGN §2).
export * from './events/index.js';
// Connection ids: `<run>-c1`, unique across runs.
export { newRunId, splitConnId, RUN_ID_LENGTH } from './conn-id.js';

// Rules (DESIGN §3).
export { RULES, findRule, getRule, type RuleDef, type RuleId } from './rules/table.js';

// The sans-IO protocol layer.
export { FrameDecoder, DEFAULT_MAX_MESSAGE, type DecoderOptions } from './protocol/decoder.js';
export type { DecoderSink, Finding, FrameHeader, CloseInfo, MessageInfo, StopInfo, Truncation } from './protocol/types.js';
export {
  MessageCollector,
  type CollectedMessage,
  type CollectedControl,
  type MessageCollectorOptions,
} from './protocol/message-collector.js';
export { encodeFrame, closeBody, concatBytes, type FrameSpec } from './protocol/encoder.js';
export { Opcode, opcodeName, isValidWireCloseCode, closeCodeName } from './protocol/constants.js';
export { parseClosePayload, type ParsedClose } from './protocol/close.js';
export { parseExtensions, negotiatedDeflate, type ExtensionOffer, type DeflateParams } from './protocol/extensions.js';
export {
  checkUpgradeRequest,
  checkUpgradeResponse,
  computeAccept,
  type UpgradeRequestInfo,
  type UpgradeResponseInfo,
  type ResponseCheck,
  type HeaderMap,
} from './protocol/handshake.js';
export { Utf8Validator } from './protocol/utf8.js';
export { TypeMismatch, type TypePolicy, type AcceptedType } from './protocol/message-type.js';

// Keeping credentials out of output (what `--show-secrets` turns off).
export {
  REDACTED,
  REDACT_SECRETS,
  SHOW_SECRETS,
  redactorFor,
  redactPath,
  redactSubprotocols,
  redactText,
  redactUrl,
  isSecretName,
  isSecretParameter,
  looksRandom,
  type Redactor,
} from './redact.js';

// Per-connection analysis.
export {
  ConnectionAnalyzer,
  DEFAULT_MAX_PER_RULE,
  DEFAULT_PONG_TIMEOUT_MS,
  type AnalyzerOptions,
  type Ending,
} from './session/analyzer.js';
export { analyzeBytes, analyzeStream, ANALYZE_CONN, type AnalyzeOptions, type AnalyzeResult } from './session/analyze.js';

// Reporters (sinks of events).
export {
  JsonlReporter,
  PrettyReporter,
  SummaryCollector,
  MultiReporter,
  openJsonlLog,
  shouldUseColor,
  formatEvent,
  type Reporter,
  type PrettyOptions,
} from './reporters/index.js';

// The proxy (the only I/O layer) and what runs on it.
export {
  startProxy,
  parseTarget,
  parseListen,
  DEFAULT_LISTEN,
  type ProxyOptions,
  type RunningProxy,
  type ListenAddress,
  type ConnectionInfo,
} from './proxy/index.js';
export {
  summaryCounts,
  resolveSettings,
  type ProxyAddon,
  type ConnectionAddon,
  type OpenConnection,
  type TappedHandshake,
  type ConnectionSettings,
  type SettingsLayer,
  type SettingsRank,
  type Forwarding,
  type RelayControl,
} from './proxy/index.js';
export {
  MessagePolicies,
  resolveTypePolicies,
  loadPolicyConfig,
  SUBPROTOCOL_PROFILES,
  NOT_PROFILED,
  type PolicyOptions,
  type ResolvedPolicies,
} from './policy/index.js';
export { runCi, renderJunit, type CiOptions, type CiResult } from './ci/index.js';
export { StreamRecorder, compareConnection, type ObservedStream, type ProbeFinding } from './observe/index.js';
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
export { startSandwich } from './sandwich/index.js';
// The long-running commands as one call each: the run with its sinks until `signal` aborts.
export { runProxy, runSandwich, type LiveIO, type RunProxyOptions, type RunSandwichOptions } from './live/index.js';
export { runAnalyze, type AnalyzeInputOptions } from './analyze/index.js';

// Explanations of close codes and rules (`wsdiag explain`).
export { explain, renderExplanations } from './explain/index.js';

// Our own errors (peer faults are events, never exceptions).
export { WsdiagError, UsageError, ConfigError, OperationalError, ExitCode, type ErrorText, type OptionNamer } from './errors.js';

// Fault injection (`wsdiag chaos`): the run as one call, and the typed client of its HTTP API for tests.
export {
  startChaos,
  ChaosClient,
  ChaosApiError,
  type ChaosOptions,
  type RunningChaos,
  type ChaosClientOptions,
  type AnyToxic,
  type ToxicSpec,
  type AnyToxicSpec,
  type ToxicType,
} from './chaos/index.js';
export { runChaos, type RunChaosOptions } from './live/index.js';
