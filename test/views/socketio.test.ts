/**
 * Engine.IO and Socket.IO views, with genuine encodings from engine.io-parser (revision 4) and
 * socket.io-parser (revision 5), and the revision 3 / 4 examples of the protocol documents.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodePacket, type Packet as EnginePacket } from 'engine.io-parser';
import { Encoder, PacketType } from 'socket.io-parser';
import { ConversationViews } from '../../src/views/index.js';
import { findValue, utf8, view } from './support.js';

const PATH4 = '/socket.io/?EIO=4&transport=websocket';
const PATH3 = '/socket.io/?EIO=3&transport=websocket';

/** What a Socket.IO client or server writes to the WebSocket: each Engine.IO packet as one message. */
function engineEncode(packet: EnginePacket): string | Uint8Array {
  let encoded: unknown;
  encodePacket(packet, true, (data: unknown) => {
    encoded = data;
  });
  if (typeof encoded === 'string') return encoded;
  if (encoded instanceof ArrayBuffer) return new Uint8Array(encoded);
  return encoded as Uint8Array;
}

/** A Socket.IO packet as WebSocket messages: the text packet, then one binary message per attachment. */
function socketIoMessages(packet: Parameters<Encoder['encode']>[0]): Array<{ kind: 'text' | 'binary'; bytes: Uint8Array }> {
  return new Encoder().encode(packet).map((part: string | Uint8Array) => {
    const encoded = engineEncode(typeof part === 'string' ? { type: 'message', data: part } : { type: 'message', data: part as Buffer });
    return typeof encoded === 'string' ? { kind: 'text' as const, bytes: utf8(encoded) } : { kind: 'binary' as const, bytes: encoded };
  });
}

describe('Engine.IO packets', () => {
  const cases: Array<[string, string, string]> = [
    [
      'open',
      '0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}',
      'open, sid lv_VI97HAXpY6yYWAAAC, ping every 25000 ms, timeout 20000 ms, upgrades websocket',
    ],
    ['close', '1', 'close'],
    ['ping', '2', 'ping'],
    ['pong', '3', 'pong'],
    ['probe', '2probe', 'ping probe'],
    ['probe answer', '3probe', 'pong probe'],
    ['upgrade', '5', 'upgrade'],
    ['noop', '6', 'noop'],
    ['message on a bare Engine.IO connection', '4hello', 'message hello'],
  ];
  for (const [name, text, summary] of cases) {
    it(name, () => {
      const result = view({ path: name.includes('bare') ? '/engine.io/?EIO=4' : PATH4, bytes: utf8(text) });
      assert.deepEqual([result.protocol, result.summary], ['engine.io', summary]);
    });
  }

  it('engine.io-parser encodings are read as they were meant', () => {
    assert.equal(view({ path: PATH4, bytes: utf8(engineEncode({ type: 'ping', data: 'probe' }) as string) }).summary, 'ping probe');
    assert.equal(
      view({ path: '/engine.io/', bytes: utf8(engineEncode({ type: 'message', data: '{"a":1}' }) as string) }).summary,
      'message {"a":1}',
    );
  });

  it('the open packet shows the handshake', () => {
    const result = view({ path: PATH4, bytes: utf8('0{"sid":"abc","upgrades":[],"pingInterval":300,"pingTimeout":200}') });
    assert.equal(
      result.text,
      'Engine.IO open (0)\n  {\n    "sid": "abc",\n    "upgrades": [],\n    "pingInterval": 300,\n    "pingTimeout": 200\n  }',
    );
  });

  it('the upgrade dance is explained step by step', () => {
    assert.match(view({ bytes: utf8('2probe'), dir: 'client->server' }).text, /upgrade probe: the client tests this WebSocket/);
    assert.match(view({ bytes: utf8('3probe'), dir: 'server->client' }).text, /the client sends "5" \(upgrade\) next/);
    assert.match(view({ path: PATH4, bytes: utf8('5'), dir: 'client->server' }).text, /leaves HTTP long-polling/);
  });

  it('heartbeat direction: the server pings in revision 4, the client in revision 3', () => {
    assert.match(
      view({ path: PATH4, bytes: utf8('2'), dir: 'server->client' }).text,
      /in Engine.IO 4 the server pings and the client answers pong/,
    );
    assert.match(
      view({ path: PATH3, bytes: utf8('2'), dir: 'client->server' }).text,
      /in Engine.IO 3 the client pings and the server answers pong/,
    );
    // The other way round is a mismatch worth saying.
    assert.match(
      view({ path: PATH4, bytes: utf8('2'), dir: 'client->server' }).text,
      /a ping from the client: in Engine.IO 4 the server pings/,
    );
    assert.match(
      view({ path: PATH3, bytes: utf8('2'), dir: 'server->client' }).text,
      /a ping from the server: in Engine.IO 3 the client pings/,
    );
  });
});

