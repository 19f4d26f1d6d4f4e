/**
 * A message's kept bytes as the event's `encoding` and `data`: text as text when it is UTF-8 (a code point
 * cut by the body limit is dropped, not called invalid), anything else as base64; each through the
 * redactor (credentials, and the user's `--redact` patterns), text as text and binary by its printable
 * runs. Pure.
 */
import type { MessageEncoding, MessageKind } from '../events/index.js';
import { isValidUtf8 } from '../protocol/index.js';
import { redactBytes, type Redactor } from '../redact.js';

export interface EncodedPayload {
  encoding: MessageEncoding;
  data: string;
}

/**
 * `bytes` (the payload's kept start, or all of it) as written in a `message` event. `cut`: the payload
 * goes on past `bytes`. Binary messages are always base64; text messages, pings and pongs are text when
 * their bytes are UTF-8.
 */
export function encodePayload(kind: MessageKind, bytes: Uint8Array, cut: boolean, redact: Redactor): EncodedPayload {
  if (kind !== 'binary') {
    const text = utf8Text(bytes, cut);
    if (text !== null) return { encoding: 'text', data: redact.text(text, { cut }) };
  }
  const shown = redact.enabled ? redactBytes(bytes, redact, cut) : bytes;
  return { encoding: 'base64', data: asBuffer(shown).toString('base64') };
}

/** The first `limit` bytes of `text`'s UTF-8 form, as text (never ending in half a code point). */
export function cutText(text: string, limit: number): { text: string; cut: boolean } {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= limit) return { text, cut: false };
  return { text: bytes.toString('utf8', 0, wholeSequences(bytes.subarray(0, limit))), cut: true };
}

/** The bytes as text when they are UTF-8 (with `cut`, but for a sequence the cut split), else null. */
function utf8Text(bytes: Uint8Array, cut: boolean): string | null {
  const end = cut ? wholeSequences(bytes) : bytes.length;
  const whole = end === bytes.length ? bytes : bytes.subarray(0, end);
  return isValidUtf8(whole) ? asBuffer(whole).toString('utf8') : null;
}

/** The length of `bytes` without a UTF-8 sequence left incomplete at its end (at most 3 bytes shorter). */
function wholeSequences(bytes: Uint8Array): number {
  let lead = bytes.length - 1;
  while (lead >= 0 && bytes.length - lead <= 3 && ((bytes[lead] ?? 0) & 0xc0) === 0x80) lead--;
  if (lead < 0) return bytes.length;
  const b = bytes[lead] ?? 0;
  const needs = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
  return bytes.length - lead < needs ? lead : bytes.length;
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
