/**
 * The rule table (DESIGN §3): one entry per rule id, with its close code, severity, RFC section and
 * the fix hint shown next to every violation. Detection lives where the evidence is (the decoder, the
 * message assembler, the handshake checks); this table is what they all agree to call a rule.
 *
 * Rule ids are part of the JSON Lines schema: never rename one, only add.
 */
import type { Severity, Side, ViolationCode } from '../events/index.js';

export type RuleId =
  | 'reserved-opcode'
  | 'reserved-bits'
  | 'unmasked-client-frame'
  | 'masked-server-frame'
  | 'control-frame-fragmented'
  | 'control-frame-too-long'
  | 'non-minimal-length'
  | 'length-msb-set'
  | 'unexpected-continuation'
  | 'expected-continuation'
  | 'invalid-close-payload'
  | 'invalid-close-code'
  | 'frame-after-close'
  | 'invalid-utf8-text'
  | 'invalid-utf8-close-reason'
  | 'invalid-compressed-data'
  | 'message-too-big'
  | 'unsupported-text'
  | 'unsupported-binary'
  | 'handshake-invalid-request'
  | 'handshake-bad-accept'
  | 'handshake-unrequested-subprotocol'
  | 'handshake-unrequested-extension'
  | 'truncated-frame'
  | 'ping-unanswered';

export interface RuleDef {
  id: RuleId;
  code: ViolationCode;
  severity: Severity;
  rfc: string;
  /** One line: what the rule forbids. */
  summary: string;
  /**
   * One sentence: how the side at fault fixes it. That is the sender of the offending bytes, except for
   * `ping-unanswered` (the side that owed a pong) and `truncated-frame` (the side that ended the connection).
   */
  hint: (sender: Side) => string;
}

const peerLib = (sender: Side): string => (sender === 'client' ? 'client library' : 'server library');

function rule(id: RuleId, code: ViolationCode, rfc: string, summary: string, hint: RuleDef['hint'], severity: Severity = 'error'): RuleDef {
  return { id, code, severity, rfc, summary, hint };
}

