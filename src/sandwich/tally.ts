/**
 * Counts a sandwich run for its closing `sandwich-summary` event and its exit code: pairs compared, legs
 * left unmatched, findings by severity and by check.
 */
import { SCHEMA_VERSION, type Clock } from '../events/index.js';
import { sortedRecord } from '../reporters/index.js';
import type { LegName, SandwichFindingEvent, SandwichSummaryEvent } from './types.js';

export class SandwichTally {
  private pairs = 0;
  private readonly unmatched: Record<LegName, number> = { front: 0, return: 0 };
  private readonly bySeverity = { failure: 0, warning: 0, info: 0 };
  private readonly byCheck = new Map<string, number>();

  pairCompared(): void {
    this.pairs++;
  }

  legUnmatched(leg: LegName): void {
    this.unmatched[leg]++;
  }

  finding(f: SandwichFindingEvent): void {
    this.bySeverity[f.severity]++;
    this.byCheck.set(f.check, (this.byCheck.get(f.check) ?? 0) + 1);
  }

  /** Whether the run found a change RFC 6455 forbids (exit 1). */
  get failed(): boolean {
    return this.bySeverity.failure > 0;
  }

  summary(clock: Clock): SandwichSummaryEvent {
    const by_check = sortedRecord(this.byCheck);
    return {
      v: SCHEMA_VERSION,
      type: 'sandwich-summary',
      ts: clock().toISOString(),
      pairs: this.pairs,
      unmatched: { ...this.unmatched },
      failures: this.bySeverity.failure,
      warnings: this.bySeverity.warning,
      infos: this.bySeverity.info,
      by_check,
    };
  }
}
