/**
 * The stream recorder, a sink on the protocol decoder: byte-exact payloads whatever the chunking, hashes
 * that match an independent SHA-256, compressed messages inflated, control frames and rule violations
 * kept; the same record whether it owns its decoder or listens to an analyzer's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { Direction } from '../../src/events/index.js';
import { StreamRecorder, type ObservedStream } from '../../src/observe/index.js';
import { closeBody, concatBytes, encodeFrame } from '../../src/protocol/encoder.js';
import { deflateMessage } from '../../src/probe/cases.js';
import { binaryPayload } from '../../src/probe/payloads.js';
import { ConnectionAnalyzer } from '../../src/session/analyzer.js';
import { parseFrames } from '../support/frame-oracle.js';

const KEY = Uint8Array.of(1, 2, 3, 4);
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

test('the recorder hashes messages across fragments and keeps small ones whole', () => {
  const a = binaryPayload(100_000, 3);
  const stream = concatBytes([
    encodeFrame({ opcode: 1, payload: 'hel', fin: false, mask: KEY }),
    encodeFrame({ opcode: 9, payload: 'p', mask: KEY }),
    encodeFrame({ opcode: 0, payload: 'lo', mask: KEY }),
    encodeFrame({ opcode: 2, payload: a.subarray(0, 40_000), fin: false, mask: KEY }),
    encodeFrame({ opcode: 0, payload: a.subarray(40_000), mask: KEY }),
    encodeFrame({ opcode: 8, payload: closeBody(4000, 'bye'), mask: KEY }),
  ]);
  for (const cut of [1, 5, 999, stream.length]) {
    const r = new StreamRecorder({ from: 'client', clock: () => 0 });
    for (let i = 0; i < stream.length; i += cut) r.push(stream.subarray(i, i + cut));
    const [m0, m1] = r.stream.messages;
    assert.equal(r.stream.messages.length, 2);
    assert.equal(m0!.opcode, 1);
    assert.deepEqual(m0!.frameLengths, [3, 2]);
    assert.equal(m0!.sha256, sha(Buffer.from('hello')));
    assert.deepEqual(Buffer.from(m0!.bytes!), Buffer.from('hello'));
    assert.equal(m1!.length, 100_000);
    assert.equal(m1!.sha256, sha(a));
    assert.equal(m1!.bytes, null, 'over keepBytes, only the hash and the edges are kept');
    assert.deepEqual(Buffer.from(m1!.head), Buffer.from(a.subarray(0, 64)));
    assert.deepEqual(Buffer.from(m1!.tail), Buffer.from(a.subarray(a.length - 64)));
    const [ping, close] = r.stream.controls;
    assert.equal(ping!.opcode, 9);
    assert.equal(ping!.dataFramesBefore, 1, 'the ping sat between the two fragments');
    assert.deepEqual(close!.close, { code: 4000, reason: 'bye' });
    assert.deepEqual(r.stream.violations, []);
  }
});

test('the recorder inflates permessage-deflate messages and keeps the wire hash apart', () => {
  const data = Buffer.from('compress me '.repeat(500));
  const packed = deflateMessage(data);
  const extensions = 'permessage-deflate; client_no_context_takeover; server_no_context_takeover';
  const r = new StreamRecorder({ from: 'server', extensions });
  r.push(concatBytes([encodeFrame({ opcode: 1, payload: packed, rsv1: true }), encodeFrame({ opcode: 1, payload: 'plain' })]));
  const [m0, m1] = r.stream.messages;
  assert.equal(m0!.compressed, true);
  assert.equal(m0!.length, data.length);
  assert.equal(m0!.sha256, sha(data));
  assert.equal(m0!.wireSha256, sha(packed));
  assert.equal(m0!.wireLength, packed.length);
  assert.equal(m1!.sha256, sha(Buffer.from('plain')));
  assert.deepEqual(r.stream.violations, []);
});

test('the recorder reports the rules the bytes break, and an unfinished message as incomplete', () => {
  const r = new StreamRecorder({ from: 'client' });
  r.push(
    concatBytes([encodeFrame({ opcode: 1, payload: 'unmasked' }), encodeFrame({ opcode: 2, payload: 'part', fin: false, mask: KEY })]),
  );
  r.end();
  assert.deepEqual(
    r.stream.violations.map((v) => v.rule),
    ['unmasked-client-frame'],
  );
  assert.equal(r.stream.violations[0]!.frame, 0);
  assert.equal(r.stream.messages.length, 2);
  assert.equal(r.stream.messages[1]!.complete, false);
  assert.notEqual(r.stream.endedAt, null);
});

/** A stream with something of everything the recorder tells apart. */
function mixedStream(): Uint8Array {
  return concatBytes([
    encodeFrame({ opcode: 1, payload: 'one', mask: KEY }),
    encodeFrame({ opcode: 2, payload: binaryPayload(300, 2), mask: KEY, lengthForm: 64 }),
    encodeFrame({ opcode: 1, payload: 'cut ', fin: false, mask: KEY }),
    encodeFrame({ opcode: 2, payload: 'off by a new message', mask: KEY }),
    encodeFrame({ opcode: 0, payload: 'orphan', mask: KEY }),
    encodeFrame({ opcode: 3, payload: 'reserved', mask: KEY, rsv2: true }),
    encodeFrame({ opcode: 9, payload: new Uint8Array(130).fill(7), mask: KEY }),
    encodeFrame({ opcode: 10, payload: '', mask: KEY }),
    encodeFrame({ opcode: 8, payload: closeBody(1001, 'away'), mask: KEY }),
    encodeFrame({ opcode: 2, payload: 'unfinished', fin: false, mask: KEY }),
  ]);
}

