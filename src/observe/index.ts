/**
 * The observe engine, sans-IO: recording what one point saw of a WebSocket connection (StreamRecorder, a
 * sink on the protocol decoder) and comparing two such observations (pure functions, findings out).
 * `wsdiag probe` records its own two ends; `wsdiag sandwich` records the two legs of live traffic through
 * its proxies' analyzers. Both import it from here.
 */
export { StreamRecorder, DEFAULT_KEEP_BYTES, type RecorderOptions, type RecorderListeners } from './recorder.js';
export {
  compareConnection,
  compareStreams,
  describeClose,
  LATENCY_MAX_BYTES,
  type CompareOptions,
  type ConnectionComparison,
  type ConnectionObservation,
  type EndObservation,
  type StreamComparison,
} from './compare.js';
export { compareHandshake, extensionList } from './compare-handshake.js';
export { compareMessages, type MessageComparison, type MessageContext, type MessagePair } from './compare-messages.js';
export { classifyInvalid } from './invalid.js';
export { PROBE_NAMES, columnOf, failure, info, plural, warning, type EndpointNames, type FindingColumn } from './findings.js';
export type * from './types.js';
