/**
 * Turns up to 64 payload bytes into the `preview` field: the text if the bytes are UTF-8 (a code point cut
 * by the 64-byte limit is dropped, not counted against it), else lower-case hex.
 */
import { Utf8Validator } from '../protocol/utf8.js';

export function formatPreview(bytes: Uint8Array): string {
  const validator = new Utf8Validator();
  if (validator.write(bytes)) {
    return new TextDecoder('utf-8').decode(bytes, { stream: true });
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}
