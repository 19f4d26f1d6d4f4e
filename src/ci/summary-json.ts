/**
 * `--summary-json FILE`: the run's `summary` event (DESIGN §2, the same fields as the last JSON Lines
 * line) plus what a script needs to judge the run without parsing the log: the --fail-on it ran with,
 * how many violations failed it, the exit code, how the command ended, and counts per connection.
 */
import type { Direction, PerDirection, SummaryEvent } from '../events/index.js';
import type { CommandOutcome } from './policy.js';
import { failingCount, violationCount, type ConnectionRecord } from './recorder.js';

export interface ConnectionSummary {
  conn: string;
  /** The request path as the client sent it; null for an upgrade that never completed. */
  path: string | null;
  violations: number;
  /** Violations that fail the run under --fail-on. */
  failing: number;
  /** Violations counted but not logged one by one (--max-per-rule). */
  suppressed: number;
  by_rule: Record<string, number>;
  errors: number;
  /** From the `close` event; null if the connection never opened. */
  duration_ms: number | null;
  frames: PerDirection<number> | null;
  bytes: PerDirection<number> | null;
}

export interface CiSummary extends SummaryEvent {
  fail_on: string;
  failing: number;
  exit_code: number;
  /** The command's own ending: an exit code, or the signal that killed it. */
  command: { exit_code: number | null; signal: string | null };
  per_connection: ConnectionSummary[];
}

export interface CiSummaryInput {
  summary: SummaryEvent;
  failOn: string;
  failing: number;
  exitCode: number;
  command: CommandOutcome;
  connections: readonly ConnectionRecord[];
}

export function buildCiSummary(input: CiSummaryInput): CiSummary {
  return {
    ...input.summary,
    fail_on: input.failOn,
    failing: input.failing,
    exit_code: input.exitCode,
    command:
      input.command.kind === 'exited' ? { exit_code: input.command.code, signal: null } : { exit_code: null, signal: input.command.signal },
    per_connection: input.connections.map(connectionSummary),
  };
}

/** The file's text: pretty-printed JSON (people read it in CI artifacts too), newline-terminated. */
export function renderCiSummary(summary: CiSummary): string {
  return `${JSON.stringify(summary, null, 2)}\n`;
}

function connectionSummary(record: ConnectionRecord): ConnectionSummary {
  const byRule = new Map<string, number>();
  const add = (rule: string, count: number) => byRule.set(rule, (byRule.get(rule) ?? 0) + count);
  for (const violation of [...record.failing, ...record.passing]) add(violation.rule, 1);
  let suppressed = 0;
  for (const entry of record.suppressed.values()) {
    add(entry.rule, entry.count);
    suppressed += entry.count;
  }
  const close = record.close;
  return {
    conn: record.conn,
    path: record.open?.path ?? null,
    violations: violationCount(record),
    failing: failingCount(record),
    suppressed,
    by_rule: Object.fromEntries([...byRule.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    errors: record.errors.length,
    duration_ms: close?.duration_ms ?? null,
    frames: close ? copy(close.frames) : null,
    bytes: close ? copy(close.bytes) : null,
  };
}

function copy(values: PerDirection<number>): PerDirection<number> {
  const out = {} as Record<Direction, number>;
  for (const [dir, value] of Object.entries(values) as Array<[Direction, number]>) out[dir] = value;
  return out;
}
