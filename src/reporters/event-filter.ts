/**
 * Which events `tail` shows. Code and rule filters select violations; a connection filter hides every
 * event that belongs to another connection. Events of no connection (listening, summary, a global
 * error) always pass: they describe the whole run.
 *
 * Connection ids carry their run (`k3f9x2-c4`). A full id selects that connection; a bare `c4` selects
 * the c4 of every run in the log (and the `c4` of a log written before run ids), which is one connection
 * when the log holds one run. When it meets a second run's c4, `onAmbiguous` says so.
 */
import { splitConnId } from '../conn-id.js';
import type { WsdiagEvent } from '../events/index.js';

export interface EventFilterOptions {
  codes?: readonly number[];
  rules?: readonly string[];
  conns?: readonly string[];
  /** A bare id (`c4`) matched a connection of one more run: `ids` are every id it matched so far, in order. */
  onAmbiguous?: (bare: string, ids: readonly string[]) => void;
}

/** Whether a connection id is selected by `--conn`. */
export type ConnMatcher = (id: string) => boolean;

export interface EventFilter {
  (event: WsdiagEvent): boolean;
  /** The connection part alone, for lines that are not core events (the sandwich's findings). */
  readonly conn: ConnMatcher;
}

export function createEventFilter(options: EventFilterOptions): EventFilter {
  const { codes, rules } = options;
  const codeSet = codes && codes.length > 0 ? new Set(codes) : undefined;
  const ruleSet = rules && rules.length > 0 ? new Set(rules) : undefined;
  const connMatches = createConnMatcher(options);
  const filter = (event: WsdiagEvent): boolean => {
    const conn = 'conn' in event ? event.conn : null;
    if (conn !== null && !connMatches(conn)) return false;
    if (event.type !== 'violation') return true;
    if (codeSet && !codeSet.has(event.code)) return false;
    if (ruleSet && !ruleSet.has(event.rule)) return false;
    return true;
  };
  return Object.assign(filter, { conn: connMatches });
}

/** Selects ids by full id or bare counter part (see above); with no `conns`, selects every id. */
export function createConnMatcher({ conns, onAmbiguous }: Pick<EventFilterOptions, 'conns' | 'onAmbiguous'>): ConnMatcher {
  if (!conns || conns.length === 0) return () => true;
  const full = new Set(conns.filter((item) => splitConnId(item).run !== null));
  // Per bare item: the id it matched in each run ('' for ids without a run).
  const bare = new Map(conns.filter((item) => splitConnId(item).run === null).map((item) => [item, new Map<string, string>()]));
  return (id) => {
    if (full.has(id)) return true;
    const { run, local } = splitConnId(id);
    const runs = bare.get(local);
    if (!runs) return false;
    const key = run ?? '';
    if (!runs.has(key)) {
      runs.set(key, id);
      if (runs.size > 1) onAmbiguous?.(local, [...runs.values()]);
    }
    return true;
  };
}
