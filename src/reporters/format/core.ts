/**
 * The core events' text: a connection's story (listening, open, frame, violation, peer-close, close,
 * error, summary). Pure: event in, lines out (via Block), so `tail` shows a log exactly as the live proxy did.
 */
import {
  DIRECTIONS,
  type CloseEvent,
  type PeerCloseCause,
  type ErrorEvent,
  type FrameEvent,
  type FrameRef,
  type ListeningEvent,
  type OpenEvent,
  type PeerCloseEvent,
  type SummaryEvent,
  type ViolationEvent,
} from '../../events/index.js';
import { closeCodeName, opcodeName } from '../../protocol/index.js';
import { findRule } from '../../rules/index.js';
import { formatBytes, formatDuration, hostPort, plural, printable as p } from '../../text.js';
import { Block, MARK, labelled } from './block.js';

export function listening(b: Block, e: ListeningEvent): void {
  b.header(
    `listening on ${b.c.emphasis(hostPort(p(e.address), e.port))}`,
    labelled(b.c, 'target', p(e.target)),
    // The run id starts every connection id of this run; logs from before run ids have none.
    e.run === undefined ? '' : labelled(b.c, 'run', p(e.run)),
    ...(e.ui !== undefined ? [labelled(b.c, 'dashboard', p(e.ui))] : []),
    ...(e.workers !== undefined ? [labelled(b.c, 'workers', String(e.workers))] : []),
  );
}

export function open(b: Block, e: OpenEvent): void {
  b.header(
    `${b.c.conn(p(e.conn))} ${b.c.good('open')}`,
    labelled(b.c, 'client', p(e.client)),
    labelled(b.c, 'path', p(e.path)),
    labelled(b.c, 'subprotocol', e.subprotocol === null ? 'none' : p(e.subprotocol)),
    labelled(b.c, 'extensions', e.extensions === null ? 'none' : p(e.extensions)),
    ...(e.target !== undefined ? [labelled(b.c, 'target', p(e.target))] : []),
  );
  // What addons (policies, routes, profiles) decided for this connection, and where each came from.
  const settings = Object.entries(e.settings ?? {}).map(([name, source]) => `${name.replaceAll('_', ' ')} from ${source}`);
  if (settings.length > 0) b.sentence('settings', settings.join('; '));
}

function opcodeText(opcode: number): string {
  return `opcode 0x${opcode.toString(16)} (${opcodeName(opcode)})`;
}

export function frame(b: Block, e: FrameEvent): void {
  const flags = (['fin', 'rsv1', 'rsv2', 'rsv3', 'masked'] as const).filter((flag) => e[flag]);
  b.header(
    `${b.c.conn(p(e.conn))} ${p(e.dir)} frame #${e.index} @ ${e.offset}`,
    opcodeText(e.opcode),
    flags.length > 0 ? flags.join(' ') : 'no flags',
    `length ${e.length}`,
  );
}

function frameRefText(ref: FrameRef): string {
  return `frame #${ref.index} @ offset ${ref.offset}  ${opcodeText(ref.opcode)}  length ${ref.length}`;
}

export function violation(b: Block, e: ViolationEvent): void {
  const paint = e.severity === 'warning' ? b.c.warning : b.c.error;
  b.header(
    `${paint(`${MARK[e.severity]} ${e.code}`)} ${b.c.rule(p(e.rule))}`,
    `${b.c.conn(p(e.conn))} ${p(e.dir)}`,
    labelled(b.c, 'blame:', b.c.emphasis(p(e.blame))),
  );
  b.detail(e.frame === null ? 'during the handshake (no frame)' : frameRefText(e.frame));
  b.sentence('', e.message);
  b.sentence('fix', e.hint);
  b.detail(labelled(b.c, 'rfc:', p(e.rfc)));
  if (e.preview !== undefined) b.detail(labelled(b.c, 'preview:', p(e.preview)));
}

function closeCodeText(code: number | null): string {
  return code === null ? 'no code (empty body)' : `code ${code} (${closeCodeName(code)})`;
}

export function peerClose(b: Block, e: PeerCloseEvent): void {
  b.header(
    `${b.c.conn(p(e.conn))} ${b.c.emphasis('peer-close')} by ${p(e.by)}`,
    closeCodeText(e.code),
    e.reason === '' ? '' : labelled(b.c, 'reason', `"${p(e.reason)}"`),
    // A Close that is nobody's fault (a normal close, an answer) names no culprit.
    e.blame === null ? '' : labelled(b.c, 'blame:', b.c.emphasis(p(e.blame))),
  );
  b.sentence('', e.explain);
  if (e.cause !== null) b.detail(labelled(b.c, 'cause:', causeText(b, e.cause)));
}

