/**
 * Every decoder rule with byte-exact failing streams: which rule, at which frame, and that the decoder
 * carries on (or stops) as DESIGN §2 says. Every stream is re-run split at every offset.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { closeBody, concatBytes, encodeFrame } from '../../src/protocol/encoder.js';
import { decodeEverySplit, findingsAt, hex, rules } from '../support/decode.js';
import { TestCompressor } from '../support/deflate.js';

const PMD = 'permessage-deflate';

describe('reserved-opcode', () => {
  for (const opcode of [0x3, 0x4, 0x5, 0x6, 0x7, 0xb, 0xc, 0xd, 0xe, 0xf]) {
    it(`opcode 0x${opcode.toString(16)} is reported and the next frame still decodes`, () => {
      const stream = concatBytes([Uint8Array.of(0x80 | opcode, 0x02, 0x61, 0x62), hex('81 02 68 69')]);
      const run = decodeEverySplit(stream, { from: 'server' });
      assert.deepEqual(findingsAt(run), [['reserved-opcode', 0]]);
      assert.deepEqual(run.events.at(-1), ['message', 1, 1, 2, false]);
    });
  }
});

describe('reserved-bits', () => {
  it('RSV1 without permessage-deflate', () => {
    const run = decodeEverySplit(hex('c1 02 68 69'), { from: 'server' });
    assert.deepEqual(findingsAt(run), [['reserved-bits', 0]]);
    assert.equal(run.events.find((e) => e[0] === 'finding')![4], '6869', 'preview is the payload');
  });
  it('RSV2 and RSV3, each and together', () => {
    assert.deepEqual(rules(decodeEverySplit(hex('a2 00'), { from: 'server' })), ['reserved-bits']);
    assert.deepEqual(rules(decodeEverySplit(hex('92 00'), { from: 'server' })), ['reserved-bits']);
    const both = decodeEverySplit(hex('b2 00'), { from: 'server' });
    assert.match(both.events.find((e) => e[0] === 'finding')![3] as string, /RSV2 and RSV3 are set/);
  });
  it('RSV1 on a continuation frame under permessage-deflate', () => {
    const stream = concatBytes([hex('01 01 61'), hex('c0 01 62')]);
    assert.deepEqual(findingsAt(decodeEverySplit(stream, { from: 'server', extensions: PMD })), [['reserved-bits', 1]]);
  });
  it('RSV1 on a ping under permessage-deflate', () => {
    assert.deepEqual(findingsAt(decodeEverySplit(hex('c9 00'), { from: 'server', extensions: PMD })), [['reserved-bits', 0]]);
  });
  it('RSV1 on a first frame under permessage-deflate is not reported', () => {
    const payload = new TestCompressor(false).compress('ok');
    assert.deepEqual(rules(decodeEverySplit(encodeFrame({ opcode: 2, rsv1: true, payload }), { from: 'server', extensions: PMD })), []);
  });
  it('RSV1 without the extension does not also report the compressed payload as bad UTF-8', () => {
    const payload = new TestCompressor(false).compress('héllo wörld');
    const run = decodeEverySplit(encodeFrame({ opcode: 1, rsv1: true, payload }), { from: 'server' });
    assert.deepEqual(rules(run), ['reserved-bits']);
  });
});

describe('masking', () => {
  it('unmasked-client-frame', () => {
    const run = decodeEverySplit(hex('81 05 48 65 6c 6c 6f'), { from: 'client' });
    assert.deepEqual(findingsAt(run), [['unmasked-client-frame', 0]]);
  });
  it('masked-server-frame, naming the key', () => {
    const run = decodeEverySplit(hex('81 85 37 fa 21 3d 7f 9f 4d 51 58'), { from: 'server' });
    assert.deepEqual(findingsAt(run), [['masked-server-frame', 0]]);
    assert.match(run.events.find((e) => e[0] === 'finding')![3] as string, /key 37fa213d/);
    assert.equal(run.events.find((e) => e[0] === 'finding')![4], Buffer.from('Hello').toString('hex'), 'preview is unmasked');
  });
  it('an unmasked client control frame', () => {
    assert.deepEqual(rules(decodeEverySplit(hex('89 00'), { from: 'client' })), ['unmasked-client-frame']);
  });
});

describe('control frames', () => {
  it('control-frame-fragmented: a ping with FIN clear', () => {
    assert.deepEqual(findingsAt(decodeEverySplit(hex('09 00'), { from: 'server' })), [['control-frame-fragmented', 0]]);
  });
  it('control-frame-too-long: a 126-byte ping (16-bit length form)', () => {
    const stream = concatBytes([hex('89 7e 00 7e'), new Uint8Array(126), hex('81 00')]);
    const run = decodeEverySplit(stream, { from: 'server' });
    assert.deepEqual(findingsAt(run), [['control-frame-too-long', 0]]);
    assert.deepEqual(run.events.at(-1), ['message', 1, 1, 0, false], 'the next frame is still found');
  });
  it('a 200-byte Close is reported once, not again for its truncated body', () => {
    const body = concatBytes([closeBody(1000), new Uint8Array(198).fill(0x61)]);
    const run = decodeEverySplit(encodeFrame({ opcode: 8, payload: body }), { from: 'server' });
    assert.deepEqual(rules(run), ['control-frame-too-long']);
  });
});

describe('lengths', () => {
  it('non-minimal-length: 5 bytes in the 16-bit form', () => {
    const run = decodeEverySplit(hex('82 7e 00 05 01 02 03 04 05'), { from: 'server' });
    assert.deepEqual(findingsAt(run), [['non-minimal-length', 0]]);
    assert.deepEqual(run.events.at(-1), ['message', 2, 0, 5, false]);
  });
  it('non-minimal-length: 300 bytes in the 64-bit form', () => {
    const run = decodeEverySplit(concatBytes([hex('82 7f 00 00 00 00 00 00 01 2c'), new Uint8Array(300)]), { from: 'server' });
    assert.deepEqual(findingsAt(run), [['non-minimal-length', 0]]);
  });
  it('length-msb-set stops decoding and counts the rest', () => {
    const stream = concatBytes([hex('81 00'), hex('82 7f 80 00 00 00 00 00 00 00'), hex('81 01 61 81 01 62')]);
    const run = decodeEverySplit(stream, { from: 'server' });
    assert.deepEqual(findingsAt(run), [['length-msb-set', 1]]);
    assert.deepEqual(run.events.at(-1), ['stopped', 'length-msb-set', 2]);
    assert.equal(run.decoder.ignoredBytes, 6);
    assert.equal(run.decoder.bytesSeen, stream.length);
    assert.equal(run.events.filter((e) => e[0] === 'frame').length, 2);
  });
  it('a header claiming 2^63-1 bytes streams without holding the payload', () => {
    const run = decodeEverySplit(hex('82 7f 7f ff ff ff ff ff ff ff 00 01 02'), { from: 'server', maxMessage: 0 });
    assert.deepEqual(rules(run), []);
    assert.equal(run.truncated, true);
  });
});

describe('fragmentation', () => {
  it('unexpected-continuation', () => {
    const run = decodeEverySplit(concatBytes([hex('80 01 61'), hex('81 01 62')]), { from: 'server' });
    assert.deepEqual(findingsAt(run), [['unexpected-continuation', 0]]);
    assert.deepEqual(run.events.at(-1), ['message', 1, 1, 1, false]);
  });
  it('expected-continuation: a new text frame inside a fragmented message', () => {
    const run = decodeEverySplit(concatBytes([hex('01 01 61'), hex('81 01 62')]), { from: 'server' });
    assert.deepEqual(findingsAt(run), [['expected-continuation', 1]]);
    assert.deepEqual(run.events.at(-1), ['message', 1, 1, 1, false], 'the new frame starts a new message');
  });
  it('expected-continuation: a binary frame after an unfinished binary fragment', () => {
    const run = decodeEverySplit(concatBytes([hex('02 01 01'), hex('02 01 02'), hex('80 00')]), { from: 'server' });
    assert.deepEqual(findingsAt(run), [['expected-continuation', 1]]);
  });
});

describe('close frames', () => {
  it('invalid-close-payload: a 1-byte body', () => {
    const run = decodeEverySplit(hex('88 01 03'), { from: 'server' });
    assert.deepEqual(findingsAt(run), [['invalid-close-payload', 0]]);
    assert.deepEqual(run.events.at(-1), ['close', null, '', false]);
  });
  for (const code of [0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535]) {
    it(`invalid-close-code: ${code}`, () => {
      const run = decodeEverySplit(encodeFrame({ opcode: 8, payload: closeBody(code), mask: true }), { from: 'client' });
      assert.deepEqual(findingsAt(run), [['invalid-close-code', 0]]);
      assert.deepEqual(run.events.at(-1), ['close', code, '', false]);
    });
  }
  it('invalid-utf8-close-reason', () => {
    const run = decodeEverySplit(hex('88 04 03 e8 ff fe'), { from: 'server' });
    assert.deepEqual(findingsAt(run), [['invalid-utf8-close-reason', 0]]);
  });
  it('invalid-utf8-close-reason: a code point cut by the end of the reason', () => {
    assert.deepEqual(rules(decodeEverySplit(hex('88 04 03 e8 e2 82'), { from: 'server' })), ['invalid-utf8-close-reason']);
  });
  it('frame-after-close: data after the same side closed; pings are not data', () => {
    const stream = concatBytes([hex('88 02 03 e8'), hex('89 00'), hex('81 01 61'), hex('82 00')]);
    assert.deepEqual(findingsAt(decodeEverySplit(stream, { from: 'server' })), [
      ['frame-after-close', 2],
      ['frame-after-close', 3],
    ]);
  });
});

describe('invalid-utf8-text', () => {
  const cases: Array<[string, string]> = [
    ['a lone continuation byte', '81 01 80'],
    ['an invalid second byte', '81 02 c3 28'],
    ['an overlong "/"', '81 02 c0 af'],
    ['an overlong 3-byte form', '81 03 e0 80 af'],
    ['a UTF-16 surrogate', '81 03 ed a0 80'],
    ['a code point above U+10FFFF', '81 04 f4 90 80 80'],
    ['byte 0xF5', '81 01 f5'],
    ['byte 0xFF in the middle of ASCII', '81 05 61 62 ff 63 64'],
    ['a sequence truncated at FIN', '81 02 e2 82'],
  ];
  for (const [name, bytes] of cases) {
    it(name, () => {
      assert.deepEqual(findingsAt(decodeEverySplit(hex(bytes), { from: 'server' })), [['invalid-utf8-text', 0]]);
    });
  }

  it('fail-fast: reported at the fragment that makes it certain, not at FIN', () => {
    const good = new TextEncoder().encode('κόσμε');
    const stream = concatBytes([
      encodeFrame({ opcode: 1, fin: false, payload: good }),
      encodeFrame({ opcode: 0, fin: false, payload: hex('ed a0 80') }),
      encodeFrame({ opcode: 0, fin: true, payload: 'tail' }),
    ]);
    assert.deepEqual(findingsAt(decodeEverySplit(stream, { from: 'server' })), [['invalid-utf8-text', 1]]);
  });

  it('fail-fast inside a sequence split across fragments: F0 | 28 fails at the second fragment', () => {
    const stream = concatBytes([
      encodeFrame({ opcode: 1, fin: false, payload: hex('f0') }),
      encodeFrame({ opcode: 0, fin: false, payload: hex('28') }),
      hex('80 00'),
    ]);
    assert.deepEqual(findingsAt(decodeEverySplit(stream, { from: 'server' })), [['invalid-utf8-text', 1]]);
  });

  it('a truncated sequence is only certain at FIN (empty final fragment)', () => {
    const stream = concatBytes([encodeFrame({ opcode: 1, fin: false, payload: hex('61 f0 9d 84') }), hex('80 00')]);
    assert.deepEqual(findingsAt(decodeEverySplit(stream, { from: 'server' })), [['invalid-utf8-text', 1]]);
  });

  it('a long message with an invalid byte deep inside carries the first 64 bytes as preview', () => {
    const text = new Uint8Array(5000).fill(0x61);
    text[4000] = 0xff;
    const run = decodeEverySplit(encodeFrame({ opcode: 1, payload: text, mask: true }), { from: 'client' });
    assert.deepEqual(findingsAt(run), [['invalid-utf8-text', 0]]);
    assert.equal(run.events.find((e) => e[0] === 'finding')![4], '61'.repeat(64));
  });

  it('binary messages are never checked for UTF-8', () => {
    assert.deepEqual(rules(decodeEverySplit(hex('82 02 ff fe'), { from: 'server' })), []);
  });
});

describe('permessage-deflate data', () => {
  it('invalid-compressed-data: bytes that are not DEFLATE', () => {
    const run = decodeEverySplit(hex('c1 03 ff ff ff'), { from: 'server', extensions: PMD });
    assert.deepEqual(findingsAt(run), [['invalid-compressed-data', 0]]);
  });

  it('context taken over by a sender that agreed not to: detected as invalid data', () => {
    const compressor = new TestCompressor(true);
    const first = compressor.compress('a message that the next one will refer back to');
    const second = compressor.compress('a message that the next one will refer back to, again');
    const stream = concatBytes([
      encodeFrame({ opcode: 1, rsv1: true, payload: first }),
      encodeFrame({ opcode: 1, rsv1: true, payload: second }),
    ]);
    assert.deepEqual(rules(decodeEverySplit(stream, { from: 'server', extensions: PMD })), []);
    assert.deepEqual(findingsAt(decodeEverySplit(stream, { from: 'server', extensions: `${PMD}; server_no_context_takeover` })), [
      ['invalid-compressed-data', 1],
    ]);
  });

  it('invalid UTF-8 inside a compressed text message', () => {
    const payload = new TestCompressor(false).compress(hex('61 62 c3 28'));
    const run = decodeEverySplit(encodeFrame({ opcode: 1, rsv1: true, payload, mask: true }), { from: 'client', extensions: PMD });
    assert.deepEqual(findingsAt(run), [['invalid-utf8-text', 0]]);
    assert.equal(run.events.find((e) => e[0] === 'finding')![4], '6162c328', 'preview is the inflated data');
  });

  it('a compressed message with invalid data does not make later context-takeover messages guesswork', () => {
    const good = new TestCompressor(true).compress('fine');
    const stream = concatBytes([hex('c1 03 ff ff ff'), encodeFrame({ opcode: 1, rsv1: true, payload: good })]);
    const run = decodeEverySplit(stream, { from: 'server', extensions: PMD });
    assert.deepEqual(rules(run), ['invalid-compressed-data'], 'the second message is not checked against a lost window');
  });
});

describe('permessage-deflate: what may follow a block with BFINAL set', () => {
  // f3 48 cd c9 c9 07 00 is "Hello" in a fixed block with BFINAL set (RFC 7692 §7.2.3.4). After it, more
  // blocks may follow (§7.2.1), but they must be DEFLATE; the receiver's 00 00 ff ff is appended after them.
  const SERVER = { from: 'server' as const, extensions: PMD };

  it('a byte that is no block header (BTYPE 11) after the final block', () => {
    assert.deepEqual(findingsAt(decodeEverySplit(hex('c1 08 f3 48 cd c9 c9 07 00 ff'), SERVER)), [['invalid-compressed-data', 0]]);
  });

  it('more than the header of the empty stored block: 00 00 then the appended 00 00 ff ff gives LEN 0, NLEN 0xff00', () => {
    assert.deepEqual(findingsAt(decodeEverySplit(hex('c1 09 f3 48 cd c9 c9 07 00 00 00'), SERVER)), [['invalid-compressed-data', 0]]);
  });

  it('a block after the final one whose back reference reaches before the start of everything', () => {
    // "Hello" (5 bytes), then a final fixed block: length 3 (symbol 257) at distance 9 (code 6, 2 extra bits 0).
    assert.deepEqual(findingsAt(decodeEverySplit(hex('c1 0a f3 48 cd c9 c9 07 00 03 32 00'), SERVER)), [['invalid-compressed-data', 0]]);
    // The same block after 10 bytes (a final stored block of "0123456789") is fine: "0123456789" + "123".
    const run = decodeEverySplit(hex('c1 12 01 0a 00 f5 ff 30 31 32 33 34 35 36 37 38 39 03 32 00'), SERVER);
    assert.deepEqual(rules(run), []);
    assert.deepEqual(run.events.at(-1), ['message', 1, 0, 13, true]);
  });

  it('a BFINAL message that refers back into the previous one when the sender agreed not to', () => {
    // §7.2.3.4's "Hello", then "Hello" as a back reference (f3 00 11 00), under server_no_context_takeover.
    const stream = hex('c1 08 f3 48 cd c9 c9 07 00 00  c1 04 f3 00 11 00');
    assert.deepEqual(rules(decodeEverySplit(stream, SERVER)), []);
    assert.deepEqual(findingsAt(decodeEverySplit(stream, { ...SERVER, extensions: `${PMD}; server_no_context_takeover` })), [
      ['invalid-compressed-data', 1],
    ]);
  });
});

describe('message-too-big', () => {
  it('a single frame over the limit is reported at its header', () => {
    const run = decodeEverySplit(encodeFrame({ opcode: 2, payload: new Uint8Array(11) }), { from: 'server', maxMessage: 10 });
    assert.deepEqual(findingsAt(run), [['message-too-big', 0]]);
  });
  it('exactly at the limit is fine', () => {
    assert.deepEqual(
      rules(decodeEverySplit(encodeFrame({ opcode: 2, payload: new Uint8Array(10) }), { from: 'server', maxMessage: 10 })),
      [],
    );
  });
  it('fragments that add up over the limit, reported at the fragment that crosses it', () => {
    const stream = concatBytes([
      encodeFrame({ opcode: 1, fin: false, payload: 'abcdef' }),
      encodeFrame({ opcode: 0, fin: false, payload: 'ghij' }),
      encodeFrame({ opcode: 0, payload: 'k' }),
    ]);
    assert.deepEqual(findingsAt(decodeEverySplit(stream, { from: 'server', maxMessage: 10 })), [['message-too-big', 2]]);
  });
  it('control frames do not count towards the message size', () => {
    const stream = concatBytes([
      encodeFrame({ opcode: 1, fin: false, payload: 'abcdefgh' }),
      encodeFrame({ opcode: 9, payload: 'pingpingping' }),
      encodeFrame({ opcode: 0, payload: 'ij' }),
    ]);
    assert.deepEqual(rules(decodeEverySplit(stream, { from: 'server', maxMessage: 10 })), []);
  });
  it('an inflation bomb: 1 MiB of zeros compressed to about 1 KiB, limit 64 KiB', () => {
    const payload = new TestCompressor(false).compress(new Uint8Array(1024 * 1024));
    assert.ok(payload.length < 2048);
    const run = decodeEverySplit(encodeFrame({ opcode: 2, rsv1: true, payload }), { from: 'server', extensions: PMD, maxMessage: 65536 });
    assert.deepEqual(findingsAt(run), [['message-too-big', 0]]);
    assert.match(run.events.find((e) => e[0] === 'finding')![3] as string, /inflates to more than/);
  });
  it('without context takeover, the messages after an inflation bomb are still inflated and checked', () => {
    const compressor = new TestCompressor(false);
    const bomb = compressor.compress(new Uint8Array(1024 * 1024));
    const stream = concatBytes([
      encodeFrame({ opcode: 2, rsv1: true, payload: bomb }),
      encodeFrame({ opcode: 1, rsv1: true, payload: compressor.compress('fine') }),
      encodeFrame({ opcode: 1, rsv1: true, payload: compressor.compress(Uint8Array.of(0x61, 0xff)) }),
    ]);
    const run = decodeEverySplit(stream, { from: 'server', extensions: `${PMD}; server_no_context_takeover`, maxMessage: 65536 });
    assert.deepEqual(findingsAt(run), [
      ['message-too-big', 0],
      ['invalid-utf8-text', 2],
    ]);
    assert.deepEqual(
      run.events.filter((e) => e[0] === 'message').map((e) => e[3]),
      [-1, 4, 2],
    );
  });
  it('0 means no limit', () => {
    assert.deepEqual(
      rules(decodeEverySplit(encodeFrame({ opcode: 2, payload: new Uint8Array(3000) }), { from: 'server', maxMessage: 0 })),
      [],
    );
  });
});

describe('several findings on one frame', () => {
  it('an unmasked client frame with RSV2 and a reserved opcode reports all three, in rule order', () => {
    const run = decodeEverySplit(hex('a3 01 61'), { from: 'client' });
    assert.deepEqual(rules(run), ['reserved-opcode', 'reserved-bits', 'unmasked-client-frame']);
  });
});

describe('end(): where a stream is cut short (truncated-frame)', () => {
  it('a payload cut short: the frame, bytes declared and received, the same however the stream was split', () => {
    // Frame #0 whole, then frame #1 declares 1000 bytes of which 100 arrive.
    const declared = encodeFrame({ opcode: 0x2, payload: new Uint8Array(1000).fill(7), mask: Uint8Array.of(1, 2, 3, 4) });
    const stream = concatBytes([
      encodeFrame({ opcode: 0x1, payload: 'ok', mask: Uint8Array.of(9, 9, 9, 9) }),
      declared.subarray(0, 8 + 100),
    ]);
    const run = decodeEverySplit(stream, { from: 'client' });
    assert.deepEqual(rules(run), []);
    assert.deepEqual(run.truncation, {
      frame: { index: 1, offset: 8, opcode: 2, length: 1000 },
      part: 'payload',
      received: 100,
      needed: 1000,
    });
  });

  it('a header cut short: header bytes received and needed, the length when it had arrived', () => {
    const header = hex('82 fe 03 e8 01 02 03 04'); // masked binary, 16-bit length 1000: an 8-byte header
    for (let received = 1; received < header.length; received++) {
      const stream = concatBytes([hex('82 80 00 00 00 00'), header.subarray(0, received)]);
      const run = decodeEverySplit(stream, { from: 'client' });
      assert.deepEqual(
        run.truncation,
        {
          frame: { index: 1, offset: 6, opcode: 2, length: received >= 4 ? 1000 : 0 },
          part: 'header',
          received,
          needed: received >= 2 ? 8 : null,
        },
        `${received} header bytes`,
      );
      assert.equal(run.decoder.frameCount, 1, 'a cut header is not a decoded frame');
    }
  });

  it('a 64-bit length cut after its length field still says how long the frame was', () => {
    const run = decodeEverySplit(hex('82 ff 00 00 00 00 00 01 00 00 aa'), { from: 'client' });
    assert.deepEqual(run.truncation, {
      frame: { index: 0, offset: 0, opcode: 2, length: 65536 },
      part: 'header',
      received: 11,
      needed: 14,
    });
  });

  it('nothing at a frame boundary, nor once decoding stopped (boundaries are lost then)', () => {
    assert.equal(decodeEverySplit(hex('81 01 61 89 00'), { from: 'server' }).truncation, null);
    assert.equal(decodeEverySplit(hex('82 7f 80 00 00 00 00 00 00 00 01 02'), { from: 'server' }).truncation, null);
  });

  it('a control frame cut short is never reported as a Close', () => {
    const close = encodeFrame({ opcode: 0x8, payload: closeBody(1000, 'bye') });
    const run = decodeEverySplit(close.subarray(0, close.length - 1), { from: 'server' });
    assert.equal(
      run.events.some((e) => e[0] === 'close'),
      false,
    );
    assert.deepEqual(run.truncation, { frame: { index: 0, offset: 0, opcode: 8, length: 5 }, part: 'payload', received: 4, needed: 5 });
  });
});
