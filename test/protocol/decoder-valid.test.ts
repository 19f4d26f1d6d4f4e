/**
 * Valid-but-tricky streams: each must decode with zero findings, identically at every split.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { closeBody, concatBytes, encodeFrame } from '../../src/protocol/encoder.js';
import { decodeEverySplit, hex, rules, type Recorded } from '../support/decode.js';
import { FinalBlockCompressor, TestCompressor } from '../support/deflate.js';

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

describe('RFC 6455 §5.7 examples', () => {
  it('a single-frame unmasked text message from the server', () => {
    const run = decodeEverySplit(hex('81 05 48 65 6c 6c 6f'), { from: 'server' });
    assert.deepEqual(rules(run), []);
    assert.deepEqual(frames(run), [['frame', 0, 1, 5, true, false]]);
    assert.deepEqual(run.events.at(-1), ['message', 1, 0, 5, false]);
  });

  it('a single-frame masked text message from the client', () => {
    const run = decodeEverySplit(hex('81 85 37 fa 21 3d 7f 9f 4d 51 58'), { from: 'client' });
    assert.deepEqual(rules(run), []);
    assert.deepEqual(run.events.at(-1), ['message', 1, 0, 5, false]);
  });

  it('a fragmented unmasked text message', () => {
    const run = decodeEverySplit(hex('01 03 48 65 6c  80 02 6c 6f'), { from: 'server' });
    assert.deepEqual(rules(run), []);
    assert.deepEqual(run.events.at(-1), ['message', 1, 0, 5, false]);
  });

  it('an unmasked ping and a masked pong', () => {
    assert.deepEqual(rules(decodeEverySplit(hex('89 05 48 65 6c 6c 6f'), { from: 'server' })), []);
    const pong = decodeEverySplit(hex('8a 85 37 fa 21 3d 7f 9f 4d 51 58'), { from: 'client' });
    assert.deepEqual(rules(pong), []);
    assert.deepEqual(pong.events.at(-1), ['pong', 0]);
  });

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

describe('fragmentation', () => {
  it('empty fragments, including an empty first and last frame', () => {
    const stream = concatBytes([
      encodeFrame({ opcode: 1, fin: false, mask: true }),
      encodeFrame({ opcode: 0, fin: false, payload: 'abc', mask: true }),
      encodeFrame({ opcode: 0, fin: false, mask: true }),
      encodeFrame({ opcode: 0, fin: true, mask: true }),
    ]);
    const run = decodeEverySplit(stream, { from: 'client' });
    assert.deepEqual(rules(run), []);
    assert.deepEqual(run.events.at(-1), ['message', 1, 0, 3, false]);
  });

  it('pings and pongs between the fragments of a message', () => {
    const stream = concatBytes([
      encodeFrame({ opcode: 2, fin: false, payload: 'ab' }),
      encodeFrame({ opcode: 9, payload: 'ping' }),
      encodeFrame({ opcode: 0, fin: false, payload: 'cd' }),
      encodeFrame({ opcode: 10, payload: '' }),
      encodeFrame({ opcode: 0, payload: 'ef' }),
    ]);
    const run = decodeEverySplit(stream, { from: 'server' });
    assert.deepEqual(rules(run), []);
    assert.deepEqual(run.events.at(-1), ['message', 2, 0, 6, false]);
  });

  it('a Close in the middle of a fragmented message', () => {
    const stream = concatBytes([
      encodeFrame({ opcode: 1, fin: false, payload: 'half', mask: true }),
      encodeFrame({ opcode: 8, payload: closeBody(1001, 'bye'), mask: true }),
    ]);
    const run = decodeEverySplit(stream, { from: 'client' });
    assert.deepEqual(rules(run), []);
    assert.deepEqual(run.events.at(-1), ['close', 1001, 'bye', true]);
  });

  it('a code point split between fragments at every position', () => {
    const text = new TextEncoder().encode('aé€𝄞z'); // 1-, 2-, 3- and 4-byte sequences
    for (let at = 0; at <= text.length; at++) {
      const stream = concatBytes([
        encodeFrame({ opcode: 1, fin: false, payload: text.subarray(0, at), mask: true }),
        encodeFrame({ opcode: 0, payload: text.subarray(at), mask: true }),
      ]);
      assert.deepEqual(rules(decodeEverySplit(stream, { from: 'client' })), [], `split at ${at}`);
    }
  });

  it('a message fragmented one byte per frame', () => {
    const text = new TextEncoder().encode('κόσμε 𝄞');
    const parts = Array.from(text, (b, i) =>
      encodeFrame({ opcode: i === 0 ? 1 : 0, fin: i === text.length - 1, payload: Uint8Array.of(b) }),
    );
    const run = decodeEverySplit(concatBytes(parts), { from: 'server' });
    assert.deepEqual(rules(run), []);
    assert.deepEqual(run.events.at(-1), ['message', 1, 0, text.length, false]);
  });
});

describe('close frames', () => {
  for (const code of [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999]) {
    it(`close code ${code} is valid`, () => {
      const run = decodeEverySplit(encodeFrame({ opcode: 8, payload: closeBody(code, 'done ✓') }), { from: 'server' });
      assert.deepEqual(rules(run), []);
      assert.deepEqual(run.events.at(-1), ['close', code, 'done ✓', true]);
    });
  }

  it('an empty Close body and a 123-byte reason', () => {
    assert.deepEqual(decodeEverySplit(hex('88 00'), { from: 'server' }).events.at(-1), ['close', null, '', true]);
    const run = decodeEverySplit(encodeFrame({ opcode: 8, payload: closeBody(1000, 'r'.repeat(123)), mask: true }), { from: 'client' });
    assert.deepEqual(rules(run), []);
  });

  it('control frames after a Close are not data frames', () => {
    const stream = concatBytes([encodeFrame({ opcode: 8, payload: closeBody(1000) }), encodeFrame({ opcode: 10, payload: 'late pong' })]);
    assert.deepEqual(rules(decodeEverySplit(stream, { from: 'server' })), []);
  });
});

describe('permessage-deflate', () => {
  const messages = ['Hello, compressed world! '.repeat(20), 'Hello, compressed world! again', '{"κόσμε": "𝄞"}'];

  it('compressed text messages with context takeover', () => {
    const compressor = new TestCompressor(true);
    const stream = concatBytes(messages.map((m) => encodeFrame({ opcode: 1, rsv1: true, payload: compressor.compress(m), mask: true })));
    const run = decodeEverySplit(stream, { from: 'client', extensions: PMD });
    assert.deepEqual(rules(run), []);
    assert.deepEqual(
      run.events.filter((e) => e[0] === 'message').map((e) => e[3]),
      messages.map((m) => Buffer.byteLength(m)),
    );
  });

  it('compressed text messages without context takeover', () => {
    const compressor = new TestCompressor(false);
    const stream = concatBytes(messages.map((m) => encodeFrame({ opcode: 1, rsv1: true, payload: compressor.compress(m) })));
    const run = decodeEverySplit(stream, { from: 'server', extensions: `${PMD}; server_no_context_takeover` });
    assert.deepEqual(rules(run), []);
  });

  it('a compressed message fragmented, with RSV1 only on the first frame, and a ping in between', () => {
    const payload = new TestCompressor(true).compress('fragmented and compressed '.repeat(10));
    const half = payload.length >> 1;
    const stream = concatBytes([
      encodeFrame({ opcode: 1, rsv1: true, fin: false, payload: payload.subarray(0, half), mask: true }),
      encodeFrame({ opcode: 9, payload: 'p', mask: true }),
      encodeFrame({ opcode: 0, payload: payload.subarray(half), mask: true }),
    ]);
    const run = decodeEverySplit(stream, { from: 'client', extensions: PMD });
    assert.deepEqual(rules(run), []);
    assert.deepEqual(run.events.at(-1), ['message', 1, 0, 260, true]);
  });

  it('uncompressed messages (RSV1 clear) under permessage-deflate, and an empty compressed message', () => {
    const stream = concatBytes([
      encodeFrame({ opcode: 1, payload: 'plain', mask: true }),
      encodeFrame({ opcode: 2, rsv1: true, payload: hex('00'), mask: true }),
    ]);
    const run = decodeEverySplit(stream, { from: 'client', extensions: `${PMD}; client_max_window_bits=10` });
    assert.deepEqual(rules(run), []);
  });
});

/** [opcode, first frame, size] of each message, to pin what inflated. */
function messageSizes(run: { events: Recorded[] }): Array<[number, number, number]> {
  return run.events.filter((e) => e[0] === 'message').map((e) => [e[1] as number, e[2] as number, e[3] as number]);
}

