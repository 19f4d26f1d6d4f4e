import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_FAIL_ON, decideExit, parseFailOn, violationFails } from '../../src/ci/policy.js';
import { UsageError } from '../../src/errors.js';

const error1002 = { rule: 'reserved-opcode', code: 1002, severity: 'error' } as const;
const error1007 = { rule: 'invalid-utf8-text', code: 1007, severity: 'error' } as const;
const warning1003 = { rule: 'unsupported-text', code: 1003, severity: 'warning' } as const;

function usageMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof UsageError, `expected a UsageError, got ${String(err)}`);
    return err.message;
  }
  assert.fail('expected a UsageError');
}

describe('--fail-on parsing', () => {
  it('defaults to error-severity violations', () => {
    assert.equal(violationFails(DEFAULT_FAIL_ON, error1002), true);
    assert.equal(violationFails(DEFAULT_FAIL_ON, warning1003), false);
    assert.equal(DEFAULT_FAIL_ON.text, 'error');
  });

  it('error matches errors only; warning is a threshold that takes in errors too', () => {
    const errorOnly = parseFailOn('error');
    assert.deepEqual([violationFails(errorOnly, error1002), violationFails(errorOnly, warning1003)], [true, false]);
    const warnings = parseFailOn('warning');
    assert.deepEqual([violationFails(warnings, error1002), violationFails(warnings, warning1003)], [true, true]);
  });

  it('close codes select by code whatever the severity, and replace the default', () => {
    const policy = parseFailOn('1002,1003');
    assert.equal(violationFails(policy, error1002), true);
    assert.equal(violationFails(policy, warning1003), true);
    assert.equal(violationFails(policy, error1007), false);
    assert.equal(policy.text, '1002,1003');
  });

  it('1006 and 1011 select the warnings for frames cut short and unanswered pings', () => {
    const policy = parseFailOn('1006,1011');
    const truncated = { rule: 'truncated-frame', code: 1006, severity: 'warning' } as const;
    const ping = { rule: 'ping-unanswered', code: 1011, severity: 'warning' } as const;
    assert.deepEqual(
      [violationFails(policy, truncated), violationFails(policy, ping), violationFails(policy, error1002)],
      [true, true, false],
    );
    assert.deepEqual(
      [violationFails(DEFAULT_FAIL_ON, truncated), violationFails(DEFAULT_FAIL_ON, ping)],
      [false, false],
      'warnings never fail by default',
    );
  });

  it('rule ids select by rule', () => {
    const policy = parseFailOn(['invalid-utf8-text']);
    assert.equal(violationFails(policy, error1007), true);
    assert.equal(violationFails(policy, error1002), false);
  });

  it('none fails nothing', () => {
    const policy = parseFailOn('none');
    for (const v of [error1002, error1007, warning1003]) assert.equal(violationFails(policy, v), false);
    assert.equal(policy.text, 'none');
  });

  it('accepts repeated flags, spaces and duplicates', () => {
    const policy = parseFailOn([' 1007 , reserved-opcode', '1007']);
    assert.equal(policy.text, '1007,reserved-opcode');
    assert.equal(violationFails(policy, error1002), true);
    assert.equal(violationFails(policy, error1007), true);
    assert.equal(violationFails(policy, warning1003), false);
  });

  it('names the bad token of an invalid list', () => {
    assert.match(
      usageMessage(() => parseFailOn('1002,bogus')),
      /unknown entry "bogus"/,
    );
    assert.match(
      usageMessage(() => parseFailOn('1001')),
      /"1001" is not a violation close code \(wsdiag reports 1002, 1003, 1006, 1007, 1009, 1011\)/,
    );
    assert.match(
      usageMessage(() => parseFailOn('reserved-opcod')),
      /unknown entry "reserved-opcod" \(did you mean "reserved-opcode"\?\)/,
    );
    assert.match(
      usageMessage(() => parseFailOn('none,1002')),
      /"none" cannot be combined with other entries \(got "1002"\)/,
    );
    assert.match(
      usageMessage(() => parseFailOn(' , ')),
      /needs at least one of/,
    );
    assert.match(
      usageMessage(() => parseFailOn('ERROR')),
      /unknown entry "ERROR"/,
    );
  });
});

describe('exit code decision', () => {
  const exited = (code: number) => ({ kind: 'exited', code }) as const;
  const cases: Array<[string, Parameters<typeof decideExit>[0], number]> = [
    ['clean', { command: exited(0), failing: 0 }, 0],
    ['violations', { command: exited(0), failing: 2 }, 1],
    ['command failure wins over violations', { command: exited(7), failing: 2 }, 7],
    ['command failure of 1', { command: exited(1), failing: 0 }, 1],
    ['killed by SIGTERM', { command: { kind: 'signaled', signal: 'SIGTERM', signo: 15 }, failing: 3 }, 143],
    ['killed by SIGKILL', { command: { kind: 'signaled', signal: 'SIGKILL', signo: 9 }, failing: 0 }, 137],
    ['a report that could not be written', { command: exited(0), failing: 0, operationalFailure: true }, 3],
    ['violations win over an unwritten report', { command: exited(0), failing: 1, operationalFailure: true }, 1],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => assert.equal(decideExit(input).exitCode, expected));
  }

  it('explains itself', () => {
    assert.equal(decideExit({ command: exited(0), failing: 1 }).reason, '1 violation fails the run');
    assert.equal(decideExit({ command: exited(0), failing: 2 }).reason, '2 violations fail the run');
    assert.equal(decideExit({ command: exited(5), failing: 2 }).reason, 'the command exited with 5');
  });
});
