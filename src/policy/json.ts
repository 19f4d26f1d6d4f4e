/**
 * A strict JSON (RFC 8259) reader that remembers where each value and key sits, so a config error can
 * say `wsdiag.json:5:25`. Node 20's JSON.parse reports neither line nor column, and it silently keeps
 * the last of two duplicate keys; this reader keeps both so validation can reject the duplicate.
 */

export interface Position {
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units (what editors show for the BMP). */
  column: number;
}

export interface JsonEntry {
  key: string;
  keyAt: Position;
  value: JsonNode;
}

export type JsonNode =
  | { kind: 'object'; at: Position; entries: JsonEntry[] }
  | { kind: 'array'; at: Position; items: JsonNode[] }
  | { kind: 'string'; at: Position; value: string }
  | { kind: 'number'; at: Position; value: number; raw: string }
  | { kind: 'boolean'; at: Position; value: boolean }
  | { kind: 'null'; at: Position };

export class JsonSyntaxError extends Error {
  readonly at: Position;
  constructor(problem: string, at: Position) {
    super(problem);
    this.at = at;
  }
}

/** Deeper nesting than any config needs; keeps recursion far from the stack limit. */
const MAX_DEPTH = 256;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

export function parseJson(text: string): JsonNode {
  return new Reader(text).document();
}

class Reader {
  private i = 0;
  private readonly lineStarts: number[] = [0];
  private readonly bom: boolean;

  constructor(private readonly text: string) {
    for (let k = 0; k < text.length; k++) if (text.charCodeAt(k) === 0x0a) this.lineStarts.push(k + 1);
    // A UTF-8 BOM decodes to U+FEFF; editors on Windows still write one.
    this.bom = text.charCodeAt(0) === 0xfeff;
    if (this.bom) this.i = 1;
  }

  document(): JsonNode {
    this.space();
    if (this.i >= this.text.length) this.fail('the file is empty; expected a JSON object');
    const node = this.value(0);
    this.space();
    if (this.i < this.text.length) this.fail(`unexpected ${this.describe()} after the end of the JSON document`);
    return node;
  }

  private value(depth: number): JsonNode {
    if (depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH} levels`);
    const at = this.position(this.i);
    const c = this.text[this.i];
    if (c === '{') return this.object(at, depth);
    if (c === '[') return this.array(at, depth);
    if (c === '"') return { kind: 'string', at, value: this.string() };
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number(at);
    if (this.text.startsWith('true', this.i)) return this.word(4, { kind: 'boolean', at, value: true });
    if (this.text.startsWith('false', this.i)) return this.word(5, { kind: 'boolean', at, value: false });
    if (this.text.startsWith('null', this.i)) return this.word(4, { kind: 'null', at });
    if (c === "'") this.fail('strings must use double quotes (") in JSON');
    if (c === '}' || c === ']') this.fail(`expected a value, found '${c}' (a trailing comma is not allowed in JSON)`);
    return this.fail(`expected a value, found ${this.describe()}`);
  }

  private object(at: Position, depth: number): JsonNode {
    this.i++; // {
    const entries: JsonEntry[] = [];
    this.space();
    if (this.text[this.i] === '}') {
      this.i++;
      return { kind: 'object', at, entries };
    }
    for (;;) {
      this.space();
      if (this.text[this.i] !== '"') {
        if (this.text[this.i] === '}') this.fail("expected a key, found '}' (a trailing comma is not allowed in JSON)");
        this.fail(`expected a key in double quotes, found ${this.describe()}`);
      }
      const keyAt = this.position(this.i);
      const key = this.string();
      this.space();
      if (this.text[this.i] !== ':') this.fail(`expected ':' after the key "${key}", found ${this.describe()}`);
      this.i++;
      this.space();
      entries.push({ key, keyAt, value: this.value(depth + 1) });
      this.space();
      const c = this.text[this.i];
      if (c === ',') {
        this.i++;
        continue;
      }
      if (c === '}') {
        this.i++;
        return { kind: 'object', at, entries };
      }
      this.fail(`expected ',' or '}' after the value of "${key}", found ${this.describe()}`);
    }
  }

  private array(at: Position, depth: number): JsonNode {
    this.i++; // [
    const items: JsonNode[] = [];
    this.space();
    if (this.text[this.i] === ']') {
      this.i++;
      return { kind: 'array', at, items };
    }
    for (;;) {
      this.space();
      items.push(this.value(depth + 1));
      this.space();
      const c = this.text[this.i];
      if (c === ',') {
        this.i++;
        continue;
      }
      if (c === ']') {
        this.i++;
        return { kind: 'array', at, items };
      }
      this.fail(`expected ',' or ']' after an array item, found ${this.describe()}`);
    }
  }

  private string(): string {
    const start = this.i;
    this.i++; // opening quote
    for (;;) {
      if (this.i >= this.text.length) this.fail('unterminated string', start);
      const code = this.text.charCodeAt(this.i);
      if (code === 0x22) break;
      if (code < 0x20) this.fail('control character (e.g. a raw newline or tab) inside a string; escape it');
      if (code === 0x5c) {
        const next = this.text[this.i + 1];
        if (next === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(this.text.slice(this.i + 2, this.i + 6))) this.fail('invalid \\u escape: expected 4 hex digits');
          this.i += 6;
          continue;
        }
        if (next === undefined || !'"\\/bfnrt'.includes(next)) this.fail(`invalid escape '\\${next ?? ''}' in a string`);
        this.i += 2;
        continue;
      }
      this.i++;
    }
    this.i++; // closing quote
    // The slice is now known to be a valid JSON string literal: let the engine decode the escapes.
    return JSON.parse(this.text.slice(start, this.i)) as string;
  }

  private number(at: Position): JsonNode {
    NUMBER.lastIndex = this.i;
    const match = NUMBER.exec(this.text);
    if (!match) return this.fail('invalid number');
    const raw = match[0];
    this.i += raw.length;
    const next = this.text[this.i];
    if (next !== undefined && /[0-9A-Za-z_.]/.test(next)) this.fail(`invalid number '${raw}${next}'`, this.offsetOf(at));
    return { kind: 'number', at, value: Number(raw), raw };
  }

  private word<T extends JsonNode>(length: number, node: T): T {
    this.i += length;
    const next = this.text[this.i];
    if (next !== undefined && /[0-9A-Za-z_]/.test(next)) this.fail(`unexpected ${this.describe()}`);
    return node;
  }

  private space(): void {
    for (;;) {
      const c = this.text[this.i];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
        this.i++;
      } else if (c === '/' && (this.text[this.i + 1] === '/' || this.text[this.i + 1] === '*')) {
        this.fail('comments are not allowed in JSON');
      } else {
        return;
      }
    }
  }

  private describe(): string {
    const c = this.text[this.i];
    if (c === undefined) return 'the end of the file';
    if (c === '\n' || c === '\r') return 'a line break';
    return `'${c}'`;
  }

  private position(offset: number): Position {
    // Binary search for the last line start at or before the offset.
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      const start = this.lineStarts[mid];
      if (start !== undefined && start <= offset) lo = mid;
      else hi = mid - 1;
    }
    // The BOM is invisible in editors: columns on the first line start after it.
    const column = offset - (this.lineStarts[lo] ?? 0) + (lo === 0 && this.bom ? 0 : 1);
    return { line: lo + 1, column };
  }

  private offsetOf(at: Position): number {
    return (this.lineStarts[at.line - 1] ?? 0) + at.column - (at.line === 1 && this.bom ? 0 : 1);
  }

  private fail(problem: string, offset = this.i): never {
    throw new JsonSyntaxError(problem, this.position(offset));
  }
}
