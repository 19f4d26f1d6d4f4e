/**
 * The protocol layer, sans-IO: RFC 6455 bytes in, callbacks out. The frame decoder (the project's only
 * parser) and what it reports, UTF-8, the permessage-deflate parameters, Close payloads, the opening
 * handshake's checks and HTTP heads as text, a permissive frame encoder, whole messages collected from
 * the decoder's events, and the message-type policies with the subprotocol profiles that fix one.
 * Everything above imports it from here.
 */
export { FrameDecoder, DEFAULT_MAX_MESSAGE, type DecoderOptions } from './decoder.js';
export type { DecoderSink, CloseInfo, Finding, FrameHeader, MessageInfo, StopInfo, Truncation } from './types.js';
export { SINK_METHOD_NAMES, combineSinks } from './sink.js';
export {
  Opcode,
  opcodeName,
  isControlOpcode,
  isValidWireCloseCode,
  closeCodeName,
  MAX_CONTROL_PAYLOAD,
  PREVIEW_BYTES,
} from './constants.js';
export { Utf8Validator, isValidUtf8 } from './utf8.js';
export { unmask } from './mask.js';
export { parseClosePayload, type ParsedClose } from './close.js';
export { parseExtensions, negotiatedDeflate, type DeflateParams, type ExtensionOffer } from './extensions.js';
export {
  checkUpgradeRequest,
  checkUpgradeResponse,
  computeAccept,
  type HeaderMap,
  type ResponseCheck,
  type UpgradeRequestInfo,
  type UpgradeResponseInfo,
} from './handshake.js';
export { parseHead, statusOf, formatHead, type ParsedHead } from './http-head.js';
export { encodeFrame, closeBody, concatBytes, type FrameSpec } from './encoder.js';
export { MessageCollector, type CollectedControl, type CollectedMessage, type MessageCollectorOptions } from './message-collector.js';
export { TypeMismatch, type AcceptedType, type TypePolicy } from './message-type.js';
export {
  SUBPROTOCOL_PROFILES,
  NOT_PROFILED,
  findProfile,
  profilePolicy,
  explainProfileRows,
  type SubprotocolProfile,
  type UnprofiledSubprotocol,
} from './profiles.js';
