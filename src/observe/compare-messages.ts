/**
 * Data messages: the sequence one point sent against the sequence another point received, in one
 * direction. Messages are matched by content (SHA-256 of the application data, or of the wire payload
 * when a side could not inflate), so a dropped message does not make every later one look altered; what
 * is left unmatched is then explained in order of likelihood: merged, split, truncated, altered, added,
 * dropped. Pure: observations in, findings out.
 */
import type { Direction } from '../events/index.js';
import { bytes, describeMessage, failure, info, plural } from './findings.js';
import type { ObservedMessage, ProbeFinding } from './types.js';

export interface MessagePair {
  sent: ObservedMessage;
  arrived: ObservedMessage;
}

export interface MessageComparison {
  findings: ProbeFinding[];
  /** Messages that arrived with their content intact, for latency and frame checks. */
  pairs: MessagePair[];
}

export interface MessageContext {
  dir: Direction;
  /** An extension was negotiated on either leg: re-fragmenting is then forbidden (RFC 6455 §5.4). */
  extensionsInPlay: boolean;
}

export function compareMessages(
  sent: readonly ObservedMessage[],
  arrived: readonly ObservedMessage[],
  ctx: MessageContext,
): MessageComparison {
  const findings: ProbeFinding[] = [];
  const { pairs, duplicates, unmatchedSent, unmatchedArrived } = matchByContent(sent, arrived);

  for (const d of duplicates) {
    findings.push(
      failure('message-duplicated', ctx.dir, `${cap(describeMessage(d.sent))} was delivered again as arrived message #${d.arrived.index}.`),
    );
  }
  findings.push(...reorderFindings(pairs, ctx.dir));
  findings.push(...explainLeftovers(unmatchedSent, unmatchedArrived, ctx.dir));
  for (const pair of pairs) findings.push(...pairFindings(pair, ctx.dir));
  const refragmented = pairs.filter((p) => !sameNumbers(p.sent.frameLengths, p.arrived.frameLengths));
  const [example] = refragmented;
  if (example) findings.push(refragmentFinding(example, refragmented, ctx));
  return { findings, pairs };
}

/** The content identity of a message: its application data, or its wire bytes when that is unknown. */
function appKey(m: ObservedMessage): string | null {
  return m.complete ? m.sha256 : null;
}

function matchByContent(sent: readonly ObservedMessage[], arrived: readonly ObservedMessage[]) {
  const usedSent = new Set<number>();
  const matchedArrived = new Set<number>();
  const pairs: MessagePair[] = [];
  const duplicates: MessagePair[] = [];
  // Two passes: application data first; then wire bytes, for messages a side could not inflate.
  for (const key of [appKey, (m: ObservedMessage) => (m.complete ? `wire:${m.wireSha256}` : null)]) {
    const bySent = new Map<string, Array<{ i: number; m: ObservedMessage }>>();
    sent.forEach((m, i) => {
      const k = key(m);
      if (k === null || usedSent.has(i)) return;
      const list = bySent.get(k);
      if (list) list.push({ i, m });
      else bySent.set(k, [{ i, m }]);
    });
    arrived.forEach((m, j) => {
      if (matchedArrived.has(j)) return;
      const k = key(m);
      if (k === null) return;
      const candidate = bySent.get(k)?.shift();
      if (candidate === undefined) return;
      usedSent.add(candidate.i);
      matchedArrived.add(j);
      pairs.push({ sent: candidate.m, arrived: m });
    });
  }
  // An arrived message equal to one already delivered is a duplicate, not something new.
  const byContent = new Map(pairs.map((p) => [p.sent.sha256 ?? p.sent.wireSha256, p.sent]));
  arrived.forEach((m, j) => {
    if (matchedArrived.has(j) || !m.complete) return;
    const original = byContent.get(m.sha256 ?? m.wireSha256) ?? byContent.get(m.wireSha256);
    if (original) {
      matchedArrived.add(j);
      duplicates.push({ sent: original, arrived: m });
    }
  });
  pairs.sort((a, b) => a.arrived.index - b.arrived.index);
  return {
    pairs,
    duplicates,
    unmatchedSent: sent.filter((_, i) => !usedSent.has(i)),
    unmatchedArrived: arrived.filter((_, j) => !matchedArrived.has(j)),
  };
}

