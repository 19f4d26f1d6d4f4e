/**
 * The human log lines of the sandwich's own events, in the layout of the proxy's log (time, then
 * indented details): a `sandwich-finding` shows both connection ids, what changed, and each leg's side of
 * the evidence; the `sandwich-summary` a count per check. Pure: event in, text out.
 */
import type { Palette } from '../reporters/color.js';
import { formatBytes, plural, printable as p, timeOfDay, wrap } from '../reporters/text.js';
import type { LegEvidence, SandwichFindingEvent, SandwichSummaryEvent } from './types.js';

export interface SandwichFormatOptions {
  palette: Palette;
  width?: number;
}

const GAP = '  ';
const MARK = { failure: '✖', warning: '⚠', info: 'i' } as const;
const LABEL = { failure: 'intermediary changed the traffic', warning: 'intermediary (suspicious)', info: 'intermediary (legal change)' } as const;

export function formatSandwichFinding(e: SandwichFindingEvent, options: SandwichFormatOptions): string {
  const c = options.palette;
  const time = timeOfDay(e.ts);
  const indent = ' '.repeat(time.length + GAP.length);
  const paint = e.severity === 'failure' ? c.error : e.severity === 'warning' ? c.warning : c.muted;
  const lines = [
    [
      c.time(time),
      `${paint(MARK[e.severity])} ${c.rule(p(e.check))}`,
      `${c.conn(p(e.conn))} ⇄ ${c.conn(p(e.return_conn))}${e.dir === null ? '' : ` ${p(e.dir)}`}`,
      `${c.label('blame:')} ${c.emphasis(LABEL[e.severity])}`,
    ].join(GAP),
  ];
  lines.push(...wrap(p(e.message), options.width, { prefix: indent, visible: indent.length }, { prefix: indent, visible: indent.length }));
  const ev = e.evidence;
  lines.push(indent + legLine(c, 'front ', ev.front));
  lines.push(indent + legLine(c, 'return', ev.return));
  const refs = [
    ev.rule !== undefined ? `${c.label('rule:')} ${c.rule(p(ev.rule))}` : '',
    ev.rfc !== undefined ? `${c.label('rfc:')} ${p(ev.rfc)}` : '',
    `${c.label('legs matched by:')} ${p(ev.matched_by)}`,
  ].filter((part) => part !== '');
  lines.push(indent + refs.join(GAP));
  return `${lines.join('\n')}\n`;
}

/** "front  c1  3 frames, 2 messages, 41 B, Close 1000; reserved-bits at frame #0" or the handshake it negotiated. */
function legLine(c: Palette, name: string, leg: LegEvidence): string {
  const head = `${c.label(name)} ${c.conn(p(leg.conn))}`;
  const s = leg.stream;
  if (!s) {
    const value = (v: string | null) => (v === null ? 'none' : `"${p(v)}"`);
    const offered = `${c.label('offered')} extensions ${value(leg.offered.extensions)}, subprotocols ${value(leg.offered.subprotocols)}`;
    const chose = `${c.label('101 chose')} extensions ${value(leg.extensions)}, subprotocol ${value(leg.subprotocol)}`;
    return `${head}  ${p(leg.path)} → ${leg.status ?? 'no answer'}  ${offered}  ${leg.status === 101 ? chose : ''}`.trimEnd();
  }
  const parts = [plural(s.frames, 'frame'), plural(s.messages, 'message'), formatBytes(s.bytes)];
  for (const close of s.closes) parts.push(`Close ${close.code ?? '(no code)'}${close.reason === '' ? '' : ` "${p(close.reason)}"`}`);
  // Where this leg's analyzer saw the finding's rule broken: the leg that first carried the bad frame.
  const seen = s.violations ?? [];
  const where = seen.length === 0 ? '' : `; ${p(seen[0]!.rule)} at ${seen.map((v) => (v.frame === null ? 'the handshake' : `frame #${v.frame}`)).join(', ')}`;
  return `${head}  ${p(s.dir)}: ${parts.join(', ')}${where}`;
}

export function formatSandwichSummary(e: SandwichSummaryEvent, options: SandwichFormatOptions): string {
  const c = options.palette;
  const time = timeOfDay(e.ts);
  const indent = ' '.repeat(time.length + GAP.length);
  const unmatched = e.unmatched.front + e.unmatched.return;
  const verdict = e.failures > 0 ? c.error(plural(e.failures, 'failure')) : c.good('no failures');
  const lines = [
    [
      c.time(time),
      c.emphasis('sandwich'),
      `${plural(e.pairs, 'connection')} compared`,
      unmatched > 0 ? c.warning(`${unmatched} leg${unmatched === 1 ? '' : 's'} unmatched`) : '',
      verdict,
      `${plural(e.warnings, 'warning')}, ${e.infos} info`,
    ].filter((part) => part !== '').join(GAP),
  ];
  const rows = Object.entries(e.by_check).sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0));
  if (rows.length > 0) {
    const width = Math.max('check'.length, ...rows.map(([check]) => check.length));
    lines.push(indent + c.label(`${'check'.padEnd(width)}  count`));
    for (const [check, count] of rows) lines.push(`${indent}${p(check).padEnd(width)}  ${String(count).padStart(5)}`);
  }
  return `${lines.join('\n')}\n`;
}
