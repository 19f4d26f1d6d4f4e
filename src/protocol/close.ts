/**
 * Close frame bodies (RFC 6455 §5.5.1, §7.4): an optional 2-byte status code followed by a UTF-8 reason.
 */
import { isValidWireCloseCode } from './constants.js';
import { isValidUtf8 } from './utf8.js';
import type { RuleId } from '../rules/index.js';

export interface ParsedClose {
  /** null for an empty body (which is valid: "no status code"). */
  code: number | null;
  reason: string;
  problem: { rule: RuleId; message: string } | null;
}

const utf8Lenient = new TextDecoder('utf-8');

export function parseClosePayload(body: Uint8Array): ParsedClose {
  if (body.length === 0) return { code: null, reason: '', problem: null };
  if (body.length === 1) {
    return {
      code: null,
      reason: '',
      problem: {
        rule: 'invalid-close-payload',
        message: `Close frame body is 1 byte (0x${hex(body[0]!)}); a body must be empty or start with a 2-byte status code.`,
      },
    };
  }
  const code = (body[0]! << 8) | body[1]!;
  const reasonBytes = body.subarray(2);
  const reason = utf8Lenient.decode(reasonBytes);
  if (!isValidWireCloseCode(code)) {
    return { code, reason, problem: { rule: 'invalid-close-code', message: `Close code ${code} ${closeCodeProblem(code)}.` } };
  }
  if (!isValidUtf8(reasonBytes)) {
    return {
      code,
      reason,
      problem: { rule: 'invalid-utf8-close-reason', message: `Close reason (${reasonBytes.length} bytes) is not valid UTF-8.` },
    };
  }
  return { code, reason, problem: null };
}

/** Why a code may not be sent, as the end of a sentence. */
export function closeCodeProblem(code: number): string {
  if (code < 1000) return 'is below 1000 and not a valid status code';
  if (code === 1004) return 'is reserved and may not be sent';
  if (code === 1005) return 'means "no status code" and is for local reporting only; send an empty Close body instead';
  if (code === 1006) return 'means "closed abnormally" and is for local reporting only; it can never be sent in a Close frame';
  if (code === 1015) return 'means "TLS handshake failed" and is for local reporting only';
  if (code >= 1016 && code <= 2999) return 'is in the range 1016–2999 reserved for future RFCs';
  if (code >= 5000) return 'is above 4999 and not a valid status code';
  return 'is valid';
}

function hex(b: number): string {
  return b.toString(16).padStart(2, '0');
}
