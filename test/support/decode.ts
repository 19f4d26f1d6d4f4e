/**
 * Test harness for the sans-IO decoder: records every sink call as plain data, and re-runs a stream cut
 * at every byte offset and one byte at a time, asserting the recordings are identical (wsproto's
 * `_split_frame_test`, extended to every split).
 *
 * Every stream is decoded twice per split: once with the sink the proxy's analyzer resembles, once with
 * the payload listeners on as well (`payload`, `frameEnd`, `messageData`, ping/pong payloads) and a
 * MessageCollector on the same events, as the stream recorder and the message views use it. The listeners
 * must not change any other event; what they hear must be the same however the stream is cut, and must
 * match the independent oracle (./frame-oracle.ts) and node:zlib (./payload-check.ts); what the collector
 * gathers must be what the listeners heard.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { FrameDecoder, type DecoderOptions } from '../../src/protocol/decoder.js';
import { MessageCollector, type CollectedControl, type CollectedMessage } from '../../src/protocol/message-collector.js';
import type { DecoderSink, FrameHeader, MessageInfo, Truncation } from '../../src/protocol/types.js';
import type { StreamFixture } from '../fixtures/decoder-streams.js';
import { hex } from './bytes.js';
import { checkHeard } from './payload-check.js';

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
  /** What the payload listeners heard; null when they were off. */
  heard: Heard | null;
}

/** What a sink with every payload listener heard. */
export interface Heard {
  /**
   * In order: each frame's payload at its frameEnd, each message's data at its end, ping and pong payloads,
   * close and messageEnd markers (to check frameEnd comes first), a frame or message cut short at the end.
   * Long byte strings appear as their length and SHA-256. Split runs must match it exactly.
   */
  log: string[];
  /** Each frame's header, by frame index. */
  headers: Map<number, FrameHeader>;
  /** Each frame's payload (the bytes received, for a frame cut short), by frame index. */
  frames: Map<number, Uint8Array>;
  /** Each data message's application data, in order of their first frames. */
  messages: HeardMessage[];
  /** What a MessageCollector without a limit, on the same events, gave: the messages that ended, the control frames. */
  collected: CollectedMessage[];
  controls: CollectedControl[];
  /** The collector's message in progress when the stream ended (a message that never ended), or null. */
  pending: Uint8Array | null;
}

export interface HeardMessage {
  firstFrame: number;
  compressed: boolean;
  /** messageEnd came (false: abandoned for a new message, or the stream ended inside it). */
  ended: boolean;
  sizeKnown: boolean;
  size: number;
  data: Uint8Array;
}

