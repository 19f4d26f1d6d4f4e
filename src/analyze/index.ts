/** `wsdiag analyze` as a library: one recorded direction from a file or stdin, raw or hex, decoded and reported. */
export { runAnalyze, type AnalyzeInputOptions, type AnalyzeIO } from './run.js';
export { parseHex } from './hex.js';
export { openRecording, readWhole, type Recording } from './recording.js';
