/**
 * Captures: judge the WebSocket traffic in pcap and pcapng files, and write what the proxy relayed as
 * pcapng. Sans-IO throughout: bytes in, events (or bytes) out; the caller reads and writes files.
 */
export { CaptureAnalyzer, analyzeCapture, analyzeCaptureBytes, type CaptureAnalyzeOptions, type CaptureStats } from './analyze.js';
export type { CaptureEvent, CaptureOpenEvent, GapEvent, StreamEvent, StreamKind, CaptureProblemEvent } from './events.js';
export { detectCapture, describeNonCapture, DESCRIBE_BYTES, MAGIC_BYTES, type Detection } from './detect.js';
export { CaptureReader, DEFAULT_MAX_RECORD_BYTES, type ReaderOptions, type ReaderStats } from './reader.js';
export { findNetwork, isDecodedLinkType, linkTypeName } from './link.js';
export { decodeIp, type SkipReason } from './ip.js';
export {
  TcpReassembler,
  DEFAULT_MAX_CONNECTIONS,
  type TcpSink,
  type TcpConnection,
  type TcpStreamHandler,
  type GapCause,
  type CloseReason,
  type Peer,
  type ReassemblyOptions,
  type ReassemblyStats,
} from './reassembly.js';
export { WebSocketJudge, MAX_HEAD_BYTES, type WebSocketJudgeOptions, type CaptureAnalyzerOptions, type JudgeStats } from './websocket.js';
export {
  PcapngWriter,
  SyntheticTcp,
  initialSequenceNumbers,
  MAX_SEGMENT_PAYLOAD,
  type WriterLinkType,
  type SyntheticTcpOptions,
} from './writer.js';
export * from './types.js';
