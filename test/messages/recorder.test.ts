/**
 * MessageRecorder at the decoder: the `message` events of one direction, byte-exact, and the same however
 * the stream is cut (whole, split at every offset, one byte at a time). Its clock ticks one millisecond
 * per call, so first_ts/last_ts are checked too: the recorder reads it once at a message's start and once
 * at its end, whatever the chunks.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseEventLine, type MessageEvent } from '../../src/events/index.js';
import { MessageRecorder, checkBodyLimit, DEFAULT_BODY_LIMIT } from '../../src/messages/index.js';
import { FrameDecoder, type DecoderOptions } from '../../src/protocol/decoder.js';
import { closeBody, concatBytes, encodeFrame } from '../../src/protocol/encoder.js';
import { combineSinks } from '../../src/protocol/sink.js';
import { REDACT_SECRETS, SHOW_SECRETS, redactorFor, type Redactor } from '../../src/redact.js';
import { ConfigError } from '../../src/errors.js';
import { cut } from '../support/decode.js';
import { TestCompressor } from '../support/deflate.js';

const PMD = 'permessage-deflate';
const CLIENT: DecoderOptions = { from: 'client' };
const SERVER: DecoderOptions = { from: 'server' };

interface Run {
  events: MessageEvent[];
  rules: string[];
  /** The most payload the recorder held at once, after any push. */
  maxHeld: number;
  recorder: MessageRecorder;
}

interface Options {
  bodyLimit?: number;
  redact?: Redactor;
}

/** A clock that starts at 0 and moves 1 ms each time it is read. */
function tickingClock(): () => Date {
  let now = 0;
  return () => new Date(now++);
}

function record(chunks: readonly Uint8Array[], decoder: DecoderOptions, options: Options = {}): Run {
  const events: MessageEvent[] = [];
  const rules: string[] = [];
  const recorder = new MessageRecorder({
    conn: 'k3f9x2-c1',
    dir: decoder.from === 'client' ? 'client->server' : 'server->client',
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    redact: options.redact ?? REDACT_SECRETS,
    clock: tickingClock(),
    emit: (event) => events.push(event),
  });
  const frames = new FrameDecoder(combineSinks({ finding: (f) => rules.push(f.rule) }, recorder.listeners), decoder);
  let maxHeld = 0;
  for (const chunk of chunks) {
    frames.push(chunk);
    maxHeld = Math.max(maxHeld, recorder.heldBytes);
  }
  frames.end();
  return { events, rules, maxHeld, recorder };
}

/** The events of the stream whole, asserted identical split at every offset and one byte at a time. */
function recordEverySplit(bytes: Uint8Array, decoder: DecoderOptions, options: Options = {}): Run {
  const whole = record([bytes], decoder, options);
  for (let at = 1; at < bytes.length; at++) {
    const split = record(cut(bytes, [at]), decoder, options);
    assert.deepEqual(split.events, whole.events, `events differ when split at byte ${at}`);
    assert.deepEqual(split.rules, whole.rules, `findings differ when split at byte ${at}`);
  }
  const bytewise = record(
    Array.from(bytes, (b) => Uint8Array.of(b)),
    decoder,
    options,
  );
  assert.deepEqual(bytewise.events, whole.events, 'events differ when fed one byte at a time');
  for (const event of whole.events) {
    const parsed = parseEventLine(JSON.stringify(event));
    assert.ok(parsed.ok, `the schema reads it back: ${parsed.ok ? '' : parsed.reason}`);
  }
  return whole;
}

const ts = (ms: number): string => new Date(ms).toISOString();

/** An expected event: the fields that vary, the rest as for a one-frame uncompressed message. */
function expected(fields: Partial<MessageEvent> & Pick<MessageEvent, 'kind' | 'first_frame'>, times: [number, number]): MessageEvent {
  const [first, last] = times;
  return {
    v: 1,
    type: 'message',
    ts: ts(last),
    conn: 'k3f9x2-c1',
    dir: 'client->server',
    compressed: false,
    wire_size: 0,
    size: 0,
    frames: 1,
    last_frame: fields.first_frame,
    first_ts: ts(first),
    last_ts: ts(last),
    encoding: 'text',
    data: '',
    truncated: false,
    ...fields,
  };
}

const euro = Buffer.from('€', 'utf8');

