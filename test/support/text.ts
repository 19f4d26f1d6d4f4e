/**
 * What the tests look for in text meant for a terminal: colour sequences, and characters that must never
 * reach a terminal raw. Written as code-point checks rather than regular expressions of control characters.
 */

/** The Control Sequence Introducer (ESC [) that starts every colour and cursor sequence. */
export const CSI = '\u001b[';

export function hasCsi(text: string): boolean {
  return text.includes(CSI);
}

/**
 * A character a terminal would act on rather than show: C0 controls but the newline, DEL, C1 controls, and
 * the bidi marks, embeddings, overrides and isolates that reorder what follows (U+200E/F, U+202A-E,
 * U+2066-9).
 */
export function isUnsafeForTerminal(codePoint: number): boolean {
  return (
    (codePoint <= 0x1f && codePoint !== 0x0a) ||
    (codePoint >= 0x7f && codePoint <= 0x9f) ||
    codePoint === 0x200e ||
    codePoint === 0x200f ||
    (codePoint >= 0x202a && codePoint <= 0x202e) ||
    (codePoint >= 0x2066 && codePoint <= 0x2069)
  );
}

/** The unsafe characters of `text`, as U+XXXX, in order (none: []). */
export function unsafeCharacters(text: string): string[] {
  const found: string[] = [];
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (isUnsafeForTerminal(cp)) found.push(`U+${cp.toString(16).toUpperCase().padStart(4, '0')}`);
  }
  return found;
}
