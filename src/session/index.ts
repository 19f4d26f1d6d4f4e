/**
 * Per-connection analysis, sans-IO: a ConnectionAnalyzer owns a decoder per direction and turns what they
 * report into the schema's events (blame, flood suppression, Close causes, unanswered Pings, frames cut
 * short); analyzeBytes/analyzeStream/analyzeReader judge one direction's bytes from a file or a test.
 */
export { ConnectionAnalyzer, DEFAULT_MAX_PER_RULE, DEFAULT_PONG_TIMEOUT_MS, type AnalyzerOptions, type Ending } from './analyzer.js';
export {
  analyzeBytes,
  analyzeReader,
  analyzeStream,
  ANALYZE_CONN,
  DEFAULT_READ_BYTES,
  type AnalyzeOptions,
  type AnalyzeResult,
  type ReadInto,
  type ReaderOptions,
} from './analyze.js';
export type { EventContentOptions } from './content.js';
