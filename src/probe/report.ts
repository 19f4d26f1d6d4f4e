/**
 * How a probe run is shown: a pass/fail matrix for people (one row per case, printed as each case
 * finishes, with the findings under it), JSON Lines for scripts (one `probe-case` object per case and a
 * final `probe-summary`), and JUnit XML for CI. Pure formatting: results in, text out.
 */
import { SCHEMA_VERSION, type Clock } from '../events.js';
import { attributes, escapeText } from '../ci/xml.js';
import { createPalette, type Palette } from '../reporters/color.js';
import { columnOf, plural, type FindingColumn, type ProbeFinding } from '../observe/index.js';
import type { ProbePlan, ProbeSummary } from './run.js';
import type { CaseResult } from './types.js';

// -------------------------------------------------------------------------------------------------
// Matrix

const COLUMNS: ReadonlyArray<readonly [FindingColumn, string]> = [
  ['handshake', 'hs'],
  ['client->server', 'c→s'],
  ['server->client', 's→c'],
  ['close', 'close'],
];

const NAME_WIDTH = 32;
const STATUS_LABEL = { pass: 'pass', warn: 'WARN', fail: 'FAIL', error: 'ERROR' } as const;

export class MatrixPrinter {
  private readonly p: Palette;
  constructor(private readonly write: (text: string) => void, color: boolean) {
    this.p = createPalette(color);
  }

  start(plan: ProbePlan): void {
    const via = plan.forwardProxy ? ` via CONNECT proxy ${plan.forwardProxy}` : '';
    this.write(`${this.p.emphasis('wsdiag probe')}: ${plan.through}${via} → reflector ${plan.reflector} (${plural(plan.cases.length, 'case')})\n\n`);
    const head = `  ${'case'.padEnd(NAME_WIDTH)} ${COLUMNS.map(([, label]) => label.padEnd(5)).join(' ')} ${'latency'.padStart(9)}  result`;
    this.write(`${this.p.label(head)}\n`);
  }

  result(r: CaseResult): void {
    const cells = COLUMNS.map(([column]) => this.cell(r.findings.filter((f) => columnOf(f) === column), r.status === 'error'));
    const latency = r.maxLatencyMs === null ? '-' : `${r.maxLatencyMs.toFixed(1)} ms`;
    const status = this.status(r);
    this.write(`  ${r.case.padEnd(NAME_WIDTH)} ${cells.join(' ')} ${latency.padStart(9)}  ${status}\n`);
    if (r.error) this.write(`      ${this.p.error('!')} ${r.error}\n`);
    for (const f of r.findings) this.write(`      ${this.mark(f)} ${this.p.muted(f.dir === null ? '' : `${arrow(f.dir)} `)}${this.p.rule(f.check)}: ${f.message}${f.rfc ? this.p.muted(` [${f.rfc}]`) : ''}\n`);
  }

  end(summary: ProbeSummary): void {
    const { counts } = summary;
    const parts = [
      this.p.good(`${counts.pass} passed`),
      counts.warn > 0 ? this.p.warning(`${counts.warn} with warnings`) : `${counts.warn} with warnings`,
      counts.fail > 0 ? this.p.error(`${counts.fail} failed`) : `${counts.fail} failed`,
      counts.error > 0 ? this.p.error(`${counts.error} could not run`) : `${counts.error} could not run`,
    ];
    this.write(`\n${summary.results.length} cases: ${parts.join(', ')} (${(summary.durationMs / 1000).toFixed(1)} s)\n`);
    if (counts.fail > 0) this.write('Failures are changes the intermediary made that RFC 6455 forbids; "wsdiag probe --help" lists the checks.\n');
  }

  private cell(findings: readonly ProbeFinding[], errored: boolean): string {
    const pad = (s: string) => s.padEnd(5);
    if (errored) return this.p.muted(pad('-'));
    if (findings.some((f) => f.severity === 'failure')) return this.p.error(pad('✗'));
    if (findings.some((f) => f.severity === 'warning')) return this.p.warning(pad('!'));
    if (findings.length > 0) return this.p.muted(pad('i'));
    return this.p.good(pad('✓'));
  }

  private status(r: CaseResult): string {
    const label = STATUS_LABEL[r.status];
    if (r.status === 'pass') return this.p.good(label);
    if (r.status === 'warn') return this.p.warning(label);
    return this.p.error(label);
  }