export function close(b: Block, e: CloseEvent): void {
  const traffic = DIRECTIONS.map((dir) => `${dir} ${plural(e.frames[dir], 'frame')} ${formatBytes(e.bytes[dir])}`);
  const violations = e.violations > 0 ? b.c.error(plural(e.violations, 'violation')) : plural(e.violations, 'violation');
  b.header(
    `${b.c.conn(p(e.conn))} ${b.c.emphasis('close')}`,
    `after ${formatDuration(e.duration_ms)}`,
    ...traffic,
    `${violations} (${e.suppressed} suppressed)`,
    e.ended_by === undefined ? '' : `ended by ${p(e.ended_by)}${e.how === undefined ? '' : ` (${p(e.how)})`}`,
  );
  if (e.explain !== undefined) b.sentence('', e.explain);
  if (e.cause) b.detail(labelled(b.c, 'cause:', causeText(b, e.cause)));
}

function causeText(b: Block, cause: PeerCloseCause): string {
  const where = cause.frame === null ? 'handshake' : `frame #${cause.frame.index} @ offset ${cause.frame.offset}`;
  return `${b.c.rule(p(cause.rule))} (${p(cause.dir)}, ${where})`;
}

export function error(b: Block, e: ErrorEvent): void {
  b.header(b.c.error(`${MARK.error} error`), e.conn === null ? '' : b.c.conn(p(e.conn)), e.status === undefined ? '' : `HTTP ${e.status}`);
  b.sentence('', e.message);
}

/** The clients the proxy turned away at its limits, when there were any. */
function refusals(b: Block, refused: NonNullable<SummaryEvent['refused']>): void {
  const total = refused.max_connections + refused.header_timeout;
  if (total === 0) return;
  const parts = [
    refused.max_connections > 0 ? `${refused.max_connections} at --max-connections (503)` : '',
    refused.header_timeout > 0 ? `${refused.header_timeout} at --header-timeout (408)` : '',
  ].filter((part) => part !== '');
  b.detail(`${b.c.warning(`refused ${plural(total, 'client')}`)}: ${parts.join(', ')}`);
}

/** The faults `wsdiag chaos` injected, per toxic, most first. */
function injected(b: Block, faults: Record<string, number>): void {
  const entries = Object.entries(faults).sort(([a, x], [c, y]) => y - x || (a < c ? -1 : a > c ? 1 : 0));
  const total = entries.reduce((sum, [, count]) => sum + count, 0);
  b.detail(`${b.c.warning(`injected ${plural(total, 'fault')}`)}: ${entries.map(([toxic, count]) => `${p(toxic)} ${count}`).join(', ')}`);
}

export function summary(b: Block, e: SummaryEvent): void {
  const violations = e.violations > 0 ? b.c.error(plural(e.violations, 'violation')) : b.c.good('no violations');
  b.header(b.c.emphasis('summary'), plural(e.connections, 'connection'), violations);
  if (e.refused) refusals(b, e.refused);
  if (e.faults) injected(b, e.faults);
  if (e.violations === 0) return;
  // Most frequent first; ties by rule id so the table is stable.
  const rows = Object.entries(e.by_rule)
    .sort(([ruleA, countA], [ruleB, countB]) => countB - countA || (ruleA < ruleB ? -1 : ruleA > ruleB ? 1 : 0))
    .map(([rule, count]) => [p(rule), String(findRule(rule)?.code ?? '?'), String(count)] as const);
  const itemised = rows.reduce((sum, [, , count]) => sum + Number(count), 0);
  // Suppressed violations known only from close events have no rule; keep the table's total honest.
  const rest = e.violations - itemised;
  const table = rest > 0 ? [...rows, ['(not itemised)', '-', String(rest)] as const] : rows;
  const header = ['rule', 'code', 'count'] as const;
  const width = (column: 0 | 1 | 2) => Math.max(header[column].length, ...table.map((cells) => cells[column].length));
  const [rule, code, count] = [width(0), width(1), width(2)];
  const row = (cells: readonly [string, string, string]) =>
    `${cells[0].padEnd(rule)}  ${cells[1].padStart(code)}  ${cells[2].padStart(count)}`;
  b.detail(b.c.label(row(header)));
  for (const cells of table) b.detail(row(cells));
}
