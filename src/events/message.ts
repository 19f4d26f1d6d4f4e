/**
 * The `message` event (issue 13, `--messages`): one WebSocket message as it crossed, with its sizes, its
 * frames and the start of its payload, so the log shows the conversation and not only its faults. Data
 * messages (text, binary) and control frames (ping, pong, close) each make one. Written when the message
 * completes (its last frame); a message cut off by the connection's end makes none.
 */
import type { Direction, EventBase } from './base.js';

export type MessageKind = 'text' | 'binary' | 'ping' | 'pong' | 'close';
export const MESSAGE_KINDS: readonly MessageKind[] = ['text', 'binary', 'ping', 'pong', 'close'];

/** How `data` holds the payload: `text` as a string, `base64` for bytes; null when no payload is kept. */
export type MessageEncoding = 'text' | 'base64';

export interface MessageEvent extends EventBase {
  type: 'message';
  conn: string;
  dir: Direction;
  kind: MessageKind;
  /** permessage-deflate compressed (RSV1 on its first frame); never for control frames. */
  compressed: boolean;
  /** Payload bytes on the wire, over all its frames (the compressed size when compressed). */
  wire_size: number;
  /** Application data bytes (after inflation); null when inflation stopped early and the size is unknown. */
  size: number | null;
  frames: number;
  /** Index of its first and last frame in this direction (control frames between fragments may sit between). */
  first_frame: number;
  last_frame: number;
  /** When its first and last frame arrived; `ts` is `last_ts`. */
  first_ts: string;
  last_ts: string;
  /**
   * `text` (a text message or a ping/pong payload that is UTF-8, and the reason of a close), `base64`
   * (binary, and any other payload), or null when payloads are not kept (body limit 0).
   */
  encoding: MessageEncoding | null;
  /** The payload's first `--body-limit` bytes (inflated; redacted), or null with `encoding` null. */
  data: string | null;
  /** The payload was longer than what `data` holds. */
  truncated: boolean;
  /** Kind `close` only: the status code (null for an empty body) and the reason (redacted). */
  close?: { code: number | null; reason: string };
}
