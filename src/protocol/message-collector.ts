/**
 * Whole messages out of the decoder's streaming events, for callers that want "a completed message's
 * bytes after inflation, bounded by a limit" (the stream recorder; a message view). Sans-IO and bounded:
 * a message keeps at most `limit` bytes of application data, whatever its size, and says when it was cut.
 *
 * Attach `listeners` to a decoder's sink (they are plain functions: spread them into the sink object):
 *
 *   const collector = new MessageCollector({ limit: 4096, onMessage: (m) => show(m) });
 *   const decoder = new FrameDecoder({ finding: report, ...collector.listeners }, { from: 'client' });
 */
import type { FrameRef } from '../events/index.js';
import { concatBytes } from './encoder.js';
import type { CloseInfo, DecoderSink, MessageInfo } from './types.js';

/** A data message that ended (its final frame arrived). */
export interface CollectedMessage {
  /** 0x1 text or 0x2 binary. */
  opcode: number;
  firstFrame: FrameRef;
  frames: number;
  compressed: boolean;
  /** Application data bytes (after inflation); a lower bound when `sizeKnown` is false. */
  size: number;
  /** False when inflation stopped early or could not start (see MessageInfo.sizeKnown). */
  sizeKnown: boolean;
  /** Payload bytes on the wire. */
  wireSize: number;
  /** The application data, or its first `limit` bytes when `truncated`. Owned by the record. */
  data: Uint8Array;
  /** More application data arrived than `limit`. */
  truncated: boolean;
  /** The last `tail` bytes of the application data (see MessageCollectorOptions.tail). Owned by the record. */
  tail: Uint8Array;
}

/** A ping or pong with its payload (owned by the record), or a Close as the decoder read it. */
export type CollectedControl =
  { type: 'ping' | 'pong'; frame: FrameRef; payload: Uint8Array } | { type: 'close'; frame: FrameRef; close: CloseInfo };

export interface MessageCollectorOptions {
  /** Bytes of application data kept per message (0 keeps none, only sizes). */
  limit: number;
  /** Also keep the last this many bytes (default 0): the end of a message cut at `limit`. */
  tail?: number;
  onMessage(message: CollectedMessage): void;
  onControl?(control: CollectedControl): void;
}

export type CollectorListeners = Required<Pick<DecoderSink, 'messageStart' | 'messageData' | 'messageEnd'>> &
  Pick<DecoderSink, 'ping' | 'pong' | 'close'>;

export class MessageCollector {
  /** The decoder events this collector needs (control ones only when `onControl` is given). */
  readonly listeners: CollectorListeners;

  private readonly limit: number;
  private readonly tailBytes: number;
  private readonly options: MessageCollectorOptions;
  private parts: Uint8Array[] = [];
  private kept = 0;
  private truncated = false;
  private inMessage = false;
  /** The last bytes past `limit` (at most tailBytes of them), once the message outgrew the limit. */
  private beyond: Uint8Array = EMPTY;

  constructor(options: MessageCollectorOptions) {
    this.options = options;
    this.limit = Math.max(0, options.limit);
    this.tailBytes = Math.max(0, options.tail ?? 0);
    const listeners: CollectorListeners = {
      messageStart: () => this.start(),
      messageData: (data) => this.add(data),
      messageEnd: (message) => this.end(message),
    };
    const onControl = options.onControl?.bind(options);
    if (onControl) {
      listeners.ping = (frame, payload) => onControl({ type: 'ping', frame, payload: payload.slice() });
      listeners.pong = (frame, payload) => onControl({ type: 'pong', frame, payload: payload.slice() });
      listeners.close = (close) => onControl({ type: 'close', frame: close.frame, close });
    }
    this.listeners = listeners;
  }

  /** What was kept so far of the message in progress (one that never ended), or null between messages. */
  pending(): { data: Uint8Array; truncated: boolean; tail: Uint8Array } | null {
    if (!this.inMessage) return null;
    const data = joined(this.parts);
    return { data, truncated: this.truncated, tail: this.tailOf(data) };
  }

  /** A new message; one still in progress was abandoned by the sender (it never ends). */
  private start(): void {
    this.parts = [];
    this.kept = 0;
    this.truncated = false;
    this.beyond = EMPTY;
    this.inMessage = true;
  }

  private add(data: Uint8Array): void {
    const room = this.limit - this.kept;
    if (data.length > room) {
      this.truncated = true;
      if (this.tailBytes > 0) this.beyond = lastBytes(this.beyond, data.subarray(Math.max(0, room)), this.tailBytes);
    }
    if (room <= 0) return;
    // The decoder's view is valid only during the call: keep a copy of what fits.
    const piece = data.length > room ? data.slice(0, room) : data.slice();
    this.parts.push(piece);
    this.kept += piece.length;
  }

  /** The last tailBytes of the message: from the bytes past the limit, topped up from the kept ones. */
  private tailOf(data: Uint8Array): Uint8Array {
    if (this.tailBytes === 0) return EMPTY;
    if (this.beyond.length >= this.tailBytes) return this.beyond;
    return lastBytes(data.subarray(Math.max(0, data.length - this.tailBytes)), this.beyond, this.tailBytes);
  }

  private end(message: MessageInfo): void {
    const data = joined(this.parts);
    const truncated = this.truncated;
    const tail = this.tailOf(data);
    this.parts = [];
    this.beyond = EMPTY;
    this.inMessage = false;
    this.options.onMessage({
      opcode: message.opcode,
      firstFrame: message.firstFrame,
      frames: message.frames,
      compressed: message.compressed,
      size: message.size,
      sizeKnown: message.sizeKnown,
      wireSize: message.wireSize,
      data,
      truncated,
      tail,
    });
  }
}

const EMPTY = new Uint8Array(0);

/** The last `n` bytes of `before` followed by `after`, as a new array. */
function lastBytes(before: Uint8Array, after: Uint8Array, n: number): Uint8Array {
  if (after.length >= n) return after.slice(after.length - n);
  const keep = Math.min(before.length, n - after.length);
  const out = new Uint8Array(keep + after.length);
  out.set(before.subarray(before.length - keep), 0);
  out.set(after, keep);
  return out;
}

/** The parts as one array (a single part as it is: most messages arrive in one piece). */
function joined(parts: readonly Uint8Array[]): Uint8Array {
  return parts.length === 1 ? parts[0]! : concatBytes(parts);
}
