/**
 * MQTT 3.1, 3.1.1 and 5.0 over WebSocket: control packets named, with their fields.
 *
 * Over WebSocket, packets travel in binary messages, and one message may hold several packets or part of
 * one (MQTT 3.1.1 §6 and MQTT 5.0 §6: [MQTT-6.0.0-1], [MQTT-6.0.0-2]). Every packet starts with a fixed
 * header: type and flags in one byte, then the Remaining Length as a variable byte integer of at most four
 * bytes (3.1.1 §2.2, 5.0 §2.1, §1.5.5). MQTT 5.0 adds properties, a length-prefixed block in most packets
 * (5.0 §2.2.2); they are skipped by their length, never parsed, so no property can make the reader misstep.
 *
 * Everything reads through `Reader`, which stops at the end of what was captured: a packet cut by the
 * message boundary or the body limit shows the fields that arrived.
 */
import type { Facts, MqttLevel, RenderContext, Rendered } from './context.js';
import { NotThisProtocol } from './context.js';
import { compactJson, jsonNode, printJson } from './json.js';
import { jsonOfBytes, payloadJson } from './json-view.js';
import { cutNote, isPrintableText } from './raw.js';
import { decodeUtf8, hexDumpLines, hexPreview, NodeBudget, oneLine, plural, quoted, textLines, TextOut } from './text.js';
import type { ViewNode } from './types.js';

/** Control packet types (3.1.1 §2.2.1 Table 2.1, 5.0 §2.1.2 Table 2-1); 0 is reserved, 15 is AUTH in 5.0. */
const TYPES = [
  'reserved',
  'CONNECT',
  'CONNACK',
  'PUBLISH',
  'PUBACK',
  'PUBREC',
  'PUBREL',
  'PUBCOMP',
  'SUBSCRIBE',
  'SUBACK',
  'UNSUBSCRIBE',
  'UNSUBACK',
  'PINGREQ',
  'PINGRESP',
  'DISCONNECT',
  'AUTH',
] as const;

const LEVEL_NAMES: Record<number, string> = { 3: 'MQTT 3.1', 4: 'MQTT 3.1.1', 5: 'MQTT 5.0' };

/** CONNACK return codes of 3.1 / 3.1.1 (3.1.1 §3.2.2.3 Table 3.1). */
const CONNACK_V3: Record<number, string> = {
  0: 'Connection Accepted',
  1: 'unacceptable protocol version',
  2: 'identifier rejected',
  3: 'server unavailable',
  4: 'bad user name or password',
  5: 'not authorized',
};

/** MQTT 5.0 reason codes (5.0 §2.4 Table 2-6); 0x00 means different things in different packets. */
const REASONS: Record<number, string> = {
  0x01: 'Granted QoS 1',
  0x02: 'Granted QoS 2',
  0x04: 'Disconnect with Will Message',
  0x10: 'No matching subscribers',
  0x11: 'No subscription existed',
  0x18: 'Continue authentication',
  0x19: 'Re-authenticate',
  0x80: 'Unspecified error',
  0x81: 'Malformed Packet',
  0x82: 'Protocol Error',
  0x83: 'Implementation specific error',
  0x84: 'Unsupported Protocol Version',
  0x85: 'Client Identifier not valid',
  0x86: 'Bad User Name or Password',
  0x87: 'Not authorized',
  0x88: 'Server unavailable',
  0x89: 'Server busy',
  0x8a: 'Banned',
  0x8b: 'Server shutting down',
  0x8c: 'Bad authentication method',
  0x8d: 'Keep Alive timeout',
  0x8e: 'Session taken over',
  0x8f: 'Topic Filter invalid',
  0x90: 'Topic Name invalid',
  0x91: 'Packet Identifier in use',
  0x92: 'Packet Identifier not found',
  0x93: 'Receive Maximum exceeded',
  0x94: 'Topic Alias invalid',
  0x95: 'Packet too large',
  0x96: 'Message rate too high',
  0x97: 'Quota exceeded',
  0x98: 'Administrative action',
  0x99: 'Payload format invalid',
  0x9a: 'Retain not supported',
  0x9b: 'QoS not supported',
  0x9c: 'Use another server',
  0x9d: 'Server moved',
  0x9e: 'Shared Subscriptions not supported',
  0x9f: 'Connection rate exceeded',
  0xa0: 'Maximum connect time',
  0xa1: 'Subscription Identifiers not supported',
  0xa2: 'Wildcard Subscriptions not supported',
};