export function recordingSink(events: Recorded[], details: string[] = [], decoder?: () => FrameDecoder): DecoderSink {
  const info = (m: MessageInfo): string =>
    `${m.opcode} #${m.firstFrame.index}@${m.firstFrame.offset}/${m.firstFrame.length} size=${m.sizeKnown ? m.size : 'unknown'} wire=${m.wireSize} frames=${m.frames} compressed=${m.compressed} head=${Buffer.from(m.head).toString('hex')}`;
  return {
    frame: (h) => {
      events.push(['frame', h.index, h.opcode, h.length, h.fin, h.masked]);
      const key = h.maskKey ? Buffer.from(h.maskKey).toString('hex') : '-';
      details.push(
        `frame #${h.index}@${h.offset}+${h.headerLength} rsv=${+h.rsv1}${+h.rsv2}${+h.rsv3} form=${h.lengthForm} key=${key} frames=${decoder?.().frameCount}`,
      );
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

/** Short text for bytes: hex when small, length and SHA-256 when not. */
function digest(bytes: Uint8Array): string {
  return bytes.length <= 64
    ? Buffer.from(bytes).toString('hex')
    : `${bytes.length}:${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}`;
}

function join(parts: readonly Uint8Array[]): Uint8Array {
  return Uint8Array.from(Buffer.concat(parts));
}

/**
 * The recording sink with every payload listener added. It checks what it can on the spot (positions,
 * which frame or message a piece belongs to, frameEnd before the frame's other end events) and collects
 * the bytes for the oracle.
 */
function listeningSink(base: DecoderSink, heard: Heard): { sink: DecoderSink; end(): void } {
  const collector = new MessageCollector({
    limit: Number.MAX_SAFE_INTEGER,
    onMessage: (m) => {
      heard.collected.push(m);
      heard.log.push(`collected #${m.firstFrame.index} ${digest(m.data)}`);
    },
    onControl: (c) => heard.controls.push(c),
  });
  const collect = collector.listeners;
  let frame = -1;
  let framePieces: Uint8Array[] = [];
  let frameBytes = 0;
  let frameLength = 0;
  let frameEnded = true;
  let message: (HeardMessage & { pieces: Uint8Array[] }) | null = null;
  const finishMessage = (ended: boolean, info?: MessageInfo): void => {
    if (message === null) return;
    message.data = join(message.pieces);
    message.ended = ended;
    if (info) {
      message.sizeKnown = info.sizeKnown;
      message.size = info.size;
    }
    const { pieces: _pieces, ...record } = message;
    heard.messages.push(record);
    heard.log.push(`${ended ? 'message' : 'message cut'} #${message.firstFrame} ${digest(message.data)}`);
    message = null;
  };
  const sink: DecoderSink = {
    ...base,
    frame: (h) => {
      assert.ok(frameEnded, `frame #${h.index} began before frame #${frame} ended`);
      frame = h.index;
      framePieces = [];
      frameBytes = 0;
      frameLength = h.length;
      frameEnded = false;
      heard.headers.set(h.index, h);
      base.frame!(h);
    },
    payload: (data, position, ref) => {
      assert.equal(ref.index, frame, 'payload of the current frame');
      assert.equal(position, frameBytes, `payload position in frame #${frame}`);
      assert.ok(data.length > 0, 'no empty payload piece');
      framePieces.push(data.slice());
      frameBytes += data.length;
    },
    frameEnd: (ref) => {
      assert.equal(ref.index, frame);
      assert.equal(frameBytes, frameLength, `frame #${frame} ended after all of its payload`);
      frameEnded = true;
      const payload = join(framePieces);
      heard.frames.set(frame, payload);
      heard.log.push(`frameEnd #${frame} ${digest(payload)}`);
    },
    ping: (ref, payload) => {
      assert.ok(frameEnded && ref.index === frame, 'ping after its frameEnd');
      assert.deepEqual(payload, heard.frames.get(frame)!.subarray(0, 125));
      heard.log.push(`ping #${ref.index} ${digest(payload)}`);
      collect.ping!(ref, payload);
      base.ping!(ref, payload);
    },
    pong: (ref, payload) => {
      assert.ok(frameEnded && ref.index === frame, 'pong after its frameEnd');
      assert.deepEqual(payload, heard.frames.get(frame)!.subarray(0, 125));
      heard.log.push(`pong #${ref.index} ${digest(payload)}`);
      collect.pong!(ref, payload);
      base.pong!(ref, payload);
    },
    close: (c) => {
      assert.ok(frameEnded && c.frame.index === frame, 'close after its frameEnd');
      heard.log.push(`close #${c.frame.index}`);
      collect.close!(c);
      base.close!(c);
    },
    messageStart: (m) => {
      // A message that never ended was abandoned for this one (expected-continuation).
      finishMessage(false);
      message = {
        firstFrame: m.firstFrame.index,
        compressed: m.compressed,
        ended: false,
        sizeKnown: m.sizeKnown,
        size: 0,
        data: new Uint8Array(0),
        pieces: [],
      };
      collect.messageStart(m);
      base.messageStart!(m);
    },
    messageData: (data, m) => {
      assert.ok(message !== null && m.firstFrame.index === message.firstFrame, 'data of the message in progress');
      assert.ok(data.length > 0, 'no empty data piece');
      message.pieces.push(data.slice());
      collect.messageData(data, m);
    },
    messageEnd: (m) => {
      assert.ok(frameEnded, 'messageEnd after its last frameEnd');
      assert.ok(message !== null && m.firstFrame.index === message.firstFrame, 'the message in progress ended');
      finishMessage(true, m);
      collect.messageEnd(m);
      base.messageEnd!(m);
    },
  };
  return {
    sink,
    end: () => {
      if (!frameEnded) {
        const payload = join(framePieces);
        heard.frames.set(frame, payload);
        heard.log.push(`frame cut #${frame} ${digest(payload)}`);
      }
      finishMessage(false);
      heard.pending = collector.pending()?.data ?? null;
    },
  };
}

/** Decodes bytes pushed as the given chunks; `listen` adds the payload listeners. */
export function decodeChunks(chunks: Uint8Array[], options: DecoderOptions, listen = false): DecodeRun {
  const events: Recorded[] = [];
  const details: string[] = [];
  const base = recordingSink(events, details, () => decoder);
  const heard: Heard | null = listen
    ? { log: [], headers: new Map(), frames: new Map(), messages: [], collected: [], controls: [], pending: null }
    : null;
  const listening = heard ? listeningSink(base, heard) : null;
  const decoder: FrameDecoder = new FrameDecoder(listening ? listening.sink : base, options);
  for (const chunk of chunks) decoder.push(chunk);
  const truncation = decoder.end();
  listening?.end();
  details.push(
    `end seen=${decoder.bytesSeen} frames=${decoder.frameCount} judged=${decoder.judgedOffset} cut=${JSON.stringify(truncation)}`,
  );
  return { events, details, decoder, truncated: truncation !== null, truncation, heard };
}

export function decode(bytes: Uint8Array, options: DecoderOptions, listen = false): DecodeRun {
  return decodeChunks([bytes], options, listen);
}

/**
 * Decodes the same chunks with and without listeners and asserts that the listeners changed nothing else;
 * returns the listening run.
 */
export function decodeBothWays(chunks: Uint8Array[], options: DecoderOptions, plain: DecodeRun = decodeChunks(chunks, options)): DecodeRun {
  const listened = decodeChunks(chunks, options, true);
  assert.deepEqual(listened.events, plain.events, 'payload listeners changed the events');
  assert.deepEqual(listened.details, plain.details, 'payload listeners changed the details');
  return listened;
}

/** Asserts two runs recorded the same things (both listening, or both not). */
export function assertSameRun(actual: DecodeRun, expected: DecodeRun, what: string): void {
  assert.deepEqual(actual.events, expected.events, `events differ ${what}`);
  assert.deepEqual(actual.details, expected.details, `details differ ${what}`);
  assert.deepEqual(actual.heard?.log, expected.heard?.log, `payload events differ ${what}`);
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
 * Decodes the stream whole, then split at every offset (two chunks), then byte at a time, each time with
 * and without payload listeners, and asserts every run recorded the same events, and the listening runs
 * the same payloads, which match the oracle. Returns the whole-stream run without listeners.
 */
export function decodeEverySplit(bytes: Uint8Array, options: DecoderOptions): DecodeRun {
  const whole = decode(bytes, options);
  const heard = decodeBothWays([bytes], options, whole);
  checkHeard(bytes, options, heard);
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
    const chunks = cut(bytes, [at]);
    assertSameRun(decodeChunks(chunks, options), whole, `when split at byte ${at}`);
    assertSameRun(decodeChunks(chunks, options, true), heard, `with listeners when split at byte ${at}`);
  }
  if (bytes.length <= 70_000) {
    const chunks = Array.from(bytes, (b) => Uint8Array.of(b));
    assertSameRun(decodeChunks(chunks, options), whole, 'when fed one byte at a time');
    assertSameRun(decodeChunks(chunks, options, true), heard, 'with listeners when fed one byte at a time');
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

/**
 * Decodes a fixture of test/fixtures/decoder-streams.ts every way (decodeEverySplit) and checks all that
 * it says: the findings with their frames, the last event, the messages, the first finding's preview and
 * message, where the stream was cut, the frames decoded and the bytes only counted. Returns the run.
 */
export function checkStreamFixture(fixture: StreamFixture): DecodeRun {
  const bytes = hex(fixture.bytes);
  const run = decodeEverySplit(bytes, {
    from: fixture.from,
    ...(fixture.extensions !== undefined ? { extensions: fixture.extensions } : {}),
    ...(fixture.maxMessage !== undefined ? { maxMessage: fixture.maxMessage } : {}),
    ...(fixture.typePolicy !== undefined ? { typePolicy: fixture.typePolicy } : {}),
  });
  assert.deepEqual(findingsAt(run), fixture.findings, 'the findings, at their frames');
  assert.equal(run.decoder.bytesSeen, bytes.length, 'every byte was seen');
  if (fixture.last !== undefined) assert.deepEqual(run.events.at(-1), fixture.last, 'the last event');
  if (fixture.messages !== undefined) assert.deepEqual(messageSizes(run), fixture.messages, 'the messages');
  const first = run.events.find((e) => e[0] === 'finding');
  if (fixture.preview !== undefined) assert.equal(first?.[4], Buffer.from(hex(fixture.preview)).toString('hex'), 'the preview');
  if (fixture.says !== undefined) assert.ok(String(first?.[3]).includes(fixture.says), `"${fixture.says}" in: ${String(first?.[3])}`);
  if (fixture.truncation !== undefined) assert.deepEqual(run.truncation, fixture.truncation, 'where the stream was cut');
  if (fixture.frameCount !== undefined) assert.equal(run.decoder.frameCount, fixture.frameCount, 'frames decoded');
  if (fixture.ignoredBytes !== undefined) assert.equal(run.decoder.ignoredBytes, fixture.ignoredBytes, 'bytes only counted');
  return run;
}

/** [opcode, first frame, size] of each message that ended (size -1 when unknown). */
export function messageSizes(run: DecodeRun): Array<[number, number, number]> {
  return run.events.filter((e) => e[0] === 'message').map((e) => [e[1] as number, e[2] as number, e[3] as number]);
}
