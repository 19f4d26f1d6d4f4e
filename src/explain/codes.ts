/**
 * The language-neutral facts about close codes: which entry of the text catalogue explains a number,
 * whether it may be sent, who sends it and where it is defined. The prose lives in ./text/.
 */
import { isValidWireCloseCode } from '../protocol/index.js';
import type { CodeStatus, Sender } from './types.js';

/** The codes RFC 6455 and the IANA registry name one by one; each has its own text. */
export const NAMED_CODES = [1000, 1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 1015] as const;
export type NamedCode = (typeof NAMED_CODES)[number];

/** The ranges explained as a whole (RFC 6455 §7.4.2): any number in them shares one text. */
export type RangeKey = 'below-1000' | 'reserved-1016-2999' | 'registered-3000-3999' | 'private-4000-4999' | 'above-4999';

/** The key of a close code's text in the catalogue. */
export type CodeKey = `${NamedCode}` | RangeKey;

/** Close codes are an unsigned 16-bit number in the Close frame body (RFC 6455 §5.5.1). */
export const MAX_CLOSE_CODE = 0xffff;

export interface CodeFacts {
  key: CodeKey;
  status: CodeStatus;
  range: [number, number];
  wire: boolean;
  sentBy: Sender;
  reference: string;
}

const RFC_DEFINED = 'RFC 6455 §7.4.1';
const RFC_RANGES = 'RFC 6455 §7.4.2';
const IANA = 'IANA WebSocket Close Code Number Registry';

/** Who sends each named code. 1010 is the client's (it lists extensions the server did not accept). */
const NAMED_SENDERS: Record<NamedCode, Sender> = {
  1000: 'either',
  1001: 'either',
  1002: 'either',
  1003: 'either',
  1004: 'nobody',
  1005: 'nobody',
  1006: 'nobody',
  1007: 'either',
  1008: 'either',
  1009: 'either',
  1010: 'client',
  1011: 'either',
  1012: 'server',
  1013: 'server',
  1014: 'server',
  1015: 'nobody',
};

function isNamedCode(code: number): code is NamedCode {
  return code >= 1000 && code <= 1015;
}

function namedStatus(code: NamedCode): CodeStatus {
  if (code === 1004) return 'reserved';
  if (code === 1005 || code === 1006 || code === 1015) return 'local-only';
  return 'standard';
}

/** The facts about any number from 0 to 65535. */
export function codeFacts(code: number): CodeFacts {
  const wire = isValidWireCloseCode(code);
  if (isNamedCode(code)) {
    return {
      key: `${code}`,
      status: namedStatus(code),
      range: [code, code],
      wire,
      sentBy: NAMED_SENDERS[code],
      reference: code >= 1012 && code <= 1014 ? IANA : RFC_DEFINED,
    };
  }
  if (code < 1000) return { key: 'below-1000', status: 'invalid', range: [0, 999], wire, sentBy: 'nobody', reference: RFC_RANGES };
  if (code < 3000) {
    return { key: 'reserved-1016-2999', status: 'reserved', range: [1016, 2999], wire, sentBy: 'nobody', reference: RFC_RANGES };
  }
  if (code < 4000) {
    return {
      key: 'registered-3000-3999',
      status: 'registered-range',
      range: [3000, 3999],
      wire,
      sentBy: 'either',
      reference: `${RFC_RANGES}, ${IANA}`,
    };
  }
  if (code < 5000) {
    return { key: 'private-4000-4999', status: 'private-range', range: [4000, 4999], wire, sentBy: 'either', reference: RFC_RANGES };
  }
  return { key: 'above-4999', status: 'invalid', range: [5000, MAX_CLOSE_CODE], wire, sentBy: 'nobody', reference: RFC_RANGES };
}

/** Every key of the catalogue, for tests and for `--list`-style listings. */
export const CODE_KEYS: readonly CodeKey[] = [
  ...NAMED_CODES.map((c) => `${c}` as CodeKey),
  'below-1000',
  'reserved-1016-2999',
  'registered-3000-3999',
  'private-4000-4999',
  'above-4999',
];
