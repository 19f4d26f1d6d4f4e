/**
 * Checks what the decoder's payload listeners heard against sources that share no code with it: the
 * tests' own frame parser for payloads, and node:zlib for the application data of compressed messages.
 */
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import type { DecoderOptions } from '../../src/protocol/decoder.js';
import { messageFrames, parseFrames, type OracleFrame } from './frame-oracle.js';
import type { DecodeRun } from './decode.js';

const TRAILER = Uint8Array.of(0x00, 0x00, 0xff, 0xff);

/**
 * - Every frame the decoder reported: its header is the oracle's (length form and mask key included),
 *   its payload the oracle's unmasked payload (the bytes received, for a frame cut short).
 * - Every message: uncompressed, its data is its frames' payloads joined; compressed, node:zlib's
 *   inflation of them (with the window of the messages before it, under context takeover), exactly when
 *   the decoder says the size is known, else the two agree as far as both got.
 * - The MessageCollector on the same events: every message that ended, with the data, sizes and frame
 *   counts heard; every ping, pong and Close with the oracle's payload; the message left in progress.
 */
export function checkHeard(bytes: Uint8Array, options: DecoderOptions, run: DecodeRun): void {
  const heard = run.heard;
  assert.ok(heard, 'a listening run');
  const oracle = parseFrames(bytes);
  const reported = run.events.filter((e) => e[0] === 'frame').map((e) => e[1] as number);
  for (const index of reported) {
    const expected = oracle.frames[index];
    assert.ok(expected, `the oracle found frame #${index}`);
    const { payload, ...header } = expected;
    assert.deepEqual(heard.headers.get(index), header, `header of frame #${index}`);
    assert.deepEqual(heard.frames.get(index) ?? new Uint8Array(0), payload, `payload of frame #${index}`);
  }

  checkCollector(oracle.frames, run);

  const window = compressionWindow(options);
  let history = new Uint8Array(0);
  let windowLost = false;
  for (const message of heard.messages) {
    const wire = Buffer.concat(messageFrames(oracle.frames, message.firstFrame).map((f) => f.payload));
    const what = `data of the message at frame #${message.firstFrame}`;
    if (!message.compressed) {
      assert.deepEqual(Buffer.from(message.data), wire, what);
      continue;
    }
    assert.ok(window, 'compressed only with permessage-deflate');
    if (windowLost) {
      // An earlier message left the shared window unknown: nothing can be inflated any more.
      assert.equal(message.data.length, 0, `${what}: none once the window is lost`);
      if (message.ended) assert.equal(message.sizeKnown, false, `${what}: size unknown`);
      continue;
    }
    const dictionary = history.subarray(Math.max(0, history.length - window.size));
    const complete = message.ended && message.sizeKnown;
    const input = message.ended ? Buffer.concat([wire, TRAILER]) : wire;
    if (complete) {
      const expected = inflateBlocks(input, dictionary, window.size);
      assert.deepEqual(Buffer.from(message.data), expected, what);
    } else {
      const expected = inflateAsFarAsPossible(input, dictionary, window.size);
      const n = Math.min(expected.length, message.data.length);
      assert.deepEqual(Buffer.from(message.data.subarray(0, n)), expected.subarray(0, n), `${what} (as far as both inflated)`);
      if (options.maxMessage) assert.ok(message.data.length <= options.maxMessage, `${what}: no more than the limit`);
    }
    if (!window.takeover) history = new Uint8Array(0);
    else if (complete) history = Uint8Array.from(Buffer.concat([history, message.data]));
    else windowLost = true;
  }
}

/** The negotiated window of the direction's sender, or null without permessage-deflate. */
function compressionWindow(options: DecoderOptions): { size: number; takeover: boolean } | null {
  const value = options.extensions ?? '';
  if (!/permessage-deflate/.test(value)) return null;
  const side = options.from;
  const bits = new RegExp(`${side}_max_window_bits\\s*=\\s*"?(\\d+)`).exec(value);
  return { size: 2 ** Number(bits?.[1] ?? 15), takeover: !value.includes(`${side}_no_context_takeover`) };
}