function reorderFindings(pairs: readonly MessagePair[], dir: Direction): ProbeFinding[] {
  let highest = -1;
  let first: MessagePair | null = null;
  let count = 0;
  for (const p of pairs) {
    if (p.sent.index < highest) {
      count++;
      first ??= p;
    }
    highest = Math.max(highest, p.sent.index);
  }
  if (!first) return [];
  return [
    failure(
      'messages-reordered',
      dir,
      `${plural(count, 'message')} arrived out of order: sent message #${first.sent.index} arrived as #${first.arrived.index}, after a message sent later.`,
      { rfc: 'RFC 6455 §5.4' },
    ),
  ];
}

/**
 * Walks what is left on both sides in order, pairing neighbours: a run of sent messages whose lengths
 * add up to one arrived message was merged; the reverse was split; a shorter arrived message that starts
 * like the sent one was truncated; anything else at the same position was altered.
 */
function explainLeftovers(sent: readonly ObservedMessage[], arrived: readonly ObservedMessage[], dir: Direction): ProbeFinding[] {
  const findings: ProbeFinding[] = [];
  let i = 0;
  let j = 0;
  for (;;) {
    const s = sent[i];
    const a = arrived[j];
    if (s === undefined || a === undefined) break;
    const merged = runMatching(sent, i, a.length);
    if (merged > 1) {
      const run = sent.slice(i, i + merged);
      const last = run.at(-1) ?? s;
      findings.push(
        failure(
          'messages-merged',
          dir,
          `${plural(merged, 'message')} (#${s.index}–#${last.index}, ${run.map((m) => m.length).join(' + ')} bytes) arrived as one ${describeMessage(a)}.`,
          { rfc: 'RFC 6455 §5.4' },
        ),
      );
      i += merged;
      j++;
      continue;
    }
    const split = runMatching(arrived, j, s.length);
    if (split > 1) {
      findings.push(
        failure(
          'message-split',
          dir,
          `${cap(describeMessage(s))} arrived as ${split} separate messages (${arrived
            .slice(j, j + split)
            .map((m) => m.length)
            .join(' + ')} bytes).`,
          { rfc: 'RFC 6455 §5.4' },
        ),
      );
      i++;
      j += split;
      continue;
    }
    if (a.length < s.length && startsLike(s, a)) {
      const ending = a.complete ? '' : ' (the connection ended inside it)';
      findings.push(failure('message-truncated', dir, `${cap(describeMessage(s))} arrived with only ${bytes(a.length)}${ending}.`));
    } else {
      findings.push(alteredFinding(s, a, dir));
    }
    i++;
    j++;
  }
  for (const m of arrived.slice(j)) findings.push(failure('message-added', dir, `${cap(describeMessage(m))} arrived that was never sent.`));
  for (const m of sent.slice(i)) findings.push(failure('message-dropped', dir, `${cap(describeMessage(m))} did not arrive.`));
  return findings;
}

/** How many consecutive messages from `list[from]` have lengths adding up to exactly `total` (0 if none). */
function runMatching(list: readonly ObservedMessage[], from: number, total: number): number {
  let sum = 0;
  let count = 0;
  let previous: number | null = null;
  for (const m of list.slice(from)) {
    sum += m.length;
    count++;
    if (sum === total) return count;
    if (sum > total) return 0;
    // Only neighbours in the original stream can have been merged or split.
    if (previous !== null && m.index !== previous + 1) return 0;
    previous = m.index;
  }
  return 0;
}

