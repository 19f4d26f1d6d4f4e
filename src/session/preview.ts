/**
 * Turns up to 64 payload bytes into the `preview` field: text when the bytes are readable UTF-8, else
 * lower-case hex. A code point cut by the 64-byte limit does not make text unreadable (it is dropped), but
 * control characters other than tab and newlines do (a Close body's status code, binary data). Text goes
 * through the redactor: a payload may carry a token (`{"authToken": …}`, an HTTP head a client sent after
 * its upgrade); hex cannot be judged and is left as it is.
 */
import { PREVIEW_BYTES } from '../protocol/constants.js';
import { Utf8Validator } from '../protocol/utf8.js';
import { REDACT_SECRETS, type Redactor } from '../redact.js';

export function formatPreview(bytes: Uint8Array, redact: Redactor = REDACT_SECRETS): string {
  if (isReadableText(bytes)) return redact.text(new TextDecoder('utf-8').decode(bytes, { stream: true }));
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
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
