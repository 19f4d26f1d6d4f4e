import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CloseEvent, ViolationEvent, WsdiagEvent } from '../../src/events/index.js';
import { SummaryCollector } from '../../src/reporters/summary.js';
import * as sample from '../fixtures/sample-events.js';

const clock = () => new Date('2024-05-01T12:00:09.000Z');

function violationOf(conn: string, rule: string, code: ViolationEvent['code']): ViolationEvent {
  return { ...sample.violation, conn, rule, code };
}

function closeOf(conn: string, violations: number, suppressed: number): CloseEvent {
  return { ...sample.close, conn, violations, suppressed };
}

function collect(events: WsdiagEvent[]): SummaryCollector {
  const collector = new SummaryCollector();
  for (const event of events) collector.write(event);
  return collector;
}

describe('SummaryCollector', () => {
  it('counts connections from open events and violations by rule and code', () => {
    const collector = collect([
      { ...sample.open, conn: 'c1' },
      violationOf('c1', 'reserved-bits', 1002),
      violationOf('c1', 'reserved-bits', 1002),
      { ...sample.open, conn: 'c2' },
      violationOf('c2', 'invalid-utf8-text', 1007),
      closeOf('c1', 2, 0),
      closeOf('c2', 1, 0),
    ]);
    assert.deepEqual(collector.summary(clock), {
      v: 1,
      type: 'summary',
      ts: '2024-05-01T12:00:09.000Z',
      connections: 2,
      violations: 3,
      by_rule: { 'invalid-utf8-text': 1, 'reserved-bits': 2 },
      by_code: { '1002': 2, '1007': 1 },
    });
  });

  it('counts suppressed violations the analyzer reports, attributed to their rule', () => {
    const collector = collect([sample.open, violationOf('c1', 'reserved-bits', 1002)]);
    collector.countSuppressed('reserved-bits', 1002);
    collector.countSuppressed('reserved-bits', 1002);
    collector.countSuppressed('message-too-big', 1009);
    // The close event reports the same three suppressed violations: they must not count twice.
    collector.write(closeOf('c1', 4, 3));
    const summary = collector.summary(clock);
    assert.equal(summary.violations, 4);
    assert.deepEqual(summary.by_rule, { 'message-too-big': 1, 'reserved-bits': 3 });
    assert.deepEqual(summary.by_code, { '1002': 3, '1009': 1 });
  });

  it('counts suppressed violations known only from close events (a summary rebuilt from a log)', () => {
    const collector = collect([
      sample.open,
      violationOf('c1', 'reserved-bits', 1002),
      closeOf('c1', 5, 4),
      { ...sample.open, conn: 'c2' },
      // A close whose `violations` says more than was logged or marked suppressed still counts fully.
      closeOf('c2', 2, 0),
    ]);
    const summary = collector.summary(clock);
    assert.equal(summary.violations, 7);
    assert.deepEqual(summary.by_rule, { 'reserved-bits': 1 });
  });

  it('counts suppressed violations of connections still open', () => {
    const collector = collect([sample.open, violationOf('c1', 'reserved-bits', 1002)]);
    collector.countSuppressed('reserved-bits', 1002);
    assert.equal(collector.violations, 2);
    assert.equal(collector.connections, 1);
  });

  it('ignores events that carry no counts', async () => {
    const collector = collect([sample.listening, sample.frame, sample.peerClose, sample.error, sample.summary]);
    assert.deepEqual(collector.summary(clock), {
      v: 1,
      type: 'summary',
      ts: '2024-05-01T12:00:09.000Z',
      connections: 0,
      violations: 0,
      by_rule: {},
      by_code: {},
    });
    await collector.flush();
  });
});