/** Text, binary, a text message in three frames around a ping (a code point split across frames), a pong, an empty text, a Close. */
const CONVERSATION = concatBytes([
  encodeFrame({ opcode: 1, payload: 'hello', mask: true }),
  encodeFrame({ opcode: 2, payload: Uint8Array.of(0, 1, 2, 0xff), mask: true }),
  encodeFrame({ opcode: 1, payload: Buffer.concat([Buffer.from('price '), euro.subarray(0, 1)]), fin: false, mask: true }),
  encodeFrame({ opcode: 9, payload: 'are you there', mask: true }),
  encodeFrame({ opcode: 0, payload: Buffer.concat([euro.subarray(1), Buffer.from('12')]), fin: false, mask: true }),
  encodeFrame({ opcode: 0, payload: '!', mask: true }),
  encodeFrame({ opcode: 10, payload: Uint8Array.of(0xff, 0x00), mask: true }),
  encodeFrame({ opcode: 1, payload: '', mask: true }),
  encodeFrame({ opcode: 8, payload: closeBody(1000, 'done'), mask: true }),
]);

describe('MessageRecorder: one event per message, ping, pong and Close', () => {
  it('sizes, frames, times and payloads, whatever the split', () => {
    const run = recordEverySplit(CONVERSATION, CLIENT);
    assert.deepEqual(run.rules, []);
    assert.deepEqual(run.events, [
      expected({ kind: 'text', first_frame: 0, wire_size: 5, size: 5, data: 'hello' }, [0, 1]),
      expected({ kind: 'binary', first_frame: 1, wire_size: 4, size: 4, encoding: 'base64', data: 'AAEC/w==' }, [2, 3]),
      // The ping arrives in the middle of the fragmented message: its own event comes first.
      expected({ kind: 'ping', first_frame: 3, wire_size: 13, size: 13, data: 'are you there' }, [5, 5]),
      expected({ kind: 'text', first_frame: 2, last_frame: 5, frames: 3, wire_size: 12, size: 12, data: 'price €12!' }, [4, 6]),
      // A pong payload that is not UTF-8 is base64.
      expected({ kind: 'pong', first_frame: 6, wire_size: 2, size: 2, encoding: 'base64', data: '/wA=' }, [7, 7]),
      expected({ kind: 'text', first_frame: 7 }, [8, 9]),
      expected({ kind: 'close', first_frame: 8, wire_size: 6, size: 6, data: 'done', close: { code: 1000, reason: 'done' } }, [10, 10]),
    ]);
  });

  it('an empty Close has no code and no reason', () => {
    const run = recordEverySplit(encodeFrame({ opcode: 8, mask: true }), CLIENT);
    assert.deepEqual(run.events, [expected({ kind: 'close', first_frame: 0, close: { code: null, reason: '' } }, [0, 0])]);
  });

  it('server frames (unmasked) are recorded the same way', () => {
    const bytes = concatBytes([encodeFrame({ opcode: 1, payload: 'hi' }), encodeFrame({ opcode: 9, payload: 'p' })]);
    const run = recordEverySplit(bytes, SERVER);
    assert.deepEqual(
      run.events.map((e) => [e.dir, e.kind, e.data]),
      [
        ['server->client', 'text', 'hi'],
        ['server->client', 'ping', 'p'],
      ],
    );
  });

  it('a text message that is not UTF-8 keeps its bytes, as base64', () => {
    const run = recordEverySplit(encodeFrame({ opcode: 1, payload: Uint8Array.of(0x68, 0x69, 0xff), mask: true }), CLIENT);
    assert.deepEqual(run.rules, ['invalid-utf8-text']);
    assert.deepEqual(
      run.events.map((e) => [e.kind, e.encoding, e.data]),
      [['text', 'base64', 'aGn/']],
    );
  });
});

