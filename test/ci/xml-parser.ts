/**
 * A small, strict XML 1.0 parser for the JUnit tests: enough of the grammar for what wsdiag writes
 * (declaration, elements, attributes, text, character and the five predefined entity references) and
 * a hard failure on anything else, so a report that a real CI parser would reject fails the test too.
 * Checks: legal characters only (XML 1.0 §2.2), names, quoted attributes without `<` or stray `&`,
 * unique attribute names, balanced tags, one root, no "]]>" in text; line ends are normalised as a
 * real parser does (§2.11). No side effects on import (the
 * test runner loads every file under test/).
 */

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** The element's own text (character data of direct children text nodes, joined, entities decoded). */
  text: string;
}

/** XML 1.0 §2.2 Char: tab, newline, carriage return and the Unicode ranges past the C0 controls. */
function isXmlChar(cp: number): boolean {
  return (
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

/** The first character of `text` that XML does not allow, with its index, or null. */
function illegalChar(text: string): { cp: number; index: number } | null {
  let index = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (!isXmlChar(cp)) return { cp, index };
    index += ch.length;
  }
  return null;
}
const NAME = /^[A-Za-z_:][A-Za-z0-9_:.-]*/;
const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export class XmlError extends Error {
  override name = 'XmlError';
}

export function parseXml(source: string): XmlElement {
  const bad = illegalChar(source);
  if (bad) throw new XmlError(`illegal character U+${bad.cp.toString(16).padStart(4, '0')} at ${bad.index}`);
  // End-of-line handling (§2.11) happens before parsing: only a reference can carry a CR through.
  source = source.replace(/\r\n?/g, '\n');
  let pos = 0;
  const fail = (what: string): never => {
    throw new XmlError(`${what} at offset ${pos}: ${JSON.stringify(source.slice(pos, pos + 40))}`);
  };
  const skipSpace = () => {
    while (pos < source.length && ' \t\r\n'.includes(source[pos]!)) pos++;
  };
  const name = (): string => {
    const match = NAME.exec(source.slice(pos));
    if (!match) return fail('expected a name');
    pos += match[0].length;
    return match[0];
  };
  const decode = (raw: string, where: string): string =>
    raw.replace(/&([^;]*);|&/g, (whole, ref: string | undefined) => {
      if (ref === undefined) return fail(`bare & in ${where}`);
      if (ref in PREDEFINED) return PREDEFINED[ref]!;
      const numeric = /^#(?:x([0-9a-fA-F]+)|([0-9]+))$/.exec(ref);
      if (!numeric) return fail(`unknown entity &${ref}; in ${where}`);
      const cp = numeric[1] !== undefined ? parseInt(numeric[1], 16) : Number(numeric[2]);
      const ch = cp <= 0x10ffff ? String.fromCodePoint(cp) : '';
      if (ch === '' || illegalChar(ch) !== null) return fail(`reference to an illegal character ${whole}`);
      return ch;
    });

  if (source.startsWith('<?xml')) {
    const end = source.indexOf('?>');
    if (end < 0) fail('unterminated XML declaration');
    if (!/^<\?xml version="1\.0"( encoding="UTF-8")?\?>$/.test(source.slice(0, end + 2))) fail('unexpected XML declaration');
    pos = end + 2;
  }
  skipSpace();

  const element = (): XmlElement => {
    if (source[pos] !== '<') fail('expected <');
    pos++;
    const el: XmlElement = { name: name(), attributes: {}, children: [], text: '' };
    for (;;) {
      const before = pos;
      skipSpace();
      if (source.startsWith('/>', pos)) {
        pos += 2;
        return el;
      }
      if (source[pos] === '>') {
        pos++;
        break;
      }
      if (pos === before) fail('expected whitespace before an attribute');
      const attr = name();
      if (attr in el.attributes) fail(`duplicate attribute ${attr}`);
      skipSpace();
      if (source[pos] !== '=') fail('expected =');
      pos++;
      skipSpace();
      const quote = source[pos];
      if (quote !== '"' && quote !== "'") return fail('expected a quoted value');
      const end = source.indexOf(quote, pos + 1);
      if (end < 0) fail('unterminated attribute value');
      const raw = source.slice(pos + 1, end);
      if (raw.includes('<')) fail(`< in the value of ${attr}`);
      // Literal whitespace in attributes is normalised to spaces (§3.3.3), as a real parser does.
      el.attributes[attr] = decode(raw.replace(/[\t\r\n]/g, ' '), `attribute ${attr}`);
      pos = end + 1;
    }
    for (;;) {
      const next = source.indexOf('<', pos);
      if (next < 0) fail(`unclosed <${el.name}>`);
      const raw = source.slice(pos, next);
      if (raw.includes(']]>')) fail(']]> in text');
      el.text += decode(raw, `<${el.name}> text`);
      pos = next;
      if (source.startsWith('</', pos)) {
        pos += 2;
        const closing = name();
        if (closing !== el.name) fail(`</${closing}> closes <${el.name}>`);
        skipSpace();
        if (source[pos] !== '>') fail('expected >');
        pos++;
        return el;
      }
      if (source.startsWith('<!', pos) || source.startsWith('<?', pos))
        fail('comments, CDATA and processing instructions are not expected');
      el.children.push(element());
    }
  };

  const root = element();
  skipSpace();
  if (pos !== source.length) fail('content after the root element');
  return root;
}

/** Direct children named `name`. */
export function childrenNamed(el: XmlElement, name: string): XmlElement[] {
  return el.children.filter((child) => child.name === name);
}

/** The only direct child named `name`; throws if there is not exactly one. */
export function onlyChild(el: XmlElement, name: string): XmlElement {
  const found = childrenNamed(el, name);
  if (found.length !== 1) throw new XmlError(`expected one <${name}> in <${el.name}>, found ${found.length}`);
  return found[0]!;
}