describe('RFC 7692 §7.2.3 examples, byte for byte', () => {
  const SERVER = { from: 'server' as const, extensions: PMD };
  const HELLO: [number, number, number] = [1, 0, 5];

  it('§7.2.3.1: "Hello" in one compressed frame, and in two fragments', () => {
    assert.deepEqual(messageSizes(decodeEverySplit(hex('c1 07 f2 48 cd c9 c9 07 00'), SERVER)), [HELLO]);
    const run = decodeEverySplit(hex('41 03 f2 48 cd 80 04 c9 c9 07 00'), SERVER);
    assert.deepEqual(rules(run), []);
    assert.deepEqual(messageSizes(run), [HELLO]);
  });

  it('§7.2.3.2: a second "Hello" made of a back reference into the first message', () => {
    const run = decodeEverySplit(hex('c1 07 f2 48 cd c9 c9 07 00 c1 05 f2 00 11 00 00'), SERVER);
    assert.deepEqual(rules(run), []);
    assert.deepEqual(messageSizes(run), [HELLO, [1, 1, 5]]);
  });

  it('§7.2.3.3: a stored block (no compression)', () => {
    const run = decodeEverySplit(hex('c1 0b 00 05 00 fa ff 48 65 6c 6c 6f 00'), SERVER);
    assert.deepEqual(rules(run), []);
    assert.deepEqual(messageSizes(run), [HELLO]);
  });

  it('§7.2.3.4: a block with BFINAL set, then the 0x00 left of an empty stored block', () => {
    const run = decodeEverySplit(hex('c1 08 f3 48 cd c9 c9 07 00 00'), SERVER);
    assert.deepEqual(rules(run), []);
    assert.deepEqual(messageSizes(run), [HELLO]);
  });

  it('§7.2.3.5: two blocks in one message', () => {
    const run = decodeEverySplit(hex('c1 0d f2 48 05 00 00 00 ff ff ca c9 c9 07 00'), SERVER);
    assert.deepEqual(rules(run), []);
    assert.deepEqual(messageSizes(run), [HELLO]);
  });

  it('§7.2.3.6: an empty last fragment is a single 0x00', () => {
    // The first fragment keeps its sync flush whole (00 00 ff ff is stripped only at the end of a message).
    const run = decodeEverySplit(hex('41 0b f2 48 cd c9 c9 07 00 00 00 ff ff 80 01 00'), SERVER);
    assert.deepEqual(rules(run), []);
    assert.deepEqual(messageSizes(run), [HELLO]);
  });

  it('§7.2.3.4 then §7.2.3.2: the window of a BFINAL message serves the next messages (§7.2.2)', () => {
    // Message 2 and 3 are §7.2.3.2's back reference (distance 5, length 5) into the "Hello" before them.
    const run = decodeEverySplit(hex('c1 08 f3 48 cd c9 c9 07 00 00  c1 05 f2 00 11 00 00  c1 05 f2 00 11 00 00'), SERVER);
    assert.deepEqual(rules(run), []);
    assert.deepEqual(messageSizes(run), [HELLO, [1, 1, 5], [1, 2, 5]]);
  });

  it('BFINAL back references with and without the empty stored block after them', () => {
    // "Hello" = f3 48 cd c9 c9 07 00; the same primed with "Hello" = f3 00 11 00 (zlib, Z_FINISH).
    const run = decodeEverySplit(hex('c1 07 f3 48 cd c9 c9 07 00  c1 04 f3 00 11 00  c1 05 f3 00 11 00 00  c1 04 f3 00 11 00'), SERVER);
    assert.deepEqual(rules(run), []);
    assert.deepEqual(messageSizes(run), [HELLO, [1, 1, 5], [1, 2, 5], [1, 3, 5]]);
  });

  it('§7.2.1: blocks after a BFINAL block in the same message belong to it, fragmented or not', () => {
    // "Hello" with BFINAL, then "World" sync-flushed (0a cf 2f ca 49 01 00, its 00 00 ff ff stripped).
    const whole = decodeEverySplit(hex('c1 0e f3 48 cd c9 c9 07 00 0a cf 2f ca 49 01 00'), SERVER);
    assert.deepEqual(rules(whole), []);
    assert.deepEqual(messageSizes(whole), [[1, 0, 10]]);
    const fragmented = decodeEverySplit(hex('41 07 f3 48 cd c9 c9 07 00 80 07 0a cf 2f ca 49 01 00'), SERVER);
    assert.deepEqual(rules(fragmented), []);
    assert.deepEqual(messageSizes(fragmented), [[1, 0, 10]]);
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
