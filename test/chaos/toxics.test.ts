/**
 * Every toxic, byte for byte: input frames in, the exact bytes out (frames toward the server carry fresh
 * keys, read back from the output and checked to differ from the sender's), then the output decoded by
 * the project's decoder as the receiver would: the rule the fault is meant to break is reported, or for
 * the valid changes (fragment, coalesce, latency…) nothing is, and the messages are the same.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { closeBody, concatBytes, encodeFrame, type FrameSpec } from '../../src/protocol/encoder.js';
import type { Direction } from '../../src/events/index.js';
import type { FaultRecord } from '../../src/chaos/types.js';
import { TestCompressor } from '../support/deflate.js';
import { bytesEqual, framesOf, messagesOf, receive, rules, runChaos, toxic, type ChaosRun } from './support.js';

const C2S: Direction = 'client->server';
const S2C: Direction = 'server->client';
const KEY = Uint8Array.of(0x11, 0x22, 0x33, 0x44);
const DEFLATE = 'permessage-deflate';

/** A frame as the sender writes it: masked with KEY toward the server. */
function sent(direction: Direction, spec: FrameSpec): Uint8Array {
  return encodeFrame(direction === C2S ? { ...spec, mask: KEY } : spec);
}

/**
 * Asserts the output is exactly these frames. `as: 'sent'` expects the frame as the sender wrote it (its
 * own key); `as: 'unmasked'` expects no mask; otherwise frames toward the server carry the key the output
 * shows, which must be fresh (not the sender's KEY), and frames toward the client none.
 */
type Expected = FrameSpec & { as?: 'sent' | 'unmasked' };

function assertFrames(run: ChaosRun, direction: Direction, specs: readonly Expected[]): void {
  const frames = framesOf(run.out);
  assert.equal(frames.length, specs.length, `frame count (output ${Buffer.from(run.out).toString('hex')})`);
  const expected = specs.map(({ as, ...frame }, i) => {
    if (as === 'sent') return sent(direction, frame);
    if (as === 'unmasked' || direction === S2C) {
      assert.equal(frames[i]!.masked, false, `frame ${i} is not masked`);
      return encodeFrame(frame);
    }
    const key = frames[i]!.maskKey;
    assert.ok(key, `frame ${i} toward the server is masked`);
    assert.notDeepEqual(key, KEY, `frame ${i} has a fresh key`);
    return encodeFrame({ ...frame, mask: key });
  });
  assert.ok(
    bytesEqual(run.out, concatBytes(expected)),
    `output ${Buffer.from(run.out).toString('hex')}\nexpected ${Buffer.from(concatBytes(expected)).toString('hex')}`,
  );
}

function only(run: ChaosRun): FaultRecord {
  assert.equal(run.faults.length, 1, `one fault: ${JSON.stringify(run.faults)}`);
  return run.faults[0]!;
}