/** Whether `a`'s data is a prefix of `s`'s, as far as the recorded bytes tell. */
function startsLike(s: ObservedMessage, a: ObservedMessage): boolean {
  if (s.bytes && a.bytes) return Buffer.from(s.bytes.subarray(0, a.bytes.length)).equals(a.bytes);
  const n = Math.min(s.head.length, a.head.length);
  return Buffer.from(s.head.subarray(0, n)).equals(Buffer.from(a.head.subarray(0, n)));
}

function alteredFinding(s: ObservedMessage, a: ObservedMessage, dir: Direction): ProbeFinding {
  const typeNote =
    s.opcode !== a.opcode ? ` and as ${a.opcode === 1 ? 'text' : a.opcode === 2 ? 'binary' : `opcode 0x${a.opcode.toString(16)}`}` : '';
  const lengthNote = s.length !== a.length ? ` with ${bytes(a.length)}` : '';
  return failure('payload-altered', dir, `${cap(describeMessage(s))} arrived changed${lengthNote}${typeNote}: ${firstDifference(s, a)}.`);
}

/** Where two payloads first differ, as precisely as the recorded bytes allow. */
export function firstDifference(s: ObservedMessage, a: ObservedMessage): string {
  const left = s.bytes ?? s.head;
  const right = a.bytes ?? a.head;
  const n = Math.min(left.length, right.length);
  for (const [k, l] of left.subarray(0, n).entries()) {
    const r = right[k];
    if (r !== undefined && l !== r) return `byte ${k} was 0x${hex(l)} and arrived as 0x${hex(r)}`;
  }
  if (s.bytes && a.bytes) return `the first ${bytes(n)} are identical`;
  return `the first ${bytes(n)} are identical, the SHA-256 of the whole payload differs`;
}

function pairFindings({ sent, arrived }: MessagePair, dir: Direction): ProbeFinding[] {
  const findings: ProbeFinding[] = [];
  if (sent.opcode !== arrived.opcode) {
    findings.push(
      failure(
        'type-changed',
        dir,
        `${cap(describeMessage(sent))} arrived as a ${arrived.opcode === 1 ? 'text' : 'binary'} message with the same payload.`,
        { rfc: 'RFC 6455 §5.6' },
      ),
    );
  }
  if (sent.wireSha256 !== arrived.wireSha256) {
    findings.push(
      info(
        'recompressed',
        dir,
        `${cap(describeMessage(sent))} arrived with the same data but different bytes on the wire (${sent.compressed ? 'compressed' : 'uncompressed'} → ${arrived.compressed ? 'compressed' : 'uncompressed'}, ${bytes(sent.wireLength)} → ${bytes(arrived.wireLength)}): the intermediary re-encoded it.`,
      ),
    );
  }
  return findings;
}

function refragmentFinding(example: MessagePair, pairs: readonly MessagePair[], ctx: MessageContext): ProbeFinding {
  const forbidden = ctx.extensionsInPlay || pairs.some((p) => p.sent.compressed || p.arrived.compressed);
  const detail = `${plural(pairs.length, 'message')} arrived in different frames (e.g. ${describeMessage(example.sent)}: ${frameList(example.sent.frameLengths)} → ${frameList(example.arrived.frameLengths)})`;
  if (forbidden) {
    return failure('refragmented', ctx.dir, `${detail}, on a connection with an extension the intermediary may not understand.`, {
      rfc: 'RFC 6455 §5.4',
    });
  }
  return info('refragmented', ctx.dir, `${detail}; legal without extensions (RFC 6455 §5.4).`);
}

function frameList(lengths: readonly number[]): string {
  if (lengths.length <= 4) return `[${lengths.join(', ')}]`;
  return `[${lengths.slice(0, 3).join(', ')}, … ${lengths.length} frames]`;
}

function sameNumbers(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function hex(b: number): string {
  return b.toString(16).padStart(2, '0');
}

function cap(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
