/**
 * JSON for views: a reader that keeps what JSON.parse loses (key order as written, duplicate keys, the
 * exact digits of numbers, escapes as sent) and printers that are bounded in depth and size.
 *
 * The reader is iterative (an explicit stack), so a payload of a million nested brackets costs one linear
 * pass and no recursion; containers deeper than `maxDepth` are kept as their source text. Grammar:
 * RFC 8259 §2–§7.
 */
import { isSecretName, REDACTED } from '../redact.js';
import { clip, NodeBudget, oneLine, printable, TextOut } from './text.js';
import type { ViewNode } from './types.js';

export interface JsonEntry {
  /** The key, decoded. */
  key: string;
  /** The key as written, with its quotes and escapes. */
  keySource: string;
  value: JsonNode;
}

export type JsonNode =
  | { kind: 'object'; entries: JsonEntry[] }
  | { kind: 'array'; items: JsonNode[] }
  | { kind: 'string'; source: string }
  | { kind: 'number'; source: string }
  | { kind: 'literal'; source: 'true' | 'false' | 'null' }
  /** A container nested deeper than the reader's depth limit, kept as written. */
  | { kind: 'deep'; source: string }
  /** Not JSON: a view's stand-in for a value, printed as is (e.g. `<attachment 0>` for a Socket.IO placeholder). */
  | { kind: 'annotation'; source: string };

type Container = Extract<JsonNode, { kind: 'object' } | { kind: 'array' }>;

interface Open {
  kind: 'object' | 'array';
  /** null while skipping a container deeper than the limit. */
  node: Container | null;
  start: number;
  /** The key read for the value being parsed (objects only). */
  key: { key: string; keySource: string } | null;
}

const SKIPPED: JsonNode = { kind: 'literal', source: 'null' };
const closer = (open: Open) => (open.kind === 'object' ? 0x7d : 0x5d);
const WS = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;

/**
 * Parses one JSON document. Returns null when the text is not JSON (or has anything but whitespace after
 * the value); never throws.
 */
export function parseJson(text: string, maxDepth = 32): JsonNode | null {
  try {
    return new Reader(text, maxDepth).document();
  } catch (error) {
    if (error instanceof NotJson) return null;
    throw error;
  }
}

class NotJson extends Error {}

class Reader {
  #i = 0;
  constructor(
    private readonly text: string,
    private readonly maxDepth: number,
  ) {}