describe('Socket.IO packets (socket.io-parser encodings)', () => {
  const cases: Array<[string, Parameters<Encoder['encode']>[0], string, string]> = [
    ['CONNECT to the main namespace', { type: PacketType.CONNECT, nsp: '/' }, '40', 'CONNECT'],
    [
      'CONNECT with a token is masked',
      { type: PacketType.CONNECT, nsp: '/admin', data: { token: '123' } },
      '40/admin,{"token":"123"}',
      'CONNECT {"token":"REDACTED"} (/admin)',
    ],
    // A session id lets whoever holds it speak for the session (long-polling): masked like other credentials.
    [
      'CONNECT answered with a sid is masked',
      { type: PacketType.CONNECT, nsp: '/', data: { sid: 'wZX3oN0bSVIhsaknAAAI' } },
      '40{"sid":"wZX3oN0bSVIhsaknAAAI"}',
      'CONNECT {"sid":"REDACTED"}',
    ],
    ['DISCONNECT', { type: PacketType.DISCONNECT, nsp: '/admin' }, '41/admin,', 'DISCONNECT (/admin)'],
    [
      'EVENT',
      { type: PacketType.EVENT, nsp: '/', data: ['chat', 'hi', { a: 1 }] },
      '42["chat","hi",{"a":1}]',
      'EVENT "chat": "hi", {"a":1}',
    ],
    [
      'EVENT with an ack id on a namespace',
      { type: PacketType.EVENT, nsp: '/admin', id: 12, data: ['tellme'] },
      '42/admin,12["tellme"]',
      'EVENT "tellme" (ack 12, /admin)',
    ],
    ['ACK', { type: PacketType.ACK, nsp: '/', id: 12, data: ['bar'] }, '4312["bar"]', 'ACK: "bar" (ack 12)'],
    [
      'CONNECT_ERROR',
      { type: PacketType.CONNECT_ERROR, nsp: '/', data: { message: 'Not authorized' } },
      '44{"message":"Not authorized"}',
      'CONNECT_ERROR "Not authorized"',
    ],
  ];
  for (const [name, packet, wire, summary] of cases) {
    it(name, () => {
      const [message] = socketIoMessages(packet);
      assert.equal(Buffer.from(message!.bytes).toString(), wire);
      const result = view({ path: PATH4, ...message! });
      assert.deepEqual([result.protocol, result.summary], ['socket.io', summary]);
    });
  }

  it('an EVENT in full', () => {
    const result = view({ path: PATH4, bytes: utf8('42/admin,7["chat","hi",{"a":[1]}]') });
    assert.equal(
      result.text,
      [
        'Socket.IO EVENT (Engine.IO message "4", Socket.IO type 2)',
        'namespace: /admin',
        'ack id: 7',
        'event: "chat"',
        'arguments:',
        '  "hi"',
        '  {',
        '    "a": [',
        '      1',
        '    ]',
        '  }',
      ].join('\n'),
    );
    assert.equal(findValue(result.detail, 'namespace'), '/admin');
    assert.equal(findValue(result.detail, 'ack id'), '7');
  });

  it('BINARY_EVENT: placeholders, then the attachments as the next binary messages of the same side', () => {
    const messages = socketIoMessages({ type: PacketType.EVENT, nsp: '/', data: ['upload', Buffer.from([1, 2, 3]), Buffer.from([4])] });
    assert.equal(Buffer.from(messages[0]!.bytes).toString(), '452-["upload",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]');
    const conversation = new ConversationViews({ subprotocol: null, path: PATH4 });
    const summaries = [
      ...messages.map((m) => conversation.describe({ dir: 'client->server', truncated: false, ...m })),
      conversation.describe({ dir: 'client->server', kind: 'binary', bytes: Uint8Array.of(9), truncated: false }),
    ].map((v) => `${v.protocol} | ${v.summary}`);
    assert.deepEqual(summaries, [
      'socket.io | BINARY_EVENT "upload": <attachment 0>, <attachment 1> (2 attachments follow)',
      'socket.io | attachment 0 (1 of 2) of BINARY_EVENT "upload", 3 bytes: 01 02 03',
      'socket.io | attachment 1 (2 of 2) of BINARY_EVENT "upload", 1 byte: 04',
      'engine.io | binary message, 1 byte: 09',
    ]);
  });

  it('attachments are counted per direction', () => {
    const conversation = new ConversationViews({ subprotocol: null, path: PATH4 });
    conversation.describe({ dir: 'server->client', kind: 'text', bytes: utf8('461-5[{"_placeholder":true,"num":0}]'), truncated: false });
    const other = conversation.describe({ dir: 'client->server', kind: 'binary', bytes: Uint8Array.of(1), truncated: false });
    const same = conversation.describe({ dir: 'server->client', kind: 'binary', bytes: Uint8Array.of(2), truncated: false });
    assert.equal(other.summary, 'binary message, 1 byte: 01');
    assert.equal(same.summary, 'attachment 0 (1 of 1) of BINARY_ACK, 1 byte: 02');
  });

  it('Engine.IO 3 binary messages carry the packet type 4 in their first byte', () => {
    const conversation = new ConversationViews({ subprotocol: null, path: PATH3 });
    conversation.describe({
      dir: 'client->server',
      kind: 'text',
      bytes: utf8('451-["f",{"_placeholder":true,"num":0}]'),
      truncated: false,
    });
    const attachment = conversation.describe({
      dir: 'client->server',
      kind: 'binary',
      bytes: Uint8Array.of(4, 0xca, 0xfe),
      truncated: false,
    });
    assert.equal(attachment.summary, 'attachment 0 (1 of 1) of BINARY_EVENT "f", 2 bytes: ca fe');
    assert.match(attachment.text, /Engine.IO 3 binary message: the first byte \(04\) is the packet type/);
  });

  it('a payload that breaks the packet rules is shown with the rule', () => {
    const result = view({ path: PATH4, bytes: utf8('42[]') });
    assert.equal(result.protocol, 'socket.io');
    assert.match(
      result.text,
      /the EVENT payload must be a non-empty array starting with the event name \(the receiver closes the connection\)/,
    );
    assert.match(view({ path: PATH4, bytes: utf8('42{oops') }).text, /\(the payload is not JSON\)/);
  });

  it('a message packet that is not Socket.IO is an Engine.IO message, saying why', () => {
    const result = view({ path: PATH4, bytes: utf8('4hello') });
    assert.deepEqual([result.protocol, result.summary], ['engine.io', 'message hello']);
    assert.match(result.text, /not a Socket.IO packet: "h" is not a Socket.IO packet type/);
  });

  it('a packet cut by the body limit keeps its header and shows the rest raw', () => {
    const result = view({ path: PATH4, bytes: utf8('42/chat,["message","a long'), truncated: true, size: 200 });
    assert.equal(result.summary, 'EVENT ["message","a long (/chat)');
    assert.match(result.text, /\(payload cut by the body limit: shown raw\)/);
  });

  it('once recognised, a connection without a Socket.IO path reads bare pings as pings', () => {
    const conversation = new ConversationViews({ subprotocol: null, path: '/' });
    assert.equal(conversation.describe({ dir: 'server->client', kind: 'text', bytes: utf8('2'), truncated: false }).protocol, 'text');
    conversation.describe({
      dir: 'server->client',
      kind: 'text',
      bytes: utf8('0{"sid":"x","upgrades":[],"pingInterval":1,"pingTimeout":1}'),
      truncated: false,
    });
    const ping = conversation.describe({ dir: 'server->client', kind: 'text', bytes: utf8('2'), truncated: false });
    assert.deepEqual([ping.protocol, ping.summary], ['engine.io', 'ping']);
  });
});
