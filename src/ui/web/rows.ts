/**
 * The grid's rows for a set of records, and the filters. Pure (no DOM).
 *
 * Two views, as in DevTools: messages (whole messages, with the violations, closes and errors between them)
 * and frames (one row per frame). A violation is placed at what it concerns: right after its frame in the
 * frames view, right after the message that holds its frame in the messages view (a message event arrives
 * when the message is complete, after the violation found in its first frame), and where it arrived when
 * the log has neither.
 */
import { opcodeName, type AnyEvent, type Direction, type FrameEv, type HttpEv, type MessageEv, type ViolationEv } from './events.js';
import { base64ToBytes, fieldText, utf8Text } from './format.js';
import type { Rec } from './store.js';

export type GridView = 'messages' | 'frames';

export type RowKind = 'message' | 'frame' | 'violation' | 'peer-close' | 'open' | 'close' | 'error' | 'http' | 'other';

export interface Row {
  rec: Rec;
  kind: RowKind;
  conn: string | null;
  dir: Direction | null;
  /** What the type column says: text, binary, ping, …, a rule id, open, close. */
  type: string;
  /** Length in bytes, when the row has one. */
  length: number | null;
  /** FIN/RSV/MASK for frames, "compressed" for messages. */
  flags: string;
  /** The data column, one line. */
  summary: string;
  rule: string | null;
  code: number | null;
  /** A violation, or a message or frame a violation concerns: drawn in red. */
  fault: boolean;
}

export type TypeFilter = 'all' | 'text' | 'binary' | 'control' | 'violation' | 'lifecycle';

export interface Filters {
  type: TypeFilter;
  dir: Direction | 'any';
  rule: string;
  code: string;
  text: string;
}

export const NO_FILTERS: Filters = { type: 'all', dir: 'any', rule: '', code: '', text: '' };

const SUMMARY_CHARS = 200;

export function rowsFor(records: readonly Rec[], view: GridView): Row[] {
  const shown = records.filter((rec) => (view === 'messages' ? rec.event.type !== 'frame' : rec.event.type !== 'message'));
  // Where each violation goes: after the row holding its frame, if that row is here.
  const holders = new Map<Rec, Rec[]>();
  const placed = new Set<Rec>();
  // Violations that name a frame, with the frame's index.
  const violations = shown.flatMap((rec) => {
    const frame = rec.event.type === 'violation' ? (rec.event as ViolationEv).frame : null;
    return frame ? [{ rec, v: rec.event as ViolationEv, index: frame.index }] : [];
  });
  if (violations.length > 0) {
    const byFrame = new Map<string, Rec>();
    // Messages of each connection and direction, in order (so by first frame): found by binary search.
    const messagesOf = new Map<string, Rec[]>();
    for (const rec of shown) {
      const e = rec.event;
      if (e.type === 'frame') byFrame.set(frameKey(rec, (e as FrameEv).dir, (e as FrameEv).index), rec);
      if (e.type === 'message') {
        const key = streamKey(rec, (e as MessageEv).dir);
        const list = messagesOf.get(key) ?? [];
        list.push(rec);
        messagesOf.set(key, list);
      }
    }
    for (const { rec, v, index } of violations) {
      const holder =
        view === 'frames' ? byFrame.get(frameKey(rec, v.dir, index)) : messageHolding(messagesOf.get(streamKey(rec, v.dir)) ?? [], index);
      if (!holder) continue;
      const list = holders.get(holder) ?? [];
      list.push(rec);
      holders.set(holder, list);
      placed.add(rec);
    }
  }
  const rows: Row[] = [];
  for (const rec of shown) {
    if (placed.has(rec)) continue;
    const attached = holders.get(rec);
    rows.push(rowOf(rec, attached !== undefined));
    for (const v of attached ?? []) rows.push(rowOf(v, true));
  }
  return rows;
}

function streamKey(rec: Rec, dir: string): string {
  return `${rec.src ?? ''}/${String(rec.event.conn)}/${dir}`;
}

function frameKey(rec: Rec, dir: string, index: number): string {
  return `${streamKey(rec, dir)}/${index}`;
}

/** The message whose frames include `index`, in a list ordered by first frame. */
function messageHolding(messages: readonly Rec[], index: number): Rec | undefined {
  let lo = 0;
  let hi = messages.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const rec = messages[mid];
    if (rec === undefined) return undefined;
    const m = rec.event as MessageEv;
    if (index < m.first_frame) hi = mid - 1;
    else if (index > m.last_frame) lo = mid + 1;
    else return rec;
  }
  return undefined;
}

