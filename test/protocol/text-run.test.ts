/**
 * The decoder's fast lane for runs of whole text frames (src/protocol/text-run.ts): it takes exactly the
 * frames it may, and a stream gives the same events through it (whole chunks) as frame by frame (one byte
 * at a time, which never takes it).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FrameDecoder } from '../../src/protocol/decoder.js';
import { concatBytes, encodeFrame } from '../../src/protocol/encoder.js';
import { Source, createPrivateScratch } from '../../src/protocol/scratch.js';
import { RUN_MAX_FRAMES, TextRun } from '../../src/protocol/text-run.js';
import { decodeEverySplit, findingsAt, rules } from '../support/decode.js';

const text = (payload: string | Uint8Array, extra: Parameters<typeof encodeFrame>[0] | object = {}) =>
  encodeFrame({ opcode: 1, payload, mask: true, ...extra });

function scan(bytes: Uint8Array, masked = true, maxMessage = 0): TextRun {
  const run = new TextRun();
  run.scan(bytes, 0, bytes.length, masked, maxMessage);
  return run;
}

describe('text runs: which frames a run takes', () => {
  it('consecutive whole masked text frames, with 7- and 16-bit lengths', () => {
    const stream = concatBytes([text('a'), text(''), text('é'.repeat(100)), text('b')]);
    const run = scan(stream);
    assert.equal(run.count, 4);
    assert.equal(run.bytes, stream.length);
    assert.deepEqual(Array.from(run.lengths.subarray(0, 4)), [1, 0, 200, 1]);
  });

  for (const [name, frame] of [
    ['a fragment (FIN clear)', text('x', { fin: false })],
    ['a binary frame', encodeFrame({ opcode: 2, payload: 'x', mask: true })],
    ['RSV1 set', text('x', { rsv1: true })],
    ['RSV2 set', text('x', { rsv2: true })],
    ['an unmasked client frame', encodeFrame({ opcode: 1, payload: 'x' })],
    ['a non-minimal 16-bit length', text('x', { lengthForm: 16 })],
    ['a 64-bit length', text('x'.repeat(200), { lengthForm: 64 })],
    ['a ping', encodeFrame({ opcode: 9, payload: 'x', mask: true })],
  ] as const) {
    it(`stops before ${name}`, () => {
      const run = scan(concatBytes([text('ok'), frame, text('ok')]));
      assert.equal(run.count, 1);
    });
  }

  it('stops before a frame that is not all in the chunk, or over the size limit, or past the table', () => {
    const whole = concatBytes([text('ok'), text('cut short')]);
    const cut = new TextRun();
    assert.equal(cut.scan(whole, 0, whole.length - 1, true, 0), 1);
    assert.equal(scan(concatBytes([text('ok'), text('x'.repeat(11))]), true, 10).count, 1);
    const many = concatBytes(Array.from({ length: RUN_MAX_FRAMES + 5 }, () => text('')));
    assert.equal(scan(many).count, RUN_MAX_FRAMES);
  });

  it('server frames must be unmasked', () => {
    const stream = concatBytes([encodeFrame({ opcode: 1, payload: 'a' }), text('masked')]);
    assert.equal(scan(stream, false).count, 1);
  });

  it('check: unmasks every payload in place and fails when any payload is not UTF-8', () => {
    const good = concatBytes([text('héllo'), text('wörld')]);
    const run = scan(good);
    const scratch = createPrivateScratch();
    assert.equal(run.check(scratch, new Source().use(good), 0, true), true);
    const second = run.payloadAt[1]!;
    assert.equal(Buffer.from(scratch.bytes.subarray(second, second + run.lengths[1]!)).toString(), 'wörld');
    for (const bad of [Uint8Array.of(0xc3), Uint8Array.of(0xa9, 0x61), Uint8Array.of(0xed, 0xa0, 0x80)]) {
      const stream = concatBytes([text('fine'), text(bad), text('fine')]);
      const r = scan(stream);
      assert.equal(r.check(scratch, new Source().use(stream), 0, true), false, Buffer.from(bad).toString('hex'));
    }
  });
});

describe('text runs: same events as frame by frame', () => {
  it('a run with a bad frame in the middle reports it at its own frame', () => {
    const stream = concatBytes([text('one'), text('two'), text(Uint8Array.of(0x74, 0xc3)), text('four'), text('€')]);
    const run = decodeEverySplit(stream, { from: 'client' });
    assert.deepEqual(findingsAt(run), [['invalid-utf8-text', 2]]);
    assert.equal(run.events.filter((e) => e[0] === 'message').length, 5);
  });

  it('a code point split across two runs of frames is invalid in both', () => {
    const stream = concatBytes([text(Uint8Array.of(0x61, 0xe2, 0x82)), text(Uint8Array.of(0xac, 0x62))]);
    const run = decodeEverySplit(stream, { from: 'client' });
    assert.deepEqual(findingsAt(run), [
      ['invalid-utf8-text', 0],
      ['invalid-utf8-text', 1],
    ]);
  });

  it('runs next to everything the normal path handles: fragments, controls, binary, oversized', () => {
    const stream = concatBytes([
      text('a'),
      text('frag', { fin: false }),
      encodeFrame({ opcode: 9, payload: 'ping', mask: true }),
      encodeFrame({ opcode: 0, payload: 'ment', mask: true }),
      text('b'),
      encodeFrame({ opcode: 2, payload: Uint8Array.of(0xff), mask: true }),
      text('x'.repeat(300)),
      text('c'),
      text('d', { lengthForm: 16 }),
      text('e'),
    ]);
    const run = decodeEverySplit(stream, { from: 'client', maxMessage: 200 });
    assert.deepEqual(findingsAt(run), [
      ['message-too-big', 6],
      ['non-minimal-length', 8],
    ]);
  });

  it('a sink that changes the type policy mid-run: the next message is checked against it', () => {
    const stream = concatBytes([text('a'), text('b'), text('c')]);
    for (const chunks of [[stream], Array.from(stream, (b) => Uint8Array.of(b))]) {
      const found: Array<[string, number | undefined]> = [];
      const decoder: FrameDecoder = new FrameDecoder(
        {
          finding: (f) => found.push([f.rule, f.frame?.index]),
          messageEnd: (m) => {
            if (m.firstFrame.index === 0) decoder.setTypePolicy({ accepts: 'binary', source: 'test' });
          },
        },
        { from: 'client' },
      );
      for (const chunk of chunks) decoder.push(chunk);
      decoder.end();
      assert.deepEqual(
        found,
        [
          ['unsupported-text', 1],
          ['unsupported-text', 2],
        ],
        `${chunks.length} chunk(s)`,
      );
    }
  });

  it('a sink that feeds another decoder from inside a callback does not disturb either', () => {
    const outer = concatBytes([text('first é'), text('second €'), text('third 😀')]);
    const inner = concatBytes([text('inner one'), text('inner two')]);
    const seen: string[] = [];
    const innerDecoder = new FrameDecoder(
      { finding: (f) => assert.fail(f.message), messageEnd: (m) => void seen.push(`inner ${Buffer.from(m.head).toString()}`) },
      { from: 'client' },
    );
    const outerDecoder = new FrameDecoder(
      {
        finding: (f) => assert.fail(f.message),
        messageEnd: (m) => {
          const head = Buffer.from(m.head).toString();
          if (m.firstFrame.index === 0) innerDecoder.push(inner);
          seen.push(`outer ${head} / ${Buffer.from(m.head).toString()}`);
        },
      },
      { from: 'client' },
    );
    outerDecoder.push(outer);
    assert.deepEqual(seen, [
      'inner inner one',
      'inner inner two',
      'outer first é / first é',
      'outer second € / second €',
      'outer third 😀 / third 😀',
    ]);
  });

  it('valid text of every size class goes through with no findings', () => {
    const stream = concatBytes([16, 125, 126, 1000, 4096, 20000].map((n) => text('ü'.repeat(n >> 1))));
    assert.deepEqual(rules(decodeEverySplit(stream, { from: 'client' })), []);
  });
});

describe('text runs with payload listeners', () => {
  /** Counts the frames the fast lane takes while `fn` runs (a spy on the run's check). */
  function laneFrames(fn: () => void): number {
    // eslint-disable-next-line @typescript-eslint/unbound-method -- a spy: the original is applied to each instance below
    const check = TextRun.prototype.check;
    let taken = 0;
    TextRun.prototype.check = function (this: TextRun, ...args: Parameters<TextRun['check']>): boolean {
      const ok = check.apply(this, args);
      if (ok) taken += this.count;
      return ok;
    };
    try {
      fn();
    } finally {
      TextRun.prototype.check = check;
    }
    return taken;
  }

  it('the lane is still taken, and the listeners hear every payload of the run', () => {
    const messages = ['one', 'two é', '', 'x'.repeat(300), 'four €'];
    const stream = concatBytes(messages.map((m) => text(m)));
    const payloads: string[] = [];
    const data: string[] = [];
    const order: string[] = [];
    const taken = laneFrames(() => {
      const decoder = new FrameDecoder(
        {
          finding: (f) => assert.fail(f.message),
          payload: (bytes, position, frame) => {
            assert.equal(position, 0);
            payloads.push(Buffer.from(bytes).toString());
            order.push(`payload #${frame.index}`);
          },
          messageData: (bytes) => void data.push(Buffer.from(bytes).toString()),
          frameEnd: (frame) => void order.push(`frameEnd #${frame.index}`),
          messageEnd: (m) => void order.push(`messageEnd #${m.firstFrame.index}`),
        },
        { from: 'client' },
      );
      decoder.push(stream);
    });
    assert.equal(taken, messages.length, 'every frame went through the fast lane');
    const nonEmpty = messages.filter((m) => m.length > 0);
    assert.deepEqual(payloads, nonEmpty);
    assert.deepEqual(data, nonEmpty);
    assert.deepEqual(order.slice(0, 7), [
      'payload #0',
      'frameEnd #0',
      'messageEnd #0',
      'payload #1',
      'frameEnd #1',
      'messageEnd #1',
      'frameEnd #2',
    ]);
  });

  it('without listeners the lane takes the same frames', () => {
    const stream = concatBytes(['a', 'b', 'c'].map((m) => text(m)));
    const taken = laneFrames(() => new FrameDecoder({ finding: (f) => assert.fail(f.message) }, { from: 'client' }).push(stream));
    assert.equal(taken, 3);
  });
});
