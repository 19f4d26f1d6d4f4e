/**
 * A probe run as events: a `probe-case` per case and a `probe-summary` (src/events/probe.ts), which the
 * shared reporters show (the matrix rows are the probe-case formatter's, src/reporters/format/probe.ts)
 * or write as JSON Lines, and the JUnit report through the shared writer. Pure: results in, events and
 * text out.
 */
import { SCHEMA_VERSION, type Clock, type ProbeCaseEvent, type ProbeFinding, type ProbeSummaryEvent } from '../events/index.js';
import { probeMatrixHeading, type Palette, renderJunitXml, type JunitCase } from '../reporters/index.js';
import { plural } from '../text.js';
import type { ProbePlan, ProbeSummary } from './run.js';
import type { CaseResult } from './types.js';

/** What the matrix starts with: the run's target, then the column heading. */
export function probeHeading(plan: ProbePlan, c: Palette): string {
  const via = plan.forwardProxy ? ` via CONNECT proxy ${plan.forwardProxy}` : '';
  return `${c.emphasis('wsdiag probe')}: ${plan.through}${via} → reflector ${plan.reflector} (${plural(plan.cases.length, 'case')})\n\n${probeMatrixHeading(c)}`;
}

export function caseEvent(r: CaseResult, clock: Clock): ProbeCaseEvent {
  return {
    v: SCHEMA_VERSION,
    type: 'probe-case',
    ts: clock().toISOString(),
    case: r.case,
    status: r.status,
    duration_ms: r.durationMs,
    max_latency_ms: r.maxLatencyMs,
    error: r.error,
    findings: r.findings,
  };
}

export function summaryEvent(s: ProbeSummary, clock: Clock): ProbeSummaryEvent {
  const byCheck: Record<string, number> = {};
  for (const r of s.results) for (const f of r.findings) if (f.severity !== 'info') byCheck[f.check] = (byCheck[f.check] ?? 0) + 1;
  return {
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
  };
}

// -------------------------------------------------------------------------------------------------
// JUnit

export const PROBE_SUITE = 'wsdiag probe';

/**
 * One <testcase> per probe case (classname = the case's group), a <failure> per failing finding, an
 * <error> for a case that could not run, and the warnings and legal changes in <system-out>.
 */
export function renderProbeJunit(s: ProbeSummary, startedAt: Date): string {
  const properties: Array<[string, string]> = [
    ['through', s.through],
    ['reflector', s.reflector],
  ];
  if (s.forwardProxy) properties.push(['forward-proxy', s.forwardProxy]);
  return renderJunitXml({ name: PROBE_SUITE, startedAt, durationMs: s.durationMs, properties, cases: s.results.map(probeCase) });
}

function probeCase(r: CaseResult): JunitCase {
  const [group] = r.case.split('/');
  const other = r.findings.filter((x) => x.severity !== 'failure');
  return {
    name: r.case,
    classname: `${PROBE_SUITE}.${group ?? r.case}`,
    durationMs: r.durationMs,
    failures: r.findings
      .filter((x) => x.severity === 'failure')
      .map((f) => ({ message: `${f.check}: ${f.message}`, type: f.check, text: findingText(f) })),
    errors: r.status === 'error' ? [{ message: r.error ?? 'could not run', type: 'unreachable', text: r.error ?? '' }] : [],
    systemOut: other.map((f) => `${f.severity}: ${findingText(f)}`).join('\n'),
  };
}

function findingText(f: ProbeFinding): string {
  const parts = [`${f.check}${f.dir ? ` (${f.dir})` : ''}: ${f.message}`];
  if (f.blame) parts.push(`blame: ${f.blame}`);
  if (f.rule) parts.push(`rule: ${f.rule}`);
  if (f.rfc) parts.push(`rfc: ${f.rfc}`);
  return parts.join('\n');
}
