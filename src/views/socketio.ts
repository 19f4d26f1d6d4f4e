/**
 * Engine.IO and Socket.IO over WebSocket.
 *
 * Engine.IO (protocol revisions 3 and 4, "Packet encoding" / "WebSocket"): one packet per WebSocket
 * message, `<type digit>[<data>]` in a text message, types 0 open, 1 close, 2 ping, 3 pong, 4 message,
 * 5 upgrade, 6 noop. Binary data goes in a binary message: as is in revision 4, after a first byte 4 (the
 * message type) in revision 3 (v3 "Encoding › Packet"). Revision 4 reversed the heartbeat: the server pings
 * and the client answers pong (v4 "Heartbeat", "History › From v3 to v4"); in revision 3 the client pings
 * (v3 "Timeouts"). The upgrade from long-polling is "2probe" → "3probe" → "5" (v4 "Upgrade").
 *
 * Socket.IO (protocol revisions 4 and 5, "Packet encoding › Format"): carried in an Engine.IO message
 * packet as `<type>[<# of binary attachments>-][<namespace>,][<ack id>][JSON payload]`, types 0 CONNECT,
 * 1 DISCONNECT, 2 EVENT, 3 ACK, 4 CONNECT_ERROR (ERROR before revision 5), 5 BINARY_EVENT, 6 BINARY_ACK.
 * Binary arguments are replaced by `{"_placeholder":true,"num":N}` and sent as the next N binary messages.
 */
import type { RenderContext, Rendered, Facts } from './context.js';
import { NotThisProtocol } from './context.js';
import { compactJson, integerValue, jsonNode, member, parseJson, printJson, stringValue, textOf, type JsonNode } from './json.js';
import { payloadJson, renderJson } from './json-view.js';
import { cutNote, renderRaw } from './raw.js';
import { decodeUtf8, hexDumpLines, hexPreview, NodeBudget, oneLine, plural, quoted, textLines, TextOut } from './text.js';
import type { ViewNode } from './types.js';

const ENGINE_TYPES = ['open', 'close', 'ping', 'pong', 'message', 'upgrade', 'noop'] as const;
const SOCKET_TYPES = ['CONNECT', 'DISCONNECT', 'EVENT', 'ACK', 'CONNECT_ERROR', 'BINARY_EVENT', 'BINARY_ACK'] as const;

/** Engine.IO and Socket.IO both number their packet types 0–6 (one ASCII digit). */
export type PacketType = 0 | 1 | 2 | 3 | 4 | 5 | 6;

function isPacketType(n: number): n is PacketType {
  return n >= 0 && n <= 6;
}

