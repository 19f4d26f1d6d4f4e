/**
 * `message` events for one direction, out of the decoder's streaming events (issue 13, `--messages`):
 * a listener on the one decode the analyzer already does, so the bytes are never decoded twice.
 *
 * Memory stays bounded by the body limit whatever the message's size: sizes are the decoder's running
 * counts, and of the payload only the first `bodyLimit` bytes are copied (MessageCollector); with a body
 * limit of 0 the decoder is not even asked for the payload (no `messageData` listener), only for sizes.
 *
 *   const recorder = new MessageRecorder({ conn, dir, bodyLimit: 4096, redact, clock, emit });
 *   new ConnectionAnalyzer({ ..., observers: { [dir]: [recorder.listeners] } });
 */
import { ConfigError } from '../errors.js';
import {
  SCHEMA_VERSION,
  isoTimestamp,
  type Clock,
  type Direction,
  type FrameRef,
  type MessageEvent,
  type MessageKind,
} from '../events/index.js';
import { MessageCollector, type CollectedControl, type CollectedMessage, type DecoderSink, type MessageInfo } from '../protocol/index.js';
import type { Redactor } from '../redact.js';
import { cutText, encodePayload } from './payload.js';

/** The payload bytes a `message` event keeps unless told otherwise (`--body-limit`). */
export const DEFAULT_BODY_LIMIT = 4096;

/** The `bodyLimit` option checked: a whole number of bytes, 0 or more (default 4096); else a ConfigError. */
export function checkBodyLimit(value: number | undefined, option = 'bodyLimit'): number {
  if (value === undefined) return DEFAULT_BODY_LIMIT;
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new ConfigError(
      option,
      (n) => `${n(option)} must be a whole number of bytes, 0 or more (0 keeps sizes only), not ${String(value)}`,
    );
  }
  return value;
}

export interface MessageRecorderOptions {
  conn: string;
  dir: Direction;
  /** Payload bytes kept per message (after inflation); 0 keeps sizes only. */
  bodyLimit: number;
  /** What payloads may show (credentials, `--redact` patterns). */
  redact: Redactor;
  clock: Clock;
  emit(event: MessageEvent): void;
}

export class MessageRecorder {
  /** The decoder listeners to attach to the direction's decoder (as an observer). */
  readonly listeners: Partial<DecoderSink>;

  readonly #options: MessageRecorderOptions;
  readonly #collector: MessageCollector;
  /** When the message in progress began (its first frame's header arrived). */
  #startedAt: Date | null = null;
  /** The index of the last frame that ended: at a message's end, its last frame. */
  #lastFrame = -1;

  constructor(options: MessageRecorderOptions) {
    this.#options = options;
    const limit = Math.max(0, options.bodyLimit);
    this.#collector = new MessageCollector({
      limit,
      onMessage: (message) => this.#message(message),
      onControl: (control) => this.#control(control),
    });
    const { ping, pong, close, ...collected } = this.#collector.listeners;
    this.listeners = {
      ...(ping ? { ping } : {}),
      ...(pong ? { pong } : {}),
      ...(close ? { close } : {}),
      messageStart: (info: MessageInfo) => {
        this.#startedAt = options.clock();
        collected.messageStart(info);
      },
      // Without a body, no listener: the decoder then unmasks (and hands over) nothing more for us.
      ...(limit > 0 ? { messageData: collected.messageData } : {}),
      messageEnd: collected.messageEnd,
      frameEnd: (frame: FrameRef) => {
        this.#lastFrame = frame.index;
      },
    };
  }

  /** Bytes of payload held for the message in progress (at most the body limit), 0 between messages. */
  get heldBytes(): number {
    return this.#collector.pending()?.data.length ?? 0;
  }

  #message(m: CollectedMessage): void {
    const end = this.#options.clock();
    const size = m.sizeKnown ? m.size : null;
    const kind: MessageKind = m.opcode === 0x1 ? 'text' : 'binary';
    // Inflation that stopped early leaves less than the whole payload, whatever the limit.
    const cut = m.truncated || !m.sizeKnown || (this.#options.bodyLimit <= 0 && m.size > 0);
    this.#emit(kind, {
      endedAt: end,
      startedAt: this.#startedAt ?? end,
      compressed: m.compressed,
      wireSize: m.wireSize,
      size,
      frames: m.frames,
      firstFrame: m.firstFrame.index,
      lastFrame: Math.max(this.#lastFrame, m.firstFrame.index),
      bytes: m.data,
      cut,
    });
    this.#startedAt = null;
  }

  #control(c: CollectedControl): void {
    const at = this.#options.clock();
    const frame = c.frame;
    const common = {
      endedAt: at,
      startedAt: at,
      compressed: false,
      wireSize: frame.length,
      size: frame.length,
      frames: 1,
      firstFrame: frame.index,
      lastFrame: frame.index,
    };
    if (c.type !== 'close') {
      // A ping or pong over 125 bytes (a violation) is handed over as its first 125.
      const limit = Math.max(0, this.#options.bodyLimit);
      const kept = c.payload.length > limit ? c.payload.subarray(0, limit) : c.payload;
      this.#emit(c.type, { ...common, bytes: kept, cut: kept.length < frame.length });
      return;
    }
    // A Close's payload is its status code and reason: `close` has both, `data` the reason.
    const reason = this.#options.redact.text(c.close.reason);
    const body = frame.length - (c.close.code === null ? 0 : 2);
    this.#emit('close', { ...common, reason, cut: body > 0 && this.#options.bodyLimit <= 0 }, { code: c.close.code, reason });
  }

  #emit(kind: MessageKind, m: Captured, close?: { code: number | null; reason: string }): void {
    const { conn, dir, bodyLimit, redact } = this.#options;
    const lastTs = isoTimestamp(m.endedAt);
    let encoding: MessageEvent['encoding'] = null;
    let data: string | null = null;
    let truncated = m.cut;
    if (bodyLimit > 0) {
      if (m.reason !== undefined) {
        const cut = cutText(m.reason, bodyLimit);
        encoding = 'text';
        data = cut.text;
        truncated ||= cut.cut;
      } else if (m.bytes) {
        ({ encoding, data } = encodePayload(kind, m.bytes, m.cut, redact));
      }
    }
    const event: MessageEvent = {
      v: SCHEMA_VERSION,
      type: 'message',
      ts: lastTs,
      conn,
      dir,
      kind,
      compressed: m.compressed,
      wire_size: m.wireSize,
      size: m.size,
      frames: m.frames,
      first_frame: m.firstFrame,
      last_frame: m.lastFrame,
      first_ts: m.startedAt === m.endedAt ? lastTs : isoTimestamp(m.startedAt),
      last_ts: lastTs,
      encoding,
      data,
      truncated,
    };
    if (close) event.close = close;
    this.#options.emit(event);
  }
}

/** What a message's event is made of, data or control. */
interface Captured {
  startedAt: Date;
  endedAt: Date;
  compressed: boolean;
  wireSize: number;
  size: number | null;
  frames: number;
  firstFrame: number;
  lastFrame: number;
  /** The kept payload bytes (data messages, pings, pongs). */
  bytes?: Uint8Array;
  /** A Close's reason, already redacted. */
  reason?: string;
  /** The payload goes on past what is kept. */
  cut: boolean;
}
