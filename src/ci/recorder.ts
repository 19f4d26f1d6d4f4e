/**
 * Keeps what the CI reports need from a run's events, grouped by connection: the `open`, the violations
 * (split into those that fail the run under --fail-on and those that do not), the endpoints' Closes, the
 * errors and the final `close`. It is a Reporter, so it sits in the MultiReporter next to the logs and
 * sees exactly the events they see, after every addon's rewrite (an addon's `event` hook would see them
 * before the addons after it). Suppressed violations never reach the event stream: for those it is a
 * proxy addon too (`suppressed`). Frame events are not kept: the reports do not show them and a busy
 * connection has millions.
 */
import type { CloseEvent, ErrorEvent, OpenEvent, PeerCloseEvent, ViolationEvent, WsdiagEvent } from '../events/index.js';
import type { ProxyAddon } from '../proxy/index.js';
import type { Reporter } from '../reporters/index.js';
import { violationFails, type FailOnPolicy } from './policy.js';

/** The events that tell a connection's story, in the order they happened. */
export type StoryEvent = OpenEvent | ViolationEvent | PeerCloseEvent | ErrorEvent | CloseEvent;

/** Violations counted but not logged (--max-per-rule), per rule. */
export interface SuppressedCount {
  rule: string;
  code: number;
  count: number;
  /** How many of them fail the run. */
  failing: number;
}

export interface ConnectionRecord {
  conn: string;
  /** Absent for an upgrade that never completed (refused, unreachable upstream, non-101). */
  open: OpenEvent | undefined;
  story: StoryEvent[];
  /** Logged violations that fail the run. */
  failing: ViolationEvent[];
  /** Logged violations that do not. */
  passing: ViolationEvent[];
  suppressed: Map<string, SuppressedCount>;
  errors: ErrorEvent[];
  close: CloseEvent | undefined;
}

export class RunRecorder implements Reporter, ProxyAddon {
  readonly name = 'ci recorder';
  readonly #policy: FailOnPolicy;
  readonly #connections = new Map<string, ConnectionRecord>();
  readonly #runErrors: ErrorEvent[] = [];

  constructor(policy: FailOnPolicy) {
    this.#policy = policy;
  }

  write(event: WsdiagEvent): void {
    switch (event.type) {
      case 'open': {
        const record = this.#record(event.conn);
        record.open = event;
        record.story.push(event);
        break;
      }
      case 'violation': {
        const record = this.#record(event.conn);
        (violationFails(this.#policy, event) ? record.failing : record.passing).push(event);
        record.story.push(event);
        break;
      }
      case 'peer-close':
        this.#record(event.conn).story.push(event);
        break;
      case 'close': {
        const record = this.#record(event.conn);
        record.close = event;
        record.story.push(event);
        break;
      }
      case 'error':
        if (event.conn === null) {
          this.#runErrors.push(event);
        } else {
          const record = this.#record(event.conn);
          record.errors.push(event);
          record.story.push(event);
        }
        break;
      default:
        break;
    }
  }

  /** ProxyAddon: a violation counted but not logged individually. */
  suppressed(violation: ViolationEvent): void {
    const record = this.#record(violation.conn);
    const entry = record.suppressed.get(violation.rule) ?? { rule: violation.rule, code: violation.code, count: 0, failing: 0 };
    entry.count++;
    if (violationFails(this.#policy, violation)) entry.failing++;
    record.suppressed.set(violation.rule, entry);
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  /** Every connection, in the order wsdiag first heard of it. */
  get connections(): ConnectionRecord[] {
    return [...this.#connections.values()];
  }

  /** Errors that belong to no connection (a malformed request, the listening socket failing). */
  get runErrors(): readonly ErrorEvent[] {
    return this.#runErrors;
  }

  /** Violations that fail the run, suppressed ones included. */
  get failing(): number {
    let total = 0;
    for (const record of this.#connections.values()) total += failingCount(record);
    return total;
  }

  #record(conn: string): ConnectionRecord {
    let record = this.#connections.get(conn);
    if (!record) {
      record = { conn, open: undefined, story: [], failing: [], passing: [], suppressed: new Map(), errors: [], close: undefined };
      this.#connections.set(conn, record);
    }
    return record;
  }
}

/** A connection's violations that fail the run, suppressed ones included. */
export function failingCount(record: ConnectionRecord): number {
  let total = record.failing.length;
  for (const entry of record.suppressed.values()) total += entry.failing;
  return total;
}

/** All of a connection's violations, suppressed ones included. */
export function violationCount(record: ConnectionRecord): number {
  let total = record.failing.length + record.passing.length;
  for (const entry of record.suppressed.values()) total += entry.count;
  return total;
}