export const RULES: readonly RuleDef[] = [
  rule(
    'reserved-opcode',
    1002,
    'RFC 6455 §5.2',
    'opcode 0x3–0x7 or 0xB–0xF (reserved)',
    (s) =>
      `Only send opcodes 0x0–0x2 and 0x8–0xA; a reserved opcode usually means the ${peerLib(s)} or a proxy in front of it wrote a corrupt header or lost frame alignment.`,
  ),
  rule(
    'reserved-bits',
    1002,
    'RFC 6455 §5.2, RFC 7692 §6.1',
    'RSV1/2/3 set without a negotiated extension that defines them',
    (s) =>
      `Clear RSV bits unless an extension negotiated in the handshake defines them; with permessage-deflate set RSV1 only on the first frame of a compressed message (check that the ${peerLib(s)} and every proxy agree on the negotiated extensions).`,
  ),
  rule(
    'unmasked-client-frame',
    1002,
    'RFC 6455 §5.1',
    'a client frame without a mask',
    () =>
      'Clients must mask every frame with a fresh random 4-byte key; use a WebSocket client library rather than hand-written frames, and check that no proxy strips the mask.',
  ),
  rule(
    'masked-server-frame',
    1002,
    'RFC 6455 §5.1',
    'a server frame with a mask',
    () =>
      'Servers must never mask frames; the server is probably using a client-side framing routine (or a proxy re-masks server traffic).',
  ),
  rule(
    'control-frame-fragmented',
    1002,
    'RFC 6455 §5.5',
    'a control frame (close, ping, pong) with FIN clear',
    (s) => `Send close, ping and pong as single frames with FIN set; the ${peerLib(s)} is fragmenting a control frame.`,
  ),
  rule(
    'control-frame-too-long',
    1002,
    'RFC 6455 §5.5',
    'a control frame payload longer than 125 bytes',
    () =>
      'Keep ping, pong and close payloads at 125 bytes or less (close reasons at most 123 bytes of UTF-8); send larger data as a data message.',
  ),
  rule(
    'non-minimal-length',
    1002,
    'RFC 6455 §5.2',
    'a payload length encoded in more bytes than needed',
    (s) =>
      `Encode lengths 0–125 in the 7-bit field, 126–65535 in the 16-bit form and only larger ones in the 64-bit form; the ${peerLib(s)}'s frame encoder is wrong.`,
  ),
  rule(
    'length-msb-set',
    1002,
    'RFC 6455 §5.2',
    'a 64-bit payload length with its most significant bit set',
    () =>
      'The most significant bit of a 64-bit length must be 0; a set bit usually means a corrupt or misaligned header, so look at the bytes before this frame.',
  ),
  rule(
    'unexpected-continuation',
    1002,
    'RFC 6455 §5.4',
    'a continuation frame with no fragmented message in progress',
    (s) =>
      `Start every message with a text or binary frame and use continuation frames (opcode 0x0) only after it; the ${peerLib(s)} lost track of fragmentation or a frame was dropped on the way.`,
  ),
  rule(
    'expected-continuation',
    1002,
    'RFC 6455 §5.4',
    'a new text or binary frame while a fragmented message is unfinished',
    (s) =>
      `Finish a fragmented message (continuation frames, the last with FIN set) before starting the next one; the ${peerLib(s)} interleaves messages or a frame was dropped on the way.`,
  ),
  rule(
    'invalid-close-payload',
    1002,
    'RFC 6455 §5.5.1',
    'a Close frame whose body is exactly one byte',
    () => 'A Close body is empty or starts with a 2-byte status code; send close() without arguments or with a valid code.',
  ),
  rule(
    'invalid-close-code',
    1002,
    'RFC 6455 §7.4',
    'a Close code that may not be sent on the wire',
    () =>
      'Send 1000–1003, 1007–1014 or an application code in 3000–4999; 1005, 1006 and 1015 are for local reporting only and 1004, 1016–2999 are reserved.',
  ),
  rule(
    'frame-after-close',
    1002,
    'RFC 6455 §5.5.1',
    'a data frame sent after the same side sent its Close',
    (s) => `After sending a Close, the ${s} must not send any more data frames; stop writing as soon as close() is called.`,
  ),
  rule(
    'invalid-utf8-text',
    1007,
    'RFC 6455 §8.1',
    'a text message that is not valid UTF-8',
    () =>
      'Send text messages as valid UTF-8; send arbitrary bytes as a binary message (opcode 0x2), and never split a string in the middle of a code point except across fragments of one message.',
  ),
  rule(
    'invalid-utf8-close-reason',
    1007,
    'RFC 6455 §5.5.1',
    'a Close reason that is not valid UTF-8',
    () => 'Encode the close reason as UTF-8 and truncate it on a code point boundary (at most 123 bytes).',
  ),
  rule(
    'invalid-compressed-data',
    1007,
    'RFC 7692 §7.2',
    'a permessage-deflate payload that does not inflate',
    (s) =>
      `The ${peerLib(s)} must compress with raw DEFLATE and respect the negotiated context-takeover and window-bits parameters; a proxy that rewrites payloads or the extension header breaks this too.`,
  ),
  rule(
    'message-too-big',
    1009,
    'RFC 6455 §7.4.1',
    'a message larger than the configured limit (--max-message)',
    () =>
      'Split the data into smaller messages, or raise the limit on the receiving endpoint (and wsdiag --max-message) if this size is intended.',
  ),
  rule(
    'unsupported-text',
    1003,
    'RFC 6455 §7.4.1',
    'a text message sent to an endpoint that accepts only binary',
    () => 'Send this data as a binary frame (opcode 0x2).',
  ),
  rule(
    'unsupported-binary',
    1003,
    'RFC 6455 §7.4.1',
    'a binary message sent to an endpoint that accepts only text',
    () => 'Send this data as a text frame (opcode 0x1).',
  ),
  rule(
    'handshake-invalid-request',
    1002,
    'RFC 6455 §4.2.1',
    'an upgrade request missing or misusing Upgrade, Connection, Sec-WebSocket-Key or Sec-WebSocket-Version',
    () =>
      'Send GET with "Upgrade: websocket", "Connection: Upgrade", a base64 16-byte Sec-WebSocket-Key and "Sec-WebSocket-Version: 13"; check that no proxy drops the hop-by-hop Upgrade headers.',
  ),
  rule(
    'handshake-bad-accept',
    1002,
    'RFC 6455 §4.2.2',
    'a 101 response whose Sec-WebSocket-Accept does not match the key',
    () =>
      'Compute Sec-WebSocket-Accept as base64(SHA-1(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")) from the request actually received; a proxy that rewrites Sec-WebSocket-Key causes this too.',
  ),
  rule(
    'handshake-unrequested-subprotocol',
    1002,
    'RFC 6455 §4.1',
    'the server chose a subprotocol the client did not offer',
    () => 'Answer Sec-WebSocket-Protocol only with one of the values the client offered, or omit the header.',
  ),
  rule(
    'handshake-unrequested-extension',
    1002,
    'RFC 6455 §9.1, RFC 7692 §5',
    'the server accepted an extension or parameter the client did not offer',
    () =>
      'Accept only extensions (and parameters) the client offered in Sec-WebSocket-Extensions; a proxy that strips the offer but not the answer causes this too.',
  ),
  rule(
    'truncated-frame',
    1006,
    'RFC 6455 §5.2, §7.1.5',
    'a frame (or frame header) cut short by the end of the connection',
    (s) =>
      `Send every frame whole and end with the closing handshake (send a Close, wait for the answer) rather than a FIN or a reset; a frame cut short usually means the ${s} crashed or was killed, or a proxy or load balancer between it and wsdiag cut the connection (idle or size limits).`,
    'warning',
  ),
  rule(
    'ping-unanswered',
    1011,
    'RFC 6455 §5.5.2',
    'a Ping left without a Pong in answer (past --pong-timeout, or when the connection ended)',
    (s) =>
      `The ${s} must answer every Ping with a Pong carrying the same payload as soon as practical; use a library that answers pings itself, keep its event loop from being blocked for long, and check that no proxy drops pongs.`,
    'warning',
  ),
];

const RULES_BY_ID: ReadonlyMap<string, RuleDef> = new Map(RULES.map((r) => [r.id, r]));

/** Looks a rule up by id; undefined for an unknown id (user input, e.g. `explain` or `--rule`). */
export function findRule(id: string): RuleDef | undefined {
  return RULES_BY_ID.get(id);
}

/** Looks up a rule the code itself names; a missing one is a programming error. */
export function getRule(id: RuleId): RuleDef {
  const def = RULES_BY_ID.get(id);
  if (!def) throw new Error(`unknown rule id ${id}`);
  return def;
}
