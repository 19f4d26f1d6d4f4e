/**
 * STOMP 1.0, 1.1 and 1.2 over WebSocket (subprotocols v10.stomp, v11.stomp, v12.stomp).
 *
 * A frame is a command line, header lines, an empty line, a body and a NUL octet, optionally followed by
 * line ends (STOMP 1.2 "STOMP Frames", "Augmented BNF"); a line end is LF or CR LF. The body ends at the
 * NUL, or after `content-length` octets when that header is present ("Header content-length"). Header
 * values escape CR, LF, colon and backslash as \r \n \c \\ ("Value Encoding"; 1.1 has no \r, 1.0 no
 * escapes at all; CONNECT and CONNECTED are never escaped). When a header repeats, the first one counts
 * ("Repeated Header Entries"). A message that is only a line end is a heart-beat ("Heart-beating").
 */
import { isSecretName, REDACTED } from '../redact.js';
import type { RenderContext, Rendered } from './context.js';
import { NotThisProtocol } from './context.js';
import { compactJson, jsonNode, printJson } from './json.js';
import { jsonOfBytes } from './json-view.js';
import { cutNote, isPrintableText } from './raw.js';
import { decodeUtf8, hexDumpLines, hexPreview, NodeBudget, oneLine, plural, quoted, textLines, TextOut } from './text.js';
import type { ViewNode } from './types.js';

const CLIENT_COMMANDS = ['CONNECT', 'STOMP', 'SEND', 'SUBSCRIBE', 'UNSUBSCRIBE', 'ACK', 'NACK', 'BEGIN', 'COMMIT', 'ABORT', 'DISCONNECT'];
const SERVER_COMMANDS = ['CONNECTED', 'MESSAGE', 'RECEIPT', 'ERROR'];
const COMMANDS = new Set([...CLIENT_COMMANDS, ...SERVER_COMMANDS]);

/** The headers worth a place in the one-line summary, per command. */
const KEY_HEADERS: Record<string, readonly string[]> = {
  CONNECT: ['accept-version', 'host', 'heart-beat'],
  STOMP: ['accept-version', 'host', 'heart-beat'],
  CONNECTED: ['version', 'heart-beat', 'server'],
  SEND: ['destination', 'receipt', 'transaction'],
  SUBSCRIBE: ['destination', 'id', 'ack'],
  UNSUBSCRIBE: ['id'],
  ACK: ['id', 'transaction'],
  NACK: ['id', 'transaction'],
  BEGIN: ['transaction'],
  COMMIT: ['transaction'],
  ABORT: ['transaction'],
  DISCONNECT: ['receipt'],
  MESSAGE: ['destination', 'subscription', 'message-id'],
  RECEIPT: ['receipt-id'],
  ERROR: ['message', 'receipt-id'],
};

export type StompVersion = '1.0' | '1.1' | '1.2';

/** `v12.stomp` → 1.2 (the names STOMP 1.2 "Connecting" lists for WebSocket subprotocols). */
export function stompVersionFromSubprotocol(subprotocol: string | null): StompVersion | undefined {
  const match = subprotocol ? /^v1([012])\.stomp$/i.exec(subprotocol) : null;
  return match ? (`1.${match[1]}` as StompVersion) : undefined;
}

/** Whether the bytes start like a STOMP frame: a known command alone on the first line. */
export function looksLikeStomp(bytes: Uint8Array): boolean {
  let end = bytes.indexOf(0x0a);
  if (end < 0 || end > 12) return false;
  if (bytes[end - 1] === 0x0d) end--;
  return COMMANDS.has(String.fromCharCode(...bytes.subarray(0, end))) && bytes.includes(0);
}

interface Frame {
  command: string;
  headers: Array<[string, string]>;
  body: Uint8Array;
  complete: boolean;
  problems: string[];
}

