/**
 * The JUnit XML report of a `wsdiag ci` run, as CI systems render it (GitHub Actions reporters, GitLab,
 * Jenkins): one <testsuite name="wsdiag">, one <testcase> per WebSocket connection, a <failure> per
 * violation that fails the run, and the connection's story (open, the endpoints' Closes, errors, the
 * TCP close) in <system-out>. Pure: records in, a string out.
 *
 * Counting follows the Ant convention every consumer understands: `failures`, `errors` and `skipped`
 * count test cases, so they never exceed `tests`. A connection with failing violations is a failure;
 * one without, but with an operational error (non-101 answer, unreachable upstream), is an error.
 */
import { splitConnId } from '../conn-id.js';
import type { ErrorEvent, ViolationEvent } from '../events.js';
import { opcodeName } from '../protocol/constants.js';
import { createPalette } from '../reporters/color.js';
import { formatEvent } from '../reporters/pretty-format.js';
import { attributes, escapeText } from './xml.js';
import type { ConnectionRecord, SuppressedCount } from './recorder.js';

export interface JunitInput {
  /** When the run started (the suite's timestamp). */
  startedAt: Date;
  /** How long the run took, command and proxy shutdown included. */
  durationMs: number;
  connections: readonly ConnectionRecord[];
  /** Errors that belong to no connection; shown in the suite's <system-err>. */
  runErrors: readonly ErrorEvent[];
  /** Shown as <properties>: target, fail-on, command… */
  properties: ReadonlyArray<readonly [string, string]>;
}

export const SUITE_NAME = 'wsdiag';
export const NO_CONNECTIONS_NAME = 'no WebSocket connections';

const PLAIN = createPalette(false);

interface CaseXml {
  xml: string;
  outcome: 'passed' | 'failed' | 'error' | 'skipped';
}

export function renderJunit(input: JunitInput): string {
  const cases = input.connections.length > 0 ? input.connections.map(connectionCase) : [noConnectionsCase()];
  const count = (outcome: CaseXml['outcome']) => cases.filter((c) => c.outcome === outcome).length;
  const time = seconds(input.durationMs);
  const totals: Array<[string, string | number]> = [
    ['tests', cases.length],
    ['failures', count('failed')],
    ['errors', count('error')],
    ['skipped', count('skipped')],
    ['time', time],
  ];
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attributes([['name', SUITE_NAME], ...totals])}>`,
    `  <testsuite${attributes([['name', SUITE_NAME], ...totals, ['timestamp', junitTimestamp(input.startedAt)]])}>`,
  ];
  if (input.properties.length > 0) {
    lines.push('    <properties>');
    for (const [name, value] of input.properties) lines.push(`      <property${attributes([['name', name], ['value', value]])}/>`);
    lines.push('    </properties>');
  }
  for (const c of cases) lines.push(c.xml);
  if (input.runErrors.length > 0) {
    lines.push(`    <system-err>${escapeText(input.runErrors.map(story).join(''))}</system-err>`);
  }
  lines.push('  </testsuite>', '</testsuites>', '');
  return lines.join('\n');
}

/**
 * `/chat (c1)`; the query string and the run id (`k3f9x2-c1`) are left out so names stay the same from one
 * run to the next, as CI servers that track tests over time need.
 */
export function testCaseName(record: ConnectionRecord): string {
  return `${casePath(record) ?? '(upgrade not completed)'} (${splitConnId(record.conn).local})`;
}

export function testCaseClassName(record: ConnectionRecord): string {
  return `${SUITE_NAME}.${casePath(record) ?? 'upgrade'}`;
}

function casePath(record: ConnectionRecord): string | undefined {
  if (!record.open) return undefined;
  const path = record.open.path.split('?')[0] ?? '';
  return path === '' ? '/' : path;
}

function connectionCase(record: ConnectionRecord): CaseXml {
  const head = `    <testcase${attributes([
    ['name', testCaseName(record)],
    ['classname', testCaseClassName(record)],
    ['time', seconds(record.close?.duration_ms ?? 0)],
  ])}>`;
  const body: string[] = [];
  const suppressedFailing = [...record.suppressed.values()].filter((entry) => entry.failing > 0);
  const failed = record.failing.length > 0 || suppressedFailing.length > 0;
  for (const violation of record.failing) body.push(failureXml(violation));
  for (const entry of suppressedFailing) body.push(suppressedFailureXml(entry));
  // The Ant schema allows failures or errors in a test case, not both: errors of a failed case go to
  // its story instead.
  const errored = !failed && record.errors.length > 0;
  if (errored) for (const error of record.errors) body.push(errorXml(error));

  const out = storyText(record);
  if (out !== '') body.push(`      <system-out>${escapeText(out)}</system-out>`);
  const outcome = failed ? 'failed' : errored ? 'error' : 'passed';
  return { xml: [head, ...body, '    </testcase>'].join('\n'), outcome };
}

function failureXml(violation: ViolationEvent): string {
  const message = `${violation.rule} (${violation.code})`;
  return `      <failure${attributes([['message', message], ['type', violation.rule]])}>${escapeText(failureBody(violation))}</failure>`;
}

/** The failure's text: where, who, what, how to fix it, and the RFC section. */
export function failureBody(violation: ViolationEvent): string {
  const where = violation.frame === null
    ? 'during the handshake (no frame)'
    : `frame #${violation.frame.index} @ offset ${violation.frame.offset}, opcode 0x${violation.frame.opcode.toString(16)} (${opcodeName(violation.frame.opcode)}), length ${violation.frame.length}`;
  const lines = [
    `${violation.dir} ${where}`,
    `blame: ${violation.blame}`,
    violation.message,
    `fix: ${violation.hint}`,
    `rfc: ${violation.rfc}`,
  ];
  if (violation.preview !== undefined) lines.push(`preview: ${violation.preview}`);
  return lines.join('\n');
}

