/**
 * Bytes as the tests write them: hex text (the fixtures' notation) and a digest for comparing long streams.
 */
import { createHash } from 'node:crypto';

/**
 * The bytes of hex text. Whitespace separates tokens and is otherwise ignored; a token may end in `*N` to
 * repeat its bytes N times, so long payloads stay readable and exact: `82 7e 01 00 00*256`,
 * `37fa213d*1000`.
 */
export function hex(text: string): Uint8Array {
  const parts: Buffer[] = [];
  for (const token of text.trim().split(/\s+/)) {
    if (token === '') continue;
    const match = /^([0-9a-fA-F]*)(?:\*(\d+))?$/.exec(token);
    if (!match || match[1]!.length % 2 !== 0) throw new Error(`not hex: "${token}"`);
    const bytes = Buffer.from(match[1]!, 'hex');
    parts.push(match[2] === undefined ? bytes : Buffer.concat(Array.from({ length: Number(match[2]) }, () => bytes)));
  }
  return Uint8Array.from(Buffer.concat(parts));
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