function reasonName(code: number, type: number): string {
  if (code === 0) return type === 14 ? 'Normal disconnection' : type === 9 ? 'Granted QoS 0' : 'Success';
  return REASONS[code] ?? 'unknown reason code';
}

function reason(code: number, type: number): string {
  return `0x${code.toString(16).padStart(2, '0')} ${reasonName(code, type)}`;
}

/** The level a subprotocol name implies: "mqttv3.1" is MQTT 3.1; "mqtt" may be 3.1.1 or 5.0. */
export function mqttLevelFromSubprotocol(subprotocol: string | null): MqttLevel | undefined {
  return subprotocol?.toLowerCase() === 'mqttv3.1' ? 3 : undefined;
}

/** The packet ran past the bytes at hand. */
class Short extends Error {}
/** The bytes break a rule of the packet's format. */
class Malformed extends Error {}

class Reader {
  constructor(
    private readonly bytes: Uint8Array,
    public pos: number,
    private readonly end: number,
  ) {}

  get left(): number {
    return this.end - this.pos;
  }

  u8(): number {
    const byte = this.pos < this.end ? this.bytes[this.pos] : undefined;
    if (byte === undefined) throw new Short();
    this.pos++;
    return byte;
  }

  u16(): number {
    return (this.u8() << 8) | this.u8();
  }

  /** Variable Byte Integer (3.1.1 §2.2.3, 5.0 §1.5.5): 7 bits a byte, at most four bytes. */
  varint(): number {
    let value = 0;
    for (let k = 0; k < 4; k++) {
      const b = this.u8();
      value += (b & 0x7f) * 128 ** k;
      if ((b & 0x80) === 0) return value;
    }
    throw new Malformed('a variable byte integer longer than four bytes');
  }

