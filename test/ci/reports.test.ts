import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeData, escapeProperty, githubAnnotation, isGithubActions } from '../../src/ci/annotations.js';
import { DEFAULT_FAIL_ON } from '../../src/ci/policy.js';
import { RunRecorder } from '../../src/ci/recorder.js';
import { buildCiSummary, renderCiSummary } from '../../src/ci/summary-json.js';
import type { ViolationEvent, WsdiagEvent } from '../../src/events/index.js';
import { SummaryCollector } from '../../src/reporters/summary.js';
import * as sample from '../fixtures/sample-events.js';

describe('GitHub annotations', () => {
  it('prints the documented format', () => {
    assert.equal(
      githubAnnotation(sample.violation),
      '::error title=wsdiag reserved-bits (1002)::RSV2 is set on a text frame but no negotiated extension defines it. ' +
        '— fix: Clear RSV bits unless an extension negotiated in the handshake defines them.\n',
    );
  });

  it('escapes %, CR and LF in data, and : and , in properties', () => {
    assert.equal(escapeData('100% done\r\nnext %0A'), '100%25 done%0D%0Anext %250A');
    assert.equal(escapeProperty('a: b, c%'), 'a%3A b%2C c%25');
  });

  it('keeps each annotation on one line whatever the message holds', () => {
    const hostile: ViolationEvent = { ...sample.violation, message: 'line1\nline2\r::error::injected 50%\u001b[2J', hint: 'x,y:z' };
    const line = githubAnnotation(hostile);
    assert.equal(line, '::error title=wsdiag reserved-bits (1002)::line1%0Aline2%0D::error::injected 50%25\\x1b[2J — fix: x,y:z\n');
    assert.equal(line.indexOf('\n'), line.length - 1);
  });

  it('only on GitHub Actions', () => {
    assert.equal(isGithubActions({ GITHUB_ACTIONS: 'true' }), true);
    assert.equal(isGithubActions({ GITHUB_ACTIONS: 'false' }), false);
    assert.equal(isGithubActions({}), false);
  });
});

describe('summary JSON', () => {
  it('is the summary event plus the verdict and per-connection counts', () => {
    const recorder = new RunRecorder(DEFAULT_FAIL_ON);
    const collector = new SummaryCollector();
    const events: WsdiagEvent[] = [sample.open, sample.violation, sample.peerClose, sample.close, sample.error];
    for (const event of events) {
      recorder.write(event);
      collector.write(event);
    }
    for (const extra of [sample.violation, sample.violation]) {
      recorder.suppressed(extra);
      collector.countSuppressed(extra.rule, extra.code);
    }
    const summary = collector.summary(() => new Date('2024-05-01T12:00:05.000Z'));
    const result = buildCiSummary({
      summary,
      failOn: 'error',
      failing: recorder.failing,
      exitCode: 1,
      command: { kind: 'exited', code: 0 },
      connections: recorder.connections,
    });
    const parsed: unknown = JSON.parse(renderCiSummary(result));
    assert.deepEqual(parsed, {
      v: 1,
      type: 'summary',
      ts: '2024-05-01T12:00:05.000Z',
      connections: 1,
      violations: 3,
      by_rule: { 'reserved-bits': 3 },
      by_code: { '1002': 3 },
      fail_on: 'error',
      failing: 3,
      exit_code: 1,
      command: { exit_code: 0, signal: null },
      per_connection: [
        {
          conn: 'c1',
          path: '/chat',
          violations: 3,
          failing: 3,
          suppressed: 2,
          by_rule: { 'reserved-bits': 3 },
          errors: 0,
          duration_ms: 1000,
          frames: { 'client->server': 4, 'server->client': 1 },
          bytes: { 'client->server': 130, 'server->client': 2048 },
        },
        {
          conn: 'c4',
          path: null,
          violations: 0,
          failing: 0,
          suppressed: 0,
          by_rule: {},
          errors: 1,
          duration_ms: null,
          frames: null,
          bytes: null,
        },
      ],
    });
  });

  it('records a command killed by a signal', () => {
    const collector = new SummaryCollector();
    const result = buildCiSummary({
      summary: collector.summary(),
      failOn: 'none',
      failing: 0,
      exitCode: 143,
      command: { kind: 'signaled', signal: 'SIGTERM', signo: 15 },
      connections: [],
    });
    assert.deepEqual(result.command, { exit_code: null, signal: 'SIGTERM' });
    assert.deepEqual(result.per_connection, []);
  });
});
