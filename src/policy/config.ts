/**
 * `--config FILE`: per-route policies in JSON.
 *
 *   { "routes": [ { "path": "/mqtt*", "subprotocol": "mqtt", "server-accepts": "binary",
 *                   "client-accepts": "binary", "max-message": 1048576 } ] }
 *
 * A route matches a connection when all of its matchers (path glob, negotiated subprotocol) match; the
 * first matching route wins. Validation is strict — unknown keys, duplicate keys and wrong values are
 * usage errors naming the file, line:column, the field and what was expected — because a typo in a
 * config that silently does nothing is worse than no config at all.
 */
import { readFileSync } from 'node:fs';
import { UsageError } from '../errors.js';
import type { AcceptedType } from '../protocol/index.js';
import { editDistance } from '../rules/index.js';
import { compilePathGlob, type PathGlob } from './glob.js';
import { JsonSyntaxError, parseJson, type JsonEntry, type JsonNode, type Position } from './json.js';

export const ACCEPTED_TYPES: readonly AcceptedType[] = ['text', 'binary', 'any'];

export interface PolicyRoute {
  /** 0-based position in `routes`. */
  index: number;
  path: PathGlob | null;
  /** Matched exactly and case-sensitively against the subprotocol the server accepted. */
  subprotocol: string | null;
  /** What the server accepts: checks client->server messages. */
  serverAccepts: AcceptedType | null;
  /** What the client accepts: checks server->client messages. */
  clientAccepts: AcceptedType | null;
  maxMessage: number | null;
  /** How policy sources name this route, e.g. `route /mqtt* in wsdiag.json`. */
  label: string;
}

export interface PolicyConfig {
  /** The file as the user named it. */
  file: string;
  routes: PolicyRoute[];
}

/** What a route is matched against: the request path (query ignored) and the negotiated subprotocol. */
export interface RouteTarget {
  path: string;
  subprotocol: string | null;
}

const TOP_KEYS = ['routes'] as const;
const ROUTE_KEYS = ['path', 'subprotocol', 'server-accepts', 'client-accepts', 'max-message'] as const;
/** RFC 7230 token: what a Sec-WebSocket-Protocol value may contain (RFC 6455 §4.1). */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Reads and validates a config file; every problem is a UsageError (exit 2). */
export function loadPolicyConfig(file: string): PolicyConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'it is a directory'
          : code === 'EACCES'
            ? 'permission denied'
            : (err as Error).message;
    throw new UsageError(`cannot read config file ${file}: ${why}`, { cause: err });
  }
  return parsePolicyConfig(text, file);
}

/** Validates config text; `file` only names the source in messages and policy sources. */
export function parsePolicyConfig(text: string, file: string): PolicyConfig {
  let root: JsonNode;
  try {
    root = parseJson(text);
  } catch (err) {
    if (err instanceof JsonSyntaxError) throw new UsageError(`${file}:${err.at.line}:${err.at.column}: invalid JSON: ${err.message}`);
    throw err;
  }
  const check = new Checker(file);
  const top = check.object(root, [], 'an object like { "routes": [ ... ] }');
  const entries = check.keys(top, [], TOP_KEYS);
  const routesEntry = entries.get('routes');
  if (!routesEntry) throw check.error(root.at, [], 'missing "routes": expected { "routes": [ ... ] }');
  const routesNode = routesEntry.value;
  if (routesNode.kind !== 'array') throw check.expected(routesNode, ['routes'], 'an array of route objects');
  const routes = routesNode.items.map((node, index) => check.route(node, index));
  return { file, routes };
}

/** The first route whose matchers all match, or null. */
export function matchRoute(config: PolicyConfig | null | undefined, target: RouteTarget): PolicyRoute | null {
  if (!config) return null;
  for (const route of config.routes) {
    if (route.path && !route.path.matches(target.path)) continue;
    if (route.subprotocol !== null && route.subprotocol !== target.subprotocol) continue;
    return route;
  }
  return null;
}

type FieldPath = ReadonlyArray<string | number>;