  document(): JsonNode {
    const stack: Open[] = [];
    let result: JsonNode | undefined;
    this.#space();
    outer: for (;;) {
      // Here a value starts (its key, inside an object, is already read).
      let value = this.#valueOrOpen(stack);
      if (!('kind' in value)) {
        const top = value.opened;
        this.#space();
        if (this.#peek() !== closer(top)) {
          if (top.kind === 'object') this.#key(top);
          continue;
        }
        this.#i++;
        value = this.#finish(stack);
      }
      // A value is complete: attach it, then read what follows it in its container.
      for (;;) {
        const top = stack[stack.length - 1];
        if (!top) {
          result = value;
          break outer;
        }
        // An object's member value follows its key (#key), so `top.key` is set whenever its node is kept.
        if (top.node?.kind === 'object' && top.key) top.node.entries.push({ key: top.key.key, keySource: top.key.keySource, value });
        else if (top.node?.kind === 'array') top.node.items.push(value);
        this.#space();
        const next = this.#peek();
        if (next === 0x2c) {
          this.#i++;
          this.#space();
          if (top.kind === 'object') this.#key(top);
          continue outer;
        }
        if (next !== closer(top)) this.#fail();
        this.#i++;
        value = this.#finish(stack);
      }
    }
    this.#space();
    if (this.#i !== this.text.length || result === undefined) this.#fail();
    return result;
  }

  /** A scalar, or the container just opened (pushed on the stack). */
  #valueOrOpen(stack: Open[]): JsonNode | { opened: Open } {
    const c = this.#peek();
    if (c !== 0x7b && c !== 0x5b) return this.#scalar();
    const parent = stack[stack.length - 1];
    const skipping = stack.length >= this.maxDepth || (parent !== undefined && parent.node === null);
    const kind = c === 0x7b ? 'object' : 'array';
    const node = skipping ? null : kind === 'object' ? { kind: 'object' as const, entries: [] } : { kind: 'array' as const, items: [] };
    const opened: Open = { kind, node, start: this.#i, key: null };
    stack.push(opened);
    this.#i++;
    return { opened };
  }

  /** Reads `"key" :` before an object member's value. */
  #key(top: Open): void {
    if (this.#peek() !== 0x22) this.#fail();
    const keySource = this.#string();
    top.key = top.node ? { key: JSON.parse(keySource) as string, keySource } : null;
    this.#space();
    if (this.#peek() !== 0x3a) this.#fail();
    this.#i++;
    this.#space();
  }

  /** Pops the container just closed: its node, or its source when it was deeper than the limit. */
  #finish(stack: Open[]): JsonNode {
    const done = stack.pop();
    if (done === undefined) this.#fail(); // never: a container is closed only while one is open
    if (done.node) return done.node;
    // Inside a skipped container nothing is attached: only the outermost skipped one keeps its source.
    const parent = stack[stack.length - 1];
    return parent && parent.node === null ? SKIPPED : { kind: 'deep', source: this.text.slice(done.start, this.#i) };
  }

  #peek(): number {
    return this.#i < this.text.length ? this.text.charCodeAt(this.#i) : -1;
  }

  #space(): void {
    while (this.#i < this.text.length && WS(this.text.charCodeAt(this.#i))) this.#i++;
  }

  #scalar(): JsonNode {
    const c = this.#peek();
    if (c === 0x22) return { kind: 'string', source: this.#string() };
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return { kind: 'number', source: this.#number() };
    for (const word of ['true', 'false', 'null'] as const) {
      if (this.text.startsWith(word, this.#i)) {
        this.#i += word.length;
        return { kind: 'literal', source: word };
      }
    }
    return this.#fail();
  }

  /** A string literal (RFC 8259 §7), returned as written. */
  #string(): string {
    const start = this.#i;
    this.#i++;
    const text = this.text;
    for (;;) {
      if (this.#i >= text.length) this.#fail();
      const c = text.charCodeAt(this.#i);
      if (c === 0x22) break;
      if (c < 0x20) this.#fail();
      if (c === 0x5c) {
        const e = text.charCodeAt(this.#i + 1);
        if (e === 0x75) {
          for (let k = 2; k < 6; k++) if (!isHex(text.charCodeAt(this.#i + k))) this.#fail();
          this.#i += 6;
          continue;
        }
        // " \ / b f n r t
        if (e !== 0x22 && e !== 0x5c && e !== 0x2f && e !== 0x62 && e !== 0x66 && e !== 0x6e && e !== 0x72 && e !== 0x74) this.#fail();
        this.#i += 2;
        continue;
      }
      this.#i++;
    }
    this.#i++;
    return text.slice(start, this.#i);
  }

  /** A number (RFC 8259 §6), returned as written. */
  #number(): string {
    const start = this.#i;
    const digits = () => {
      const from = this.#i;
      while (this.#i < this.text.length && isDigit(this.text.charCodeAt(this.#i))) this.#i++;
      if (this.#i === from) this.#fail();
    };
    if (this.#peek() === 0x2d) this.#i++;
    if (this.#peek() === 0x30) this.#i++;
    else digits();
    if (this.#peek() === 0x2e) {
      this.#i++;
      digits();
    }
    if (this.#peek() === 0x65 || this.#peek() === 0x45) {
      this.#i++;
      if (this.#peek() === 0x2b || this.#peek() === 0x2d) this.#i++;
      digits();
    }
    return this.text.slice(start, this.#i);
  }

  #fail(): never {
    throw new NotJson();
  }
}

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isHex = (c: number) => isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);

// ——— reading values ————————————————————————————————————————————————————————————————————————

/** The decoded value of a string node, or undefined for any other node. */
export function stringValue(node: JsonNode | undefined): string | undefined {
  return node?.kind === 'string' ? (JSON.parse(node.source) as string) : undefined;
}

/** The value of a number node when it is a safe integer. */
export function integerValue(node: JsonNode | undefined): number | undefined {
  if (node?.kind !== 'number') return undefined;
  const value = Number(node.source);
  return Number.isSafeInteger(value) ? value : undefined;
}

/** A scalar as written (a string's value decoded), a container in its compact form. */
export function textOf(node: JsonNode, max = 80): string {
  if (node.kind === 'string') return JSON.parse(node.source) as string;
  if (node.kind === 'object' || node.kind === 'array') return compactJson(node, max);
  return node.source;
}

/** The first entry with this key (JSON.parse keeps the last; a view shows what a reader would act on first). */
export function member(node: JsonNode | undefined, key: string): JsonNode | undefined {
  if (node?.kind !== 'object') return undefined;
  return node.entries.find((entry) => entry.key === key)?.value;
}

export interface PrintOptions {
  /** Replace the values of keys that look like credentials (token, password, authorization…). */
  maskSecrets?: boolean;
}

const MASKED: JsonNode = { kind: 'string', source: `"${REDACTED}"` };

/** An entry's value as shown: masked whole, containers included, when its key names a credential. */
/** A container's members in order, lazily: each value as shown, with its entry when the container is an object. */
function* members(node: Container, options: PrintOptions): Generator<{ entry: JsonEntry | null; value: JsonNode }> {
  if (node.kind === 'object') for (const entry of node.entries) yield { entry, value: shown(entry, options) };
  else for (const value of node.items) yield { entry: null, value };
}

function shown(entry: JsonEntry, options: PrintOptions): JsonNode {
  return options.maskSecrets && isSecretName(entry.key) ? MASKED : entry.value;
}

// ——— printing ———————————————————————————————————————————————————————————————————————————————

/**
 * Pretty-prints as JSON.stringify(value, null, 2) would, with the source's keys, numbers and escapes, into
 * `out` (each line prefixed). Indentation stops growing at `maxDepth` so deep input cannot make the output
 * quadratic.
 */
export function printJson(node: JsonNode, out: TextOut, prefix: string, maxDepth: number, options: PrintOptions = {}): void {
  // An explicit stack of pending lines keeps this iterative like the reader.
  type Task = { node: JsonNode; depth: number; lead: string; trail: string } | { close: string; depth: number; trail: string };
  const tasks: Task[] = [{ node, depth: 0, lead: '', trail: '' }];
  const indent = (depth: number) => prefix + '  '.repeat(Math.min(depth, maxDepth));
  for (let task = tasks.pop(); task !== undefined && !out.full; task = tasks.pop()) {
    if ('close' in task) {
      out.line(`${indent(task.depth)}${task.close}${task.trail}`);
      continue;
    }
    const { node: current, depth, lead, trail } = task;
    if (current.kind === 'object' || current.kind === 'array') {
      const children = current.kind === 'object' ? current.entries : current.items;
      const [open, close] = current.kind === 'object' ? ['{', '}'] : ['[', ']'];
      if (children.length === 0) {
        out.line(`${indent(depth)}${lead}${open}${close}${trail}`);
        continue;
      }
      out.line(`${indent(depth)}${lead}${open}`);
      tasks.push({ close, depth, trail });
      // Last member first, so the first is popped first; only the last has no comma.
      for (const [k, { entry, value }] of [...members(current, options)].reverse().entries()) {
        tasks.push({ node: value, depth: depth + 1, lead: entry ? `${printable(entry.keySource)}: ` : '', trail: k === 0 ? '' : ',' });
      }
      continue;
    }
    out.line(`${indent(depth)}${lead}${printable(clip(current.source, 4096))}${trail}`);
  }
}

/**
 * One line for a summary: `{"type":"chat","text":"hi"}`, with nested containers past `depth` shown as
 * `{…}` / `[…]`, long strings cut, and the whole at most `max` characters.
 */
export function compactJson(node: JsonNode, max: number, options: PrintOptions & { depth?: number; stringChars?: number } = {}): string {
  const depthLimit = options.depth ?? 2;
  const stringChars = options.stringChars ?? 60;
  let out = '';
  const write = (node: JsonNode, depth: number): boolean => {
    if (out.length > max) return false;
    switch (node.kind) {
      case 'object':
      case 'array': {
        const [open, close] = node.kind === 'object' ? ['{', '}'] : ['[', ']'];
        const count = node.kind === 'object' ? node.entries.length : node.items.length;
        if (count === 0) {
          out += open + close;
          return true;
        }
        if (depth >= depthLimit) {
          out += `${open}…${close}`;
          return true;
        }
        out += open;
        let first = true;
        for (const { entry, value } of members(node, options)) {
          if (!first) out += ',';
          first = false;
          if (entry) out += `${oneLine(entry.keySource, stringChars)}:`;
          if (!write(value, depth + 1)) return false;
          if (out.length > max) return false;
        }
        out += close;
        return true;
      }
      case 'string':
        out +=
          node.source.length > stringChars
            ? `${oneLine(node.source.slice(0, stringChars - 1), stringChars)}…"`
            : oneLine(node.source, stringChars + 2);
        return true;
      case 'deep':
        out += node.source.startsWith('{') ? '{…}' : '[…]';
        return true;
      default:
        out += oneLine(node.source, stringChars);
        return true;
    }
  };
  write(node, 0);
  return clip(out, max);
}

/** The detail tree of a JSON value: objects and arrays as branches, scalars as leaves with their source. */
export function jsonNode(label: string, node: JsonNode, budget: NodeBudget, maxDepth: number, options: PrintOptions = {}): ViewNode | null {
  const build = (label: string, node: JsonNode, depth: number): ViewNode | null => {
    if (node.kind === 'object' || node.kind === 'array') {
      if (depth >= maxDepth) return budget.node(label, compactJson(node, budget.valueChars, options));
      const children: ViewNode[] = [];
      const self = budget.node(label, undefined, children);
      if (!self) return null;
      const count = node.kind === 'object' ? node.entries.length : node.items.length;
      let k = 0;
      for (const { entry, value } of members(node, options)) {
        const child = build(entry ? entry.key : `[${k}]`, value, depth + 1);
        if (!child) {
          self.value = `${count - k} more not shown`;
          break;
        }
        children.push(child);
        k++;
      }
      return self;
    }
    return budget.node(label, node.source);
  };
  return build(label, node, 0);
}
