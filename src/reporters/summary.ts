/**
 * Counts a run for its closing `summary` event (DESIGN §2). It is a Reporter so it can sit in a
 * MultiReporter next to the real sinks and see exactly the events they see.
 *
 * Suppressed violations (counted by the analyzer, not logged one by one) must still be counted. Two
 * sources can tell us about them, and we take whichever knows more so nothing is counted twice:
 *  - the analyzer calls `countSuppressed(rule, code)` for each one, which also attributes it to a rule;
 *  - each `close` event carries `violations` (all of them) and `suppressed`: when nobody called
 *    `countSuppressed` (a summary rebuilt from a log file), the difference still reaches the total,
 *    without a rule to attribute it to.
 */
import { SCHEMA_VERSION, systemClock, type Clock, type RefusalKind, type SummaryEvent, type WsdiagEvent } from '../events/index.js';
import type { Reporter } from './types.js';

export class SummaryCollector implements Reporter {
  #connections = 0;
  #logged = 0;
  #suppressedCounted = 0;
  #suppressedFromCloses = 0;
  readonly #loggedByConn = new Map<string, number>();
  readonly #byRule = new Map<string, number>();
  readonly #byCode = new Map<string, number>();
  readonly #refused: Record<RefusalKind, number> = { max_connections: 0, header_timeout: 0 };
  readonly #faults = new Map<string, number>();

  write(event: WsdiagEvent): void {
    switch (event.type) {
      case 'open':
        this.#connections++;
        break;
      case 'violation':
        this.#logged++;
        this.#loggedByConn.set(event.conn, (this.#loggedByConn.get(event.conn) ?? 0) + 1);
        this.#attribute(event.rule, event.code);
        break;
      case 'close': {
        const logged = this.#loggedByConn.get(event.conn) ?? 0;
        this.#loggedByConn.delete(event.conn);
        // Trust whichever of the close's own numbers accounts for more unlogged violations.
        this.#suppressedFromCloses += Math.max(0, event.suppressed, event.violations - logged);
        break;
      }
      case 'fault':
        this.#faults.set(event.toxic, (this.#faults.get(event.toxic) ?? 0) + 1);
        break;
      default:
        break;
    }
  }

  /** For the analyzer: one violation that was counted but not logged (rate limiting). */
  countSuppressed(rule: string, code: number): void {
    this.#suppressedCounted++;
    this.#attribute(rule, code);
  }

  /** For the proxy (an addon's `refused`, see summaryCounts): one client refused at a limit. */
  countRefused(kind: RefusalKind): void {
    this.#refused[kind]++;
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  get connections(): number {
    return this.#connections;
  }

  /** Every violation seen so far, logged or suppressed. */
  get violations(): number {
    return this.#logged + Math.max(this.#suppressedCounted, this.#suppressedFromCloses);
  }

  /** The `summary` event for the run so far; keys of by_rule/by_code are sorted for stable output. */
  summary(clock: Clock = systemClock): SummaryEvent {
    const event: SummaryEvent = {
      v: SCHEMA_VERSION,
      type: 'summary',
      ts: clock().toISOString(),
      connections: this.#connections,
      violations: this.violations,
      by_rule: sortedRecord(this.#byRule),
      by_code: sortedRecord(this.#byCode),
    };
    // Only runs that refused someone say so: the usual summary stays as it was.
    if (this.#refused.max_connections > 0 || this.#refused.header_timeout > 0) event.refused = { ...this.#refused };
    // Likewise only runs that injected faults (`wsdiag chaos`) count them, per toxic.
    if (this.#faults.size > 0) event.faults = sortedRecord(this.#faults);
    return event;
  }

  #attribute(rule: string, code: number): void {
    this.#byRule.set(rule, (this.#byRule.get(rule) ?? 0) + 1);
    const key = String(code);
    this.#byCode.set(key, (this.#byCode.get(key) ?? 0) + 1);
  }
}

/** Counts as a record with its keys in sorted order, so the JSON is stable. */
export function sortedRecord(counts: ReadonlyMap<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, count] of [...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) out[key] = count;
  return out;
}