/**
 * What node:zlib inflates before it meets an error: the output of the longest prefix of the input that
 * inflates without one (errors only get worse as input grows, so a binary search finds it).
 */
function inflateAsFarAsPossible(input: Buffer, dictionary: Uint8Array, windowSize: number): Buffer {
  const attempt = (length: number): Buffer | null => {
    try {
      return inflateBlocks(input.subarray(0, length), dictionary, windowSize);
    } catch {
      return null;
    }
  };
  let good = 0;
  let bad = input.length + 1;
  let best: Buffer = Buffer.alloc(0);
  while (bad - good > 1) {
    const mid = (good + bad) >>> 1;
    const out = attempt(mid);
    if (out) {
      good = mid;
      best = out;
    } else {
      bad = mid;
    }
  }
  return best;
}

/**
 * node:zlib's inflation of a message that may hold blocks after a block with BFINAL set (RFC 7692
 * §7.2.1): zlib stops at the final block, so the rest is inflated again from where it stopped, with the
 * window so far as the dictionary. The appended trailer alone after a final block is not data.
 */
function inflateBlocks(input: Buffer, dictionary: Uint8Array, windowSize: number): Buffer {
  const out: Buffer[] = [];
  let rest = input;
  let window = Buffer.from(dictionary);
  for (;;) {
    const { buffer, engine } = zlib.inflateRawSync(rest, {
      dictionary: window,
      finishFlush: zlib.constants.Z_SYNC_FLUSH,
      info: true,
    }) as unknown as {
      buffer: Buffer;
      engine: { bytesWritten: number };
    };
    out.push(buffer);
    const consumed = engine.bytesWritten;
    if (consumed >= rest.length || consumed === 0) break;
    rest = rest.subarray(consumed);
    if (rest.length === TRAILER.length && Buffer.from(TRAILER).equals(rest)) break;
    window = Buffer.concat([window, buffer]);
    window = window.subarray(Math.max(0, window.length - windowSize));
  }
  return Buffer.concat(out);
}

/** What the MessageCollector gathered is what the listeners heard, frame by frame as the oracle reads them. */
function checkCollector(frames: readonly OracleFrame[], run: DecodeRun): void {
  const heard = run.heard!;
  const ended = heard.messages.filter((m) => m.ended);
  assert.deepEqual(
    heard.collected.map((c) => ({
      first: c.firstFrame.index,
      opcode: c.opcode,
      frames: c.frames,
      compressed: c.compressed,
      sizeKnown: c.sizeKnown,
      size: c.size,
      wireSize: c.wireSize,
      data: Buffer.from(c.data),
      truncated: c.truncated,
    })),
    ended.map((m) => {
      const parts = messageFrames(frames, m.firstFrame);
      return {
        first: m.firstFrame,
        opcode: frames[m.firstFrame]!.opcode,
        frames: parts.length,
        compressed: m.compressed,
        sizeKnown: m.sizeKnown,
        size: m.size,
        wireSize: parts.reduce((sum, f) => sum + f.length, 0),
        data: Buffer.from(m.data),
        truncated: false,
      };
    }),
    'the MessageCollector gathered every message that ended, as heard',
  );
  for (const control of heard.controls) {
    const frame = frames[control.frame.index]!;
    if (control.type === 'close') {
      assert.equal(frame.opcode, 0x8, `Close #${control.frame.index}`);
      continue;
    }
    assert.equal(frame.opcode, control.type === 'ping' ? 0x9 : 0xa, `${control.type} #${control.frame.index}`);
    assert.deepEqual(control.payload, frame.payload.subarray(0, 125), `${control.type} #${control.frame.index} payload`);
  }
  const reported = run.events.filter((e) => e[0] === 'ping' || e[0] === 'pong' || e[0] === 'close').length;
  assert.equal(heard.controls.length, reported, 'the MessageCollector saw every control frame the decoder reported');
  const last = heard.messages.at(-1);
  assert.deepEqual(heard.pending, last && !last.ended ? last.data : null, 'the message the collector holds at the end');
}