export function renderStomp(ctx: RenderContext, version: StompVersion | undefined): Rendered {
  const { bytes, limits } = ctx;
  const frames: Frame[] = [];
  const notes: string[] = [];
  let pos = 0;
  let lineEnds = 0;
  while (pos < bytes.length) {
    // Line ends between frames: heart-beats, or the optional EOLs after a NUL.
    if (bytes[pos] === 0x0a || (bytes[pos] === 0x0d && bytes[pos + 1] === 0x0a)) {
      pos += bytes[pos] === 0x0d ? 2 : 1;
      lineEnds++;
      continue;
    }
    if (frames.length >= limits.maxPackets) {
      notes.push(`${plural(bytes.length - pos, 'more byte')} not decoded (more than ${limits.maxPackets} frames)`);
      break;
    }
    const frame = readFrame(bytes, pos, version, ctx.cut);
    if (!frame) {
      if (frames.length === 0) throw new NotThisProtocol('not a STOMP frame: the first line is not a STOMP command');
      notes.push(`${plural(bytes.length - pos, 'byte')} after the last frame are not a STOMP frame`);
      break;
    }
    frames.push(frame.frame);
    pos = frame.end;
  }

  const [first] = frames;
  if (first === undefined) {
    if (lineEnds === 0) throw new NotThisProtocol('an empty message is not a STOMP frame');
    const summary = lineEnds === 1 ? 'heart-beat' : `heart-beat (${lineEnds} line ends)`;
    return {
      view: {
        protocol: 'stomp',
        summary,
        text: `STOMP ${summary}: a line end with no frame keeps the connection alive (STOMP 1.2 "Heart-beating")`,
        detail: { label: 'stomp heart-beat', value: String(lineEnds) },
      },
    };
  }

  const budget = new NodeBudget(limits.maxNodes);
  const out = new TextOut(limits.maxTextChars);
  if (frames.length > 1) out.line(`STOMP, ${plural(frames.length, 'frame')} in one message`);
  for (const note of notes) out.line(`(${note})`);
  const note = cutNote(ctx);
  if (note !== '') out.line(note);
  const children: ViewNode[] = [];
  frames.forEach((frame, k) => {
    if (frames.length > 1) out.line(`#${k + 1}`);
    out.line(frame.command);
    for (const problem of frame.problems) out.line(`(${problem})`);
    for (const [name, value] of frame.headers) out.line(`${oneLine(name, 200)}:${oneLine(shownValue(name, value), 500)}`);
    const frameChildren: ViewNode[] = [];
    for (const [name, value] of frame.headers) budget.leaf(frameChildren, name, shownValue(name, value));
    for (const problem of frame.problems) budget.leaf(frameChildren, 'problem', problem);
    if (frame.body.length > 0) {
      out.line('');
      writeBody(ctx, frame, out, budget, frameChildren);
    }
    const node = budget.node(frame.command, undefined, frameChildren);
    if (node) children.push(node);
  });
  for (const n of notes) budget.leaf(children, 'note', n);

  let summary = frameSummary(first);
  if (frames.length > 1)
    summary += ` (+${frames.length - 1} more: ${frames
      .slice(1, 5)
      .map((f) => f.command)
      .join(', ')}${frames.length > 5 ? ', …' : ''})`;
  return {
    view: {
      protocol: 'stomp',
      summary: oneLine(summary, limits.maxSummaryChars),
      text: out.toString(),
      detail: { label: 'stomp', children },
    },
  };
}

/** Credentials (`passcode`, `Authorization`…) are never shown. */
function shownValue(name: string, value: string): string {
  return isSecretName(name) ? REDACTED : value;
}

function header(frame: Frame, name: string): string | undefined {
  return frame.headers.find(([key]) => key === name)?.[1];
}

function frameSummary(frame: Frame): string {
  const parts = [frame.command];
  for (const name of KEY_HEADERS[frame.command] ?? []) {
    const value = header(frame, name);
    if (value !== undefined) parts.push(`${name}:${shownValue(name, value)}`);
  }
  let summary = parts.join(' ');
  if (frame.body.length > 0) summary += ` — ${bodyPreview(frame)}`;
  if (!frame.complete) summary += ' (incomplete)';
  return summary;
}

function bodyPreview(frame: Frame): string {
  const json = jsonOfBytes(frame.body, !frame.complete, 8);
  if (json) return compactJson(json, 120);
  if (!isPrintableText(frame.body, !frame.complete)) return `${plural(frame.body.length, 'byte')} ${hexPreview(frame.body, 8)}`;
  return quoted(decodeUtf8(frame.body, !frame.complete).text, 100);
}

