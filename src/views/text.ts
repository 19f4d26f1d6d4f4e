/**
 * Bounded building blocks shared by every view: UTF-8 decoding that tolerates a cut, one-line and
 * multi-line writers that stop at their budget, a hex dump and a detail-tree builder with a node budget.
 * Everything that reaches a string here has gone through `printable` (peer bytes reach a terminal).
 */
import { Utf8Validator, isValidUtf8 } from '../protocol/index.js';
import { plural, printable } from '../text.js';
import type { ViewNode } from './types.js';

export { plural, printable };

const utf8 = new TextDecoder('utf-8');

export interface DecodedText {
  text: string;
  /** False when the bytes are not UTF-8 (invalid sequences are shown as U+FFFD). */
  valid: boolean;
}

/**
 * Decodes UTF-8. A payload cut by the body limit may end inside a code point: that tail is dropped rather
 * than shown as U+FFFD or called invalid.
 */
export function decodeUtf8(bytes: Uint8Array, truncated: boolean): DecodedText {
  if (!truncated) return { text: utf8.decode(bytes), valid: isValidUtf8(bytes) };
  const validator = new Utf8Validator();
  const valid = validator.write(bytes);
  // stream: true keeps an incomplete last sequence back instead of replacing it.
  return { text: new TextDecoder('utf-8').decode(bytes, { stream: true }), valid };
}

/** Cuts `text` to at most `max` characters, ending with "…" when cut, never inside a surrogate pair. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 1) return '…'.slice(0, Math.max(0, max));
  let end = max - 1;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}

/** Untrusted text on one line: control characters escaped, then cut. */
export function oneLine(text: string, max: number): string {
  // Escaping first would let a huge input cost a huge replace; cut generously first, then exactly.
  return clip(printable(text.length > max * 2 + 16 ? text.slice(0, max * 2 + 16) : text), max);
}

/** A JSON-style quoted string for summaries: `"chat"`, escaped and cut. */
export function quoted(text: string, max: number): string {
  return `"${oneLine(text, Math.max(1, max - 2))}"`;
}

/**
 * A multi-line writer with a character budget: lines past the budget are dropped and one closing line
 * says so. Lines given to it must already be printable (see `textLines`).
 */
export class TextOut {
  readonly #lines: string[] = [];
  #chars = 0;
  #full = false;
  readonly #max: number;

  constructor(max: number) {
    // Room for the closing note, so the result stays within the caller's limit.
    this.#max = Math.max(0, max - 48);
  }

  get full(): boolean {
    return this.#full;
  }

  line(text: string): this {
    if (this.#full) return this;
    const room = this.#max - this.#chars - (this.#lines.length > 0 ? 1 : 0);
    if (text.length > room) {
      if (room > 16) this.#lines.push(clip(text, room));
      this.#full = true;
      return this;
    }
    this.#lines.push(text);
    this.#chars += text.length + (this.#lines.length > 1 ? 1 : 0);
    return this;
  }

  lines(texts: Iterable<string>): this {
    for (const text of texts) {
      if (this.#full) break;
      this.line(text);
    }
    return this;
  }

  toString(): string {
    return this.#full ? [...this.#lines, '… (view cut: too long to show whole)'].join('\n') : this.#lines.join('\n');
  }
}

/**
 * Untrusted multi-line text as printable lines, each prefixed: line breaks stay line breaks, every other
 * control character becomes an escape. Reads at most `maxChars` characters.
 */
export function* textLines(text: string, prefix: string, maxChars: number): Generator<string> {
  const visible = text.length > maxChars ? text.slice(0, maxChars) : text;
  let start = 0;
  while (start <= visible.length) {
    let end = visible.indexOf('\n', start);
    if (end < 0) end = visible.length;
    // A CRLF line end shows as a line break too; a lone CR stays visible as \r.
    const lineEnd = end > start && visible.charCodeAt(end - 1) === 0x0d && end < visible.length ? end - 1 : end;
    yield prefix + printable(visible.slice(start, lineEnd));
    if (end === visible.length) break;
    start = end + 1;
  }
  if (text.length > maxChars) yield `${prefix}… (${text.length - maxChars} more characters)`;
}

const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

export function hexByte(b: number): string {
  return HEX[b & 0xff] ?? (b & 0xff).toString(16).padStart(2, '0');
}

/** `48 65 6c 6c 6f …` for summaries: the first `count` bytes. */
export function hexPreview(bytes: Uint8Array, count: number): string {
  const shown = Array.from(bytes.subarray(0, count), hexByte).join(' ');
  return bytes.length > count ? `${shown} …` : shown;
}

/**
 * The classic 16-bytes-a-line dump (offset, hex in two groups of 8, ASCII), as `hexdump -C` prints it, of
 * at most `maxBytes` bytes.
 */
export function* hexDumpLines(bytes: Uint8Array, maxBytes: number, prefix = ''): Generator<string> {
  const shown = Math.min(bytes.length, maxBytes);
  for (let offset = 0; offset < shown; offset += 16) {
    const row = bytes.subarray(offset, Math.min(offset + 16, shown));
    let hex = '';
    let ascii = '';
    for (let i = 0; i < 16; i++) {
      if (i === 8) hex += ' ';
      const b = row[i];
      hex += b === undefined ? '   ' : `${hexByte(b)} `;
      if (b !== undefined) ascii += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
    }
    yield `${prefix}${offset.toString(16).padStart(8, '0')}  ${hex} |${ascii}|`;
  }
  if (bytes.length > shown) yield `${prefix}… ${plural(bytes.length - shown, 'more byte')} not shown`;
}

/** Builds detail trees under a node budget; past it, nodes are dropped and the parent says how many. */
export class NodeBudget {
  #left: number;
  readonly valueChars: number;

  constructor(maxNodes: number, valueChars = 200) {
    this.#left = maxNodes;
    this.valueChars = valueChars;
  }

  get exhausted(): boolean {
    return this.#left <= 0;
  }

  /** A node, or null when the budget is spent. The value is made printable and cut. */
  node(label: string, value?: string, children?: ViewNode[]): ViewNode | null {
    if (this.#left <= 0) return null;
    this.#left--;
    const node: ViewNode = { label: oneLine(label, this.valueChars) };
    if (value !== undefined) node.value = oneLine(value, this.valueChars);
    if (children !== undefined) node.children = children;
    return node;
  }

  /** Pushes a leaf into `into` when the budget allows. */
  leaf(into: ViewNode[], label: string, value?: string): void {
    const node = this.node(label, value);
    if (node) into.push(node);
  }
}
