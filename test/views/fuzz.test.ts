/**
 * Property tests: whatever the bytes, kind, subprotocol, path and limits, a view never throws, its
 * summary is one safe line within its limit, its text stays within its limit, and its tree within its
 * node budget; the same for a whole conversation. Inputs are random bytes, random JSON, and genuine
 * protocol messages mutated at random.
 */
import { describe, it } from 'node:test';
import fc from 'fast-check';
import * as mqtt from 'mqtt-packet';
import { ConversationViews, describeMessage, resolveLimits, type MessageInput, type ViewLimits } from '../../src/views/index.js';
import { assertWellFormed, utf8 } from './support.js';

const NUM_RUNS = Number(process.env['WSDIAG_FUZZ_RUNS'] ?? 300);

const samples: Uint8Array[] = [
  ...[
    mqtt.generate({
      cmd: 'connect',
      protocolVersion: 4,
      clientId: 'c',
      username: 'u',
      password: Buffer.from('p'),
      will: { topic: 'w', payload: Buffer.from('x'), qos: 1, retain: false },
    }),
    mqtt.generate({ cmd: 'connect', protocolVersion: 5, clientId: 'c', properties: { sessionExpiryInterval: 1 } }, { protocolVersion: 5 }),
    mqtt.generate({ cmd: 'publish', topic: 'a/b', payload: '{"t":1}', qos: 2, messageId: 3, retain: true, dup: false }),
    mqtt.generate(
      {
        cmd: 'publish',
        topic: 'a',
        payload: 'x',
        qos: 1,
        messageId: 1,
        retain: false,
        dup: false,
        properties: { userProperties: { k: 'v' } },
      },
      { protocolVersion: 5 },
    ),
    mqtt.generate({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'x/#', qos: 1 }] }),
    mqtt.generate({ cmd: 'suback', messageId: 1, granted: [0, 128] }),
    mqtt.generate({ cmd: 'disconnect', reasonCode: 0x8e }, { protocolVersion: 5 }),
  ].map((b) => Uint8Array.from(b)),
  ...[
    '0{"sid":"a","upgrades":["websocket"],"pingInterval":1,"pingTimeout":1}',
    '2probe',
    '451-/admin,12["up",{"_placeholder":true,"num":0}]',
    '42["chat","hi",{"a":[1,2,{"b":null}]}]',
    '44{"message":"no"}',
    'SEND\ndestination:/a\\cb\ncontent-length:3\n\nabc\0\n',
    'CONNECT\naccept-version:1.2\npasscode:x\n\n\0',
    '{"id":"1","type":"subscribe","payload":{"query":"{a}","variables":{"x":[1,2]}}}',
    '{"type":"connection_init","payload":{"token":"t"}}',
    '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]',
  ].map(utf8),
];

const mutated = fc
  .tuple(
    fc.constantFrom(...samples),
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('flip', 'insert', 'delete', 'cut')), { maxLength: 5 }),
  )
  .map(([bytes, edits]) => {
    const out = Array.from(bytes);
    for (const [at, value, kind] of edits) {
      if (out.length === 0) break;
      const i = at % out.length;
      if (kind === 'flip') out[i] = out[i]! ^ (value || 1);
      else if (kind === 'insert') out.splice(i, 0, value);
      else if (kind === 'delete') out.splice(i, 1);
      else out.length = i;
    }
    return Uint8Array.from(out);
  });

const bytesArb = fc.oneof(
  fc.uint8Array({ maxLength: 600 }),
  mutated,
  fc.json({ maxDepth: 6 }).map(utf8),
  fc.string({ unit: 'binary', maxLength: 200 }).map(utf8),
  fc.constantFrom(...samples),
);

const limitsArb: fc.Arbitrary<Partial<ViewLimits> | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.record({
    maxInputBytes: fc.integer({ min: 1, max: 700 }),
    maxTextChars: fc.integer({ min: 1, max: 2000 }),
    maxSummaryChars: fc.integer({ min: 1, max: 120 }),
    maxHexBytes: fc.integer({ min: 1, max: 64 }),
    maxDepth: fc.integer({ min: 1, max: 6 }),
    maxNodes: fc.integer({ min: 1, max: 40 }),
    maxPackets: fc.integer({ min: 1, max: 4 }),
  }),
);

const inputArb: fc.Arbitrary<MessageInput> = fc.record({
  subprotocol: fc.constantFrom(
    null,
    'mqtt',
    'mqttv3.1',
    'v10.stomp',
    'v11.stomp',
    'v12.stomp',
    'graphql-transport-ws',
    'graphql-ws',
    'chat',
  ),
  kind: fc.constantFrom('text' as const, 'binary' as const, 'ping' as const, 'pong' as const, 'close' as const),
  bytes: bytesArb,
  truncated: fc.boolean(),
  path: fc.constantFrom(null, '/socket.io/?EIO=4&transport=websocket', '/socket.io/?EIO=3', '/engine.io/', '/'),
  dir: fc.constantFrom('client->server' as const, 'server->client' as const),
  size: fc.option(fc.nat({ max: 10_000 }), { nil: null }),
});

describe('views fuzz', () => {
  it('never throws; summary, text and tree stay within their limits', () => {
    fc.assert(
      fc.property(inputArb, limitsArb, (input, limits) => {
        assertWellFormed(describeMessage(input, limits ? { limits } : {}), resolveLimits(limits));
      }),
      { numRuns: NUM_RUNS * 3 },
    );
  });

  it('a conversation of such messages: the same promises for every message', () => {
    fc.assert(
      fc.property(inputArb, fc.array(inputArb, { minLength: 1, maxLength: 12 }), limitsArb, (open, messages, limits) => {
        const conversation = new ConversationViews({ subprotocol: open.subprotocol, path: open.path ?? null }, limits ? { limits } : {});
        for (const message of messages) {
          const { subprotocol: _s, path: _p, ...rest } = message;
          assertWellFormed(conversation.describe({ ...rest, dir: message.dir ?? 'client->server' }), resolveLimits(limits));
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('large and hostile payloads: bounded output with the default limits', () => {
    const limits = resolveLimits(undefined);
    const big = new Uint8Array(8 * 1024 * 1024).map((_, i) => (i * 2654435761) >>> 24);
    const hostile: MessageInput[] = [
      { subprotocol: null, kind: 'binary', bytes: big, truncated: false },
      { subprotocol: null, kind: 'text', bytes: utf8(`[${'"\\u001b",'.repeat(400_000)}1]`), truncated: false },
      { subprotocol: null, kind: 'text', bytes: utf8('['.repeat(200_000) + ']'.repeat(200_000)), truncated: false },
      { subprotocol: 'mqtt', kind: 'binary', bytes: new Uint8Array(200_000).fill(0xc0).map((b, i) => (i % 2 ? 0 : b)), truncated: false },
      { subprotocol: 'v12.stomp', kind: 'text', bytes: utf8(`SEND\n${'a:b\n'.repeat(60_000)}\nbody\0`), truncated: false },
      { subprotocol: 'v12.stomp', kind: 'text', bytes: utf8('\n'.repeat(100_000)), truncated: false },
      { subprotocol: null, kind: 'text', bytes: utf8(`42/${'x'.repeat(300_000)}`), truncated: false, path: '/socket.io/' },
      { subprotocol: null, kind: 'text', bytes: utf8('\u202e\u0007'.repeat(100_000)), truncated: false },
    ];
    for (const input of hostile) assertWellFormed(describeMessage(input), limits);
  });
});