/** `routes[2]["server-accepts"]`: dots for plain names, brackets for the rest, as in JavaScript. */
export function fieldName(path: FieldPath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(part)) out += out === '' ? part : `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

class Checker {
  constructor(private readonly file: string) {}

  route(node: JsonNode, index: number): PolicyRoute {
    const at: FieldPath = ['routes', index];
    const obj = this.object(node, at, 'a route object like { "path": "/chat", "server-accepts": "text" }');
    const keys = this.keys(obj, at, ROUTE_KEYS);
    const pathEntry = keys.get('path');
    const subprotocolEntry = keys.get('subprotocol');
    if (!pathEntry && !subprotocolEntry) {
      throw this.error(
        node.at,
        at,
        'a route needs "path" and/or "subprotocol" to say which connections it applies to (use "path": "/**" for all)',
      );
    }
    let path: PathGlob | null = null;
    if (pathEntry) {
      const source = this.string(pathEntry.value, [...at, 'path'], 'a path glob such as "/chat" or "/api/**"');
      const glob = compilePathGlob(source);
      if ('problem' in glob) throw this.expected(pathEntry.value, [...at, 'path'], glob.problem);
      path = glob;
    }
    let subprotocol: string | null = null;
    if (subprotocolEntry) {
      subprotocol = this.string(subprotocolEntry.value, [...at, 'subprotocol'], 'a subprotocol name such as "mqtt"');
      if (!TOKEN.test(subprotocol)) {
        throw this.expected(
          subprotocolEntry.value,
          [...at, 'subprotocol'],
          "one subprotocol name (letters, digits and !#$%&'*+-.^_`|~, no spaces or commas)",
        );
      }
    }
    return {
      index,
      path,
      subprotocol,
      serverAccepts: this.accepted(keys.get('server-accepts'), [...at, 'server-accepts']),
      clientAccepts: this.accepted(keys.get('client-accepts'), [...at, 'client-accepts']),
      maxMessage: this.count(keys.get('max-message'), [...at, 'max-message']),
      label: routeLabel(path, subprotocol, this.file),
    };
  }

  object(node: JsonNode, at: FieldPath, expectation: string): Extract<JsonNode, { kind: 'object' }> {
    if (node.kind !== 'object') throw this.expected(node, at, expectation);
    return node;
  }

  /** Entries by key; unknown and duplicate keys are errors. */
  keys(node: Extract<JsonNode, { kind: 'object' }>, at: FieldPath, allowed: readonly string[]): Map<string, JsonEntry> {
    const seen = new Map<string, JsonEntry>();
    for (const entry of node.entries) {
      const field = [...at, entry.key];
      if (!allowed.includes(entry.key)) {
        const guess = closest(entry.key, allowed);
        const hint = guess ? `did you mean "${guess}"? ` : '';
        throw this.error(entry.keyAt, field, `unknown key; ${hint}expected one of ${allowed.map((k) => `"${k}"`).join(', ')}`);
      }
      if (seen.has(entry.key)) throw this.error(entry.keyAt, field, 'duplicate key (JSON would silently keep only the last one)');
      seen.set(entry.key, entry);
    }
    return seen;
  }

  string(node: JsonNode, at: FieldPath, expectation: string): string {
    if (node.kind !== 'string' || node.value === '') throw this.expected(node, at, expectation);
    return node.value;
  }

  accepted(entry: JsonEntry | undefined, at: FieldPath): AcceptedType | null {
    if (!entry) return null;
    const node = entry.value;
    if (node.kind === 'string' && (ACCEPTED_TYPES as readonly string[]).includes(node.value)) return node.value as AcceptedType;
    throw this.expected(node, at, '"text", "binary" or "any"');
  }

  count(entry: JsonEntry | undefined, at: FieldPath): number | null {
    if (!entry) return null;
    const node = entry.value;
    if (node.kind === 'number' && Number.isSafeInteger(node.value) && node.value >= 0) return node.value;
    throw this.expected(node, at, 'a whole number of bytes, 0 or more (0 = no limit)');
  }

  expected(node: JsonNode, at: FieldPath, expectation: string): UsageError {
    return this.error(node.at, at, `expected ${expectation}, got ${describe(node)}`);
  }

  error(position: Position, at: FieldPath, problem: string): UsageError {
    const field = at.length === 0 ? 'top level' : fieldName(at);
    return new UsageError(`${this.file}:${position.line}:${position.column}: ${field}: ${problem}`);
  }
}

function routeLabel(path: PathGlob | null, subprotocol: string | null, file: string): string {
  const what = path && subprotocol ? `${path.source} (subprotocol ${subprotocol})` : path ? path.source : `(subprotocol ${subprotocol})`;
  return `route ${what} in ${file}`;
}

function describe(node: JsonNode): string {
  switch (node.kind) {
    case 'object':
      return 'an object';
    case 'array':
      return 'an array';
    case 'null':
      return 'null';
    case 'boolean':
      return String(node.value);
    case 'number':
      return node.raw;
    case 'string': {
      const text = JSON.stringify(node.value);
      return text.length > 42 ? `${text.slice(0, 40)}…"` : text;
    }
  }
}

/** The allowed key a typo most likely meant: same letters ignoring case and -/_, or within 2 edits. */
function closest(key: string, allowed: readonly string[]): string | null {
  const squash = (s: string): string => s.toLowerCase().replace(/[-_\s]/g, '');
  let best: string | null = null;
  let bestDistance = 3;
  for (const candidate of allowed) {
    if (squash(candidate) === squash(key)) return candidate;
    const d = editDistance(key.toLowerCase(), candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}
