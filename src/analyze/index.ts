/**
 * `wsdiag analyze` as a library: a packet capture judged whole, or one recorded direction of a stream (raw
 * or hex), from a file or stdin, decoded and reported. `CaptureRun` is the capture part, which `sniff` shares.
 */
export { runAnalyze, type AnalyzeInputOptions, type AnalyzeIO } from './run.js';
export { parseHex } from './hex.js';
export {
  CaptureRun,
  captureAnalyzeOptions,
  describeCapture,
  noWebSocketNotice,
  type CaptureJudgeOptions,
  type CaptureOutcome,
} from './capture.js';
export { openRecording, readWhole, type Recording } from './recording.js';
