/**
 * Which events `tail` shows. Code and rule filters select violations; a connection filter hides every
 * event that belongs to another connection. Events of no connection (listening, summary, a global
 * error) always pass: they describe the whole run.
 */
import type { WsdiagEvent } from '../events.js';

export interface EventFilterOptions {
  codes?: readonly number[];
  rules?: readonly string[];
  conns?: readonly string[];
}

export type EventFilter = (event: WsdiagEvent) => boolean;

export function createEventFilter({ codes, rules, conns }: EventFilterOptions): EventFilter {
  const codeSet = codes && codes.length > 0 ? new Set(codes) : undefined;
  const ruleSet = rules && rules.length > 0 ? new Set(rules) : undefined;
  const connSet = conns && conns.length > 0 ? new Set(conns) : undefined;
  return (event) => {
    const conn = 'conn' in event ? event.conn : null;
    if (connSet && conn !== null && !connSet.has(conn)) return false;
    if (event.type !== 'violation') return true;
    if (codeSet && !codeSet.has(event.code)) return false;
    if (ruleSet && !ruleSet.has(event.rule)) return false;
    return true;
  };
}
