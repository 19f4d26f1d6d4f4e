/**
 * JUnit XML, the one writer every command's report goes through (`ci --junit`, `probe --junit`), as CI
 * systems render it (GitHub Actions reporters, GitLab, Jenkins). The command says what its test cases are;
 * this module says how JUnit writes them. Pure: a report in, a string out.
 *
 * Counting follows the Ant convention every consumer understands: `failures`, `errors` and `skipped`
 * count test cases, so they never exceed `tests`. The schema allows failures or errors in a test case,
 * not both: a case with failures is a failure, and its errors are not written (say them in systemOut).
 */
import { attributes, escapeText } from './xml.js';

export interface JunitProblem {
  /** One line, for the element's `message` attribute. */
  message: string;
  type: string;
  /** The element's text. */
  text: string;
}

export interface JunitCase {
  name: string;
  classname: string;
  durationMs: number;
  failures?: readonly JunitProblem[];
  errors?: readonly JunitProblem[];
  /** Why the case was skipped; absent when it ran. */
  skipped?: string;
  systemOut?: string;
}

export interface JunitReport {
  /** The suite's (and the file's) name. */
  name: string;
  startedAt: Date;
  durationMs: number;
  properties: ReadonlyArray<readonly [string, string]>;
  cases: readonly JunitCase[];
  /** What belongs to no case (errors of the whole run). */
  systemErr?: string;
}

type Outcome = 'passed' | 'failed' | 'error' | 'skipped';

function outcomeOf(c: JunitCase): Outcome {
  if (c.failures && c.failures.length > 0) return 'failed';
  if (c.errors && c.errors.length > 0) return 'error';
  return c.skipped !== undefined ? 'skipped' : 'passed';
}

export function renderJunitXml(report: JunitReport): string {
  const outcomes = report.cases.map(outcomeOf);
  const count = (outcome: Outcome) => outcomes.filter((o) => o === outcome).length;
  const totals: Array<[string, string | number]> = [
    ['tests', report.cases.length],
    ['failures', count('failed')],
    ['errors', count('error')],
    ['skipped', count('skipped')],
    ['time', seconds(report.durationMs)],
  ];
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attributes([['name', report.name], ...totals])}>`,
    `  <testsuite${attributes([['name', report.name], ...totals, ['timestamp', junitTimestamp(report.startedAt)]])}>`,
  ];
  if (report.properties.length > 0) {
    lines.push('    <properties>');
    for (const [name, value] of report.properties)
      lines.push(
        `      <property${attributes([
          ['name', name],
          ['value', value],
        ])}/>`,
      );
    lines.push('    </properties>');
  }
  report.cases.forEach((c, i) => lines.push(caseXml(c, outcomes[i] ?? 'passed')));
  if (report.systemErr !== undefined && report.systemErr !== '') lines.push(`    <system-err>${escapeText(report.systemErr)}</system-err>`);
  lines.push('  </testsuite>', '</testsuites>', '');
  return lines.join('\n');
}

function caseXml(c: JunitCase, outcome: Outcome): string {
  const lines = [
    `    <testcase${attributes([
      ['name', c.name],
      ['classname', c.classname],
      ['time', seconds(c.durationMs)],
    ])}>`,
  ];
  if (outcome === 'skipped') lines.push(`      <skipped${attributes([['message', c.skipped ?? '']])}/>`);
  const problems =
    outcome === 'failed'
      ? (c.failures ?? []).map((p) => ['failure', p] as const)
      : outcome === 'error'
        ? (c.errors ?? []).map((p) => ['error', p] as const)
        : [];
  for (const [element, p] of problems)
    lines.push(
      `      <${element}${attributes([
        ['message', p.message],
        ['type', p.type],
      ])}>${escapeText(p.text)}</${element}>`,
    );
  if (c.systemOut !== undefined && c.systemOut !== '') lines.push(`      <system-out>${escapeText(c.systemOut)}</system-out>`);
  lines.push('    </testcase>');
  return lines.join('\n');
}

function seconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3);
}

/** The JUnit schema's timestamp: ISO 8601 without fraction or zone (ours is UTC). */
function junitTimestamp(date: Date): string {
  return date.toISOString().slice(0, 19);
}
