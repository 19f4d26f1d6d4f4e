/**
 * What the fault injector adds (`wsdiag chaos`): the `fault` event, a toxic's change to the traffic, shown
 * just before the violation or Close it causes.
 */
import type { FaultEvent, FaultValue } from '../../events/index.js';
import { printable as p } from '../../text.js';
import { labelled, type Block } from './block.js';

export function fault(b: Block, e: FaultEvent): void {
  b.header(
    `${b.c.warning('fault')} ${b.c.rule(p(e.toxic))} (${p(e.toxic_type)})`,
    `${b.c.conn(p(e.conn))} ${p(e.dir)}`,
    // Where a decoder downstream numbers the frame, which differs from the sender's number once frames
    // were dropped, split or injected before it.
    e.frame === null || e.out_index === null
      ? `at byte ${e.out_offset} relayed`
      : `sent as frame #${e.frame.index}, relayed as #${e.out_index} @ offset ${e.out_offset}`,
  );
  b.sentence('', e.message);
  const changes = changedFields(e);
  if (changes !== '') b.detail(labelled(b.c, 'changed:', changes));
}

/** `rsv1 false → true, code 1001 → 4000`; a field only before or only after shows as such. */
function changedFields(e: FaultEvent): string {
  const keys = [...new Set([...Object.keys(e.before ?? {}), ...Object.keys(e.after ?? {})])];
  return keys
    .map((key) => {
      const before = e.before && Object.hasOwn(e.before, key) ? value(e.before[key]) : null;
      const after = e.after && Object.hasOwn(e.after, key) ? value(e.after[key]) : null;
      if (before === null) return `${p(key)} ${after ?? ''}`;
      return after === null ? `${p(key)} ${before} → (gone)` : `${p(key)} ${before} → ${after}`;
    })
    .join(', ');
}

function value(v: FaultValue | undefined): string {
  return typeof v === 'string' ? JSON.stringify(p(v)) : String(v);
}
