/**
 * Which events to show: one filter language for `proxy` (live) and `tail` (logs). Options combine with
 * AND; the values of one option combine with OR. Each option judges only the events that carry what it
 * is about, so context is not lost by accident:
 *
 * - `types`: only events of these types (every event, run-wide ones included, has a type).
 * - `conns`: only events of these connections. `c1` matches the connection `c1` and, when the ids carry a
 *   run id (`k3f9-c1`), the connection counted `c1` in any run; `k3f9-c1` matches only itself. A sandwich
 *   finding belongs to both its legs (`conn` and `return_conn`).
 * - `dirs`: events that travel one way (message, frame, violation; a peer-close goes the way its sender
 *   sends) must go this way; events of a whole connection (open, close, http, error) still show.
 * - `rules`, `codes`: violations must have one of these rules / close codes; other events still show.
 * - `grep`: events of a connection, and HTTP exchanges, must have a text that one of the regular
 *   expressions matches: message payloads (text as sent, binary read as Latin-1 so the ASCII in it
 *   matches), Close reasons, violation messages and previews, open and http paths, error messages. The
 *   explanations wsdiag writes itself are not searched. Events with no such text (frame, close) are hidden.
 *
 * Events of no connection (listening, summary, an error of the whole run) pass every option but `types`:
 * they describe the run. An `http` exchange is traffic, not run-wide: `conns` and `grep` judge it too.
 */
import { splitConnId } from '../conn-id.js';
import type { Direction } from '../events/index.js';

export interface FilterOptions {
  types?: readonly string[];
  conns?: readonly string[];
  dirs?: readonly Direction[];
  rules?: readonly string[];
  codes?: readonly number[];
  grep?: readonly RegExp[];
}

/** Any event of the log: the filter reads fields by name, so new event types need no change here. */
export interface FilterableEvent {
  readonly type: string;
}

export type Filter = (event: FilterableEvent) => boolean;

export interface FilterHooks {
  /**
   * A bare id (`c4`) met a connection of one more run (a log several runs appended to): `ids` are the ids
   * it matched so far, one per run, in order. Every one of them is shown.
   */
  onAmbiguous?: (bare: string, ids: readonly string[]) => void;
}

export function createFilter(options: FilterOptions, hooks: FilterHooks = {}): Filter {
  const types = nonEmptySet(options.types);
  const dirs = nonEmptySet(options.dirs);
  const rules = nonEmptySet(options.rules);
  const codes = nonEmptySet(options.codes);
  const conns = options.conns && options.conns.length > 0 ? connMatcher(options.conns, hooks.onAmbiguous) : undefined;
  // A /g or /y expression keeps state between tests; a copy without those flags cannot.
  const grep =
    options.grep && options.grep.length > 0 ? options.grep.map((re) => new RegExp(re.source, re.flags.replace(/[gy]/g, ''))) : undefined;

  return (event) => {
    if (types && !types.has(event.type)) return false;
    const fields = event as unknown as Record<string, unknown>;
    const conn = typeof fields['conn'] === 'string' ? fields['conn'] : null;
    const runWide = conn === null && event.type !== 'http';
    if (runWide) return true;
    if (conns && (conn === null || !conns(conn))) {
      const other = fields['return_conn'];
      if (event.type !== 'sandwich-finding' || typeof other !== 'string' || !conns(other)) return false;
    }
    if (dirs) {
      const dir = directionOf(event.type, fields);
      if (dir !== undefined && !dirs.has(dir)) return false;
    }
    if (event.type === 'violation') {
      if (codes && !codes.has(fields['code'] as number)) return false;
      if (rules && !rules.has(fields['rule'] as string)) return false;
    }
    if (grep && !searchableTexts(event.type, fields).some((text) => grep.some((re) => re.test(text)))) return false;
    return true;
  };
}

function nonEmptySet<T>(values: readonly T[] | undefined): Set<T> | undefined {
  return values && values.length > 0 ? new Set(values) : undefined;
}

/**
 * `c1` (no run id) matches `c1` and `<run>-c1`; `k3f9-c1` matches only `k3f9-c1` (src/conn-id.ts says
 * how ids are made). `onAmbiguous` hears when a bare id meets its second (third...) run.
 */
export function connMatcher(selectors: readonly string[], onAmbiguous?: FilterHooks['onAmbiguous']): (conn: string) => boolean {
  const full = new Set(selectors.filter((s) => splitConnId(s).run !== null));
  // Per bare selector: the id it matched in each run ('' for ids without a run).
  const bare = new Map(selectors.filter((s) => splitConnId(s).run === null).map((s) => [s, new Map<string, string>()]));
  return (conn) => {
    if (full.has(conn)) return true;
    const { run, local } = splitConnId(conn);
    const runs = bare.get(local);
    if (!runs) return false;
    const key = run ?? '';
    if (!runs.has(key)) {
      runs.set(key, conn);
      if (runs.size > 1) onAmbiguous?.(local, [...runs.values()]);
    }
    return true;
  };
}

/** The direction an event travels, or undefined for an event of the whole connection. */
function directionOf(type: string, fields: Record<string, unknown>): Direction | undefined {
  const dir = fields['dir'];
  if (dir === 'client->server' || dir === 'server->client') return dir;
  if (type === 'peer-close') {
    if (fields['by'] === 'client') return 'client->server';
    if (fields['by'] === 'server') return 'server->client';
  }
  return undefined;
}

/** The texts `grep` looks at, per event type. */
export function searchableTexts(type: string, fields: Record<string, unknown>): string[] {
  const texts: string[] = [];
  const add = (value: unknown) => {
    if (typeof value === 'string' && value !== '') texts.push(value);
  };
  switch (type) {
    case 'message': {
      const data = fields['data'];
      if (typeof data === 'string') {
        // Binary payloads are logged as base64; read as Latin-1 each byte is one character, so ASCII
        // inside them (an MQTT topic, a STOMP header) matches as written.
        add(fields['encoding'] === 'base64' ? Buffer.from(data, 'base64').toString('latin1') : data);
      }
      const close = fields['close'];
      if (typeof close === 'object' && close !== null) add((close as Record<string, unknown>)['reason']);
      break;
    }
    case 'violation':
      add(fields['message']);
      add(fields['preview']);
      break;
    case 'open':
    case 'http':
      add(fields['path']);
      break;
    case 'peer-close':
      add(fields['reason']);
      break;
    case 'error':
    case 'sandwich-finding':
      add(fields['message']);
      break;
  }
  return texts;
}
