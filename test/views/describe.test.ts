/**
 * describeMessage: which view is chosen (subprotocol first, then path, then content), the raw forms and
 * the control messages, fallbacks, and the limits.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { closeBody } from '../../src/protocol/encoder.js';
import { describeMessage, resolveLimits, DEFAULT_VIEW_LIMITS } from '../../src/views/index.js';
import { hex, utf8, view, type Input } from './support.js';

const MQTT_PINGREQ = hex('c0 00');
const MQTT_CONNECT = hex('10 10 00 04 4d 51 54 54 04 02 00 3c 00 04 64 65 76 31');
const STOMP_SEND = utf8('SEND\ndestination:/queue/a\n\nhi\0');

describe('detection: subprotocol first, then path, then content', () => {
  const cases: Array<[string, Input, string]> = [
    ['mqtt subprotocol', { subprotocol: 'mqtt', kind: 'binary', bytes: MQTT_PINGREQ }, 'mqtt'],
    ['mqttv3.1 subprotocol', { subprotocol: 'mqttv3.1', kind: 'binary', bytes: MQTT_PINGREQ }, 'mqtt'],
    ['subprotocol names are matched without regard to case', { subprotocol: 'MQTT', kind: 'binary', bytes: MQTT_PINGREQ }, 'mqtt'],
    ['v10.stomp', { subprotocol: 'v10.stomp', bytes: STOMP_SEND }, 'stomp'],
    ['v11.stomp', { subprotocol: 'v11.stomp', bytes: STOMP_SEND }, 'stomp'],
    ['v12.stomp', { subprotocol: 'v12.stomp', bytes: STOMP_SEND }, 'stomp'],
    ['graphql-transport-ws', { subprotocol: 'graphql-transport-ws', bytes: utf8('{"type":"connection_ack"}') }, 'graphql-transport-ws'],
    [
      'graphql-ws is the legacy protocol',
      { subprotocol: 'graphql-ws', bytes: utf8('{"type":"connection_ack"}') },
      'subscriptions-transport-ws',
    ],
    ['/socket.io/ path', { path: '/socket.io/?EIO=4&transport=websocket', bytes: utf8('2') }, 'engine.io'],
    ['/engine.io/ path', { path: '/engine.io/?EIO=4&transport=websocket', bytes: utf8('3') }, 'engine.io'],
    ['EIO= on a custom path', { path: '/rt/?EIO=3&transport=websocket', bytes: utf8('42["a"]') }, 'socket.io'],
    ['the subprotocol wins over the path', { subprotocol: 'v12.stomp', path: '/socket.io/', bytes: STOMP_SEND }, 'stomp'],
    ['content: MQTT CONNECT', { kind: 'binary', bytes: MQTT_CONNECT }, 'mqtt'],
    ['content: STOMP frame', { bytes: STOMP_SEND }, 'stomp'],
    ['content: Socket.IO event', { bytes: utf8('42["chat","hi"]') }, 'socket.io'],
    ['content: Engine.IO open', { bytes: utf8('0{"sid":"abc","upgrades":[],"pingInterval":25000,"pingTimeout":20000}') }, 'engine.io'],
    ['content: Engine.IO probe', { bytes: utf8('2probe') }, 'engine.io'],
    ['content: graphql-transport-ws type', { bytes: utf8('{"type":"next","id":"1","payload":{"data":{}}}') }, 'graphql-transport-ws'],
    ['content: subscriptions-transport-ws type', { bytes: utf8('{"type":"ka"}') }, 'subscriptions-transport-ws'],
    ['content: a type both GraphQL protocols share is plain JSON', { bytes: utf8('{"type":"complete","id":"1"}') }, 'json'],
    ['content: JSON', { bytes: utf8('{"a":1}') }, 'json'],
    ['content: JSON in a binary message', { kind: 'binary', bytes: utf8('[1,2]') }, 'json'],
    ['a bare "2" without a path is text, not a ping', { bytes: utf8('2') }, 'text'],
    ['"40" without a path is text (it is also a JSON number)', { bytes: utf8('40') }, 'text'],
    ['a JSON scalar is text', { bytes: utf8('"just a string"') }, 'text'],
    ['text', { bytes: utf8('hello') }, 'text'],
    ['binary', { kind: 'binary', bytes: hex('00 01 02') }, 'hex'],
    ['printable UTF-8 in a binary message is text', { kind: 'binary', bytes: utf8('plain words') }, 'text'],
    ['an unknown subprotocol goes on to the content', { subprotocol: 'chat', bytes: utf8('{"a":1}') }, 'json'],
  ];
  for (const [name, partial, protocol] of cases) {
    it(name, () => assert.equal(view(partial).protocol, protocol));
  }
});

describe('fallback to the raw form', () => {
  it('a message that is not MQTT on an mqtt connection is shown as hex, saying why', () => {
    const result = view({ subprotocol: 'mqtt', kind: 'binary', bytes: hex('00 02 ff ff') });
    assert.equal(result.protocol, 'hex');
    assert.match(result.text, /^\(not an MQTT packet: packet type 0 is reserved\)\n00000000 {2}00 02 ff ff/);
  });

  it('text that is not STOMP on a STOMP connection is shown as text, saying why', () => {
    const result = view({ subprotocol: 'v12.stomp', bytes: utf8('HELLO\n\n\0') });
    assert.equal(result.protocol, 'text');
    assert.equal(result.summary, 'HELLO\\n\\n\\x00');
    assert.match(result.text, /^\(not a STOMP frame: the first line is not a STOMP command\)\n/);
  });

  it('a graphql-transport-ws message that is not a JSON object is raw text', () => {
    const result = view({ subprotocol: 'graphql-transport-ws', bytes: utf8('ping') });
    assert.deepEqual([result.protocol, result.summary], ['text', 'ping']);
    assert.match(result.text, /not a graphql-transport-ws message/);
  });

  it('an Engine.IO connection message with a type outside 0–6 is raw text', () => {
    const result = view({ path: '/socket.io/?EIO=4', bytes: utf8('9oops') });
    assert.equal(result.protocol, 'text');
    assert.match(result.text, /"9" is not an Engine.IO packet type/);
  });
});

describe('raw forms', () => {
  it('text: control characters escaped, line breaks kept in the text and shown as \\n in the summary', () => {
    const result = view({ bytes: utf8('hello\u001b[31m red\r\nline 2\u202e\ttab') });
    assert.equal(result.summary, 'hello\\x1b[31m red\\r\\nline 2\\u202e\\ttab');
    assert.equal(result.text, 'hello\\x1b[31m red\nline 2\\u202e\\ttab');
  });

  it('text that is not UTF-8 says so', () => {
    const result = view({ bytes: hex('68 69 ff') });
    assert.equal(result.text, '(not valid UTF-8: invalid sequences are shown as U+FFFD)\nhi\ufffd');
  });

  it('a text cut by the body limit in the middle of a code point is not called invalid', () => {
    const result = view({ bytes: utf8('caf\u00e9').subarray(0, 4), truncated: true, size: 5 });
    assert.equal(result.text, '(cut: 4 of 5 bytes shown)\ncaf');
  });

  it('binary: a hexdump -C style dump', () => {
    const result = view({ kind: 'binary', bytes: Uint8Array.from([...utf8('Hello, world'), 0, 1, 2, 0xff, 0x80, 0x41]) });
    assert.equal(result.summary, '18 bytes: 48 65 6c 6c 6f 2c 20 77 6f 72 6c 64 00 01 02 ff …');
    assert.equal(
      result.text,
      '00000000  48 65 6c 6c 6f 2c 20 77  6f 72 6c 64 00 01 02 ff  |Hello, world....|\n' +
        '00000010  80 41                                             |.A|',
    );
  });

  it('the hex dump stops at maxHexBytes and says how much is left', () => {
    const result = view({ kind: 'binary', bytes: new Uint8Array(100) }, { maxHexBytes: 32 });
    assert.deepEqual(result.text.split('\n').slice(2), ['… 68 more bytes not shown']);
  });

  it('an empty message', () => {
    assert.equal(view({ bytes: new Uint8Array(0) }).summary, '(empty)');
    assert.equal(view({ kind: 'binary', bytes: new Uint8Array(0) }).summary, '(empty)');
  });
});

describe('control messages', () => {
  it('close: code, name and reason', () => {
    const result = view({ kind: 'close', bytes: closeBody(1001, 'going away') });
    assert.deepEqual([result.protocol, result.summary], ['text', 'close 1001 (going away) "going away"']);
    assert.equal(view({ kind: 'close', bytes: new Uint8Array(0) }).summary, 'close (no status code)');
  });

  it('close: an invalid body is described, not thrown', () => {
    assert.equal(view({ kind: 'close', bytes: hex('03') }).summary, 'close (1-byte body: invalid)');
    const result = view({ kind: 'close', bytes: closeBody(1005) });
    assert.equal(result.summary, 'close 1005 (no status received)');
    assert.match(result.text, /for local reporting only/);
  });

  it('ping and pong: text when printable, hex otherwise', () => {
    assert.equal(view({ kind: 'ping', bytes: utf8('keepalive') }).summary, 'ping "keepalive"');
    assert.equal(view({ kind: 'pong', bytes: new Uint8Array(0) }).summary, 'pong (empty)');
    const binary = view({ kind: 'ping', bytes: hex('00 00 01 8f') });
    assert.deepEqual([binary.protocol, binary.summary], ['hex', 'ping 4 bytes: 00 00 01 8f']);
  });
});

describe('limits', () => {
  it('the defaults', () => {
    assert.deepEqual(resolveLimits(undefined), DEFAULT_VIEW_LIMITS);
  });

  it('nonsense limits fall back to the defaults, tiny ones are raised to a usable minimum', () => {
    const limits = resolveLimits({ maxTextChars: -1, maxSummaryChars: 2, maxHexBytes: Number.NaN, maxDepth: 3.7 });
    assert.equal(limits.maxTextChars, DEFAULT_VIEW_LIMITS.maxTextChars);
    assert.equal(limits.maxSummaryChars, 16);
    assert.equal(limits.maxHexBytes, DEFAULT_VIEW_LIMITS.maxHexBytes);
    assert.equal(limits.maxDepth, 3);
  });

  it('a long text is cut to maxTextChars and says so', () => {
    const result = view({ bytes: utf8('line\n'.repeat(10_000)) }, { maxTextChars: 1000 });
    assert.ok(result.text.length <= 1000);
    assert.match(result.text, /… \(view cut: too long to show whole\)$/);
  });

  it('only maxInputBytes are read: the rest of a large message counts as cut', () => {
    const result = view({ bytes: utf8(`{"a":"${'x'.repeat(5000)}"}`) }, { maxInputBytes: 1000 });
    assert.equal(result.protocol, 'text');
    assert.match(result.text, /^\(JSON, but not whole: shown raw\)\n\(cut: only the first 1000 bytes were captured\)\n/);
  });

  it('a summary is one line of at most maxSummaryChars', () => {
    const result = view({ bytes: utf8('x'.repeat(1000)) }, { maxSummaryChars: 50 });
    assert.equal(result.summary, `${'x'.repeat(49)}…`);
  });
});

describe('never throws', () => {
  it('on inputs that break the types', () => {
    const odd = { subprotocol: 42, kind: 'text', bytes: 'not bytes', truncated: 'yes', path: {} } as unknown as Parameters<
      typeof describeMessage
    >[0];
    const result = describeMessage(odd);
    assert.equal(result.summary, '(empty)');
  });
});