describe('header toxics', () => {
  for (const bit of [1, 2, 3] as const) {
    for (const direction of [C2S, S2C]) {
      it(`rsv bit ${bit} ${direction}: reserved-bits`, () => {
        const input = sent(direction, { opcode: 1, payload: 'hello' });
        const run = runChaos(input, [toxic('rsv', direction, { bit })], { direction });
        assertFrames(run, direction, [{ opcode: 1, payload: 'hello', [`rsv${bit}`]: true }]);
        assert.deepEqual(rules(receive(run.out, direction)), ['reserved-bits']);
        const fault = only(run);
        assert.deepEqual(fault.before, { [`rsv${bit}`]: false });
        assert.deepEqual(fault.after, { [`rsv${bit}`]: true });
        assert.deepEqual(
          [fault.frame?.index, fault.out_index, fault.out_offset, fault.toxic, fault.toxic_type, fault.dir],
          [0, 0, 0, `rsv-${direction === C2S ? 'c2s' : 's2c'}`, 'rsv', direction],
        );
      });
    }
  }

  it('rsv leaves frames outside its selector byte for byte', () => {
    const input = concatBytes([sent(S2C, { opcode: 9, payload: 'p' }), sent(S2C, { opcode: 2, payload: Uint8Array.of(1, 2) })]);
    const run = runChaos(input, [toxic('rsv', S2C, { bit: 2, frames: 'data' })], { direction: S2C });
    assertFrames(run, S2C, [
      { opcode: 9, payload: 'p', as: 'sent' },
      { opcode: 2, payload: Uint8Array.of(1, 2), rsv2: true },
    ]);
    assert.equal(only(run).out_index, 1);
    assert.equal(only(run).out_offset, 3);
  });

  it('reserved-opcode: the first frame of a fragmented message, and its continuation becomes unexpected', () => {
    const input = concatBytes([sent(C2S, { opcode: 1, fin: false, payload: 'ab' }), sent(C2S, { opcode: 0, payload: 'cd' })]);
    const run = runChaos(input, [toxic('reserved-opcode', C2S, { opcode: 0xb })], { direction: C2S });
    assertFrames(run, C2S, [
      { opcode: 0xb, fin: false, payload: 'ab' },
      { opcode: 0, payload: 'cd', as: 'sent' },
    ]);
    assert.deepEqual(rules(receive(run.out, C2S)), ['reserved-opcode', 'control-frame-fragmented', 'unexpected-continuation']);
    assert.deepEqual([only(run).before, only(run).after], [{ opcode: 1 }, { opcode: 0xb }]);
  });

  it('reserved-opcode on a whole message', () => {
    const run = runChaos(sent(S2C, { opcode: 2, payload: Uint8Array.of(0) }), [toxic('reserved-opcode', S2C)], { direction: S2C });
    assertFrames(run, S2C, [{ opcode: 3, payload: Uint8Array.of(0) }]);
    assert.deepEqual(rules(receive(run.out, S2C)), ['reserved-opcode']);
  });

  for (const form of [16, 64] as const) {
    it(`non-minimal-length ${form}`, () => {
      const run = runChaos(sent(C2S, { opcode: 1, payload: 'hi' }), [toxic('non-minimal-length', C2S, { form })], { direction: C2S });
      assertFrames(run, C2S, [{ opcode: 1, payload: 'hi', lengthForm: form }]);
      assert.deepEqual(rules(receive(run.out, C2S)), ['non-minimal-length']);
      assert.deepEqual([only(run).before, only(run).after], [{ length_form: 7 }, { length_form: form }]);
    });
  }

  it('non-minimal-length 16 leaves a 200-byte frame alone (16 bits is its minimal form)', () => {
    const input = sent(S2C, { opcode: 2, payload: new Uint8Array(200) });
    const run = runChaos(input, [toxic('non-minimal-length', S2C, { form: 16 })], { direction: S2C });
    assert.ok(bytesEqual(run.out, input));
    assert.equal(run.faults.length, 0);
  });
});

describe('mask', () => {
  it('invert toward the server removes the mask: unmasked-client-frame', () => {
    const run = runChaos(sent(C2S, { opcode: 1, payload: 'secret' }), [toxic('mask', C2S)], { direction: C2S });
    assertFrames(run, C2S, [{ opcode: 1, payload: 'secret', as: 'unmasked' }]);
    assert.deepEqual(rules(receive(run.out, C2S)), ['unmasked-client-frame']);
    assert.deepEqual([only(run).before, only(run).after], [{ masked: true }, { masked: false }]);
  });

  it('invert toward the client adds a fresh key: masked-server-frame', () => {
    const run = runChaos(sent(S2C, { opcode: 1, payload: 'hello' }), [toxic('mask', S2C)], { direction: S2C });
    const [frame] = framesOf(run.out);
    assert.ok(frame?.maskKey);
    assert.ok(bytesEqual(run.out, encodeFrame({ opcode: 1, payload: 'hello', mask: frame.maskKey })));
    assert.deepEqual(rules(receive(run.out, S2C)), ['masked-server-frame']);
  });

  it('remove toward the client changes nothing (the frame is already unmasked)', () => {
    const input = sent(S2C, { opcode: 1, payload: 'hello' });
    const run = runChaos(input, [toxic('mask', S2C, { action: 'remove' })], { direction: S2C });
    assert.ok(bytesEqual(run.out, input));
    assert.equal(run.faults.length, 0);
  });
});

