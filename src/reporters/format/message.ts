/**
 * A `message` event's text: one header line (connection, direction, kind, sizes, and the view's one-line
 * summary, named by protocol when one was recognised), then the view's pretty form when it says more than
 * the summary (pretty JSON, the packet's fields, a hex dump), at most MAX_DETAIL_LINES lines, each cut at
 * the terminal's width. The view (src/views/) never throws and escapes control characters; every line is
 * passed through `printable` here once more all the same, since a log file read by `tail` is untrusted.
 */
import type { MessageEvent } from '../../events/index.js';
import type { MessageView } from '../../views/index.js';
import { formatBytes, plural, printable as p, timeOfDay } from '../../text.js';
import { GAP, type Block } from './block.js';

/** Lines of a message's pretty form shown in the log; the JSON Lines output has the whole payload. */
export const MAX_DETAIL_LINES = 20;

/** Narrower than this, a summary says nothing: it is left off the header line. */
const MIN_SUMMARY = 8;

/** Views whose name says nothing the kind does not (raw text, a hex dump). */
const UNNAMED = new Set(['text', 'hex']);

export function message(b: Block, e: MessageEvent, view: MessageView | null, width: number | undefined): void {
  const who = [p(e.conn), p(e.dir), p(e.kind)] as const;
  const head = [`${b.c.conn(who[0])} ${who[1]} ${b.c.emphasis(who[2])}`, sizes(e)];
  if (view) {
    const name = UNNAMED.has(view.protocol) ? '' : `${p(view.protocol)} `;
    // A control message's view starts with its kind (`ping "x"`, `close 1000 …`): the header says it already.
    const summary = view.summary.startsWith(`${e.kind} `) ? view.summary.slice(e.kind.length + 1) : view.summary;
    // The room left on the line, measured on the text without its colours.
    const used = [timeOfDay(e.ts), who.join(' '), head[1], name].join(GAP).length;
    const room = width === undefined ? undefined : width - used;
    const shown = p(summary);
    // No room left on a narrow terminal: the summary goes, the lines under it stay.
    if (room === undefined || shown.length <= room || room >= MIN_SUMMARY) head.push(b.c.label(name) + clip(shown, room));
  }
  b.header(...head);
  // A ping or pong in text is all said on its line; in binary its dump follows, as for data.
  if (!view || !showsMore(view) || ((e.kind === 'ping' || e.kind === 'pong') && view.protocol === 'text')) return;
  const indent = timeOfDay(e.ts).length + GAP.length;
  const lines = view.text.split('\n');
  for (const line of lines.slice(0, MAX_DETAIL_LINES)) b.detail(clip(p(line), width === undefined ? undefined : width - indent));
  if (lines.length > MAX_DETAIL_LINES) b.detail(b.c.muted(`… ${plural(lines.length - MAX_DETAIL_LINES, 'more line')}`));
}

/** `12 B`, `4.0 KiB (310 B compressed)`, `3 frames`: what crossed. */
function sizes(e: MessageEvent): string {
  const size = e.size === null ? 'size unknown' : formatBytes(e.size);
  const wire = e.compressed ? ` (${formatBytes(e.wire_size)} compressed)` : '';
  const frames = e.frames > 1 ? `, ${plural(e.frames, 'frame')}` : '';
  const cut = e.data !== null && e.truncated ? ', cut' : '';
  return `${size}${wire}${frames}${cut}`;
}

/** Whether the pretty form adds to the summary (a short text or `ping "x"` is all said on the header line). */
function showsMore(view: MessageView): boolean {
  return view.text !== '' && view.text !== view.summary && (view.text.includes('\n') || !view.text.endsWith(view.summary));
}

/** `text` cut to `room` columns (at least MIN_SUMMARY), ending in `…` when cut. */
function clip(text: string, room: number | undefined): string {
  if (room === undefined || text.length <= room) return text;
  const max = Math.max(MIN_SUMMARY, room);
  if (text.length <= max) return text;
  let end = max - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}
