/**
 * The conversation itself (issue 13, `--messages`): `message` events out of the decoder's streaming
 * events, one per message, ping, pong and Close, with sizes, frames and the payload's first bytes.
 * Sans-IO: decoder events in, events out. The proxy wires it as an addon (src/proxy/messages.ts);
 * `analyze` as an observer of its one direction.
 */
export { MessageRecorder, DEFAULT_BODY_LIMIT, checkBodyLimit, type MessageRecorderOptions } from './recorder.js';
export { encodePayload, cutText, type EncodedPayload } from './payload.js';
