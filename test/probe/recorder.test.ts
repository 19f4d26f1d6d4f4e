/**
 * The probe's frame splitter and stream recorder: byte-exact payloads whatever the chunking, hashes that
 * match an independent SHA-256, compressed messages inflated, control frames and rule violations kept.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { closeBody, concatBytes, encodeFrame } from '../../src/protocol/encoder.js';
import { FrameParser, type ParsedHeader } from '../../src/probe/frame-parser.js';
import { StreamRecorder } from '../../src/probe/recorder.js';
import { deflateMessage } from '../../src/probe/cases.js';
import { binaryPayload } from '../../src/probe/payloads.js';

const KEY = Uint8Array.of(1, 2, 3, 4);
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function parseAll(stream: Uint8Array, cut: number) {
  const frames: Array<{ header: ParsedHeader; payload: Buffer }> = [];
  let chunks: Buffer[] = [];
  const parser = new FrameParser({
    header: () => (chunks = []),
    payload: (_h, chunk) => chunks.push(Buffer.from(chunk)),
    frameEnd: (header) => frames.push({ header, payload: Buffer.concat(chunks) }),
  });
  for (let i = 0; i < stream.length; i += cut) parser.push(stream.subarray(i, i + cut));
  return { frames, parser };
}

test('the frame parser unmasks payloads and reads every length form, however the stream is cut', () => {
  const big = binaryPayload(70_000, 7);
  const stream = concatBytes([
    encodeFrame({ opcode: 1, payload: 'hi', mask: KEY }),
    encodeFrame({ opcode: 2, payload: binaryPayload(300, 1), mask: KEY }),
    encodeFrame({ opcode: 2, payload: big }),
    encodeFrame({ opcode: 9, payload: '' }),
    encodeFrame({ opcode: 1, payload: 'x', lengthForm: 64, fin: false, rsv2: true }),
  ]);
  for (const cut of [1, 3, 7, 64, 1000, stream.length]) {
    const { frames, parser } = parseAll(stream, cut);
    assert.equal(frames.length, 5, `cut ${cut}`);
    assert.deepEqual(frames[0]!.payload, Buffer.from('hi'));
    assert.deepEqual(frames[0]!.header.maskKey, KEY);
    assert.deepEqual(frames[1]!.payload, Buffer.from(binaryPayload(300, 1)));
    assert.equal(frames[1]!.header.lengthForm, 16);
    assert.deepEqual(frames[2]!.payload, Buffer.from(big));
    assert.equal(frames[2]!.header.lengthForm, 64);
    assert.equal(frames[3]!.payload.length, 0);
    assert.equal(frames[4]!.header.lengthForm, 64);
    assert.equal(frames[4]!.header.fin, false);
    assert.equal(frames[4]!.header.rsv2, true);
    assert.equal(parser.offset, stream.length);
    assert.equal(parser.atBoundary, true);
  }
});

test('the frame parser stops on a 64-bit length with the top bit set', () => {
  let reason: string | null = null;
  const parser = new FrameParser({ header: () => {}, payload: () => {}, frameEnd: () => {}, stopped: (r) => (reason = r) });
  parser.push(Uint8Array.of(0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 1, 0xaa, 0xbb));
  assert.match(reason ?? '', /cannot be trusted/);
  assert.equal(parser.offset, 12);
});

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
  r.push(concatBytes([encodeFrame({ opcode: 1, payload: 'unmasked' }), encodeFrame({ opcode: 2, payload: 'part', fin: false, mask: KEY })]));
  r.end();
  assert.deepEqual(r.stream.violations.map((v) => v.rule), ['unmasked-client-frame']);
  assert.equal(r.stream.violations[0]!.frame, 0);
  assert.equal(r.stream.messages.length, 2);
  assert.equal(r.stream.messages[1]!.complete, false);
  assert.notEqual(r.stream.endedAt, null);
});
