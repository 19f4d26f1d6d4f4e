/**
 * The sandwich's events: a `sandwich-finding` shows both connection ids, what changed, and each leg's
 * side of the evidence; the `sandwich-summary` a count per check. Same layout as the legs' own events.
 */
import type { LegEvidence, SandwichFindingEvent, SandwichSummaryEvent } from '../../events/index.js';
import type { Palette } from '../color.js';
import { formatBytes, plural, printable as p } from '../../text.js';
import { GAP, type Block } from './block.js';

const MARK = { failure: '✖', warning: '⚠', info: 'i' } as const;
const LABEL = {
  failure: 'intermediary changed the traffic',
  warning: 'intermediary (suspicious)',
  info: 'intermediary (legal change)',
} as const;

export function sandwichFinding(b: Block, e: SandwichFindingEvent): void {
  const c = b.c;
  const paint = e.severity === 'failure' ? c.error : e.severity === 'warning' ? c.warning : c.muted;
  b.header(
    `${paint(MARK[e.severity])} ${c.rule(p(e.check))}`,
    `${c.conn(p(e.conn))} ⇄ ${c.conn(p(e.return_conn))}${e.dir === null ? '' : ` ${p(e.dir)}`}`,
    `${c.label('blame:')} ${c.emphasis(LABEL[e.severity])}`,
  );
  b.sentence('', e.message);
  const ev = e.evidence;
  b.detail(legLine(c, 'front ', ev.front));
  b.detail(legLine(c, 'return', ev.return));
  const refs = [
    ev.rule !== undefined ? `${c.label('rule:')} ${c.rule(p(ev.rule))}` : '',
    ev.rfc !== undefined ? `${c.label('rfc:')} ${p(ev.rfc)}` : '',
    `${c.label('legs matched by:')} ${p(ev.matched_by)}`,
  ].filter((part) => part !== '');
  b.detail(refs.join(GAP));
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
  const first = seen[0];
  const where =
    first === undefined
      ? ''
      : `; ${p(first.rule)} at ${seen.map((v) => (v.frame === null ? 'the handshake' : `frame #${v.frame}`)).join(', ')}`;
  return `${head}  ${p(s.dir)}: ${parts.join(', ')}${where}`;
}

export function sandwichSummary(b: Block, e: SandwichSummaryEvent): void {
  const c = b.c;
  const unmatched = e.unmatched.front + e.unmatched.return;
  b.header(
    c.emphasis('sandwich'),
    `${plural(e.pairs, 'connection')} compared`,
    unmatched > 0 ? c.warning(`${unmatched} leg${unmatched === 1 ? '' : 's'} unmatched`) : '',
    e.failures > 0 ? c.error(plural(e.failures, 'failure')) : c.good('no failures'),
    `${plural(e.warnings, 'warning')}, ${e.infos} info`,
  );
  const rows = Object.entries(e.by_check).sort(([a, x], [b2, y]) => y - x || (a < b2 ? -1 : a > b2 ? 1 : 0));
  if (rows.length === 0) return;
  const width = Math.max('check'.length, ...rows.map(([check]) => check.length));
  b.detail(c.label(`${'check'.padEnd(width)}  count`));
  for (const [check, count] of rows) b.detail(`${p(check).padEnd(width)}  ${String(count).padStart(5)}`);
}
