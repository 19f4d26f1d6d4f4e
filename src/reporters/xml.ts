/**
 * Just enough XML to write JUnit reports safely. The text in a report comes from the wire (close
 * reasons, previews) and from the tests' own messages, so it may contain anything: markup characters,
 * "]]>", terminal escapes, NUL bytes, lone surrogates. We never use CDATA (it cannot hold "]]>"); every
 * character that needs it is escaped, and characters XML 1.0 forbids outright are replaced by a visible
 * escape (`\x1b`, `\u0000`, `\ud800`) so the file stays well-formed without silently losing evidence.
 */

/**
 * Characters outside XML 1.0's Char production (§2.2): C0 controls other than tab, LF and CR, lone
 * surrogates, U+FFFE and U+FFFF. The `u` flag is off on purpose: it lets the class see each half of a
 * surrogate pair, and the pair alternatives keep valid pairs intact.
 */
const FORBIDDEN = /[\ud800-\udbff][\udc00-\udfff]|[\u0000-\u0008\u000b\u000c\u000e-\u001f\ud800-\udfff\ufffe\uffff]/g;

/** Replaces characters XML 1.0 cannot carry at all with a visible escape. */
export function xmlSafe(text: string): string {
  return text.replace(FORBIDDEN, (match) => {
    if (match.length === 2) return match; // a valid surrogate pair (an astral character)
    const cp = match.charCodeAt(0);
    return cp <= 0xff ? `\\x${cp.toString(16).padStart(2, '0')}` : `\\u${cp.toString(16).padStart(4, '0')}`;
  });
}

// A parser turns a literal CR (and CR LF) into LF (XML 1.0 §2.11); a reference keeps it.
const TEXT_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#13;' };

/** Escapes element content. `>` is escaped too, so "]]>" can never appear in the output. */
export function escapeText(text: string): string {
  return xmlSafe(text).replace(/[&<>\r]/g, (ch) => TEXT_ESCAPES[ch] ?? ch);
}

const ATTRIBUTE_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  // A parser normalises literal whitespace in attributes to spaces (XML 1.0 §3.3.3); references survive.
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};

/** Escapes an attribute value (written between double quotes). */
export function escapeAttribute(value: string): string {
  return xmlSafe(value).replace(/[&<>"'\t\n\r]/g, (ch) => ATTRIBUTE_ESCAPES[ch] ?? ch);
}

/** ` name="value"` pairs for an element's start tag, in the order given. */
export function attributes(pairs: ReadonlyArray<readonly [string, string | number]>): string {
  return pairs.map(([name, value]) => ` ${name}="${escapeAttribute(String(value))}"`).join('');
}
