/**
 * Wire constants of RFC 6455. Kept apart so every layer names opcodes and close codes the same way.
 */

/** Frame opcodes (RFC 6455 §5.2). 0x3–0x7 and 0xB–0xF are reserved. */
export const Opcode = {
  Continuation: 0x0,
  Text: 0x1,
  Binary: 0x2,
  Close: 0x8,
  Ping: 0x9,
  Pong: 0xa,
} as const;
export type OpcodeValue = (typeof Opcode)[keyof typeof Opcode];

/** Control frames have the high bit of the opcode set (RFC 6455 §5.5). */
export function isControlOpcode(opcode: number): boolean {
  return (opcode & 0x8) !== 0;
}

/** Opcodes a compliant peer may send; everything else is `reserved-opcode`. */
export function isKnownOpcode(opcode: number): boolean {
  return opcode <= 0x2 || (opcode >= 0x8 && opcode <= 0xa);
}

/** Short names used in the pretty log and in messages. */
export function opcodeName(opcode: number): string {
  switch (opcode) {
    case 0x0:
      return 'continuation';
    case 0x1:
      return 'text';
    case 0x2:
      return 'binary';
    case 0x8:
      return 'close';
    case 0x9:
      return 'ping';
    case 0xa:
      return 'pong';
    default:
      return `reserved-0x${opcode.toString(16)}`;
  }
}

/** Control frame payloads are limited to 125 bytes (RFC 6455 §5.5). */
export const MAX_CONTROL_PAYLOAD = 125;

/** A frame header is at most 2 + 8 (64-bit length) + 4 (mask key) bytes. */
export const MAX_HEADER_LENGTH = 14;

/** How many payload bytes a violation may quote (DESIGN §2 `preview`). */
export const PREVIEW_BYTES = 64;

/** The trailer permessage-deflate strips from every compressed message (RFC 7692 §7.2.1). */
export const DEFLATE_TRAILER = Uint8Array.of(0x00, 0x00, 0xff, 0xff);

/** The GUID appended to Sec-WebSocket-Key to compute Sec-WebSocket-Accept (RFC 6455 §1.3). */
export const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/**
 * Whether a close code may appear on the wire (RFC 6455 §7.4.1, §7.4.2 and the IANA registry).
 * 1004 is reserved, 1005/1006/1015 are only for local reporting, 1012–1014 are registered and valid,
 * 1016–2999 are reserved for future RFCs, 3000–4999 belong to libraries and applications.
 */
export function isValidWireCloseCode(code: number): boolean {
  if (code >= 3000 && code <= 4999) return true;
  if (code < 1000 || code > 1014) return false;
  return code !== 1004 && code !== 1005 && code !== 1006;
}

/** Short names of the close codes (RFC 6455 §7.4.1 and the IANA registry), for one-line explanations. */
const CLOSE_CODE_NAMES: Readonly<Record<number, string>> = {
  1000: 'normal closure',
  1001: 'going away',
  1002: 'protocol error',
  1003: 'unsupported data',
  1004: 'reserved',
  1005: 'no status received',
  1006: 'abnormal closure',
  1007: 'invalid frame payload data',
  1008: 'policy violation',
  1009: 'message too big',
  1010: 'mandatory extension',
  1011: 'internal error',
  1012: 'service restart',
  1013: 'try again later',
  1014: 'bad gateway',
  1015: 'TLS handshake failure',
};

export function closeCodeName(code: number): string {
  const known = CLOSE_CODE_NAMES[code];
  if (known) return known;
  if (code >= 3000 && code <= 3999) return 'library/framework code';
  if (code >= 4000 && code <= 4999) return 'application code';
  return 'invalid code';
}