/** The Engine.IO revision a path asks for (`EIO=3` / `EIO=4` in the query), if it says. */
export function eioFromPath(path: string | null | undefined): 3 | 4 | undefined {
  const match = path ? /[?&]EIO=([34])(?:&|#|$)/.exec(path) : null;
  return match ? (Number(match[1]) as 3 | 4) : undefined;
}

/** Whether the path is an Engine.IO / Socket.IO endpoint, and whether it is Socket.IO. */
export function engineIoPath(path: string | null | undefined): { socketIo: boolean } | undefined {
  if (!path) return undefined;
  const pathname = path.split(/[?#]/, 1)[0] ?? '';
  if (pathname.includes('/socket.io/') || pathname.endsWith('/socket.io')) return { socketIo: true };
  if (pathname.includes('/engine.io/') || pathname.endsWith('/engine.io')) return { socketIo: false };
  // A custom path still carries the revision in its query (v4 "Query parameters": EIO is mandatory).
  return eioFromPath(path) !== undefined ? { socketIo: true } : undefined;
}

export interface SocketIoPacket {
  type: PacketType;
  attachments?: number;
  nsp: string;
  id?: string;
  /** The JSON text after the header ("" when there is none). */
  payloadText: string;
}

/** Reads a Socket.IO packet header; a string says why the text is not one. */
export function parseSocketIo(text: string): SocketIoPacket | string {
  const type = text.charCodeAt(0) - 0x30;
  if (!isPacketType(type)) return `"${text.slice(0, 1)}" is not a Socket.IO packet type (0–6)`;
  let j = 1;
  let attachments: number | undefined;
  if (type === 5 || type === 6) {
    const dash = text.indexOf('-', j);
    const count = dash < 0 ? '' : text.slice(j, dash);
    if (!/^\d{1,6}$/.test(count) || Number(count) < 1) return `${SOCKET_TYPES[type]} must give its number of attachments, then "-"`;
    attachments = Number(count);
    j = dash + 1;
  }
  let nsp = '/';
  if (text[j] === '/') {
    const comma = text.indexOf(',', j);
    nsp = comma < 0 ? text.slice(j) : text.slice(j, comma);
    j = comma < 0 ? text.length : comma + 1;
  }
  const id = /^\d+/.exec(text.slice(j, j + 32))?.[0];
  if (id !== undefined) j += id.length;
  return {
    type,
    ...(attachments !== undefined ? { attachments } : {}),
    nsp,
    ...(id !== undefined ? { id } : {}),
    payloadText: text.slice(j),
  };
}

/**
 * Whether a text message is unmistakably Engine.IO when nothing else says so: an open packet with a
 * session id, the probe, or a Socket.IO packet with a JSON payload. A bare "2" or "40" is left alone: it
 * is also a JSON number.
 */
export function looksLikeEngineIo(text: string): boolean {
  if (text === '2probe' || text === '3probe') return true;
  if (text.startsWith('0{')) return stringValue(member(parseJson(text.slice(1), 4) ?? undefined, 'sid')) !== undefined;
  if (!text.startsWith('4')) return false;
  const packet = parseSocketIo(text.slice(1));
  if (typeof packet === 'string') return false;
  if (packet.payloadText === '') return packet.nsp !== '/' && text.includes(',');
  const payload = parseJson(packet.payloadText, 4);
  return payload !== null && payloadProblem(packet, payload) === undefined;
}

/** Why a payload does not fit its packet type (revision 5 "Exchange protocol"), or undefined. */
function payloadProblem(packet: SocketIoPacket, payload: JsonNode | null): string | undefined {
  const name = SOCKET_TYPES[packet.type];
  switch (packet.type) {
    case 0:
      return payload === null || payload.kind === 'object' ? undefined : 'the CONNECT payload must be an object';
    case 1:
      return payload === null ? undefined : 'DISCONNECT has no payload';
    case 4:
      return payload !== null && (payload.kind === 'object' || payload.kind === 'string')
        ? undefined
        : 'the CONNECT_ERROR payload must be an object (a string before revision 5)';
    case 2:
    case 5:
      return payload?.kind === 'array' && (payload.items[0]?.kind === 'string' || payload.items[0]?.kind === 'number')
        ? undefined
        : `the ${name} payload must be a non-empty array starting with the event name`;
    default:
      return payload?.kind === 'array' ? undefined : `the ${name} payload must be an array`;
  }
}

/** `{"_placeholder":true,"num":N}` → its N, else undefined. */
function placeholderNumber(node: JsonNode): number | undefined {
  const flag = member(node, '_placeholder');
  if (flag?.kind !== 'literal' || flag.source !== 'true') return undefined;
  return integerValue(member(node, 'num'));
}

/** The payload with attachment placeholders shown as `<attachment N>`. */
function withAttachments(node: JsonNode): JsonNode {
  const num = placeholderNumber(node);
  if (num !== undefined) return { kind: 'annotation', source: `<attachment ${num}>` };
  if (node.kind === 'array') return { kind: 'array', items: node.items.map(withAttachments) };
  if (node.kind === 'object') return { kind: 'object', entries: node.entries.map((e) => ({ ...e, value: withAttachments(e.value) })) };
  return node;
}

export interface EngineIoOptions {
  /** True on an `/engine.io/` path: message packets carry application data, not Socket.IO. */
  bare: boolean;
}

export function renderEngineIo(ctx: RenderContext, options: EngineIoOptions): Rendered {
  if (ctx.input.kind === 'binary') return renderBinary(ctx);
  const { text, valid } = decodeUtf8(ctx.bytes, ctx.cut);
  if (!valid) throw new NotThisProtocol('Engine.IO text packets are UTF-8; this message is not');
  const type = text.charCodeAt(0) - 0x30;
  if (!isPacketType(type)) {
    throw new NotThisProtocol(
      text === ''
        ? 'an empty message is not an Engine.IO packet'
        : `"${oneLine(text.slice(0, 1), 8)}" is not an Engine.IO packet type (0–6)`,
    );
  }
  const data = text.slice(1);
  if (type === 4) {
    if (!options.bare) {
      const packet = parseSocketIo(data);
      if (typeof packet !== 'string') return renderSocketIo(ctx, packet);
      return engineMessage(ctx, data, [`not a Socket.IO packet: ${packet}`]);
    }
    return engineMessage(ctx, data, []);
  }
  return renderEnginePacket(ctx, type, data);
}

/** Packets 0–3, 5, 6. */
function renderEnginePacket(ctx: RenderContext, type: PacketType, data: string): Rendered {
  const { limits } = ctx;
  const name = ENGINE_TYPES[type];
  const dir = ctx.input.dir;
  const eio = ctx.state.eio;
  const facts: Facts = {};
  const notes: string[] = [];
  const budget = new NodeBudget(limits.maxNodes);
  const children: ViewNode[] = [];
  budget.leaf(children, 'type', `${type} ${name}`);
  let summary: string = name;
  const handshake = type === 0 ? parseJson(data, limits.maxDepth) : null;
  if (type === 0) {
    if (handshake?.kind === 'object') {
      const sid = stringValue(member(handshake, 'sid'));
      const interval = integerValue(member(handshake, 'pingInterval'));
      const timeout = integerValue(member(handshake, 'pingTimeout'));
      const upgrades = member(handshake, 'upgrades');
      summary = [
        'open',
        sid !== undefined ? `sid ${sid}` : undefined,
        interval !== undefined ? `ping every ${interval} ms` : undefined,
        timeout !== undefined ? `timeout ${timeout} ms` : undefined,
        upgrades?.kind === 'array' && upgrades.items.length > 0
          ? `upgrades ${upgrades.items.map((u) => textOf(u, 20)).join(',')}`
          : undefined,
      ]
        .filter((part) => part !== undefined)
        .join(', ');
      const node = jsonNode('handshake', handshake, budget, limits.maxDepth);
      if (node) children.push(node);
    } else {
      notes.push('the open packet should carry the handshake as a JSON object (sid, upgrades, pingInterval, pingTimeout)');
    }
  } else if (type === 2 || type === 3) {
    const probe = data === 'probe';
    if (probe) {
      summary = `${name} probe`;
      notes.push(
        type === 2
          ? 'upgrade probe: the client tests this WebSocket before leaving HTTP long-polling; the server answers "3probe"'
          : 'probe answer: the client sends "5" (upgrade) next',
      );
    } else {
      if (data !== '') summary = `${name} ${quoted(data, 60)}`;
      if (type === 2 && dir !== undefined) {
        const fromServer = dir === 'server->client';
        facts.eio = fromServer ? 4 : 3;
        if (eio !== undefined && eio !== facts.eio) {
          notes.push(
            fromServer
              ? 'a ping from the server: in Engine.IO 3 the client pings and the server answers pong'
              : 'a ping from the client: in Engine.IO 4 the server pings and the client answers pong',
          );
        } else {
          notes.push(
            fromServer
              ? 'heartbeat: in Engine.IO 4 the server pings and the client answers pong'
              : 'heartbeat: in Engine.IO 3 the client pings and the server answers pong',
          );
        }
      } else if (type === 3 && dir !== undefined) {
        notes.push(
          dir === 'client->server'
            ? 'heartbeat answer: in Engine.IO 4 the client answers pings from the server'
            : 'heartbeat answer: in Engine.IO 3 the server answers pings from the client',
        );
      }
    }
  } else if (type === 5) {
    notes.push('upgrade: the client leaves HTTP long-polling and uses this WebSocket from now on');
  } else if (type === 6) {
    notes.push('noop: sent during the upgrade to end a pending long-polling request');
  } else if (type === 1) {
    notes.push('the transport is closing');
  }
  const out = new TextOut(limits.maxTextChars).line(`Engine.IO ${name} (${type})`);
  for (const note of notes) out.line(`(${note})`);
  if (type === 0) {
    if (handshake) printJson(handshake, out, '  ', limits.maxDepth);
    else if (data !== '') out.lines(textLines(data, '  ', limits.maxTextChars));
  } else if (data !== '' && data !== 'probe') {
    out.lines(textLines(data, '  data: ', limits.maxTextChars));
  }
  const note = cutNote(ctx);
  if (note !== '') out.line(note);
  for (const n of notes) budget.leaf(children, 'note', n);
  return {
    view: {
      protocol: 'engine.io',
      summary: oneLine(summary, limits.maxSummaryChars),
      text: out.toString(),
      detail: { label: `engine.io ${name}`, children },
    },
    facts,
  };
}

/** An Engine.IO message packet whose data is not Socket.IO: the data viewed as JSON or text. */
function engineMessage(ctx: RenderContext, data: string, notes: readonly string[]): Rendered {
  const { limits } = ctx;
  const inner = { ...ctx, bytes: new TextEncoder().encode(data) };
  const json = payloadJson(inner);
  const view = json ? renderJson(inner, json).view : renderRaw(inner).view;
  const out = new TextOut(limits.maxTextChars).line('Engine.IO message (4)');
  for (const note of notes) out.line(`(${oneLine(note, 200)})`);
  out.lines(view.text.split('\n').map((line) => `  ${line}`));
  const children: ViewNode[] = [{ label: 'type', value: '4 message' }];
  if (view.detail) children.push(view.detail);
  for (const note of notes) children.push({ label: 'note', value: oneLine(note, 200) });
  return {
    view: {
      protocol: 'engine.io',
      summary: oneLine(`message ${view.summary}`, limits.maxSummaryChars),
      text: out.toString(),
      detail: { label: 'engine.io message', children },
    },
  };
}

function renderSocketIo(ctx: RenderContext, packet: SocketIoPacket): Rendered {
  const { limits } = ctx;
  const name = SOCKET_TYPES[packet.type];
  const budget = new NodeBudget(limits.maxNodes);
  const children: ViewNode[] = [];
  const notes: string[] = [];
  budget.leaf(children, 'type', `${packet.type} ${name}`);
  budget.leaf(children, 'namespace', packet.nsp);
  if (packet.id !== undefined) budget.leaf(children, 'ack id', packet.id);
  if (packet.attachments !== undefined) budget.leaf(children, 'attachments', String(packet.attachments));

  let payload: JsonNode | null = null;
  if (packet.payloadText !== '') {
    payload = ctx.cut ? null : parseJson(packet.payloadText, limits.maxDepth);
    if (payload === null) notes.push(ctx.cut ? 'payload cut by the body limit: shown raw' : 'the payload is not JSON');
  }
  const problem = payload !== null || packet.payloadText === '' ? payloadProblem(packet, payload) : undefined;
  if (problem !== undefined) notes.push(`${problem} (the receiver closes the connection)`);
  // CONNECT may carry credentials (revision 5: `{"token":"123"}`); mask them as paths are masked.
  const mask = { maskSecrets: packet.type === 0 };
  const shown = payload ? withAttachments(payload) : null;
  // EVENT and BINARY_EVENT: an array whose first item names the event; the rest are its arguments.
  const [event, ...eventArgs] = (packet.type === 2 || packet.type === 5) && shown?.kind === 'array' ? shown.items : [];

  // Summary: TYPE, event name and arguments, then ack id and namespace.
  const parts: string[] = [name];
  let args: JsonNode[] | undefined;
  if (event) {
    const eventName = stringValue(event);
    parts.push(eventName !== undefined ? quoted(eventName, 60) : compactJson(event, 40));
    args = eventArgs;
  } else if ((packet.type === 3 || packet.type === 6) && shown?.kind === 'array') {
    args = shown.items;
  }
  let summary = parts.join(' ');
  if (args !== undefined) {
    const list = args.map((arg) => compactJson(arg, limits.maxSummaryChars, mask)).join(', ');
    if (list !== '') summary += `: ${list}`;
  } else if (packet.type === 4 && shown) {
    const message = stringValue(member(shown, 'message')) ?? stringValue(shown);
    summary += message !== undefined ? ` ${quoted(message, 100)}` : ` ${compactJson(shown, 100, mask)}`;
  } else if (shown) {
    summary += ` ${compactJson(shown, limits.maxSummaryChars, mask)}`;
  } else if (packet.payloadText !== '') {
    summary += ` ${oneLine(packet.payloadText, 80)}`;
  }
  const tags: string[] = [];
  if (packet.id !== undefined) tags.push(`ack ${packet.id}`);
  if (packet.nsp !== '/') tags.push(packet.nsp);
  if (packet.attachments !== undefined)
    tags.push(`${plural(packet.attachments, 'attachment')} follow${packet.attachments === 1 ? 's' : ''}`);
  if (tags.length > 0) summary += ` (${tags.join(', ')})`;

  const out = new TextOut(limits.maxTextChars).line(`Socket.IO ${name} (Engine.IO message "4", Socket.IO type ${packet.type})`);
  for (const note of notes) out.line(`(${oneLine(note, 200)})`);
  out.line(`namespace: ${oneLine(packet.nsp, 200)}`);
  if (packet.id !== undefined) out.line(`ack id: ${packet.id}`);
  if (event) {
    out.line(`event: ${compactJson(event, 200)}`);
    if (eventArgs.length > 0) out.line('arguments:');
    for (const arg of eventArgs) printJson(arg, out, '  ', limits.maxDepth, mask);
  } else if (shown && (packet.type === 3 || packet.type === 6) && shown.kind === 'array') {
    out.line(shown.items.length === 0 ? 'arguments: none' : 'arguments:');
    for (const arg of shown.items) printJson(arg, out, '  ', limits.maxDepth, mask);
  } else if (shown) {
    out.line('payload:');
    printJson(shown, out, '  ', limits.maxDepth, mask);
  } else if (packet.payloadText !== '') {
    out.line('payload:');
    out.lines(textLines(packet.payloadText, '  ', limits.maxTextChars));
  }
  if (packet.attachments !== undefined) {
    out.line(`binary attachments: the next ${plural(packet.attachments, 'binary message')} from this side`);
  }
  const note = cutNote(ctx);
  if (note !== '') out.line(note);
  if (shown) {
    const node = jsonNode('payload', shown, budget, limits.maxDepth, mask);
    if (node) children.push(node);
  }
  for (const n of notes) budget.leaf(children, 'note', n);

  const facts: Facts = {};
  if (packet.attachments !== undefined) {
    facts.attachments = { count: packet.attachments, packet: oneLine(parts.join(' '), 80) };
  }
  return {
    view: {
      protocol: 'socket.io',
      summary: oneLine(summary, limits.maxSummaryChars),
      text: out.toString(),
      detail: { label: `socket.io ${name}`, children },
    },
    facts,
  };
}

/** A binary message on an Engine.IO connection: a Socket.IO attachment when one is expected. */
function renderBinary(ctx: RenderContext): Rendered {
  const { limits, state } = ctx;
  let bytes = ctx.bytes;
  const notes: string[] = [];
  // Revision 3 puts the message type (4) in the first byte of a binary packet.
  if (state.eio === 3 && bytes[0] === 4) {
    bytes = bytes.subarray(1);
    notes.push('Engine.IO 3 binary message: the first byte (04) is the packet type');
  }
  const size = plural(bytes.length, 'byte');
  const attachment = state.attachment;
  const head = attachment
    ? `attachment ${attachment.index} (${attachment.index + 1} of ${attachment.count}) of ${attachment.packet}`
    : 'binary message';
  const summary = oneLine(`${head}, ${size}${bytes.length > 0 ? `: ${hexPreview(bytes, 12)}` : ''}`, limits.maxSummaryChars);
  const out = new TextOut(limits.maxTextChars).line(attachment ? `Socket.IO ${head}` : `Engine.IO binary message`);
  for (const note of notes) out.line(`(${note})`);
  const note = cutNote(ctx);
  if (note !== '') out.line(note);
  out.lines(hexDumpLines(bytes, limits.maxHexBytes, '  '));
  const children: ViewNode[] = [
    { label: 'size', value: String(bytes.length) },
    { label: 'hex', value: hexPreview(bytes, 64) },
  ];
  return {
    view: {
      protocol: attachment ? 'socket.io' : 'engine.io',
      summary,
      text: out.toString(),
      detail: { label: attachment ? 'socket.io attachment' : 'engine.io binary message', children },
    },
  };
}