  private mark(f: ProbeFinding): string {
    if (f.severity === 'failure') return this.p.error('✗');
    if (f.severity === 'warning') return this.p.warning('!');
    return this.p.muted('i');
  }
}

function arrow(dir: string): string {
  return dir === 'client->server' ? 'c→s' : 's→c';
}

// -------------------------------------------------------------------------------------------------
// JSON Lines

export function caseLine(r: CaseResult, clock: Clock): string {
  return `${JSON.stringify({
    v: SCHEMA_VERSION,
    type: 'probe-case',
    ts: clock().toISOString(),
    case: r.case,
    status: r.status,
    duration_ms: r.durationMs,
    max_latency_ms: r.maxLatencyMs,
    error: r.error,
    findings: r.findings,
  })}\n`;
}

export function summaryLine(s: ProbeSummary, clock: Clock): string {
  const byCheck: Record<string, number> = {};
  for (const r of s.results) for (const f of r.findings) if (f.severity !== 'info') byCheck[f.check] = (byCheck[f.check] ?? 0) + 1;
  return `${JSON.stringify({
    v: SCHEMA_VERSION,
    type: 'probe-summary',
    ts: clock().toISOString(),
    through: s.through,
    reflector: s.reflector,
    forward_proxy: s.forwardProxy,
    cases: s.results.length,
    passed: s.counts.pass,
    warned: s.counts.warn,
    failed: s.counts.fail,
    errors: s.counts.error,
    duration_ms: s.durationMs,
    by_check: byCheck,
  })}\n`;
}

// -------------------------------------------------------------------------------------------------
// JUnit

export const PROBE_SUITE = 'wsdiag probe';

/**
 * One <testcase> per probe case (classname = the case's group), a <failure> per failing finding, an
 * <error> for a case that could not run, and the warnings and legal changes in <system-out>.
 */
export function renderProbeJunit(s: ProbeSummary, startedAt: Date): string {
  const failed = s.counts.fail;
  const errors = s.counts.error;
  const totals: Array<[string, string | number]> = [['tests', s.results.length], ['failures', failed], ['errors', errors], ['skipped', 0], ['time', seconds(s.durationMs)]];
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attributes([['name', PROBE_SUITE], ...totals])}>`,
    `  <testsuite${attributes([['name', PROBE_SUITE], ...totals, ['timestamp', startedAt.toISOString().replace(/\.\d{3}Z$/, '')]])}>`,
    '    <properties>',
    `      <property${attributes([['name', 'through'], ['value', s.through]])}/>`,
    `      <property${attributes([['name', 'reflector'], ['value', s.reflector]])}/>`,
    ...(s.forwardProxy ? [`      <property${attributes([['name', 'forward-proxy'], ['value', s.forwardProxy]])}/>`] : []),
    '    </properties>',
  ];
  for (const r of s.results) {
    const [group] = r.case.split('/');
    lines.push(`    <testcase${attributes([['name', r.case], ['classname', `${PROBE_SUITE}.${group}`], ['time', seconds(r.durationMs)]])}>`);
    if (r.status === 'error') {
      lines.push(`      <error${attributes([['message', r.error ?? 'could not run'], ['type', 'unreachable']])}>${escapeText(r.error ?? '')}</error>`);
    }
    for (const f of r.findings.filter((x) => x.severity === 'failure')) {
      lines.push(`      <failure${attributes([['message', `${f.check}: ${f.message}`], ['type', f.check]])}>${escapeText(findingText(f))}</failure>`);
    }
    const other = r.findings.filter((x) => x.severity !== 'failure');
    if (other.length > 0) lines.push(`      <system-out>${escapeText(other.map((f) => `${f.severity}: ${findingText(f)}`).join('\n'))}</system-out>`);
    lines.push('    </testcase>');
  }
  lines.push('  </testsuite>', '</testsuites>', '');
  return lines.join('\n');
}

function findingText(f: ProbeFinding): string {
  const parts = [`${f.check}${f.dir ? ` (${f.dir})` : ''}: ${f.message}`];
  if (f.blame) parts.push(`blame: ${f.blame}`);
  if (f.rule) parts.push(`rule: ${f.rule}`);
  if (f.rfc) parts.push(`rfc: ${f.rfc}`);
  return parts.join('\n');
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}
