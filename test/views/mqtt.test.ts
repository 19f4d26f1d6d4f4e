/**
 * MQTT views: packets built by hand from the MQTT 3.1.1 / 5.0 specifications, and genuine encodings from
 * mqtt-packet (the encoder of the `mqtt` client) for 3.1.1 and 5.0 with properties; several packets in
 * one message, a packet split across messages, and malformed packets.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as mqtt from 'mqtt-packet';
import { concatBytes } from '../../src/protocol/encoder.js';
import { ConversationViews } from '../../src/views/index.js';
import { findValue, hex, utf8, view } from './support.js';

const gen = (packet: mqtt.Packet, protocolVersion: 3 | 4 | 5 = 4): Uint8Array =>
  Uint8Array.from(mqtt.generate(packet, { protocolVersion }));

const bin = (bytes: Uint8Array) => ({ subprotocol: 'mqtt', kind: 'binary' as const, bytes });

describe('MQTT 3.1.1 packets built by hand', () => {
  const cases: Array<[string, string, string]> = [
    // 3.1.1 §3.1: "MQTT", level 4, flags 0x02 (clean session), keep alive 60, client id "dev1"
    ['CONNECT', '10 10 0004 4d515454 04 02 003c 0004 64657631', 'CONNECT "dev1" MQTT 3.1.1, keep alive 60 s, clean'],
    // 3.1 used "MQIsdp" and level 3
    ['CONNECT 3.1', '10 12 0006 4d5149736470 03 00 003c 0004 64657631', 'CONNECT "dev1" MQTT 3.1, keep alive 60 s'],
    ['CONNACK accepted, session present', '20 02 01 00', 'CONNACK 0 Connection Accepted, session present'],
    ['CONNACK refused', '20 02 00 05', 'CONNACK 5 not authorized'],
    ['PUBLISH QoS 0', '30 0a 0003 612f62 68656c6c6f', 'PUBLISH "a/b" QoS 0: "hello"'],
    // flags 1011: DUP, QoS 1, RETAIN; packet id 7
    ['PUBLISH QoS 1 dup retain', '3b 09 0003 612f62 0007 6869', 'PUBLISH "a/b" QoS 1 id 7 retain dup: "hi"'],
    ['PUBLISH with a binary payload', '30 08 0001 74 00ff1002 00', 'PUBLISH "t" QoS 0: 5 bytes 00 ff 10 02 00'],
    ['PUBLISH with a JSON payload', '32 0f 0001 74 0001 7b2274223a32312e357d', 'PUBLISH "t" QoS 1 id 1: {"t":21.5}'],
    ['PUBLISH with no payload', '30 03 0001 74', 'PUBLISH "t" QoS 0: empty payload'],
    ['PUBACK', '40 02 0007', 'PUBACK id 7'],
    ['PUBREC', '50 02 0007', 'PUBREC id 7'],
    ['PUBREL', '62 02 0007', 'PUBREL id 7'],
    ['PUBCOMP', '70 02 0007', 'PUBCOMP id 7'],
    ['SUBSCRIBE', '82 0c 0003 0003 782f23 01 0001 79 00', 'SUBSCRIBE id 3: "x/#" QoS 1, "y" QoS 0'],
    ['SUBACK', '90 04 0003 01 80', 'SUBACK id 3: granted QoS 1, Failure'],
    ['UNSUBSCRIBE', 'a2 05 0004 0001 79', 'UNSUBSCRIBE id 4: "y"'],
    ['UNSUBACK', 'b0 02 0004', 'UNSUBACK id 4'],
    ['PINGREQ', 'c0 00', 'PINGREQ'],
    ['PINGRESP', 'd0 00', 'PINGRESP'],
    ['DISCONNECT', 'e0 00', 'DISCONNECT'],
  ];
  for (const [name, bytes, summary] of cases) {
    it(name, () => {
      const result = view(bin(hex(bytes)));
      assert.deepEqual([result.protocol, result.summary], ['mqtt', summary]);
    });
  }

  it('a two-byte Remaining Length (3.1.1 §2.2.3)', () => {
    const payload = new Uint8Array(200).fill(0x61);
    const bytes = concatBytes([hex('30 c9 01 0001 74'), payload]); // 201 = 0xc9 0x01
    const result = view(bin(bytes));
    assert.equal(findValue(result.detail, 'payload size'), '198 bytes');
    assert.match(result.summary, /^PUBLISH "t" QoS 0: "a{20,}/);
  });

  it('the text of a CONNECT, with the credentials hidden', () => {
    const result = view(
      bin(
        gen({
          cmd: 'connect',
          protocolVersion: 4,
          clientId: 'w',
          clean: true,
          keepalive: 0,
          will: { topic: 'dead', payload: Buffer.from('bye'), qos: 1, retain: true },
          username: 'u',
          password: Buffer.from('p4ss'),
        }),
      ),
    );
    assert.equal(
      result.text,
      [
        'MQTT (MQTT 3.1.1)',
        'CONNECT "w" MQTT 3.1.1, keep alive 0 s, clean, credentials',
        '  protocol: MQTT level 4 (MQTT 3.1.1)',
        '  keep alive: 0 s',
        '  clean session: true',
        '  client id: w',
        '  will: topic "dead", QoS 1, retain, 3 bytes',
        '  user name: (hidden, 1 byte)',
        '  password: (hidden, 4 bytes)',
      ].join('\n'),
    );
    assert.doesNotMatch(JSON.stringify(result), /p4ss/);
  });

  it('the text of a PUBLISH shows its payload pretty-printed', () => {
    const result = view(
      bin(gen({ cmd: 'publish', topic: 'sensors/t1', payload: '{"t":21.5,"unit":"C"}', qos: 1, messageId: 7, retain: false, dup: false })),
    );
    assert.equal(
      result.text,
      [
        'MQTT',
        'PUBLISH "sensors/t1" QoS 1 id 7: {"t":21.5,"unit":"C"}',
        '  topic: sensors/t1',
        '  QoS: 1',
        '  packet id: 7',
        '  read as: MQTT 3.1.1 (level unknown: no CONNECT seen)',
        '  payload size: 21 bytes',
        '  payload (21 bytes):',
        '    {',
        '      "t": 21.5,',
        '      "unit": "C"',
        '    }',
      ].join('\n'),
    );
  });
});

describe('MQTT 5.0 (mqtt-packet encodings, properties skipped by their length)', () => {
  it('CONNECT with properties gives the level for the rest of the connection', () => {
    const conversation = new ConversationViews({ subprotocol: 'mqtt' });
    const connect = conversation.describe({
      dir: 'client->server',
      kind: 'binary',
      truncated: false,
      bytes: gen(
        {
          cmd: 'connect',
          protocolVersion: 5,
          clientId: 'dev-5',
          keepalive: 10,
          clean: true,
          properties: { sessionExpiryInterval: 60, receiveMaximum: 10 },
        },
        5,
      ),
    });
    assert.equal(connect.summary, 'CONNECT "dev-5" MQTT 5.0, keep alive 10 s, clean');
    assert.match(connect.text, /properties: 8 bytes/);
    const publish = conversation.describe({
      dir: 'client->server',
      kind: 'binary',
      truncated: false,
      bytes: gen(
        {
          cmd: 'publish',
          topic: 's/t',
          payload: '{"v":1}',
          qos: 1,
          messageId: 9,
          retain: false,
          dup: false,
          properties: { contentType: 'application/json', userProperties: { a: 'b' } },
        },
        5,
      ),
    });
    assert.equal(publish.summary, 'PUBLISH "s/t" QoS 1 id 9: {"v":1}');
    assert.equal(findValue(publish.detail, 'properties'), '26 bytes');
    // The server's packets are read as 5.0 too: the level belongs to the connection.
    const suback = conversation.describe({
      dir: 'server->client',
      kind: 'binary',
      truncated: false,
      bytes: gen({ cmd: 'suback', messageId: 3, granted: [1, 0x87], properties: { reasonString: 'no' } }, 5),
    });
    assert.equal(suback.summary, 'SUBACK id 3: 0x01 Granted QoS 1, 0x87 Not authorized');
  });

  const cases: Array<[string, mqtt.Packet, string]> = [
    [
      'CONNACK with a reason code',
      { cmd: 'connack', reasonCode: 0x86, sessionPresent: false, properties: { reasonString: 'bad' } },
      'CONNACK 0x86 Bad User Name or Password',
    ],
    ['PUBACK with a reason code', { cmd: 'puback', messageId: 9, reasonCode: 0x10 }, 'PUBACK id 9: 0x10 No matching subscribers'],
    [
      'DISCONNECT with a reason and properties',
      { cmd: 'disconnect', reasonCode: 0x8e, properties: { reasonString: 'taken over' } },
      'DISCONNECT 0x8e Session taken over',
    ],
    ['AUTH', { cmd: 'auth', reasonCode: 0x18, properties: { authenticationMethod: 'SCRAM' } }, 'AUTH 0x18 Continue authentication'],
    [
      'SUBSCRIBE with options, level unknown: read as 5.0 because it does not parse as 3.1.1',
      {
        cmd: 'subscribe',
        messageId: 3,
        subscriptions: [{ topic: 'x/#', qos: 1, nl: true, rap: true, rh: 2 }],
        properties: { subscriptionIdentifier: 4 },
      },
      'SUBSCRIBE id 3: "x/#" QoS 1, no local, retain as published, retain handling 2',
    ],
  ];
  for (const [name, packet, summary] of cases) {
    it(name, () => assert.equal(view(bin(gen(packet, 5))).summary, summary));
  }
});

describe('packets and messages do not line up ([MQTT-6.0.0-2])', () => {
  it('several packets in one message are all listed', () => {
    const bytes = concatBytes([
      gen({ cmd: 'publish', topic: 'a', payload: 'x', qos: 0, retain: false, dup: false }),
      hex('c0 00'),
      hex('40 02 0001'),
    ]);
    const result = view(bin(bytes));
    assert.equal(result.summary, 'PUBLISH "a" QoS 0: "x" (+2 more: PINGREQ, PUBACK)');
    assert.match(result.text, /^MQTT, 3 packets in one message\n#1 PUBLISH/);
    assert.match(result.text, /\n#2 PINGREQ\n#3 PUBACK id 1/);
  });

  it('a packet split across three messages is followed to its end', () => {
    const publish = gen({ cmd: 'publish', topic: 'big', payload: Buffer.alloc(300, 0x41), qos: 0, retain: false, dup: false });
    const conversation = new ConversationViews({ subprotocol: 'mqtt' });
    const parts = [publish.subarray(0, 100), publish.subarray(100, 250), concatBytes([publish.subarray(250), hex('c0 00')])];
    const views = parts.map((bytes) => conversation.describe({ dir: 'client->server', kind: 'binary', bytes, truncated: false }));
    assert.match(views[0]!.summary, /^PUBLISH "big" QoS 0: "A+…" \(continues in the next message\)$/);
    assert.match(views[0]!.text, /the last packet continues in the next message \(208 of 308 bytes to come\)/);
    assert.equal(views[1]!.summary, 'the middle of a packet begun in an earlier message (58 bytes still to come)');
    assert.equal(views[2]!.summary, 'PINGREQ (after the end of an earlier packet)');
    assert.match(views[2]!.text, /the first 58 bytes end a packet begun in an earlier message/);
  });

  it('a fixed header split across messages', () => {
    const conversation = new ConversationViews({ subprotocol: 'mqtt' });
    const first = conversation.describe({ dir: 'client->server', kind: 'binary', bytes: hex('30'), truncated: false });
    assert.match(first.text, /the fixed header continues in the next message/);
  });

  it('the other direction is not disturbed by a split', () => {
    const conversation = new ConversationViews({ subprotocol: 'mqtt' });
    conversation.describe({ dir: 'client->server', kind: 'binary', bytes: hex('30 0a 0003 612f'), truncated: false });
    assert.equal(
      conversation.describe({ dir: 'server->client', kind: 'binary', bytes: hex('d0 00'), truncated: false }).summary,
      'PINGRESP',
    );
  });

  it('a packet cut by the body limit says so', () => {
    const publish = gen({ cmd: 'publish', topic: 't', payload: Buffer.alloc(100, 0x42), qos: 0, retain: false, dup: false });
    const result = view({ ...bin(publish.subarray(0, 20)), truncated: true, size: publish.length });
    assert.match(result.summary, /^PUBLISH "t" QoS 0: "B+…" \(cut\)$/);
    assert.match(result.text, /the body limit cut the last packet \(20 bytes of 105 shown\)/);
  });
});

describe('what MQTT forbids', () => {
  it('a text message: MQTT must travel in binary messages', () => {
    const result = view({ subprotocol: 'mqtt', kind: 'text', bytes: hex('c0 00') });
    assert.equal(result.summary, 'PINGREQ');
    assert.match(result.text, /MQTT must travel in binary messages \(MQTT 3.1.1 §6, \[MQTT-6.0.0-1\]\)/);
  });

  it('QoS 3', () => assert.match(view(bin(hex('36 05 0001 74 0001'))).text, /QoS 3 is not allowed \[MQTT-3.3.1-4\]/));
  it('wrong fixed-header flags', () =>
    assert.match(view(bin(hex('60 02 0007'))).text, /the PUBREL flags must be 0010, not 0000 \(malformed\)/));
  it('a Remaining Length too short for the fields', () =>
    assert.match(view(bin(hex('10 02 0004'))).text, /the Remaining Length \(2\) is too short for the CONNECT fields/));
  it('bytes left over', () =>
    assert.match(view(bin(hex('10 11 0004 4d515454 04 02 003c 0004 64657631 ff'))).text, /1 byte left over after the CONNECT fields/));
  it('a PUBACK with a reason code, level unknown, is read as 5.0', () =>
    assert.equal(view(bin(hex('40 03 0007 00'))).summary, 'PUBACK id 7: 0x00 Success'));
  it('a ping with a body', () => assert.match(view(bin(hex('c0 01 00'))).text, /PINGREQ has a Remaining Length of 1; it must be 0/));
  it('a SUBSCRIBE with no topic', () => assert.match(view(bin(hex('82 02 0001'))).text, /SUBSCRIBE must list at least one topic filter/));

  it('a first packet that cannot be MQTT falls back to hex, saying why', () => {
    const reserved = view(bin(hex('00 00')));
    assert.equal(reserved.protocol, 'hex');
    assert.match(reserved.text, /not an MQTT packet: packet type 0 is reserved/);
    const longLength = view(bin(hex('30 ff ff ff ff 01')));
    assert.match(longLength.text, /not an MQTT packet: the Remaining Length is longer than four bytes/);
  });

  it('a 5.0 field on a 3.1.1 connection is malformed', () => {
    const conversation = new ConversationViews({ subprotocol: 'mqtt' });
    conversation.describe({
      dir: 'client->server',
      kind: 'binary',
      bytes: hex('10 10 0004 4d515454 04 02 003c 0004 64657631'),
      truncated: false,
    });
    const puback = conversation.describe({ dir: 'server->client', kind: 'binary', bytes: hex('40 03 0007 10'), truncated: false });
    assert.match(puback.text, /PUBACK has 3 bytes of fields; MQTT 3.1.1 defines 2 \(malformed\)/);
  });
});

describe('detection without a subprotocol', () => {
  it('a CONNECT is enough; other packets need the subprotocol', () => {
    assert.equal(view({ kind: 'binary', bytes: hex('10 10 0004 4d515454 04 02 003c 0004 64657631') }).protocol, 'mqtt');
    assert.equal(view({ kind: 'binary', bytes: hex('c0 00') }).protocol, 'hex');
    assert.equal(view({ kind: 'binary', bytes: utf8('x') }).protocol, 'text');
  });
});