describe('MessageRecorder: the body limit', () => {
  it('cuts each payload at the limit and says so; a code point the limit splits is left out', () => {
    const run = recordEverySplit(CONVERSATION, CLIENT, { bodyLimit: 7 });
    assert.deepEqual(
      run.events.map((e) => [e.kind, e.size, e.encoding, e.data, e.truncated]),
      [
        ['text', 5, 'text', 'hello', false],
        ['binary', 4, 'base64', 'AAEC/w==', false],
        ['ping', 13, 'text', 'are you', true],
        // "price " and the first byte of € fit in 7 bytes: the half code point is not shown.
        ['text', 12, 'text', 'price ', true],
        ['pong', 2, 'base64', '/wA=', false],
        ['text', 0, 'text', '', false],
        ['close', 6, 'text', 'done', false],
      ],
    );
  });

  it('a Close reason longer than the limit is cut in `data`, whole in `close`', () => {
    const run = recordEverySplit(encodeFrame({ opcode: 8, payload: closeBody(4000, 'going home'), mask: true }), CLIENT, { bodyLimit: 5 });
    assert.deepEqual(
      run.events.map((e) => [e.data, e.truncated, e.close]),
      [['going', true, { code: 4000, reason: 'going home' }]],
    );
  });

  it('0 keeps sizes only: no payload is asked of the decoder', () => {
    const run = recordEverySplit(CONVERSATION, CLIENT, { bodyLimit: 0 });
    assert.equal(run.recorder.listeners.messageData, undefined, 'no messageData listener');
    assert.deepEqual(
      run.events.map((e) => [e.kind, e.size, e.wire_size, e.encoding, e.data, e.truncated]),
      [
        ['text', 5, 5, null, null, true],
        ['binary', 4, 4, null, null, true],
        ['ping', 13, 13, null, null, true],
        ['text', 12, 12, null, null, true],
        ['pong', 2, 2, null, null, true],
        ['text', 0, 0, null, null, false],
        ['close', 6, 6, null, null, true],
      ],
    );
    assert.deepEqual(run.events.at(-1)?.close, { code: 1000, reason: 'done' });
  });

  it('a 10 MiB message: exact sizes, data cut at the limit, and never more than the limit held', () => {
    const size = 10 * 1024 * 1024;
    const payload = Buffer.alloc(size, 'a');
    payload.write('{"token":"', 0);
    const frame = encodeFrame({ opcode: 1, payload, mask: true });
    const chunks: Uint8Array[] = [];
    for (let at = 0; at < frame.length; at += 65_536) chunks.push(frame.subarray(at, at + 65_536));
    const run = record(chunks, CLIENT, { bodyLimit: 4096 });
    assert.equal(run.events.length, 1);
    const [event] = run.events;
    assert.deepEqual([event?.size, event?.wire_size, event?.frames, event?.truncated, event?.encoding], [size, size, 1, true, 'text']);
    // Cut at 4096 bytes, then redacted: the credential's value (cut short too) is hidden.
    assert.equal(event?.data, '{"token":"REDACTED');
    assert.ok(run.maxHeld <= 4096, `held ${run.maxHeld} bytes`);
    assert.equal(run.recorder.heldBytes, 0, 'nothing held after the message');
  });

  it('the same message in 160 frames of 64 KiB: frames and last frame counted, memory still bounded', () => {
    const piece = Buffer.alloc(65_536, 0x62);
    const frames = Array.from({ length: 160 }, (_, i) =>
      encodeFrame({ opcode: i === 0 ? 2 : 0, payload: piece, fin: i === 159, mask: true }),
    );
    const run = record(frames, CLIENT, { bodyLimit: 100 });
    assert.deepEqual(
      run.events.map((e) => [
        e.kind,
        e.size,
        e.frames,
        e.first_frame,
        e.last_frame,
        e.truncated,
        Buffer.from(e.data ?? '', 'base64').length,
      ]),
      [['binary', 160 * 65_536, 160, 0, 159, true, 100]],
    );
    assert.ok(run.maxHeld <= 100, `held ${run.maxHeld} bytes`);
  });

  it('checkBodyLimit: the default, 0, and a ConfigError naming the option for anything else', () => {
    assert.equal(checkBodyLimit(undefined), 4096);
    assert.equal(checkBodyLimit(0), 0);
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(
        () => checkBodyLimit(bad),
        (err: unknown) => err instanceof ConfigError && err.option === 'bodyLimit' && /bodyLimit must be a whole number/.test(err.message),
      );
    }
  });
});

