/**
 * The JUnit XML report of a `wsdiag ci` run, as CI systems render it (GitHub Actions reporters, GitLab,
 * Jenkins): one <testsuite name="wsdiag">, one <testcase> per WebSocket connection, a <failure> per
 * violation that fails the run, and the connection's story (open, the endpoints' Closes, errors, the
 * TCP close) in <system-out>. Pure: records in, a string out (written by the shared JUnit writer).
 *
 * Counting follows the Ant convention every consumer understands: `failures`, `errors` and `skipped`
 * count test cases, so they never exceed `tests`. A connection with failing violations is a failure;
 * one without, but with an operational error (non-101 answer, unreachable upstream), is an error.
 */
import { splitConnId } from '../conn-id.js';
import type { ErrorEvent, ViolationEvent, WsdiagEvent } from '../events/index.js';
import { opcodeName } from '../protocol/index.js';
import { createPalette, formatEvent, renderJunitXml, type JunitCase, type JunitProblem } from '../reporters/index.js';
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

export function renderJunit(input: JunitInput): string {
  return renderJunitXml({
    name: SUITE_NAME,
    startedAt: input.startedAt,
    durationMs: input.durationMs,
    properties: input.properties,
    cases: input.connections.length > 0 ? input.connections.map(connectionCase) : [noConnectionsCase()],
    systemErr: input.runErrors.map(story).join(''),
  });
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

function connectionCase(record: ConnectionRecord): JunitCase {
  const suppressedFailing = [...record.suppressed.values()].filter((entry) => entry.failing > 0);
  return {
    name: testCaseName(record),
    classname: testCaseClassName(record),
    durationMs: record.close?.duration_ms ?? 0,
    failures: [...record.failing.map(failure), ...suppressedFailing.map(suppressedFailure)],
    // Errors of a failed case are in its story (a JUnit case has failures or errors, not both).
    errors: record.errors.map(errorProblem),
    systemOut: storyText(record),
  };
}

function failure(violation: ViolationEvent): JunitProblem {
  return { message: `${violation.rule} (${violation.code})`, type: violation.rule, text: failureBody(violation) };
}

/** The failure's text: where, who, what, how to fix it, and the RFC section. */
export function failureBody(violation: ViolationEvent): string {
  const where =
    violation.frame === null
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

function suppressedFailure(entry: SuppressedCount): JunitProblem {
  const text =
    `${entry.failing} more ${entry.failing === 1 ? 'violation' : 'violations'} of ${entry.rule} on this connection ` +
    'were counted but not logged one by one (--max-per-rule); the first ones are above.';
  return { message: `${entry.rule} (${entry.code}): ${entry.failing} more`, type: entry.rule, text };
}

function errorProblem(error: ErrorEvent): JunitProblem {
  return { message: error.message, type: error.status === undefined ? 'wsdiag-error' : `http-${error.status}`, text: error.message };
}

/**
 * The connection's story as the live log showed it (same text, no colour): open, the violations that do
 * not fail the run (the failing ones are the <failure> elements), Closes with their explanations,
 * errors, and the TCP close; then a line per rule whose violations were only counted.
 */
function storyText(record: ConnectionRecord): string {
  const failing = new Set<ViolationEvent>(record.failing);
  const parts = record.story.filter((event) => !(event.type === 'violation' && failing.has(event))).map(story);
  for (const entry of record.suppressed.values()) {
    parts.push(
      `${entry.count} more ${entry.rule} (${entry.code}) ${entry.count === 1 ? 'violation was' : 'violations were'} counted but not logged (--max-per-rule).\n`,
    );
  }
  return parts.join('');
}

function story(event: WsdiagEvent): string {
  return formatEvent(event, { palette: PLAIN });
}

function noConnectionsCase(): JunitCase {
  const message =
    'The command never dialled WSDIAG_URL: wsdiag saw no WebSocket connection, so nothing was checked. ' +
    "Point the tests' WebSocket client at process.env.WSDIAG_URL (or WSDIAG_HTTP_URL for HTTP).";
  return { name: NO_CONNECTIONS_NAME, classname: SUITE_NAME, durationMs: 0, skipped: message };
}
