/**
 * The raw forms every other view falls back to: text as text (control characters visible) and binary
 * as a hex dump; and the control messages (ping, pong, close), which no subprotocol defines.
 */
import { closeCodeName, parseClosePayload } from '../protocol/index.js';
import type { RenderContext, Rendered } from './context.js';
import { decodeUtf8, hexDumpLines, hexPreview, NodeBudget, oneLine, plural, textLines, TextOut } from './text.js';
import type { ViewNode } from './types.js';

/** "(cut at 4096 of 10000 bytes)" when the payload is not whole; "" otherwise. */
export function cutNote(ctx: RenderContext): string {
  if (!ctx.cut) return '';
  const size = ctx.input.size;
  return size !== undefined && size !== null && size > ctx.bytes.length
    ? `(cut: ${ctx.bytes.length} of ${size} bytes shown)`
    : `(cut: only the first ${ctx.bytes.length} bytes were captured)`;
}

/** Text as text. `notes` are printed first (e.g. why a protocol view did not apply). */
export function renderText(ctx: RenderContext, notes: readonly string[] = []): Rendered {
  const { text, valid } = decodeUtf8(ctx.bytes, ctx.cut);
  const { limits } = ctx;
  const out = new TextOut(limits.maxTextChars);
  for (const note of notes) out.line(`(${oneLine(note, limits.maxTextChars)})`);
  if (!valid) out.line('(not valid UTF-8: invalid sequences are shown as U+FFFD)');
  const note = cutNote(ctx);
  if (note !== '') out.line(note);
  out.lines(textLines(text, '', limits.maxTextChars));
  const summary = text === '' ? '(empty)' : oneLine(text, limits.maxSummaryChars);
  const budget = new NodeBudget(limits.maxNodes);
  const children: ViewNode[] = [];
  budget.leaf(children, 'text', text);
  if (!valid) budget.leaf(children, 'note', 'not valid UTF-8');
  if (note !== '') budget.leaf(children, 'note', note);
  return { view: { protocol: 'text', summary, text: out.toString(), detail: { label: 'text', children } } };
}

/** Binary as a hex dump. */
export function renderHex(ctx: RenderContext, notes: readonly string[] = []): Rendered {
  const { bytes, limits } = ctx;
  const out = new TextOut(limits.maxTextChars);
  for (const note of notes) out.line(`(${oneLine(note, limits.maxTextChars)})`);
  const note = cutNote(ctx);
  if (note !== '') out.line(note);
  out.lines(hexDumpLines(bytes, limits.maxHexBytes));
  const size = ctx.input.size ?? ctx.input.bytes.length;
  const summary = bytes.length === 0 ? '(empty)' : oneLine(`${plural(size, 'byte')}: ${hexPreview(bytes, 16)}`, limits.maxSummaryChars);
  const budget = new NodeBudget(limits.maxNodes);
  const children: ViewNode[] = [];
  budget.leaf(children, 'size', String(size));
  budget.leaf(children, 'hex', hexPreview(bytes, 64));
  return { view: { protocol: 'hex', summary, text: out.toString(), detail: { label: 'binary', children } } };
}

/** A payload of unknown meaning: text when it is UTF-8, a hex dump otherwise. */
export function renderRaw(ctx: RenderContext, notes: readonly string[] = []): Rendered {
  if (ctx.input.kind === 'text') return renderText(ctx, notes);
  return isPrintableText(ctx.bytes, ctx.cut) ? renderText(ctx, notes) : renderHex(ctx, notes);
}

/** Bytes best shown as text: UTF-8 without control bytes other than whitespace. */
export function isPrintableText(bytes: Uint8Array, cut: boolean): boolean {
  return decodeUtf8(bytes, cut).valid && !hasControlBytes(bytes);
}

/** Binary that happens to decode as UTF-8 is still binary when it holds control bytes other than whitespace. */
function hasControlBytes(bytes: Uint8Array): boolean {
  for (const b of bytes) if ((b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) || b === 0x7f) return true;
  return false;
}

/**
 * Ping and pong (RFC 6455 §5.5.2, §5.5.3): the application data, as text when it is printable UTF-8.
 * Close (RFC 6455 §5.5.1): status code, its name and the reason.
 */
export function renderControl(ctx: RenderContext): Rendered {
  const { input, bytes, limits } = ctx;
  if (input.kind === 'close') {
    const close = parseClosePayload(bytes);
    const what =
      close.code === null
        ? bytes.length === 1
          ? 'close (1-byte body: invalid)'
          : 'close (no status code)'
        : `close ${close.code} (${closeCodeName(close.code)})${close.reason === '' ? '' : ` ${JSON.stringify(close.reason)}`}`;
    const summary = oneLine(what, limits.maxSummaryChars);
    const out = new TextOut(limits.maxTextChars);
    out.line(summary);
    if (close.problem) out.line(`(${oneLine(close.problem.message, limits.maxTextChars)})`);
    const budget = new NodeBudget(limits.maxNodes);
    const children: ViewNode[] = [];
    budget.leaf(children, 'code', close.code === null ? 'none' : String(close.code));
    if (close.code !== null) budget.leaf(children, 'name', closeCodeName(close.code));
    budget.leaf(children, 'reason', close.reason);
    return { view: { protocol: 'text', summary, text: out.toString(), detail: { label: 'close', children } } };
  }
  const { text, valid } = decodeUtf8(bytes, ctx.cut);
  const kind = input.kind;
  if (bytes.length === 0) {
    return { view: { protocol: 'text', summary: `${kind} (empty)`, text: `${kind} (empty)`, detail: { label: kind, value: '' } } };
  }
  if (valid && !hasControlBytes(bytes)) {
    const summary = oneLine(`${kind} ${JSON.stringify(text)}`, limits.maxSummaryChars);
    const out = new TextOut(limits.maxTextChars)
      .line(`${kind}, ${plural(bytes.length, 'byte')} of text:`)
      .lines(textLines(text, '  ', limits.maxTextChars));
    return { view: { protocol: 'text', summary, text: out.toString(), detail: { label: kind, value: oneLine(text, 200) } } };
  }
  const summary = oneLine(`${kind} ${plural(bytes.length, 'byte')}: ${hexPreview(bytes, 16)}`, limits.maxSummaryChars);
  const out = new TextOut(limits.maxTextChars)
    .line(`${kind}, ${plural(bytes.length, 'byte')}:`)
    .lines(hexDumpLines(bytes, limits.maxHexBytes, '  '));
  return { view: { protocol: 'hex', summary, text: out.toString(), detail: { label: kind, value: hexPreview(bytes, 64) } } };
}
