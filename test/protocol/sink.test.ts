/**
 * combineSinks: several listeners on one decoder, each called in order, and only the events one of them
 * defines (so the decoder skips the work nobody asked for).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FrameDecoder } from '../../src/protocol/decoder.js';
import { concatBytes, encodeFrame } from '../../src/protocol/encoder.js';
import { combineSinks } from '../../src/protocol/sink.js';
import type { DecoderSink } from '../../src/protocol/types.js';

describe('combineSinks', () => {
  it('calls every listener of an event in order, each with its own `this`', () => {
    const calls: string[] = [];
    class Counter {
      count = 0;
      messageEnd(): void {
        this.count++;
        calls.push(`counter ${this.count}`);
      }
    }
    const counter = new Counter();
    const sink = combineSinks({ finding: (f) => void calls.push(`first ${f.rule}`) }, counter, {
      messageEnd: () => void calls.push('last'),
      finding: () => void calls.push('last finding'),
    });
    const decoder = new FrameDecoder(sink, { from: 'client' });
    decoder.push(concatBytes([encodeFrame({ opcode: 1, payload: 'a', mask: true }), encodeFrame({ opcode: 1, payload: 'b' })]));
    assert.deepEqual(calls, ['counter 1', 'last', 'first unmasked-client-frame', 'last finding', 'counter 2', 'last']);
  });

  it('defines only the methods some listener defines', () => {
    const first: DecoderSink = { finding: () => {} };
    assert.equal(combineSinks(first), first, 'alone, the sink is used as it is');
    const combined = combineSinks(first, { payload: () => {} }, { frame: () => {} });
    assert.deepEqual(Object.keys(combined).sort(), ['finding', 'frame', 'payload']);
  });
});
