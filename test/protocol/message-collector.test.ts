/**
 * MessageCollector: whole messages (application data after inflation, bounded by a limit) out of the
 * decoder's streaming events, the same however the stream was cut.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FrameDecoder, type DecoderOptions } from '../../src/protocol/decoder.js';
import { closeBody, concatBytes, encodeFrame } from '../../src/protocol/encoder.js';
import { MessageCollector, type CollectedControl, type CollectedMessage } from '../../src/protocol/message-collector.js';
import { cut } from '../support/decode.js';
import { TestCompressor } from '../support/deflate.js';

const PMD = 'permessage-deflate';

function collect(
  chunks: Uint8Array[],
  options: DecoderOptions,
  limit: number,
  tail = 0,
): { messages: CollectedMessage[]; controls: CollectedControl[]; collector: MessageCollector } {
  const messages: CollectedMessage[] = [];
  const controls: CollectedControl[] = [];
  const collector = new MessageCollector({ limit, tail, onMessage: (m) => messages.push(m), onControl: (c) => controls.push(c) });
  const decoder = new FrameDecoder({ finding: () => {}, ...collector.listeners }, options);
  for (const chunk of chunks) decoder.push(chunk);
  decoder.end();
  return { messages, controls, collector };
}

/** Collects the stream whole and cut at every offset; asserts the records are the same. */
function collectEverySplit(bytes: Uint8Array, options: DecoderOptions, limit: number, tail = 0): ReturnType<typeof collect> {
  const whole = collect([bytes], options, limit, tail);
  for (let at = 1; at < bytes.length; at++) {
    const split = collect(cut(bytes, [at]), options, limit, tail);
    assert.deepEqual(split.messages, whole.messages, `messages differ when split at ${at}`);
    assert.deepEqual(split.controls, whole.controls, `controls differ when split at ${at}`);
  }
  return whole;
}

const text = (m: CollectedMessage) => Buffer.from(m.data).toString();

describe('MessageCollector', () => {
  it('joins a fragmented message around a ping, and keeps the controls', () => {
    const stream = concatBytes([
      encodeFrame({ opcode: 1, payload: 'hel', fin: false, mask: true }),
      encodeFrame({ opcode: 9, payload: 'are you there', mask: true }),
      encodeFrame({ opcode: 0, payload: 'lo', mask: true }),
      encodeFrame({ opcode: 10, payload: 'yes', mask: true }),
      encodeFrame({ opcode: 8, payload: closeBody(1000, 'done'), mask: true }),
    ]);
    const { messages, controls } = collectEverySplit(stream, { from: 'client' }, 100);
    assert.equal(messages.length, 1);
    assert.equal(text(messages[0]!), 'hello');
    assert.deepEqual(
      { ...messages[0]!, data: null, firstFrame: messages[0]!.firstFrame.index },
      {
        opcode: 1,
        firstFrame: 0,
        frames: 2,
        compressed: false,
        size: 5,
        sizeKnown: true,
        wireSize: 5,
        data: null,
        truncated: false,
        tail: new Uint8Array(0),
      },
    );
    assert.deepEqual(
      controls.map((c) =>
        c.type === 'close' ? `close ${c.close.code} ${c.close.reason}` : `${c.type} ${Buffer.from(c.payload).toString()}`,
      ),
      ['ping are you there', 'pong yes', 'close 1000 done'],
    );
  });

  it('keeps the first `limit` bytes of a larger message and says it was cut', () => {
    const payload = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
    const stream = concatBytes([
      encodeFrame({ opcode: 2, payload: payload.subarray(0, 100), fin: false }),
      encodeFrame({ opcode: 0, payload: payload.subarray(100) }),
    ]);
    const [message] = collectEverySplit(stream, { from: 'server' }, 150, 64).messages;
    assert.deepEqual(message!.data, payload.subarray(0, 150));
    assert.equal(message!.truncated, true);
    assert.equal(message!.size, 300);
    assert.deepEqual(message!.tail, payload.subarray(300 - 64), 'the tail is the end of the whole message');
    // A tail reaching back into the kept bytes, and one of a message under the limit.
    assert.deepEqual(collect([stream], { from: 'server' }, 280, 64).messages[0]!.tail, payload.subarray(300 - 64));
    assert.deepEqual(collect([stream], { from: 'server' }, 1000, 64).messages[0]!.tail, payload.subarray(300 - 64));
    assert.deepEqual(collect([stream], { from: 'server' }, 0, 400).messages[0]!.tail, payload);
    const exact = collect([stream], { from: 'server' }, 300).messages[0]!;
    assert.equal(exact.truncated, false);
    assert.deepEqual(exact.data, payload);
    const none = collect([stream], { from: 'server' }, 0).messages[0]!;
    assert.deepEqual([none.data.length, none.truncated, none.size], [0, true, 300]);
  });

  it('gives the inflated bytes of compressed messages, with context takeover', () => {
    const compressor = new TestCompressor(true);
    const first = 'the same words again and again, '.repeat(20);
    const stream = concatBytes([
      encodeFrame({ opcode: 1, rsv1: true, payload: compressor.compress(first), mask: true }),
      encodeFrame({ opcode: 1, rsv1: true, payload: compressor.compress(first), mask: true }),
    ]);
    const { messages } = collectEverySplit(stream, { from: 'client', extensions: PMD }, 10_000);
    assert.deepEqual(messages.map(text), [first, first]);
    assert.ok(messages[1]!.wireSize < 20, 'the second refers back to the first');
  });

  it('a message cut off by a new one is never reported; pending() shows the one in progress', () => {
    const stream = concatBytes([
      encodeFrame({ opcode: 1, payload: 'lost', fin: false }),
      encodeFrame({ opcode: 1, payload: 'kept' }),
      encodeFrame({ opcode: 2, payload: 'unfinished', fin: false }),
    ]);
    const { messages, collector } = collectEverySplit(stream, { from: 'server' }, 6, 3);
    assert.deepEqual(messages.map(text), ['kept']);
    const pending = collector.pending();
    assert.ok(pending, 'a message in progress');
    assert.equal(Buffer.from(pending.data).toString(), 'unfini');
    assert.equal(pending.truncated, true);
    assert.equal(Buffer.from(pending.tail).toString(), 'hed');
  });

  it('without onControl it listens to no control frame', () => {
    const collector = new MessageCollector({ limit: 10, onMessage: () => {} });
    assert.deepEqual(Object.keys(collector.listeners).sort(), ['messageData', 'messageEnd', 'messageStart']);
  });
});
