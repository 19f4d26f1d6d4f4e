/**
 * What fails a `wsdiag ci` run, as pure functions: `--fail-on` parsed into a policy, a violation tested
 * against it, and the run's exit code decided from the command's outcome and the failing violations.
 * No I/O here, so the whole exit-code matrix (DESIGN §5) is testable without spawning anything.
 */
import { ConfigError } from '../errors.js';
import { VIOLATION_CODES, type Severity } from '../events/index.js';
import { closestRuleId, findRule } from '../rules/index.js';

/**
 * A violation fails the run when it matches any selector. `warning` is a threshold ("warnings and
 * worse"), so it also takes in errors; codes and rule ids match whatever the severity.
 */
export interface FailOnPolicy {
  /** The list as the user wrote it (normalised), for messages: "error", "1002,1003", "none". */
  readonly text: string;
  readonly severities: ReadonlySet<Severity>;
  readonly codes: ReadonlySet<number>;
  readonly rules: ReadonlySet<string>;
}

/** The subset of a violation event the policy looks at. */
export interface ViolationFacts {
  rule: string;
  code: number;
  severity: Severity;
}

/** The default: every error-severity violation fails the run. */
export const DEFAULT_FAIL_ON: FailOnPolicy = Object.freeze({
  text: 'error',
  severities: new Set<Severity>(['error']),
  codes: new Set<number>(),
  rules: new Set<string>(),
});

/**
 * Parses `--fail-on` values (each comma-separated; the flag may be repeated). Tokens: `error`,
 * `warning`, `none`, a violation close code, or a rule id. `none` must stand alone: "none,1002" is
 * ambiguous, so it is refused rather than guessed.
 */
export function parseFailOn(values: string | readonly string[]): FailOnPolicy {
  const tokens = (typeof values === 'string' ? [values] : values)
    .flatMap((value) => value.split(','))
    .map((token) => token.trim())
    .filter((token) => token !== '');
  if (tokens.length === 0) {
    throw new ConfigError(
      'failOn',
      (n) => `${n('failOn')} needs at least one of: error, warning, none, a close code (${VIOLATION_CODES.join(', ')}) or a rule id`,
    );
  }
  if (tokens.includes('none')) {
    if (tokens.length > 1) {
      // "none,none" has no other entry to name: it is the repeated "none" that is refused.
      const other = tokens.find((token) => token !== 'none') ?? 'none';
      throw new ConfigError('failOn', (n) => `${n('failOn')} "none" cannot be combined with other entries (got "${other}")`);
    }
    return { text: 'none', severities: new Set(), codes: new Set(), rules: new Set() };
  }
  const severities = new Set<Severity>();
  const codes = new Set<number>();
  const rules = new Set<string>();
  for (const token of tokens) {
    if (token === 'error') severities.add('error');
    else if (token === 'warning') {
      severities.add('warning');
      severities.add('error');
    } else if (/^\d+$/.test(token)) codes.add(parseCode(token));
    else if (findRule(token)) rules.add(token);
    else throw unknownToken(token);
  }
  return { text: [...new Set(tokens)].join(','), severities, codes, rules };
}

function parseCode(token: string): number {
  const code = Number(token);
  if (!(VIOLATION_CODES as readonly number[]).includes(code)) {
    throw new ConfigError(
      'failOn',
      (n) => `${n('failOn')}: "${token}" is not a violation close code (wsdiag reports ${VIOLATION_CODES.join(', ')})`,
    );
  }
  return code;
}

function unknownToken(token: string): ConfigError {
  const near = closestRuleId(token);
  const suggestion = near ? ` (did you mean "${near}"?)` : '';
  return new ConfigError(
    'failOn',
    (n) =>
      `${n('failOn')}: unknown entry "${token}"${suggestion}; use error, warning, none, a close code (${VIOLATION_CODES.join(', ')}) or a rule id (wsdiag explain lists them)`,
  );
}

/** True when this violation fails the run under the policy. */
export function violationFails(policy: FailOnPolicy, violation: ViolationFacts): boolean {
  return policy.severities.has(violation.severity) || policy.codes.has(violation.code) || policy.rules.has(violation.rule);
}

/** How the wrapped command ended. */
export type CommandOutcome =
  | { kind: 'exited'; code: number }
  /** Killed by a signal; `signo` is its number (SIGTERM = 15). */
  | { kind: 'signaled'; signal: string; signo: number };

export interface RunVerdictInput {
  command: CommandOutcome;
  /** Violations that match --fail-on, suppressed ones included. */
  failing: number;
  /** Operational problems that make the run untrustworthy (a report that could not be written). */
  operationalFailure?: boolean;
  /** Set when no WebSocket connection ever opened and the target does not answer: the gate saw nothing. */
  upstreamUnreachable?: string;
}

export interface RunVerdict {
  exitCode: number;
  /** One sentence for the log: why this exit code. */
  reason: string;
}

/**
 * The exit code of a run. The command's own failure wins (its tests failed, whatever we saw); a command
 * killed by a signal gives 128 + the signal number, as a shell reports it. Then violations (1), then our
 * own operational failures (3), otherwise 0.
 */
export function decideExit({ command, failing, operationalFailure = false, upstreamUnreachable }: RunVerdictInput): RunVerdict {
  if (command.kind === 'signaled') {
    return { exitCode: 128 + command.signo, reason: `the command was killed by ${command.signal}` };
  }
  if (command.code !== 0) return { exitCode: command.code, reason: `the command exited with ${command.code}` };
  if (failing > 0) {
    const what = failing === 1 ? '1 violation fails' : `${failing} violations fail`;
    return { exitCode: 1, reason: `${what} the run` };
  }
  if (operationalFailure) return { exitCode: 3, reason: 'wsdiag could not complete the run' };
  // A green command that never reached the server proves nothing about the traffic (DESIGN §5: 3).
  if (upstreamUnreachable !== undefined)
    return { exitCode: 3, reason: `no WebSocket connection reached the upstream: ${upstreamUnreachable}` };
  return { exitCode: 0, reason: 'no violation fails the run' };
}
