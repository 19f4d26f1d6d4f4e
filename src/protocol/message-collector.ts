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
import type { FrameRef } from '../events.js';
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
}

/** A ping or pong with its payload (owned by the record), or a Close as the decoder read it. */
export type CollectedControl = { type: 'ping' | 'pong'; frame: FrameRef; payload: Uint8Array } | { type: 'close'; frame: FrameRef; close: CloseInfo };

export interface MessageCollectorOptions {
  /** Bytes of application data kept per message (0 keeps none, only sizes). */
  limit: number;
  onMessage(message: CollectedMessage): void;
  onControl?(control: CollectedControl): void;
}

export type CollectorListeners = Required<Pick<DecoderSink, 'messageStart' | 'messageData' | 'messageEnd'>> &
  Pick<DecoderSink, 'ping' | 'pong' | 'close'>;

export class MessageCollector {
  /** The decoder events this collector needs (control ones only when `onControl` is given). */
  readonly listeners: CollectorListeners;

  private readonly limit: number;
  private readonly options: MessageCollectorOptions;
  private parts: Uint8Array[] = [];
  private kept = 0;
  private truncated = false;
  private inMessage = false;

  constructor(options: MessageCollectorOptions) {
    this.options = options;
    this.limit = Math.max(0, options.limit);
    const listeners: CollectorListeners = {
      messageStart: () => this.start(),
      messageData: (data) => this.add(data),
      messageEnd: (message) => this.end(message),
    };
    const onControl = options.onControl;
    if (onControl) {
      listeners.ping = (frame, payload) => onControl({ type: 'ping', frame, payload: payload.slice() });
      listeners.pong = (frame, payload) => onControl({ type: 'pong', frame, payload: payload.slice() });
      listeners.close = (close) => onControl({ type: 'close', frame: close.frame, close });
    }
    this.listeners = listeners;
  }

  /** The application data kept so far of the message in progress, or null between messages. */
  pending(): { data: Uint8Array; truncated: boolean } | null {
    return this.inMessage ? { data: joined(this.parts, this.kept), truncated: this.truncated } : null;
  }

  /** A new message; one still in progress was abandoned by the sender (it never ends). */
  private start(): void {
    this.parts = [];
    this.kept = 0;
    this.truncated = false;
    this.inMessage = true;
  }

  private add(data: Uint8Array): void {
    const room = this.limit - this.kept;
    if (data.length > room) this.truncated = true;
    if (room <= 0) return;
    // The decoder's view is valid only during the call: keep a copy of what fits.
    const piece = data.length > room ? data.slice(0, room) : data.slice();
    this.parts.push(piece);
    this.kept += piece.length;
  }

  private end(message: MessageInfo): void {
    const data = joined(this.parts, this.kept);
    const truncated = this.truncated;
    this.parts = [];
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
    });
  }
}

/** The parts as one array (a single part as it is: most messages arrive in one piece). */
function joined(parts: readonly Uint8Array[], length: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