function writeBody(ctx: RenderContext, frame: Frame, out: TextOut, budget: NodeBudget, into: ViewNode[]): void {
  const { limits } = ctx;
  const json = jsonOfBytes(frame.body, !frame.complete, limits.maxDepth);
  if (json) {
    printJson(json, out, '', limits.maxDepth);
    const node = jsonNode('body', json, budget, limits.maxDepth);
    if (node) into.push(node);
    return;
  }
  if (isPrintableText(frame.body, !frame.complete)) {
    const { text } = decodeUtf8(frame.body, !frame.complete);
    out.lines(textLines(text, '', limits.maxTextChars));
    budget.leaf(into, 'body', text);
  } else {
    out.lines(hexDumpLines(frame.body, limits.maxHexBytes));
    budget.leaf(into, 'body', hexPreview(frame.body, 64));
  }
}

/** One frame from `start`, or null when its first line is not a STOMP command. */
function readFrame(
  bytes: Uint8Array,
  start: number,
  version: StompVersion | undefined,
  cut: boolean,
): { frame: Frame; end: number } | null {
  const commandEnd = bytes.indexOf(0x0a, start);
  const command = ascii(bytes, start, commandEnd < 0 ? Math.min(bytes.length, start + 16) : commandEnd);
  if (!COMMANDS.has(command)) return null;
  const frame: Frame = { command, headers: [], body: new Uint8Array(0), complete: false, problems: [] };
  const incomplete = () => {
    frame.problems.push(cut ? 'cut by the body limit' : 'incomplete: the message ends before the NUL that ends a STOMP frame');
    return { frame, end: bytes.length };
  };
  if (commandEnd < 0) return incomplete();
  const escaped = version !== '1.0' && command !== 'CONNECT' && command !== 'CONNECTED';
  let pos = commandEnd + 1;
  for (;;) {
    const lineEnd = bytes.indexOf(0x0a, pos);
    if (lineEnd < 0) return incomplete();
    const line = decodeUtf8(bytes.subarray(pos, bytes[lineEnd - 1] === 0x0d && lineEnd > pos ? lineEnd - 1 : lineEnd), false).text;
    pos = lineEnd + 1;
    if (line === '') break;
    const colon = line.indexOf(':');
    if (colon < 0) {
      frame.problems.push(`header line without a colon: ${quoted(line, 60)}`);
      continue;
    }
    const name = escaped ? unescape(line.slice(0, colon), version, frame) : line.slice(0, colon);
    const value = escaped ? unescape(line.slice(colon + 1), version, frame) : line.slice(colon + 1);
    if (frame.headers.length < 256) frame.headers.push([name, value]);
  }
  const lengthHeader = header(frame, 'content-length');
  let nul: number;
  if (lengthHeader !== undefined && /^\d{1,15}$/.test(lengthHeader)) {
    nul = pos + Number(lengthHeader);
    if (nul >= bytes.length) {
      frame.body = bytes.subarray(pos);
      return incomplete();
    }
    if (bytes[nul] !== 0) frame.problems.push(`no NUL after the ${lengthHeader} body bytes that content-length announces`);
  } else {
    if (lengthHeader !== undefined) frame.problems.push(`content-length ${quoted(lengthHeader, 20)} is not a number of octets`);
    nul = bytes.indexOf(0, pos);
    if (nul < 0) {
      frame.body = bytes.subarray(pos);
      return incomplete();
    }
  }
  frame.body = bytes.subarray(pos, nul);
  frame.complete = true;
  return { frame, end: nul + 1 };
}

function ascii(bytes: Uint8Array, start: number, end: number): string {
  let text = '';
  for (const byte of bytes.subarray(start, end)) text += String.fromCharCode(byte);
  return text.endsWith('\r') ? text.slice(0, -1) : text;
}

/** Value Encoding (STOMP 1.2): \r \n \c \\; any other escape is a fatal protocol error. */
function unescape(text: string, version: StompVersion | undefined, frame: Frame): string {
  if (!text.includes('\\')) return text;
  return text.replace(/\\(.?)/gs, (whole, next: string) => {
    if (next === 'n') return '\n';
    if (next === 'c') return ':';
    if (next === '\\') return '\\';
    if (next === 'r' && version !== '1.1') return '\r';
    if (frame.problems.length < 8) frame.problems.push(`undefined escape ${quoted(whole, 8)} in a header (a fatal protocol error)`);
    return whole;
  });
}
