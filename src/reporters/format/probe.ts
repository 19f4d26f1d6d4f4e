/**
 * The probe's events as the rows of its pass/fail matrix: a `probe-case` is one row (a cell per column:
 * handshake, each direction, close; the largest latency; the result) with its findings under it, and the
 * `probe-summary` the closing count. The rows carry no time: they line up under the matrix's heading
 * (`probeMatrixHeading`), as `wsdiag probe` prints them live and `wsdiag tail` shows them from a log.
 */
import type { CaseStatus, ProbeCaseEvent, ProbeFinding, ProbeSummaryEvent } from '../../events/index.js';
import { columnOf, type FindingColumn } from '../../observe/index.js';
import type { Palette } from '../color.js';
import type { FormatOptions } from './block.js';

const COLUMNS: ReadonlyArray<readonly [FindingColumn, string]> = [
  ['handshake', 'hs'],
  ['client->server', 'c→s'],
  ['server->client', 's→c'],
  ['close', 'close'],
];

const NAME_WIDTH = 32;
const STATUS_LABEL = { pass: 'pass', warn: 'WARN', fail: 'FAIL', error: 'ERROR' } as const;

/** The matrix's column heading, printed once before the first row. */
export function probeMatrixHeading(c: Palette): string {
  return `${c.label(`  ${'case'.padEnd(NAME_WIDTH)} ${COLUMNS.map(([, label]) => label.padEnd(5)).join(' ')} ${'latency'.padStart(9)}  result`)}\n`;
}

export function probeCase(e: ProbeCaseEvent, { palette: c }: FormatOptions): string {
  const cells = COLUMNS.map(([column]) =>
    cell(
      c,
      e.findings.filter((f) => columnOf(f) === column),
      e.status === 'error',
    ),
  );
  const latency = e.max_latency_ms === null ? '-' : `${e.max_latency_ms.toFixed(1)} ms`;
  const lines = [`  ${e.case.padEnd(NAME_WIDTH)} ${cells.join(' ')} ${latency.padStart(9)}  ${status(c, e.status)}`];
  if (e.error) lines.push(`      ${c.error('!')} ${e.error}`);
  for (const f of e.findings) {
    lines.push(
      `      ${mark(c, f)} ${c.muted(f.dir === null ? '' : `${arrow(f.dir)} `)}${c.rule(f.check)}: ${f.message}${f.rfc ? c.muted(` [${f.rfc}]`) : ''}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

export function probeSummary(e: ProbeSummaryEvent, { palette: c }: FormatOptions): string {
  const parts = [
    c.good(`${e.passed} passed`),
    e.warned > 0 ? c.warning(`${e.warned} with warnings`) : `${e.warned} with warnings`,
    e.failed > 0 ? c.error(`${e.failed} failed`) : `${e.failed} failed`,
    e.errors > 0 ? c.error(`${e.errors} could not run`) : `${e.errors} could not run`,
  ];
  let text = `\n${e.cases} cases: ${parts.join(', ')} (${(e.duration_ms / 1000).toFixed(1)} s)\n`;
  if (e.failed > 0) text += 'Failures are changes the intermediary made that RFC 6455 forbids; "wsdiag probe --help" lists the checks.\n';
  return text;
}

function cell(c: Palette, findings: readonly ProbeFinding[], errored: boolean): string {
  const pad = (s: string) => s.padEnd(5);
  if (errored) return c.muted(pad('-'));
  if (findings.some((f) => f.severity === 'failure')) return c.error(pad('✗'));
  if (findings.some((f) => f.severity === 'warning')) return c.warning(pad('!'));
  if (findings.length > 0) return c.muted(pad('i'));
  return c.good(pad('✓'));
}

function status(c: Palette, value: CaseStatus): string {
  const label = STATUS_LABEL[value];
  if (value === 'pass') return c.good(label);
  if (value === 'warn') return c.warning(label);
  return c.error(label);
}

function mark(c: Palette, f: ProbeFinding): string {
  if (f.severity === 'failure') return c.error('✗');
  if (f.severity === 'warning') return c.warning('!');
  return c.muted('i');
}

function arrow(dir: string): string {
  return dir === 'client->server' ? 'c→s' : 's→c';
}