/** The parts of a record that do not depend on when bytes were seen. */
function timeless(s: ObservedStream): unknown {
  return {
    ...s,
    endedAt: null,
    frames: s.frames.map((f) => ({ ...f, at: 0 })),
    messages: s.messages.map((m) => ({ ...m, firstAt: 0, lastAt: 0 })),
    controls: s.controls.map((c) => ({ ...c, at: 0 })),
  };
}

test('frames, messages and controls as the independent parser sees them, however the stream is cut', () => {
  const stream = mixedStream();
  const oracle = parseFrames(stream).frames;
  const whole = new StreamRecorder({ from: 'client', clock: () => 0 });
  whole.push(stream);
  whole.end();
  const s = whole.stream;
  assert.deepEqual(
    s.frames.map(({ at: _at, ...f }) => f),
    oracle.map(({ payload: _p, headerLength: _h, ...f }) => ({ ...f, maskKey: f.maskKey ? Buffer.from(f.maskKey).toString('hex') : null })),
  );
  assert.deepEqual(
    s.messages.map((m) => [m.firstFrame, m.complete, Buffer.from(m.bytes!).toString('latin1')]),
    [
      [0, true, 'one'],
      [1, true, Buffer.from(binaryPayload(300, 2)).toString('latin1')],
      [2, false, 'cut '],
      [3, true, 'off by a new message'],
      [9, false, 'unfinished'],
    ],
  );
  assert.equal(s.messages[2]!.sha256, sha(Buffer.from('cut ')), 'an uncompressed message cut short is hashed as far as it came');
  assert.deepEqual(
    s.controls.map((c) => [c.opcode, c.frame, c.length, c.payload.length, c.dataFramesBefore]),
    [
      [0, 4, 6, 6, 4],
      [3, 5, 8, 8, 4],
      [9, 6, 130, 125, 4],
      [10, 7, 0, 0, 4],
      [8, 8, 6, 6, 4],
    ],
  );
  assert.deepEqual(Buffer.from(s.controls[0]!.payload).toString(), 'orphan');
  assert.deepEqual(s.controls[4]!.close, { code: 1001, reason: 'away' });
  assert.deepEqual(
    s.violations.map((v) => [v.rule, v.frame]),
    [
      ['non-minimal-length', 1],
      ['expected-continuation', 3],
      ['unexpected-continuation', 4],
      ['reserved-opcode', 5],
      ['reserved-bits', 5],
      ['control-frame-too-long', 6],
      ['frame-after-close', 9],
    ],
  );
  assert.equal(s.bytes, stream.length);
  for (const size of [1, 3, 17, 200]) {
    const r = new StreamRecorder({ from: 'client', clock: () => 0 });
    for (let i = 0; i < stream.length; i += size) r.push(stream.subarray(i, i + size));
    r.end();
    assert.deepEqual(timeless(r.stream), timeless(s), `cut every ${size} bytes`);
  }
});

test("attached to an analyzer, the recorder records the analyzer's decode exactly as its own decoder would", () => {
  const stream = mixedStream();
  const own = new StreamRecorder({ from: 'client', clock: () => 0 });
  own.push(stream);
  own.end();
  const attached = StreamRecorder.attached({ from: 'client', clock: () => 0 });
  const analyzer = new ConnectionAnalyzer({ conn: 't', onEvent: () => {}, observers: { 'client->server': [attached.listeners] } });
  const dir: Direction = 'client->server';
  for (let i = 0; i < stream.length; i += 7) {
    const chunk = stream.subarray(i, i + 7);
    attached.seen(chunk.length);
    analyzer.push(dir, chunk);
  }
  attached.end();
  analyzer.end(dir);
  assert.deepEqual(timeless(attached.stream), timeless(own.stream));
  assert.throws(() => attached.push(stream), TypeError);
});

test('a 64-bit length with its top bit set stops the record; the frames before it stay', () => {
  const r = new StreamRecorder({ from: 'server' });
  r.push(concatBytes([encodeFrame({ opcode: 1, payload: 'fine' }), Uint8Array.of(0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 1, 0xaa, 0xbb)]));
  r.end();
  assert.equal(r.stream.frames.length, 1);
  assert.equal(r.stream.messages.length, 1);
  assert.match(r.stream.stopped ?? '', /most significant bit set \(length-msb-set at offset 6\)/);
  assert.equal(r.stream.bytes, 18);
});

test('a compressed message cut short, or past a lost window, has no application hash', () => {
  const extensions = 'permessage-deflate';
  const packed = deflateMessage(Buffer.from('abc'.repeat(100)));
  const r = new StreamRecorder({ from: 'server', extensions });
  r.push(
    concatBytes([
      encodeFrame({ opcode: 1, rsv1: true, payload: Uint8Array.of(0xff, 0xff, 0xff) }), // not DEFLATE: the window is lost
      encodeFrame({ opcode: 1, rsv1: true, payload: packed }),
      encodeFrame({ opcode: 1, rsv1: true, payload: packed.subarray(0, 10), fin: false }),
    ]),
  );
  r.end();
  const [bad, afterLoss, cut] = r.stream.messages;
  assert.equal(bad!.sha256, null);
  assert.equal(afterLoss!.sha256, null);
  assert.equal(afterLoss!.wireSha256, sha(packed), 'the wire bytes are still hashed');
  assert.equal(cut!.complete, false);
  assert.equal(cut!.sha256, null);
});