  take(n: number): Uint8Array {
    if (n > this.left) throw new Short();
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** What is left, up to the end (a PUBLISH payload). */
  rest(): Uint8Array {
    return this.take(this.left);
  }

  /** Binary Data: a 2-byte length and that many bytes (5.0 §1.5.6; the 3.1.1 password and will message). */
  binary(): Uint8Array {
    return this.take(this.u16());
  }

  /** UTF-8 Encoded String (3.1.1 §1.5.3, 5.0 §1.5.4). */
  string(): string {
    return decodeUtf8(this.binary(), false).text;
  }

  /** Skips a 5.0 property block (§2.2.2: Property Length, then the properties); returns its length. */
  properties(): number {
    const length = this.varint();
    this.take(length);
    return length;
  }
}

interface Packet {
  type: number;
  name: string;
  /** One line: the packet and its key fields. */
  line: string;
  fields: Array<[string, string]>;
  problems: string[];
  payload?: Uint8Array;
  /** Whole packet in this message. */
  complete: boolean;
  /** Bytes of the whole packet, header included; unknown while its fixed header is cut. */
  size: number | null;
  level?: MqttLevel;
  /** The header or the packet is so wrong that nothing after it can be trusted. */
  fatal: boolean;
}

/** Required fixed-header flags (3.1.1 §2.2.2 Table 2.2, 5.0 §2.1.3 Table 2-2); PUBLISH's are its own. */
function requiredFlags(type: number): number | undefined {
  if (type === 3) return undefined;
  return type === 6 || type === 8 || type === 10 ? 0b0010 : 0;
}

export function renderMqtt(ctx: RenderContext, subprotocolLevel: MqttLevel | undefined): Rendered {
  const { bytes, limits, input } = ctx;
  const notes: string[] = [];
  const facts: Facts = {};
  if (input.kind === 'text') {
    notes.push('MQTT must travel in binary messages (MQTT 3.1.1 §6, [MQTT-6.0.0-1]); the receiver closes the connection');
  }
  let level = ctx.state.mqttLevel ?? subprotocolLevel;
  let pos = 0;
  const carry = ctx.state.mqttCarry ?? 0;
  if (carry > 0) {
    pos = Math.min(carry, bytes.length);
    if (carry >= bytes.length && !ctx.cut) {
      facts.mqttPending = carry - bytes.length;
      notes.push(`the middle of a packet begun in an earlier message (${plural(carry - bytes.length, 'byte')} still to come)`);
    } else {
      notes.push(`the first ${plural(pos, 'byte')} end a packet begun in an earlier message`);
    }
  }
  const packets: Packet[] = [];
  let end = pos;
  while (pos < bytes.length && packets.length < limits.maxPackets) {
    const packet = readPacket(bytes, pos, level);
    if (packets.length === 0 && carry === 0 && packet.problems.length > 0 && packet.fatal) {
      throw new NotThisProtocol(`not an MQTT packet: ${packet.problems[0]}`);
    }
    if (packet.level !== undefined) {
      level = packet.level;
      facts.mqttLevel = packet.level;
    }
    packets.push(packet);
    end = packet.size === null ? bytes.length : pos + packet.size;
    if (packet.fatal || packet.size === null) break;
    pos = end;
  }
  const last = packets[packets.length - 1];
  if (packets.length >= limits.maxPackets && end < bytes.length) {
    notes.push(`${plural(bytes.length - end, 'more byte')} not decoded (more than ${limits.maxPackets} packets)`);
    facts.mqttPending = null;
  } else if (last && (last.fatal || last.size === null)) {
    // A wrong or cut fixed header: where the next packet starts is unknown.
    facts.mqttPending = null;
  } else if (last && !last.complete && last.size !== null) {
    const size = input.size ?? null;
    if (!ctx.cut) {
      facts.mqttPending = end - bytes.length;
      notes.push(`the last packet continues in the next message (${end - bytes.length} of ${last.size} bytes to come)`);
    } else if (size !== null && size >= bytes.length) {
      facts.mqttPending = end > size ? end - size : end === size ? 0 : null;
      notes.push(`the body limit cut the last packet (${plural(bytes.length - (end - last.size), 'byte')} of ${last.size} shown)`);
    } else {
      facts.mqttPending = null;
      notes.push('the body limit cut the last packet');
    }
  } else if (ctx.cut) {
    // Packets past the captured bytes cannot be followed.
    facts.mqttPending = null;
  } else if (facts.mqttPending === undefined) {
    facts.mqttPending = 0;
  }

  const budget = new NodeBudget(limits.maxNodes);
  const out = new TextOut(limits.maxTextChars);
  out.line(
    packets.length > 1 ? `MQTT, ${plural(packets.length, 'packet')} in one message` : `MQTT${level ? ` (${LEVEL_NAMES[level]})` : ''}`,
  );
  for (const note of notes) out.line(`(${note})`);
  const note = cutNote(ctx);
  if (note !== '') out.line(note);
  const children: ViewNode[] = [];
  packets.forEach((packet, k) => {
    out.line(`${packets.length > 1 ? `#${k + 1} ` : ''}${packet.line}`);
    for (const problem of packet.problems) out.line(`  (${problem})`);
    for (const [label, value] of packet.fields) out.line(`  ${label}: ${oneLine(value, 500)}`);
    const packetChildren: ViewNode[] = [];
    for (const [label, value] of packet.fields) budget.leaf(packetChildren, label, value);
    for (const problem of packet.problems) budget.leaf(packetChildren, 'problem', problem);
    if (packet.payload) writePayload(ctx, packet.payload, packet.complete, out, budget, packetChildren);
    const node = budget.node(packet.name, undefined, packetChildren);
    if (node) children.push(node);
  });
  for (const n of notes) budget.leaf(children, 'note', n);

  const [firstPacket] = packets;
  let summary =
    firstPacket === undefined
      ? (notes[0] ?? '(empty)')
      : `${firstPacket.line}${
          packets.length > 1
            ? ` (+${packets.length - 1} more: ${packets
                .slice(1, 5)
                .map((p) => p.name)
                .join(', ')}${packets.length > 5 ? ', …' : ''})`
            : ''
        }`;
  if (carry > 0 && packets.length > 0) summary = `${summary} (after the end of an earlier packet)`;
  if (last && !last.complete) summary += ctx.cut ? ' (cut)' : ' (continues in the next message)';
  if (packets.length === 0 && bytes.length === 0) summary = '(empty)';
  return {
    view: {
      protocol: 'mqtt',
      summary: oneLine(summary, limits.maxSummaryChars),
      text: out.toString(),
      detail: { label: 'mqtt', children },
    },
    facts,
  };
}

/** PUBLISH payload in the text and the tree: JSON pretty-printed, UTF-8 as text, anything else as hex. */
function writePayload(
  ctx: RenderContext,
  payload: Uint8Array,
  complete: boolean,
  out: TextOut,
  budget: NodeBudget,
  into: ViewNode[],
): void {
  const { limits } = ctx;
  const inner = { ...ctx, bytes: payload, cut: !complete };
  const json = payloadJson(inner);
  out.line(`  payload (${plural(payload.length, 'byte')}${complete ? '' : ' here'}):`);
  if (json) {
    printJson(json, out, '    ', limits.maxDepth);
    const node = jsonNode('payload', json, budget, limits.maxDepth);
    if (node) into.push(node);
    return;
  }
  if (payload.length > 0 && isPrintableText(payload, !complete)) {
    const { text } = decodeUtf8(payload, !complete);
    out.lines(textLines(text, '    ', limits.maxTextChars));
    budget.leaf(into, 'payload', text);
  } else if (payload.length > 0) {
    out.lines(hexDumpLines(payload, limits.maxHexBytes, '    '));
    budget.leaf(into, 'payload', hexPreview(payload, 64));
  }
}

/** One line for a PUBLISH payload in a summary. */
function payloadPreview(payload: Uint8Array, complete: boolean): string {
  if (payload.length === 0) return 'empty payload';
  const json = jsonOfBytes(payload, !complete, 8);
  if (json) return compactJson(json, 120);
  if (!isPrintableText(payload, !complete)) return `${plural(payload.length, 'byte')} ${hexPreview(payload, 8)}`;
  const { text } = decodeUtf8(payload, !complete);
  // A payload that goes on past this message ends in "…" however short its start.
  if (complete) return quoted(text, 80);
  const start = oneLine(text, 78);
  return `"${start.endsWith('…') ? start : `${start}…`}"`;
}

function readPacket(bytes: Uint8Array, start: number, level: MqttLevel | undefined): Packet {
  const header = new Reader(bytes, start, bytes.length);
  const first = header.u8();
  const type = first >> 4;
  const flags = first & 0x0f;
  const name = TYPES[type] ?? 'reserved'; // type is 4 bits: every value has a name
  let remaining: number;
  try {
    remaining = header.varint();
  } catch (error) {
    const problem =
      error instanceof Short ? 'the fixed header continues in the next message' : 'the Remaining Length is longer than four bytes';
    return { type, name, line: name, fields: [], problems: [problem], complete: false, size: null, fatal: !(error instanceof Short) };
  }
  const bodyStart = header.pos;
  const size = bodyStart - start + remaining;
  const complete = bodyStart + remaining <= bytes.length;
  const packet: Packet = { type, name, line: name, fields: [], problems: [], complete, size, fatal: false };
  if (type === 0 || (type === 15 && level !== undefined && level < 5)) {
    packet.problems.push(`packet type ${type} is reserved${type === 15 ? ' before MQTT 5.0' : ''}`);
    packet.fatal = true;
    return packet;
  }
  const required = requiredFlags(type);
  if (required !== undefined && flags !== required) {
    packet.problems.push(
      `the ${name} flags must be ${required.toString(2).padStart(4, '0')}, not ${flags.toString(2).padStart(4, '0')} (malformed)`,
    );
  }
  const body = new Reader(bytes, bodyStart, Math.min(bytes.length, bodyStart + remaining));
  try {
    readBody(packet, flags, remaining, body, level);
    if (complete && body.left > 0 && packet.type !== 3) {
      packet.problems.push(`${plural(body.left, 'byte')} left over after the ${name} fields`);
    }
  } catch (error) {
    if (error instanceof Short) {
      if (complete) packet.problems.push(`the Remaining Length (${remaining}) is too short for the ${name} fields (malformed)`);
    } else if (error instanceof Malformed) {
      packet.problems.push(`${error.message} (malformed)`);
    } else {
      throw error;
    }
  }
  return packet;
}

function readBody(packet: Packet, flags: number, remaining: number, r: Reader, level: MqttLevel | undefined): void {
  const { type, name, fields } = packet;
  const bodyStart = r.pos;
  const v5 = (guess: boolean) => (level === undefined ? guess : level === 5);
  switch (type) {
    case 1: {
      // CONNECT (3.1.1 §3.1.2–§3.1.3, 5.0 §3.1.2–§3.1.3)
      const protocol = r.string();
      const lvl = r.u8();
      if (!((protocol === 'MQTT' && (lvl === 4 || lvl === 5)) || (protocol === 'MQIsdp' && lvl === 3))) {
        packet.problems.push(`protocol name "${oneLine(protocol, 20)}" with level ${lvl} is not MQTT 3.1, 3.1.1 or 5.0`);
        if (protocol !== 'MQTT' && protocol !== 'MQIsdp') packet.fatal = true;
      }
      const known = lvl === 3 || lvl === 4 || lvl === 5 ? lvl : undefined;
      if (known) packet.level = known;
      const connectFlags = r.u8();
      const keepAlive = r.u16();
      fields.push(['protocol', `${protocol} level ${lvl}${LEVEL_NAMES[lvl] ? ` (${LEVEL_NAMES[lvl]})` : ''}`]);
      fields.push(['keep alive', `${keepAlive} s`]);
      fields.push([known === 5 ? 'clean start' : 'clean session', String((connectFlags & 0x02) !== 0)]);
      if (connectFlags & 0x01) packet.problems.push('the reserved connect flag (bit 0) must be 0 [MQTT-3.1.2-3]');
      if (known === 5) fields.push(['properties', plural(r.properties(), 'byte')]);
      const clientId = r.string();
      fields.push(['client id', clientId === '' ? '(empty: the server assigns one)' : clientId]);
      if (connectFlags & 0x04) {
        if (known === 5) r.properties();
        const willTopic = r.string();
        const willPayload = r.binary();
        fields.push([
          'will',
          `topic "${willTopic}", QoS ${(connectFlags >> 3) & 3}${connectFlags & 0x20 ? ', retain' : ''}, ${plural(willPayload.length, 'byte')}`,
        ]);
      }
      // Credentials are never shown: a user name can be a token (some brokers take one there).
      if (connectFlags & 0x80) fields.push(['user name', `(hidden, ${plural(r.binary().length, 'byte')})`]);
      if (connectFlags & 0x40) fields.push(['password', `(hidden, ${plural(r.binary().length, 'byte')})`]);
      packet.line = `CONNECT ${quoted(clientId, 60)} ${LEVEL_NAMES[lvl] ?? `level ${lvl}`}, keep alive ${keepAlive} s${connectFlags & 0x02 ? ', clean' : ''}${
        connectFlags & 0xc0 ? ', credentials' : ''
      }`;
      return;
    }
    case 2: {
      // CONNACK (3.1.1 §3.2.2, 5.0 §3.2.2)
      const ack = r.u8();
      const code = r.u8();
      const isV5 = v5(remaining > 2);
      const text = isV5 ? reason(code, type) : `${code} ${CONNACK_V3[code] ?? 'reserved return code'}`;
      fields.push(['return code', text], ['session present', String((ack & 1) === 1)]);
      if (isV5 && r.left > 0) fields.push(['properties', plural(r.properties(), 'byte')]);
      packet.line = `CONNACK ${text}${ack & 1 ? ', session present' : ''}`;
      return;
    }
    case 3: {
      // PUBLISH (3.1.1 §3.3, 5.0 §3.3)
      const qos = (flags >> 1) & 3;
      if (qos === 3) packet.problems.push('QoS 3 is not allowed [MQTT-3.3.1-4]');
      const topic = r.string();
      const id = qos > 0 && qos < 3 ? r.u16() : undefined;
      fields.push(['topic', topic], ['QoS', String(qos)]);
      if (id !== undefined) fields.push(['packet id', String(id)]);
      if (flags & 0x08) fields.push(['dup', 'true']);
      if (flags & 0x01) fields.push(['retain', 'true']);
      if (level === 5) fields.push(['properties', plural(r.properties(), 'byte')]);
      // Only 5.0 has properties here, and nothing in the bytes says which level this is.
      if (level === undefined) fields.push(['read as', UNKNOWN_LEVEL]);
      const payloadSize = remaining - (r.pos - bodyStart);
      const payload = r.rest();
      packet.payload = payload;
      fields.push(['payload size', plural(payloadSize, 'byte') + (packet.complete ? '' : ` (${payload.length} in this message)`)]);
      const tags = [`QoS ${qos}`, id !== undefined ? `id ${id}` : '', flags & 0x01 ? 'retain' : '', flags & 0x08 ? 'dup' : '']
        .filter((t) => t !== '')
        .join(' ');
      packet.line = `PUBLISH ${quoted(topic, 80)} ${tags}: ${payloadPreview(payload, packet.complete)}`;
      return;
    }
    case 4:
    case 5:
    case 6:
    case 7: {
      // PUBACK, PUBREC, PUBREL, PUBCOMP (3.1.1 §3.4–§3.7; 5.0 adds a reason code and properties, omitted
      // when the remaining length is 2 (5.0 §3.4.2.1)
      const id = r.u16();
      fields.push(['packet id', String(id)]);
      let line = `${name} id ${id}`;
      if (r.left > 0) {
        if (level !== undefined && level < 5) throw new Malformed(`${name} has ${remaining} bytes of fields; MQTT 3.1.1 defines 2`);
        const code = r.u8();
        fields.push(['reason', reason(code, type)]);
        line += `: ${reason(code, type)}`;
        if (r.left > 0) fields.push(['properties', plural(r.properties(), 'byte')]);
      }
      packet.line = line;
      return;
    }
    case 8:
    case 10: {
      // SUBSCRIBE (3.1.1 §3.8, 5.0 §3.8) and UNSUBSCRIBE (3.1.1 §3.10, 5.0 §3.10)
      const start = r.pos;
      const read = (isV5: boolean): Array<[string, number | undefined]> => {
        r.pos = start;
        const entries: Array<[string, number | undefined]> = [];
        r.u16();
        if (isV5) r.properties();
        while (r.left > 0) {
          const filter = r.string();
          const options = type === 8 ? r.u8() : undefined;
          if (options !== undefined && (options & 3) === 3) throw new Malformed('QoS 3 in a subscription');
          if (options !== undefined && !isV5 && options & 0xfc) throw new Malformed('reserved subscription option bits set');
          entries.push([filter, options]);
        }
        if (entries.length === 0) throw new Malformed(`${name} must list at least one topic filter`);
        return entries;
      };
      // Level unknown: 3.1.1 if it parses so, else 5.0 if that parses; when neither does, 3.1.1's complaint.
      const isV5 = level !== undefined ? level === 5 : !tryRead(() => read(false)) && tryRead(() => read(true));
      if (level === undefined)
        fields.push(['read as', isV5 ? 'MQTT 5.0 (level unknown: no CONNECT seen; it does not parse as 3.1.1)' : UNKNOWN_LEVEL]);
      r.pos = start;
      const id = r.u16();
      r.pos = start;
      const entries = read(isV5);
      fields.push(['packet id', String(id)]);
      const list = entries.map(([filter, options]) =>
        options === undefined ? quoted(filter, 60) : `${quoted(filter, 60)} ${subscriptionOptions(options, isV5)}`,
      );
      entries.forEach(([filter, options], k) =>
        fields.push([`filter ${k + 1}`, options === undefined ? filter : `${filter} (${subscriptionOptions(options, isV5)})`]),
      );
      packet.line = `${name} id ${id}: ${list.join(', ')}`;
      return;
    }
    case 9:
    case 11: {
      // SUBACK (3.1.1 §3.9, 5.0 §3.9) and UNSUBACK (3.1.1 §3.11, 5.0 §3.11)
      const id = r.u16();
      fields.push(['packet id', String(id)]);
      const isV5 = v5(type === 11 ? remaining > 2 : false);
      if (level === undefined && type === 9) fields.push(['read as', UNKNOWN_LEVEL]);
      if (isV5) fields.push(['properties', plural(r.properties(), 'byte')]);
      const codes: string[] = [];
      while (r.left > 0) {
        const code = r.u8();
        codes.push(
          isV5 ? reason(code, type) : code === 0x80 ? 'Failure' : code <= 2 ? `granted QoS ${code}` : `0x${code.toString(16)} (invalid)`,
        );
      }
      codes.forEach((code, k) => fields.push([`result ${k + 1}`, code]));
      packet.line = `${name} id ${id}${codes.length > 0 ? `: ${codes.join(', ')}` : ''}`;
      return;
    }
    case 12:
    case 13:
      // PINGREQ, PINGRESP (3.1.1 §3.12, §3.13): no fields
      if (remaining !== 0) throw new Malformed(`${name} has a Remaining Length of ${remaining}; it must be 0`);
      return;
    case 14:
    case 15: {
      // DISCONNECT (3.1.1 §3.14: no fields; 5.0 §3.14: reason code, properties) and AUTH (5.0 §3.15)
      if (remaining === 0) {
        if (type === 15) packet.line = 'AUTH 0x00 Success';
        return;
      }
      if (level !== undefined && level < 5) throw new Malformed(`${name} has ${remaining} bytes of fields; MQTT 3.1.1 defines none`);
      const code = r.u8();
      fields.push(['reason', reason(code, type)]);
      if (r.left > 0) fields.push(['properties', plural(r.properties(), 'byte')]);
      packet.line = `${name} ${reason(code, type)}`;
      return;
    }
  }
}

const UNKNOWN_LEVEL = 'MQTT 3.1.1 (level unknown: no CONNECT seen)';

function tryRead(read: () => unknown): boolean {
  try {
    read();
    return true;
  } catch (error) {
    if (error instanceof Short || error instanceof Malformed) return false;
    throw error;
  }
}

/** 3.1.1 §3.8.3.1: QoS only; 5.0 §3.8.3.1: QoS, No Local, Retain As Published, Retain Handling. */
function subscriptionOptions(options: number, v5: boolean): string {
  const parts = [`QoS ${options & 3}`];
  if (v5) {
    if (options & 0x04) parts.push('no local');
    if (options & 0x08) parts.push('retain as published');
    const handling = (options >> 4) & 3;
    if (handling !== 0) parts.push(`retain handling ${handling}`);
  }
  return parts.join(', ');
}

/** Whether a binary message looks like an MQTT CONNECT (for detection without a subprotocol). */
export function looksLikeMqttConnect(bytes: Uint8Array): boolean {
  if (bytes[0] !== 0x10) return false;
  try {
    const r = new Reader(bytes, 1, bytes.length);
    const remaining = r.varint();
    if (r.pos + remaining !== bytes.length) return false;
    const protocol = r.string();
    const lvl = r.u8();
    return (protocol === 'MQTT' && (lvl === 4 || lvl === 5)) || (protocol === 'MQIsdp' && lvl === 3);
  } catch {
    return false;
  }
}