describe('remask (valid)', () => {
  it('masks a client frame again with a fresh key: the same message, nothing to report', () => {
    const run = runChaos(sent(C2S, { opcode: 1, payload: 'secret' }), [toxic('remask', C2S)], { direction: C2S });
    assertFrames(run, C2S, [{ opcode: 1, payload: 'secret' }]);
    assert.deepEqual(rules(receive(run.out, C2S)), []);
    assert.deepEqual(messagesOf(receive(run.out, C2S)), [[1, 'secret']]);
    assert.match(only(run).message, /^masked text frame #0 again with a fresh key$/);
  });

  it('leaves unmasked frames (toward the client) byte for byte', () => {
    const input = sent(S2C, { opcode: 1, payload: 'hello' });
    const run = runChaos(input, [toxic('remask', S2C)], { direction: S2C });
    assert.ok(bytesEqual(run.out, input));
    assert.equal(run.faults.length, 0);
  });
});

describe('message toxics', () => {
  it('retype text → binary: unsupported-binary at a text-only receiver', () => {
    const run = runChaos(sent(S2C, { opcode: 1, payload: '{"a":1}' }), [toxic('retype', S2C)], { direction: S2C });
    assertFrames(run, S2C, [{ opcode: 2, payload: '{"a":1}' }]);
    assert.deepEqual(rules(receive(run.out, S2C, { typePolicy: { accepts: 'text', source: 'test' } })), ['unsupported-binary']);
    assert.deepEqual([only(run).before, only(run).after], [{ opcode: 1 }, { opcode: 2 }]);
  });

  it('retype binary → text: invalid-utf8-text for bytes that are not UTF-8', () => {
    const run = runChaos(sent(C2S, { opcode: 2, payload: Uint8Array.of(0xc3, 0x28) }), [toxic('retype', C2S, { to: 'text' })], {
      direction: C2S,
    });
    assertFrames(run, C2S, [{ opcode: 1, payload: Uint8Array.of(0xc3, 0x28) }]);
    assert.deepEqual(rules(receive(run.out, C2S)), ['invalid-utf8-text']);
  });

  it('retype to binary leaves binary messages alone', () => {
    const input = sent(S2C, { opcode: 2, payload: Uint8Array.of(1) });
    assert.equal(runChaos(input, [toxic('retype', S2C, { to: 'binary' })], { direction: S2C }).faults.length, 0);
  });

  it('corrupt-utf8 writes 0xFF at the offset: invalid-utf8-text', () => {
    const run = runChaos(sent(C2S, { opcode: 1, payload: 'hello' }), [toxic('corrupt-utf8', C2S, { offset: 2 })], { direction: C2S });
    assertFrames(run, C2S, [{ opcode: 1, payload: Uint8Array.from([0x68, 0x65, 0xff, 0x6c, 0x6f]) }]);
    assert.deepEqual(rules(receive(run.out, C2S)), ['invalid-utf8-text']);
    assert.deepEqual(only(run).after, { position: 2, byte: 0xff });
  });

  it('corrupt-utf8 skips an empty first fragment and clamps the offset to the frame', () => {
    const input = concatBytes([
      sent(S2C, { opcode: 1, fin: false }),
      sent(S2C, { opcode: 0, fin: false, payload: 'ab' }),
      sent(S2C, { opcode: 0, payload: 'cd' }),
    ]);
    const run = runChaos(input, [toxic('corrupt-utf8', S2C, { offset: 10 })], { direction: S2C });
    assertFrames(run, S2C, [
      { opcode: 1, fin: false, as: 'sent' },
      { opcode: 0, fin: false, payload: Uint8Array.of(0x61, 0xff) },
      { opcode: 0, payload: 'cd', as: 'sent' },
    ]);
    assert.deepEqual(rules(receive(run.out, S2C)), ['invalid-utf8-text']);
    assert.equal(only(run).frame?.index, 1);
  });
});

describe('fragmentation (valid changes)', () => {
  it('fragment splits a frame; the receiver sees the same message and no violation', () => {
    const payload = Uint8Array.from({ length: 40 }, (_, i) => i);
    const run = runChaos(sent(C2S, { opcode: 2, payload }), [toxic('fragment', C2S, { size: 16 })], { direction: C2S });
    assertFrames(run, C2S, [
      { opcode: 2, fin: false, payload: payload.subarray(0, 16) },
      { opcode: 0, fin: false, payload: payload.subarray(16, 32) },
      { opcode: 0, payload: payload.subarray(32) },
    ]);
    const received = receive(run.out, C2S);
    assert.deepEqual(rules(received), []);
    assert.deepEqual(messagesOf(received), [[2, Buffer.from(payload).toString('hex')]]);
    const keys = framesOf(run.out).map((f) => Buffer.from(f.maskKey!).toString('hex'));
    assert.equal(new Set(keys).size, 3, 'a fresh key per fragment');
    assert.deepEqual([only(run).before, only(run).after], [{ frames: 1 }, { frames: 3 }]);
  });

  it('fragment streams: each piece of a large frame is written as it arrives', () => {
    const payload = new Uint8Array(100_000).fill(7);
    const input = sent(S2C, { opcode: 2, payload });
    const pieces = [input.subarray(0, 5000), input.subarray(5000, 60_000), input.subarray(60_000)];
    const run = runChaos(pieces, [toxic('fragment', S2C, { size: 30_000 })], { direction: S2C });
    const firstPush = runChaos(pieces.slice(0, 1), [toxic('fragment', S2C, { size: 30_000 })], { direction: S2C });
    assert.equal(firstPush.out.length, 4 + 5000 - 10, 'the first push already wrote its payload (after the new header)');
    assert.deepEqual(
      framesOf(run.out).map((f) => [f.opcode, f.fin, f.length]),
      [
        [2, false, 30_000],
        [0, false, 30_000],
        [0, false, 30_000],
        [0, true, 10_000],
      ],
    );
    assert.deepEqual(rules(receive(run.out, S2C)), []);
  });

  it('fragment keeps RSV1 on the first fragment of a compressed message, which still inflates', () => {
    const compressed = new TestCompressor(false).compress('compressed text payload, compressed text payload');
    const input = sent(S2C, { opcode: 1, rsv1: true, payload: compressed });
    const run = runChaos(input, [toxic('fragment', S2C, { size: 8 })], { direction: S2C, extensions: DEFLATE });
    const frames = framesOf(run.out);
    assert.deepEqual(
      frames.map((f) => f.rsv1),
      frames.map((_, i) => i === 0),
    );
    const received = receive(run.out, S2C, { extensions: DEFLATE });
    assert.deepEqual(rules(received), []);
    assert.deepEqual(messagesOf(received), [[1, 'compressed text payload, compressed text payload']]);
  });

  it('coalesce merges a fragmented message into one frame', () => {
    const input = concatBytes([
      sent(C2S, { opcode: 1, fin: false, payload: 'hel' }),
      sent(C2S, { opcode: 0, fin: false, payload: 'lo ' }),
      sent(C2S, { opcode: 0, payload: 'world' }),
    ]);
    const run = runChaos(input, [toxic('coalesce', C2S)], { direction: C2S });
    assertFrames(run, C2S, [{ opcode: 1, payload: 'hello world' }]);
    const received = receive(run.out, C2S);
    assert.deepEqual(rules(received), []);
    assert.deepEqual(messagesOf(received), [[1, 'hello world']]);
    assert.deepEqual([only(run).before, only(run).after, only(run).frame?.index], [{ frames: 3 }, { frames: 1 }, 0]);
  });

  it('coalesce keeps each held fragment’s own masking key: merged or given up, the bytes are right', () => {
    // The engine's decoder lends it each header's key for that frame only (DecoderOptions.framesOnly): a
    // held fragment re-encoded with the key of a later frame would be corrupted.
    const keyed = (spec: FrameSpec, ...key: number[]): Uint8Array => encodeFrame({ ...spec, mask: Uint8Array.from(key) });
    const fragments = [
      keyed({ opcode: 1, fin: false, payload: 'hel' }, 1, 2, 3, 4),
      keyed({ opcode: 0, fin: false, payload: 'lo ' }, 5, 6, 7, 8),
      keyed({ opcode: 0, payload: 'world' }, 9, 10, 11, 12),
    ];
    const merged = runChaos(concatBytes(fragments), [toxic('coalesce', C2S)], { direction: C2S });
    assert.deepEqual(messagesOf(receive(merged.out, C2S)), [[1, 'hello world']]);
    for (const [what, input, options] of [
      ['past max_bytes', concatBytes(fragments), { max_bytes: 6 }],
      ['at a ping', concatBytes([...fragments.slice(0, 2), keyed({ opcode: 9, payload: 'p' }, 13, 14, 15, 16), fragments[2]!]), {}],
    ] as const) {
      const run = runChaos(input, [toxic('coalesce', C2S, options)], { direction: C2S });
      assert.ok(bytesEqual(run.out, input), `given up ${what}: every frame with its own key`);
    }
    const held = concatBytes(fragments.slice(0, 2));
    const ended = runChaos(held, [toxic('coalesce', C2S)], { direction: C2S, end: true });
    assert.ok(bytesEqual(ended.out, held), 'given up at the end of the stream: every frame with its own key');
  });

  it('coalesce holds nothing until the last fragment, then writes once', () => {
    const input = concatBytes([
      sent(S2C, { opcode: 2, fin: false, payload: Uint8Array.of(1) }),
      sent(S2C, { opcode: 0, payload: Uint8Array.of(2) }),
    ]);
    const first = runChaos(input.subarray(0, 3), [toxic('coalesce', S2C)], { direction: S2C });
    assert.equal(first.out.length, 0);
    const whole = runChaos(input, [toxic('coalesce', S2C)], { direction: S2C });
    assertFrames(whole, S2C, [{ opcode: 2, payload: Uint8Array.of(1, 2) }]);
  });

  it('coalesce gives up, byte for byte, on a ping between fragments, past max_bytes, or at the end of the stream', () => {
    const withPing = concatBytes([
      sent(C2S, { opcode: 1, fin: false, payload: 'ab' }),
      sent(C2S, { opcode: 9, payload: 'p' }),
      sent(C2S, { opcode: 0, payload: 'cd' }),
    ]);
    const a = runChaos(withPing, [toxic('coalesce', C2S)], { direction: C2S });
    assert.ok(bytesEqual(a.out, withPing));
    assert.equal(a.faults.length, 0);
    const long = concatBytes([
      sent(C2S, { opcode: 2, fin: false, payload: new Uint8Array(6) }),
      sent(C2S, { opcode: 0, payload: new Uint8Array(6) }),
    ]);
    const b = runChaos(long, [toxic('coalesce', C2S, { max_bytes: 10 })], { direction: C2S });
    assert.ok(bytesEqual(b.out, long));
    const cut = long.subarray(0, long.length - 3);
    const c = runChaos(cut, [toxic('coalesce', C2S)], { direction: C2S, end: true });
    assert.equal(runChaos(cut, [toxic('coalesce', C2S)], { direction: C2S }).out.length, 0, 'held until the end');
    assert.ok(bytesEqual(c.out, cut), 'a frame cut by the end goes out as far as it came');
    assert.ok(c.ended);
  });
});

describe('control frame toxics', () => {
  const text = sent(S2C, { opcode: 1, payload: 'x' });

  it('drop pongs', () => {
    const input = concatBytes([sent(S2C, { opcode: 10, payload: 'p' }), text]);
    const run = runChaos(input, [toxic('drop', S2C)], { direction: S2C });
    assert.ok(bytesEqual(run.out, text));
    assert.deepEqual(rules(receive(run.out, S2C)), []);
    assert.deepEqual([only(run).frame?.index, only(run).out_index, only(run).out_offset], [0, 0, 0]);
  });

  it('drop a data frame: its message is lost', () => {
    const input = concatBytes([text, text]);
    const run = runChaos(input, [toxic('drop', S2C, { frames: 'text' }, { toxicity: 1 })], { direction: S2C });
    assert.equal(run.out.length, 0);
    assert.equal(run.faults.length, 2);
  });

  it('delay holds the pong and what follows', () => {
    const pong = sent(S2C, { opcode: 10 });
    const run = runChaos(concatBytes([text, pong, text]), [toxic('delay', S2C, { ms: 1500 })], { direction: S2C, now: 1000 });
    assert.deepEqual(
      run.actions.map((a) => (a.type === 'write' ? `write ${a.bytes.length}` : a.type === 'delay' ? `delay ${a.ms}` : a.type)),
      ['write 3', 'fault', 'delay 1500', 'write 5'],
    );
    assert.ok(bytesEqual(run.out, concatBytes([text, pong, text])));
    assert.deepEqual(only(run).after, { delay_ms: 1500 });
  });

  it('duplicate pings', () => {
    const ping = sent(C2S, { opcode: 9, payload: 'hb' });
    const run = runChaos(ping, [toxic('duplicate', C2S, { copies: 2, frames: 'ping' })], { direction: C2S });
    assertFrames(run, C2S, [
      { opcode: 9, payload: 'hb' },
      { opcode: 9, payload: 'hb' },
      { opcode: 9, payload: 'hb' },
    ]);
    const received = receive(run.out, C2S);
    assert.deepEqual(received.events.filter((e) => e[0] === 'ping').length, 3);
    assert.deepEqual(only(run).after, { copies: 3 });
  });

  it('duplicate a Close', () => {
    const close = sent(S2C, { opcode: 8, payload: closeBody(1000, 'bye') });
    const run = runChaos(close, [toxic('duplicate', S2C, { frames: 'close' })], { direction: S2C });
    assertFrames(run, S2C, [
      { opcode: 8, payload: closeBody(1000, 'bye') },
      { opcode: 8, payload: closeBody(1000, 'bye') },
    ]);
  });

  it('inject-ping toward the server: an unmasked ping before the message, which goes on as it came', () => {
    const message = sent(C2S, { opcode: 1, payload: 'hi' });
    const run = runChaos(message, [toxic('inject-ping', C2S)], { direction: C2S });
    assertFrames(run, C2S, [
      { opcode: 9, payload: 'wsdiag', as: 'unmasked' },
      { opcode: 1, payload: 'hi', as: 'sent' },
    ]);
    assert.deepEqual(rules(receive(run.out, C2S)), ['unmasked-client-frame']);
    assert.deepEqual([only(run).out_index, only(run).frame?.index], [0, 0]);
  });

  it('inject-ping toward the client is a legal ping the client must answer', () => {
    const message = sent(S2C, { opcode: 1, payload: 'hi' });
    const run = runChaos(message, [toxic('inject-ping', S2C, { payload: 'auth' })], { direction: S2C });
    assertFrames(run, S2C, [
      { opcode: 9, payload: 'auth' },
      { opcode: 1, payload: 'hi', as: 'sent' },
    ]);
    const received = receive(run.out, S2C);
    assert.deepEqual(rules(received), []);
    assert.deepEqual(
      received.events.filter((e) => e[0] === 'ping'),
      [['ping', 0]],
    );
  });

  it('close-code rewrites the code and keeps the reason', () => {
    const run = runChaos(sent(C2S, { opcode: 8, payload: closeBody(1001, 'going') }), [toxic('close-code', C2S, { code: 4000 })], {
      direction: C2S,
    });
    assertFrames(run, C2S, [{ opcode: 8, payload: closeBody(4000, 'going') }]);
    assert.deepEqual(
      receive(run.out, C2S).events.filter((e) => e[0] === 'close'),
      [['close', 4000, 'going', true]],
    );
    assert.deepEqual([only(run).before, only(run).after], [{ code: 1001 }, { code: 4000 }]);
  });

  it('close-code with a code never allowed on the wire: invalid-close-code; a new reason', () => {
    const run = runChaos(sent(S2C, { opcode: 8, payload: closeBody(1000) }), [toxic('close-code', S2C, { code: 1005, reason: 'x' })], {
      direction: S2C,
    });
    assertFrames(run, S2C, [{ opcode: 8, payload: closeBody(1005, 'x') }]);
    assert.deepEqual(rules(receive(run.out, S2C)), ['invalid-close-code']);
  });

  it('close-code gives an empty Close a code', () => {
    const run = runChaos(sent(S2C, { opcode: 8 }), [toxic('close-code', S2C, { code: 1011 })], { direction: S2C });
    assertFrames(run, S2C, [{ opcode: 8, payload: closeBody(1011) }]);
    assert.deepEqual(only(run).before, { code: null });
  });
});

describe('truncate', () => {
  it('cuts the frame after keep bytes and ends the stream; what follows is not forwarded', () => {
    const payload = Uint8Array.from({ length: 10 }, (_, i) => 0x30 + i);
    const input = concatBytes([sent(C2S, { opcode: 2, payload }), sent(C2S, { opcode: 1, payload: 'after' })]);
    const run = runChaos(input, [toxic('truncate', C2S, { keep: 3 })], { direction: C2S });
    assert.ok(run.ended);
    assert.equal(run.actions.at(-1)?.type, 'end');
    const header = run.out.subarray(0, 6);
    const key = header.subarray(2, 6);
    assert.notDeepEqual(key, KEY);
    assert.ok(bytesEqual(run.out, encodeFrame({ opcode: 2, payload: payload.subarray(0, 3), declaredLength: 10, mask: key })));
    const received = receive(run.out, C2S);
    assert.deepEqual(
      received.truncation && { part: received.truncation.part, received: received.truncation.received, needed: received.truncation.needed },
      {
        part: 'payload',
        received: 3,
        needed: 10,
      },
    );
    assert.deepEqual([only(run).before, only(run).after], [{ length: 10 }, { sent: 3 }]);
    assert.deepEqual(run.engine.push(Uint8Array.of(1, 2, 3), 0), [], 'nothing after the cut');
    assert.equal(run.engine.discardedBytes, 3);
  });

  it('end=false shortens the frame (its header says so) and the stream goes on', () => {
    const payload = Uint8Array.from({ length: 10 }, (_, i) => 0x30 + i);
    const input = concatBytes([sent(C2S, { opcode: 2, payload }), sent(C2S, { opcode: 1, payload: 'after' })]);
    const run = runChaos(input, [toxic('truncate', C2S, { keep: 4, end: false, frames: 'binary' })], { direction: C2S });
    assert.ok(!run.ended);
    assertFrames(run, C2S, [
      { opcode: 2, payload: payload.subarray(0, 4) },
      { opcode: 1, payload: 'after', as: 'sent' },
    ]);
    assert.deepEqual(rules(receive(run.out, C2S)), []);
    assert.deepEqual([only(run).before, only(run).after], [{ length: 10 }, { length: 4 }]);
    assert.match(only(run).message, /^shortened binary frame #0 from 10 to 4 payload bytes$/);
  });

  it('end=false leaves frames no longer than keep alone', () => {
    const input = sent(S2C, { opcode: 1, payload: 'abc' });
    const run = runChaos(input, [toxic('truncate', S2C, { keep: 3, end: false })], { direction: S2C });
    assert.ok(bytesEqual(run.out, input));
    assert.equal(run.faults.length, 0);
  });

  it('keep defaults to 0 (only the header goes out) and is clamped below the length', () => {
    const run = runChaos(sent(S2C, { opcode: 1, payload: 'abc' }), [toxic('truncate', S2C)], { direction: S2C });
    assert.ok(bytesEqual(run.out, Uint8Array.of(0x81, 3)));
    const clamped = runChaos(sent(S2C, { opcode: 1, payload: 'abc' }), [toxic('truncate', S2C, { keep: 99 })], { direction: S2C });
    assert.ok(bytesEqual(clamped.out, Uint8Array.of(0x81, 3, 0x61, 0x62)));
  });
});

describe('deflate', () => {
  const compressed = new TestCompressor(false).compress('hello hello hello hello');

  it('corrupt: a reserved block type in a compressed message: invalid-compressed-data', () => {
    const run = runChaos(sent(C2S, { opcode: 1, rsv1: true, payload: compressed }), [toxic('deflate', C2S)], {
      direction: C2S,
      extensions: DEFLATE,
    });
    const corrupted = Uint8Array.from(compressed);
    corrupted[0]! |= 0x06;
    assertFrames(run, C2S, [{ opcode: 1, rsv1: true, payload: corrupted }]);
    assert.deepEqual(rules(receive(run.out, C2S, { extensions: DEFLATE })), ['invalid-compressed-data']);
  });

  it('rsv1-uncompressed: a plain message marked compressed does not inflate', () => {
    const run = runChaos(
      sent(S2C, { opcode: 1, payload: 'plain text, not deflate' }),
      [toxic('deflate', S2C, { fault: 'rsv1-uncompressed' })],
      {
        direction: S2C,
        extensions: DEFLATE,
      },
    );
    assertFrames(run, S2C, [{ opcode: 1, rsv1: true, payload: 'plain text, not deflate' }]);
    assert.deepEqual(rules(receive(run.out, S2C, { extensions: DEFLATE })), ['invalid-compressed-data']);
  });

  it('does nothing where permessage-deflate was not negotiated', () => {
    const input = sent(S2C, { opcode: 1, payload: 'plain' });
    const run = runChaos(input, [toxic('deflate', S2C, { fault: 'rsv1-uncompressed' })], { direction: S2C });
    assert.ok(bytesEqual(run.out, input));
  });
});

describe('time and stream toxics', () => {
  it('latency holds each message (and control frame) from its arrival; delays of one push overlap', () => {
    const input = concatBytes([sent(S2C, { opcode: 1, payload: 'a' }), sent(S2C, { opcode: 1, payload: 'b' })]);
    const run = runChaos(input, [toxic('latency', S2C, { latency: 250 })], { direction: S2C, now: 10 });
    assert.deepEqual(
      run.actions.map((a) => (a.type === 'write' ? `write ${a.bytes.length}` : a.type === 'delay' ? `delay ${a.ms}` : a.type)),
      ['fault', 'delay 250', 'write 3', 'fault', 'write 3'],
    );
    assert.ok(bytesEqual(run.out, input));
    assert.deepEqual(rules(receive(run.out, S2C)), []);
  });

  it('latency jitter stays within bounds', () => {
    const input = concatBytes(Array.from({ length: 50 }, () => sent(S2C, { opcode: 1, payload: 'a' })));
    const run = runChaos(input, [toxic('latency', S2C, { latency: 100, jitter: 40 })], { direction: S2C });
    const delays = run.faults.map((f) => f.after!['delay_ms'] as number);
    assert.equal(delays.length, 50);
    assert.ok(
      delays.every((d) => d >= 60 && d <= 140),
      delays.join(','),
    );
    assert.ok(new Set(delays).size > 5, 'the jitter varies');
  });

  it('bandwidth paces writes in pieces at the rate, across pushes', () => {
    const input = new Uint8Array(1000).fill(0x61);
    const frame = sent(S2C, { opcode: 2, payload: input });
    const run = runChaos(frame, [toxic('bandwidth', S2C, { rate: 1 })], { direction: S2C, now: 0 });
    const schedule: string[] = [];
    for (const a of run.actions)
      if (a.type === 'write' || a.type === 'delay') schedule.push(a.type === 'write' ? `w${a.bytes.length}` : `d${Math.round(a.ms)}`);
    // 1 KB/s: 256-byte pieces, each 256 ms after the one before.
    assert.deepEqual(schedule, ['w256', 'd256', 'w256', 'd512', 'w256', 'd768', 'w236']);
    assert.ok(bytesEqual(run.out, frame));
    assert.equal(only(run).toxic_type, 'bandwidth');
    assert.equal(only(run).frame, null);
  });

  it('reset after N bytes: exactly N bytes, then a reset, then nothing', () => {
    const input = concatBytes([sent(S2C, { opcode: 1, payload: 'hello' }), sent(S2C, { opcode: 1, payload: 'world' })]);
    const run = runChaos(input, [toxic('reset', S2C, { bytes: 9 })], { direction: S2C });
    assert.ok(bytesEqual(run.out, input.subarray(0, 9)));
    assert.equal(run.actions.at(-1)?.type, 'reset');
    assert.ok(run.reset);
    assert.deepEqual([only(run).out_offset, only(run).after], [9, { bytes: 9 }]);
    assert.deepEqual(run.engine.end(0), []);
  });

  it('reset with bytes 0 resets before the first byte', () => {
    const run = runChaos(sent(C2S, { opcode: 1, payload: 'x' }), [toxic('reset', C2S)], { direction: C2S });
    assert.equal(run.out.length, 0);
    assert.ok(run.reset);
  });

  it('noop changes nothing and reports nothing', () => {
    const input = concatBytes([sent(C2S, { opcode: 1, payload: 'x' }), sent(C2S, { opcode: 8, payload: closeBody(1000) })]);
    const run = runChaos(input, [toxic('noop', C2S)], { direction: C2S, end: true });
    assert.ok(bytesEqual(run.out, input));
    assert.equal(run.faults.length, 0);
    assert.ok(run.ended);
  });
});

describe('toxics together', () => {
  it('apply in order on one frame: rsv, non-minimal length and fragments', () => {
    const payload = new TextEncoder().encode('0123456789');
    const run = runChaos(
      sent(C2S, { opcode: 1, payload }),
      [toxic('rsv', C2S, { bit: 3 }), toxic('fragment', C2S, { size: 4 }), toxic('non-minimal-length', C2S)],
      {
        direction: C2S,
      },
    );
    assertFrames(run, C2S, [
      { opcode: 1, fin: false, rsv3: true, lengthForm: 64, payload: payload.subarray(0, 4) },
      { opcode: 0, fin: false, payload: payload.subarray(4, 8) },
      { opcode: 0, payload: payload.subarray(8) },
    ]);
    assert.deepEqual(
      run.faults.map((f) => f.toxic_type),
      ['rsv', 'fragment', 'non-minimal-length'],
    );
    assert.deepEqual(rules(receive(run.out, C2S)), ['reserved-bits', 'non-minimal-length']);
  });

  it('a drop ends the asking: later toxics neither act nor report', () => {
    const run = runChaos(sent(S2C, { opcode: 10 }), [toxic('drop', S2C), toxic('duplicate', S2C)], { direction: S2C });
    assert.equal(run.out.length, 0);
    assert.deepEqual(
      run.faults.map((f) => f.toxic_type),
      ['drop'],
    );
  });

  it('out_index counts the frames the receiver gets (after drops and injections)', () => {
    const input = concatBytes([sent(S2C, { opcode: 10 }), sent(S2C, { opcode: 1, payload: 'a' }), sent(S2C, { opcode: 1, payload: 'b' })]);
    const run = runChaos(
      input,
      [toxic('drop', S2C), toxic('inject-ping', S2C, { frames: 'text' }), toxic('rsv', S2C, { frames: 'text' })],
      { direction: S2C },
    );
    const received = receive(run.out, S2C);
    assert.deepEqual(
      run.faults.map((f) => [f.toxic_type, f.frame?.index, f.out_index]),
      [
        ['drop', 0, 0],
        ['inject-ping', 1, 0],
        ['rsv', 1, 1],
        ['inject-ping', 2, 2],
        ['rsv', 2, 3],
      ],
    );
    assert.deepEqual(
      received.events.filter((e) => e[0] === 'finding').map((e) => e[2]),
      [1, 3],
      'the receiver reports the RSV1 frames at the indexes the faults gave',
    );
  });
});
