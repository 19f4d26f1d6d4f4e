/**
 * Turns up to 64 payload bytes into the `preview` field: text when the bytes are readable UTF-8, else
 * lower-case hex. A code point cut by the 64-byte limit does not make text unreadable (it is dropped), but
 * control characters other than tab and newlines do (a Close body's status code, binary data).
 *
 * A payload may carry a credential (`{"authToken": …}`, an HTTP head a client sent after its upgrade, a
 * Close reason `token=…`), so previews go through the redactor: text as text (a full preview may end in the
 * start of a token), hex by its printable runs, each credential's bytes shown as REDACTED among the hex
 * (`0fa0746f6b656e3dREDACTED`: Close 4000, "token=", the rest hidden; R and T are not hex digits).
 */
import { PREVIEW_BYTES, Utf8Validator } from '../protocol/index.js';
import { REDACTED, REDACT_SECRETS, redactedRuns, type Redactor } from '../redact.js';

export function formatPreview(bytes: Uint8Array, redact: Redactor = REDACT_SECRETS): string {
  const cut = bytes.length >= PREVIEW_BYTES;
  if (isReadableText(bytes)) return redact.text(new TextDecoder('utf-8').decode(bytes, { stream: true }), { cut });
  return hexWithRedactions(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), redact, cut);
}

/** Hex of `bytes`, with the part of each printable run that the redactor hides replaced by REDACTED. */
function hexWithRedactions(bytes: Buffer, redact: Redactor, cut: boolean): string {
  let out = '';
  let done = 0;
  for (const run of redactedRuns(bytes, redact, cut)) {
    const hidden = changedSpan(bytes.toString('latin1', run.from, run.to), run.text);
    if (hidden) {
      out += bytes.toString('hex', done, run.from + hidden.from) + REDACTED;
      done = run.from + hidden.to;
    }
  }
  return out + bytes.toString('hex', done);
}

/** The part of `before` that `after` replaced (between their common start and common end), or null. */
function changedSpan(before: string, after: string): { from: number; to: number } | null {
  if (before === after) return null;
  let from = 0;
  while (from < before.length && from < after.length && before[from] === after[from]) from++;
  let end = 0;
  while (end < before.length - from && end < after.length - from && before[before.length - 1 - end] === after[after.length - 1 - end])
    end++;
  return { from, to: before.length - end };
}

function isReadableText(bytes: Uint8Array): boolean {
  const validator = new Utf8Validator();
  if (!validator.write(bytes)) return false;
  // A sequence cut at the end is only the preview limit's doing when the preview is full.
  if (validator.pending && bytes.length < PREVIEW_BYTES) return false;
  for (const b of bytes) {
    if ((b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) || b === 0x7f) return false;
  }
  return true;
}
