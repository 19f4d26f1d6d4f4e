/**
 * Test harness for the sans-IO decoder: records every sink call as plain data, and re-runs a stream cut
 * at every byte offset and one byte at a time, asserting the recordings are identical (wsproto's
 * `_split_frame_test`, extended to every split).
 */
import assert from 'node:assert/strict';
import { FrameDecoder, type DecoderOptions } from '../../src/protocol/decoder.js';
import type { DecoderSink, MessageInfo, Truncation } from '../../src/protocol/types.js';

export type Recorded =
  | ['frame', number, number, number, boolean, boolean]
  | ['finding', string, number | null, string, string]
  | ['close', number | null, string, boolean]
  | ['ping' | 'pong', number]
  | ['message', number, number, number, boolean]
  | ['stopped', string, number];

export interface DecodeRun {
  events: Recorded[];
  /**
   * Everything else a sink can see, as text: messageStart, each message's sizes and preview bytes, frame
   * offsets and header lengths, the stream position at each message end. Split runs must match it too
   * (whole chunks take the decoder's fast lane for text runs; one byte at a time never does).
   */
  details: string[];
  decoder: FrameDecoder;
  truncated: boolean;
  /** Where the stream ended mid-frame (FrameDecoder.end), or null. */
  truncation: Truncation | null;
}

export function recordingSink(events: Recorded[], details: string[] = [], decoder?: () => FrameDecoder): DecoderSink {
  const info = (m: MessageInfo): string =>
    `${m.opcode} #${m.firstFrame.index}@${m.firstFrame.offset}/${m.firstFrame.length} size=${m.sizeKnown ? m.size : 'unknown'} wire=${m.wireSize} frames=${m.frames} compressed=${m.compressed} head=${Buffer.from(m.head).toString('hex')}`;
  return {
    frame: (h) => {
      events.push(['frame', h.index, h.opcode, h.length, h.fin, h.masked]);
      details.push(`frame #${h.index}@${h.offset}+${h.headerLength} rsv=${+h.rsv1}${+h.rsv2}${+h.rsv3} frames=${decoder?.().frameCount}`);
    },
    messageStart: (m) => void details.push(`start ${info(m)} seen=${decoder?.().bytesSeen}`),
    finding: (f) =>
      events.push(['finding', f.rule, f.frame?.index ?? null, f.message, f.preview ? Buffer.from(f.preview).toString('hex') : '']),
    close: (c) => events.push(['close', c.code, c.reason, c.valid]),
    ping: (r) => events.push(['ping', r.index]),
    pong: (r) => events.push(['pong', r.index]),
    messageEnd: (m) => {
      events.push(['message', m.opcode, m.firstFrame.index, m.sizeKnown ? m.size : -1, m.compressed]);
      details.push(`end ${info(m)} seen=${decoder?.().bytesSeen}`);
    },
    stopped: (s) => events.push(['stopped', s.rule, s.offset]),
  };
}

/** Decodes bytes pushed as the given chunks. */
export function decodeChunks(chunks: Uint8Array[], options: DecoderOptions): DecodeRun {
  const events: Recorded[] = [];
  const details: string[] = [];
  const decoder: FrameDecoder = new FrameDecoder(recordingSink(events, details, () => decoder), options);
  for (const chunk of chunks) decoder.push(chunk);
  const truncation = decoder.end();
  details.push(`end seen=${decoder.bytesSeen} frames=${decoder.frameCount} judged=${decoder.judgedOffset} cut=${JSON.stringify(truncation)}`);
  return { events, details, decoder, truncated: truncation !== null, truncation };
}

export function decode(bytes: Uint8Array, options: DecoderOptions): DecodeRun {
  return decodeChunks([bytes], options);
}

/** Cuts bytes into pieces at the given offsets. */
export function cut(bytes: Uint8Array, offsets: number[]): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  let start = 0;
  for (const at of offsets) {
    pieces.push(bytes.subarray(start, at));
    start = at;
  }
  pieces.push(bytes.subarray(start));
  return pieces;
}

/**
 * Decodes the stream whole, then split at every offset (two chunks), then byte at a time, and asserts
 * every run recorded the same events. Returns the whole-stream run.
 */
export function decodeEverySplit(bytes: Uint8Array, options: DecoderOptions): DecodeRun {
  const whole = decode(bytes, options);
  // Beyond a few KiB, split at a sample of offsets (every header region and a stride) to keep tests fast.
  const offsets: number[] = [];
  if (bytes.length <= 4096) {
    for (let i = 1; i < bytes.length; i++) offsets.push(i);
  } else {
    for (let i = 1; i < 64; i++) offsets.push(i);
    for (let i = 64; i < bytes.length; i += 997) offsets.push(i);
    for (let i = Math.max(64, bytes.length - 64); i < bytes.length; i++) offsets.push(i);
  }
  for (const at of offsets) {
    const split = decodeChunks(cut(bytes, [at]), options);
    assert.deepEqual(split.events, whole.events, `events differ when split at byte ${at}`);
    assert.deepEqual(split.details, whole.details, `details differ when split at byte ${at}`);
  }
  if (bytes.length <= 70_000) {
    const single = decodeChunks(Array.from(bytes, (b) => Uint8Array.of(b)), options);
    assert.deepEqual(single.events, whole.events, 'events differ when fed one byte at a time');
    assert.deepEqual(single.details, whole.details, 'details differ when fed one byte at a time');
  }
  return whole;
}

/** The rule ids of the findings of a run, in order. */
export function rules(run: DecodeRun): string[] {
  return run.events.filter((e) => e[0] === 'finding').map((e) => e[1] as string);
}

/** [rule, frame index] of each finding. */
export function findingsAt(run: DecodeRun): Array<[string, number | null]> {
  return run.events.filter((e) => e[0] === 'finding').map((e) => [e[1] as string, e[2] as number | null]);
}

export function hex(text: string): Uint8Array {
  return Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
}
