/**
 * The filter flags as typed on the command line: `--conn`, `--dir`, `--type`, `--rule`, `--code` take
 * comma-separated values and may be repeated; `--grep` takes one regular expression each time (a regular
 * expression may hold a comma). A bad value gives one line naming the flag and what is wrong, with the
 * nearest valid value when there is one.
 */
import { DIRECTIONS, EVENT_FIELDS, VIOLATION_CODES, type Direction } from '../events/index.js';
import { closestRuleId, editDistance, typoBudget, findRule } from '../rules/index.js';
import type { FilterOptions } from './filter.js';

/**
 * Every event type a wsdiag log can hold: the schema's, and `message` (issue 13's message events, whose
 * shape is agreed; once the schema has it, the Set drops the repeat).
 */
export const FILTER_EVENT_TYPES: readonly string[] = [...new Set([...Object.keys(EVENT_FIELDS), 'message'])];

/** The close codes violations carry. */
export const FILTER_CODES: readonly number[] = VIOLATION_CODES;

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = (error: string): Parsed<never> => ({ ok: false, error });

/** A connection id: `c1`, or with its run id `k3f9-c1`. */
export function parseConnValue(item: string): Parsed<string> {
  const id = item.trim();
  if (id === '') return fail('expects a connection id such as c1');
  if (/[\s,]/.test(id)) return fail(`"${id}" is not a connection id`);
  return ok(id);
}

/** A direction, or the side that sends: `client` means client->server, `server` server->client. */
export function parseDirValue(item: string): Parsed<Direction> {
  const value = item.trim();
  if ((DIRECTIONS as readonly string[]).includes(value)) return ok(value as Direction);
  if (value === 'client') return ok('client->server');
  if (value === 'server') return ok('server->client');
  return fail(`"${value}" is not a direction (use client->server or server->client; client and server name the sender)`);
}

export function parseTypeValue(item: string): Parsed<string> {
  const value = item.trim();
  if (FILTER_EVENT_TYPES.includes(value)) return ok(value);
  const near = closest(value, FILTER_EVENT_TYPES);
  return fail(`unknown event type "${value}"${near ? ` (did you mean "${near}"?)` : ''}; use one of ${FILTER_EVENT_TYPES.join(', ')}`);
}

export function parseRuleValue(item: string): Parsed<string> {
  const value = item.trim();
  if (findRule(value)) return ok(value);
  const near = closestRuleId(value);
  return fail(`unknown rule "${value}"${near ? ` (did you mean "${near}"?)` : ''}`);
}

export function parseCodeValue(item: string): Parsed<number> {
  const value = item.trim();
  const code = Number(value);
  if (!/^\d+$/.test(value) || !FILTER_CODES.includes(code))
    return fail(`"${value}" is not a violation code (use ${FILTER_CODES.join(', ')})`);
  return ok(code);
}

/** A JavaScript regular expression, as `new RegExp(source)` reads it; `ignoreCase` adds the i flag. */
export function parseGrepValue(source: string, options: { ignoreCase?: boolean } = {}): Parsed<RegExp> {
  try {
    return ok(new RegExp(source, options.ignoreCase ? 'i' : ''));
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^Invalid regular expression: /, '') : String(error);
    return fail(`"${source}" is not a valid regular expression: ${reason}`);
  }
}

/** The raw flag values, each as given (repeated flags give several strings). */
export interface FilterArgs {
  conn?: readonly string[];
  dir?: readonly string[];
  type?: readonly string[];
  rule?: readonly string[];
  code?: readonly string[];
  grep?: readonly string[];
  /** Case-insensitive `--grep`. */
  ignoreCase?: boolean;
}

/** All the filter flags at once: the options, or the first error as `--flag: what is wrong`. */
export function parseFilterArgs(args: FilterArgs): Parsed<FilterOptions> {
  const options: { -readonly [K in keyof FilterOptions]: FilterOptions[K] } = {};
  const lists: Array<[keyof FilterArgs & keyof typeof LIST_PARSERS, keyof FilterOptions]> = [
    ['conn', 'conns'],
    ['dir', 'dirs'],
    ['type', 'types'],
    ['rule', 'rules'],
    ['code', 'codes'],
  ];
  for (const [flag, key] of lists) {
    const given = args[flag];
    if (given === undefined) continue;
    const parsed = parseList(given, LIST_PARSERS[flag] as (item: string) => Parsed<unknown>);
    if (!parsed.ok) return fail(`--${flag}: ${parsed.error}`);
    (options as Record<string, unknown>)[key] = parsed.value;
  }
  if (args.grep !== undefined) {
    const grep: RegExp[] = [];
    for (const source of args.grep) {
      const parsed = parseGrepValue(source, { ignoreCase: args.ignoreCase === true });
      if (!parsed.ok) return fail(`--grep: ${parsed.error}`);
      grep.push(parsed.value);
    }
    options.grep = grep;
  }
  return ok(options);
}

const LIST_PARSERS = {
  conn: parseConnValue,
  dir: parseDirValue,
  type: parseTypeValue,
  rule: parseRuleValue,
  code: parseCodeValue,
};

/** Comma-separated values, possibly repeated: `--code 1002,1007 --code 1009`. */
export function parseList<T>(values: readonly string[], parse: (item: string) => Parsed<T>): Parsed<T[]> {
  const out: T[] = [];
  for (const value of values) {
    const items = value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
    if (items.length === 0) return fail('expects at least one value');
    for (const item of items) {
      const parsed = parse(item);
      if (!parsed.ok) return parsed;
      out.push(parsed.value);
    }
  }
  return ok(out);
}

function closest(input: string, candidates: readonly string[]): string | undefined {
  let best: { value: string; distance: number } | undefined;
  for (const value of candidates) {
    const distance = editDistance(input, value);
    if (!best || distance < best.distance) best = { value, distance };
  }
  return best && best.distance <= typoBudget(input) ? best.value : undefined;
}