function suppressedFailureXml(entry: SuppressedCount): string {
  const message = `${entry.rule} (${entry.code}): ${entry.failing} more`;
  const body = `${entry.failing} more ${entry.failing === 1 ? 'violation' : 'violations'} of ${entry.rule} on this connection ` +
    'were counted but not logged one by one (--max-per-rule); the first ones are above.';
  return `      <failure${attributes([['message', message], ['type', entry.rule]])}>${escapeText(body)}</failure>`;
}

function errorXml(error: ErrorEvent): string {
  const type = error.status === undefined ? 'wsdiag-error' : `http-${error.status}`;
  return `      <error${attributes([['message', error.message], ['type', type]])}>${escapeText(error.message)}</error>`;
}

/**
 * The connection's story as the live log showed it (same text, no colour): open, the violations that do
 * not fail the run (the failing ones are the <failure> elements), Closes with their explanations,
 * errors, and the TCP close; then a line per rule whose violations were only counted.
 */
function storyText(record: ConnectionRecord): string {
  const failing = new Set<ViolationEvent>(record.failing);
  const parts = record.story
    .filter((event) => !(event.type === 'violation' && failing.has(event)))
    .map(story);
  for (const entry of record.suppressed.values()) {
    parts.push(`${entry.count} more ${entry.rule} (${entry.code}) ${entry.count === 1 ? 'violation was' : 'violations were'} counted but not logged (--max-per-rule).\n`);
  }
  return parts.join('');
}

function story(event: Parameters<typeof formatEvent>[0]): string {
  return formatEvent(event, { palette: PLAIN });
}

function noConnectionsCase(): CaseXml {
  const message = 'The command never dialled WSDIAG_URL: wsdiag saw no WebSocket connection, so nothing was checked. ' +
    'Point the tests\' WebSocket client at process.env.WSDIAG_URL (or WSDIAG_HTTP_URL for HTTP).';
  const xml = [
    `    <testcase${attributes([['name', NO_CONNECTIONS_NAME], ['classname', SUITE_NAME], ['time', '0.000']])}>`,
    `      <skipped${attributes([['message', message]])}/>`,
    '    </testcase>',
  ].join('\n');
  return { xml, outcome: 'skipped' };
}

function seconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3);
}

/** The JUnit schema's timestamp: ISO 8601 without fraction or zone (ours is UTC). */
function junitTimestamp(date: Date): string {
  return date.toISOString().slice(0, 19);
}
