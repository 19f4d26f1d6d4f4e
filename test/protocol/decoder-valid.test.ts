/**
 * Valid-but-tricky streams: each must decode with zero findings, identically at every split. The
 * byte-exact ones are VALID_STREAMS in test/fixtures/decoder-streams.ts; the ones here are generated
 * (boundary lengths with varied payloads, compressors that finish every message).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { concatBytes, encodeFrame } from '../../src/protocol/encoder.js';
import { VALID_STREAMS } from '../fixtures/decoder-streams.js';
import { hex } from '../support/bytes.js';
import { checkStreamFixture, decodeEverySplit, messageSizes, rules, type Recorded } from '../support/decode.js';
import { FinalBlockCompressor } from '../support/deflate.js';

const PMD = 'permessage-deflate';

function bytesOf(length: number, seed = 7): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

function frames(run: { events: Recorded[] }): Recorded[] {
  return run.events.filter((e) => e[0] === 'frame');
}

describe('valid streams: silent, whatever the split', () => {
  for (const fixture of VALID_STREAMS) {
    it(fixture.name, () => {
      checkStreamFixture(fixture);
    });
  }
});

describe('long messages in the 16- and 64-bit length forms', () => {
  it('256 bytes and 64 KiB binary messages in the 16- and 64-bit length forms', () => {
    const small = concatBytes([hex('82 7e 01 00'), bytesOf(256)]);
    assert.deepEqual(rules(decodeEverySplit(small, { from: 'server' })), []);
    const large = concatBytes([hex('82 7f 00 00 00 00 00 01 00 00'), bytesOf(65536)]);
    const run = decodeEverySplit(large, { from: 'server' });
    assert.deepEqual(rules(run), []);
    assert.deepEqual(run.events.at(-1), ['message', 2, 0, 65536, false]);
  });
});

describe('length boundaries', () => {
  // 64, 65, 128 and 129 also cross the sizes up to which payload listeners get lent views (scratch.ts).
  for (const length of [0, 1, 64, 65, 125, 126, 127, 128, 129, 65535, 65536]) {
    for (const from of ['client', 'server'] as const) {
      it(`${length}-byte binary and text frames from the ${from}`, () => {
        const mask = from === 'client' ? (true as const) : undefined;
        const text = new TextEncoder().encode('é'.repeat(length >> 1) + (length % 2 ? 'a' : ''));
        assert.equal(text.length, length);
        const stream = concatBytes([
          encodeFrame({ opcode: 2, payload: bytesOf(length), ...(mask ? { mask } : {}) }),
          encodeFrame({ opcode: 1, payload: text, ...(mask ? { mask } : {}) }),
        ]);
        const run = decodeEverySplit(stream, { from });
        assert.deepEqual(rules(run), []);
        assert.deepEqual(
          frames(run).map((f) => f[3]),
          [length, length],
        );
      });
    }
  }

  it('125-byte pings and pongs both ways', () => {
    const payload = bytesOf(125);
    assert.deepEqual(rules(decodeEverySplit(encodeFrame({ opcode: 9, payload, mask: true }), { from: 'client' })), []);
    assert.deepEqual(rules(decodeEverySplit(encodeFrame({ opcode: 10, payload }), { from: 'server' })), []);
  });
});

describe('permessage-deflate senders that finish every message (Z_FINISH, BFINAL)', () => {
  // Longer than one fast-loop stretch, repeating within and across messages, with multi-byte UTF-8.
  const messages = [
    'The first message, which the later ones refer back to: ' + 'κόσμε window '.repeat(40),
    'A second message that repeats the first: ' + 'κόσμε window '.repeat(40) + 'and ends differently.',
    'A third: The first message, which the later ones refer back to: 𝄞 and ends differently.',
  ];
  const sizes = messages.map((m, i): [number, number, number] => [1, i, Buffer.byteLength(m)]);

  for (const emptyBlock of [true, false]) {
    const ending = emptyBlock ? 'with the empty stored block of §7.2.1' : 'ending at the final block';
    it(`context takeover, ${ending}: later messages resolve back references into earlier ones`, () => {
      const compressor = new FinalBlockCompressor({ contextTakeover: true, emptyBlock });
      const payloads = messages.map((m) => compressor.compress(m));
      // The references are real: the later messages do not inflate on their own.
      const alone = decodeEverySplit(encodeFrame({ opcode: 1, rsv1: true, payload: payloads[1]!, mask: true }), {
        from: 'client',
        extensions: PMD,
      });
      assert.deepEqual(rules(alone), ['invalid-compressed-data']);
      const stream = concatBytes(payloads.map((payload) => encodeFrame({ opcode: 1, rsv1: true, payload, mask: true })));
      const run = decodeEverySplit(stream, { from: 'client', extensions: PMD });
      assert.deepEqual(rules(run), []);
      assert.deepEqual(messageSizes(run), sizes);
    });

    it(`no context takeover, ${ending}: each message on its own window`, () => {
      const compressor = new FinalBlockCompressor({ contextTakeover: false, emptyBlock });
      const stream = concatBytes(messages.map((m) => encodeFrame({ opcode: 1, rsv1: true, payload: compressor.compress(m) })));
      const run = decodeEverySplit(stream, { from: 'server', extensions: `${PMD}; server_no_context_takeover` });
      assert.deepEqual(rules(run), []);
      assert.deepEqual(messageSizes(run), sizes);
    });
  }

  it('BFINAL and sync-flushed messages mixed in one context, window bits 10', () => {
    const extensions = `${PMD}; server_max_window_bits=10`;
    const final = new FinalBlockCompressor({ contextTakeover: false, emptyBlock: true, windowBits: 10 });
    const run = decodeEverySplit(
      concatBytes([
        encodeFrame({ opcode: 1, rsv1: true, payload: final.compress(messages[0]!) }),
        // §7.2.3.1's sync-flushed "Hello", then a BFINAL one without the empty stored block.
        hex('c1 07 f2 48 cd c9 c9 07 00'),
        encodeFrame({
          opcode: 2,
          rsv1: true,
          payload: new FinalBlockCompressor({ contextTakeover: false, emptyBlock: false, windowBits: 10 }).compress(messages[2]!),
        }),
      ]),
      { from: 'server', extensions },
    );
    assert.deepEqual(rules(run), []);
    assert.deepEqual(messageSizes(run), [sizes[0]!, [1, 1, 5], [2, 2, Buffer.byteLength(messages[2]!)]]);
  });
});
