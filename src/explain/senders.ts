/**
 * Which side sends the bytes each rule is about. Some rules can only be broken by one side (masking,
 * the handshake); the rest by either. Language-neutral: the text catalogues turn it into words.
 */
import type { RuleId } from '../rules/index.js';
import type { Sender } from './types.js';

export const RULE_SENDERS: Record<RuleId, Sender> = {
  'reserved-opcode': 'either',
  'reserved-bits': 'either',
  'unmasked-client-frame': 'client',
  'masked-server-frame': 'server',
  'control-frame-fragmented': 'either',
  'control-frame-too-long': 'either',
  'non-minimal-length': 'either',
  'length-msb-set': 'either',
  'unexpected-continuation': 'either',
  'expected-continuation': 'either',
  'invalid-close-payload': 'either',
  'invalid-close-code': 'either',
  'frame-after-close': 'either',
  'invalid-utf8-text': 'either',
  'invalid-utf8-close-reason': 'either',
  'invalid-compressed-data': 'either',
  'message-too-big': 'either',
  'unsupported-text': 'either',
  'unsupported-binary': 'either',
  'handshake-invalid-request': 'client',
  'handshake-bad-accept': 'server',
  'handshake-unrequested-subprotocol': 'server',
  'handshake-unrequested-extension': 'server',
  // Either side can cut a frame short, or leave a Ping unanswered (the side that owed the Pong).
  'truncated-frame': 'either',
  'ping-unanswered': 'either',
};