describe('MessageRecorder: compressed messages', () => {
  it('inflated data, the compressed size on the wire, rsv1 on the first frame only', () => {
    const compressor = new TestCompressor(true);
    const first = compressor.compress('hello hello hello hello');
    const second = compressor.compress(Buffer.from([1, 2, 3, 1, 2, 3, 1, 2, 3]));
    const third = compressor.compress('{"event":"tick","n":1}');
    const bytes = concatBytes([
      encodeFrame({ opcode: 1, payload: first, rsv1: true }),
      encodeFrame({ opcode: 2, payload: second, rsv1: true }),
      // A compressed message in two frames: RSV1 on the first only.
      encodeFrame({ opcode: 1, payload: third.subarray(0, 5), rsv1: true, fin: false }),
      encodeFrame({ opcode: 9, payload: 'x' }),
      encodeFrame({ opcode: 0, payload: third.subarray(5) }),
    ]);
    const run = recordEverySplit(bytes, { from: 'server', extensions: PMD });
    assert.deepEqual(run.rules, []);
    assert.deepEqual(
      run.events.map((e) => [e.kind, e.compressed, e.wire_size, e.size, e.frames, e.first_frame, e.last_frame, e.data]),
      [
        ['text', true, first.length, 23, 1, 0, 0, 'hello hello hello hello'],
        ['binary', true, second.length, 9, 1, 1, 1, 'AQIDAQIDAQID'],
        ['ping', false, 1, 1, 1, 3, 3, 'x'],
        ['text', true, third.length, 22, 2, 2, 4, '{"event":"tick","n":1}'],
      ],
    );
  });

  it('inflation that stops at --max-message: size unknown, data what was inflated, truncated', () => {
    const compressed = new TestCompressor(false).compress('z'.repeat(1000));
    const run = recordEverySplit(encodeFrame({ opcode: 1, payload: compressed, rsv1: true }), {
      from: 'server',
      extensions: PMD,
      maxMessage: 100,
    });
    assert.deepEqual(run.rules, ['message-too-big']);
    assert.equal(run.events.length, 1);
    const event = run.events[0]!;
    assert.equal(event.size, null);
    assert.equal(event.wire_size, compressed.length);
    assert.equal(event.truncated, true);
    assert.equal(event.data, 'z'.repeat(100));
  });
});

describe('MessageRecorder: oversized control frames', () => {
  it('a ping over 125 bytes keeps its first 125 and says it was cut', () => {
    const run = recordEverySplit(encodeFrame({ opcode: 9, payload: 'p'.repeat(130), mask: true }), CLIENT);
    assert.deepEqual(run.rules, ['control-frame-too-long']);
    assert.deepEqual(
      run.events.map((e) => [e.kind, e.wire_size, e.data?.length, e.truncated]),
      [['ping', 130, 125, true]],
    );
  });
});

describe('MessageRecorder: redaction', () => {
  it('credentials in text, the printable runs of binary, and Close reasons', () => {
    const binary = Buffer.concat([Buffer.from([0x10, 0x1f]), Buffer.from('Authorization: Bearer abcd1234EFGH5678'), Buffer.from([0])]);
    const bytes = concatBytes([
      encodeFrame({ opcode: 1, payload: '{"user":"ann","password":"hunter22"}', mask: true }),
      encodeFrame({ opcode: 2, payload: binary, mask: true }),
      encodeFrame({ opcode: 8, payload: closeBody(4001, 'token=abcdefghijklmnopqrstuvwxyz'), mask: true }),
    ]);
    const run = recordEverySplit(bytes, CLIENT);
    assert.equal(run.events[0]?.data, '{"user":"ann","password":"REDACTED"}');
    assert.deepEqual(
      Buffer.from(run.events[1]?.data ?? '', 'base64'),
      Buffer.concat([Buffer.from([0x10, 0x1f]), Buffer.from('Authorization: Bearer REDACTED'), Buffer.from([0])]),
    );
    assert.equal(run.events[2]!.data, 'token=REDACTED');
    assert.deepEqual(run.events[2]!.close, { code: 4001, reason: 'token=REDACTED' });
  });

  it('--redact patterns, in text and binary, also with --show-secrets', () => {
    const bytes = concatBytes([
      encodeFrame({ opcode: 1, payload: 'order 12345 for ann@example.com', mask: true }),
      encodeFrame({ opcode: 2, payload: Buffer.concat([Buffer.from([0x30, 0x0a]), Buffer.from('ann@example.com')]), mask: true }),
    ]);
    const run = recordEverySplit(bytes, CLIENT, { redact: redactorFor(true, ['[a-z]+@example\\.com', '/ORDER \\d+/i']) });
    assert.equal(run.events[0]?.data, 'REDACTED for REDACTED');
    assert.deepEqual(Buffer.from(run.events[1]?.data ?? '', 'base64'), Buffer.concat([Buffer.from([0x30, 0x0a]), Buffer.from('REDACTED')]));
  });

  it('--show-secrets alone writes payloads as they came', () => {
    const run = record([encodeFrame({ opcode: 1, payload: '{"password":"hunter22"}', mask: true })], CLIENT, { redact: SHOW_SECRETS });
    assert.equal(run.events[0]?.data, '{"password":"hunter22"}');
  });
});