export function rowOf(rec: Rec, fault = false): Row {
  const e = rec.event;
  const conn = typeof e.conn === 'string' ? e.conn : null;
  const base = { rec, conn, dir: null, length: null, flags: '', rule: null, code: null, fault } satisfies Partial<Row>;
  switch (e.type) {
    case 'message': {
      const m = e as MessageEv;
      return {
        ...base,
        kind: 'message',
        dir: m.dir,
        type: m.kind,
        length: m.size ?? m.wire_size,
        flags: [m.compressed ? 'compressed' : '', m.frames > 1 ? `${m.frames} frames` : '', m.truncated ? 'truncated' : '']
          .filter(Boolean)
          .join(' '),
        summary: messageSummary(m),
        code: m.kind === 'close' ? (m.close?.code ?? null) : null,
      };
    }
    case 'frame': {
      const f = e as FrameEv;
      const flags = [f.fin ? 'FIN' : '', f.rsv1 ? 'RSV1' : '', f.rsv2 ? 'RSV2' : '', f.rsv3 ? 'RSV3' : '', f.masked ? 'MASK' : '']
        .filter(Boolean)
        .join(' ');
      return {
        ...base,
        kind: 'frame',
        dir: f.dir,
        type: opcodeName(f.opcode),
        length: f.length,
        flags,
        summary: `#${f.index} @ ${f.offset}${f.rsv1 ? '  (compressed)' : ''}`,
      };
    }
    case 'violation': {
      const v = e as ViolationEv;
      const where = v.frame ? `frame #${v.frame.index}: ` : 'handshake: ';
      return {
        ...base,
        kind: 'violation',
        dir: v.dir,
        type: v.rule,
        length: v.frame?.length ?? null,
        summary: `✖ ${v.code} ${where}${v.message}`,
        rule: v.rule,
        code: v.code,
        fault: true,
      };
    }
    case 'peer-close': {
      const code = typeof e['code'] === 'number' ? e['code'] : null;
      const by = String(e['by']);
      return {
        ...base,
        kind: 'peer-close',
        dir: by === 'client' ? 'client->server' : 'server->client',
        type: 'close',
        summary: `Close ${code ?? '(no code)'} by ${by}: ${fieldText(e['explain'])}`,
        rule: (e['cause'] as { rule?: string } | null)?.rule ?? null,
        code,
      };
    }
    case 'open':
      return {
        ...base,
        kind: 'open',
        type: 'open',
        summary: `open ${String(e['path'])}${e['subprotocol'] ? `  subprotocol ${fieldText(e['subprotocol'])}` : ''}`,
      };
    case 'close':
      return {
        ...base,
        kind: 'close',
        type: 'end',
        summary: `connection ended${e['ended_by'] ? ` by ${fieldText(e['ended_by'])} (${fieldText(e['how'])})` : ''} after ${String(e['duration_ms'])} ms`,
      };
    case 'error':
      return {
        ...base,
        kind: 'error',
        type: 'error',
        summary: String(e['message']),
        code: typeof e['status'] === 'number' ? e['status'] : null,
        fault: true,
      };
    case 'http': {
      const h = e as HttpEv;
      return {
        ...base,
        kind: 'http',
        type: h.method,
        length: h.response_bytes,
        summary: `${h.status} ${h.method} ${h.path}${h.upgrade ? '  (upgrade)' : ''}`,
        code: h.status,
      };
    }
    default:
      return { ...base, kind: 'other', type: e.type, summary: otherSummary(e) };
  }
}

function messageSummary(m: MessageEv): string {
  if (m.kind === 'close') return `Close ${m.close?.code ?? '(no code)'}${m.close?.reason ? ` ${m.close.reason}` : ''}`;
  if (m.encoding === null || typeof m.data !== 'string') return `(${m.size ?? m.wire_size} bytes; payload not recorded)`;
  if (m.encoding === 'base64') {
    const bytes = base64ToBytes(m.data);
    const text = utf8Text(bytes);
    if (text !== null) return oneLine(text);
    const hex = Array.from(bytes.subarray(0, 32), (b) => b.toString(16).padStart(2, '0')).join(' ');
    return `${hex}${bytes.length > 32 ? ' …' : ''}`;
  }
  return oneLine(m.data);
}

function oneLine(text: string): string {
  const line = text.length > SUMMARY_CHARS ? `${text.slice(0, SUMMARY_CHARS)}…` : text;
  return line.replace(/[\r\n\t]+/g, ' ');
}

function otherSummary(e: AnyEvent): string {
  if (e.type === 'listening') return `listening on ${String(e['address'])}:${String(e['port'])} → ${String(e['target'])}`;
  if (e.type === 'summary') return `summary: ${String(e['connections'])} connections, ${String(e['violations'])} violations`;
  return e.type;
}

/** Lower-case text the search box looks in: the data, messages, paths, reasons, previews. */
export function searchText(row: Row): string {
  const e = row.rec.event;
  const parts = [row.summary, row.type];
  if (e.type === 'violation') parts.push(fieldText(e['hint']), fieldText(e['preview']));
  if (e.type === 'message' && typeof e['data'] === 'string') parts.push(e['data']);
  if (e.type === 'peer-close') parts.push(fieldText(e['reason']));
  return parts.join('\n').toLowerCase();
}

export function typeGroup(row: Row): TypeFilter {
  if (row.kind === 'violation') return 'violation';
  if (row.kind === 'message' || row.kind === 'frame') {
    if (row.type === 'text' || row.type === 'binary') return row.type;
    if (row.type === 'continuation') return 'all';
    return row.type === 'ping' || row.type === 'pong' || row.type === 'close' ? 'control' : 'all';
  }
  return 'lifecycle';
}

export function filtersActive(f: Filters): boolean {
  return f.type !== 'all' || f.dir !== 'any' || f.rule !== '' || f.code !== '' || f.text.trim() !== '';
}

export function applyFilters(rows: readonly Row[], f: Filters): Row[] {
  if (!filtersActive(f)) return [...rows];
  const text = f.text.trim().toLowerCase();
  const code = f.code === '' ? null : Number(f.code);
  return rows.filter(
    (row) =>
      (f.type === 'all' || typeGroup(row) === f.type) &&
      (f.dir === 'any' || row.dir === f.dir) &&
      (f.rule === '' || row.rule === f.rule) &&
      (code === null || row.code === code) &&
      (text === '' || searchText(row).includes(text)),
  );
}
