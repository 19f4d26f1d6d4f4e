/**
 * The subprotocol views (src/views/) of the `message` events a log shows, per connection: the view of a
 * message depends on its connection's `open` (the subprotocol, the path that says Socket.IO) and on the
 * messages before it (a Socket.IO event's binary attachments, an MQTT packet split across messages), so a
 * reader of the event stream keeps one ConversationViews per open connection and drops it at `close`.
 *
 * Every event should be shown to `see`, also those a filter hides: a `message` line needs its
 * connection's `open` even when only messages are shown.
 */
import type { MessageEvent, WsdiagEvent } from '../events/index.js';
import { ConversationViews, describeMessage, type MessageInput, type MessageView, type ViewLimits } from '../views/index.js';

/** Connections whose views are kept at once; past it the least recently opened is forgotten (a log without its closes). */
const MAX_CONVERSATIONS = 10_000;

/** What the log's views may cost: the log shows at most a screenful of each message anyway. */
const LOG_VIEW_LIMITS: Partial<ViewLimits> = { maxTextChars: 8 * 1024, maxHexBytes: 512 };

export class MessageViews {
  readonly #conversations = new Map<string, ConversationViews>();

  /** Follows the connections: an `open` starts a conversation, a `close` ends it. */
  see(event: WsdiagEvent): void {
    if (event.type === 'open') {
      this.#conversations.delete(event.conn);
      if (this.#conversations.size >= MAX_CONVERSATIONS) {
        const oldest = this.#conversations.keys().next();
        if (oldest.done !== true) this.#conversations.delete(oldest.value);
      }
      this.#conversations.set(
        event.conn,
        new ConversationViews({ subprotocol: event.subprotocol, path: event.path }, { limits: LOG_VIEW_LIMITS }),
      );
    } else if (event.type === 'close') {
      this.#conversations.delete(event.conn);
    }
  }

  /** The view of a message, in its connection's context when its `open` was seen; null when no payload was kept. */
  describe(event: MessageEvent): MessageView | null {
    const input = messageInput(event);
    if (input === null) return null;
    const conversation = this.#conversations.get(event.conn);
    return conversation ? conversation.describe({ ...input, dir: event.dir }) : describeAlone(event);
  }
}

/** The view of a message on its own, as if its connection had no subprotocol; null when no payload was kept. */
export function describeAlone(event: MessageEvent): MessageView | null {
  const input = messageInput(event);
  return input === null ? null : describeMessage({ ...input, subprotocol: null, dir: event.dir }, { limits: LOG_VIEW_LIMITS });
}

/** A message event's payload as a view's input, or null when it carries none (body limit 0). */
export function messageInput(event: MessageEvent): Omit<MessageInput, 'subprotocol'> | null {
  const common = { kind: event.kind, truncated: event.truncated, size: event.size };
  if (event.kind === 'close' && event.close) {
    // The view reads a Close's payload: the status code, then the reason (the whole reason is in `close`).
    const code = event.close.code;
    const reason = Buffer.from(event.close.reason, 'utf8');
    const bytes = code === null ? new Uint8Array(0) : Buffer.concat([Uint8Array.of(code >> 8, code & 0xff), reason]);
    return { ...common, truncated: false, bytes };
  }
  if (event.data === null || event.encoding === null) return null;
  const bytes = event.encoding === 'base64' ? Buffer.from(event.data, 'base64') : Buffer.from(event.data, 'utf8');
  return { ...common, bytes };
}
