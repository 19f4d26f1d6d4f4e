/**
 * What renderers share: the input, the limits, what earlier messages of the same connection taught (for
 * the conversation tracker) and what this message teaches in turn. Internal to src/views/.
 */
import type { MessageInput, MessageView, ViewLimits } from './types.js';

/** MQTT protocol levels (MQTT 3.1.1 §3.1.2.2, MQTT 5.0 §3.1.2.2): 3 = 3.1, 4 = 3.1.1, 5 = 5.0. */
export type MqttLevel = 3 | 4 | 5;

/** What earlier messages of the connection told; a stateless call knows none of it. */
export interface ViewState {
  /** Engine.IO protocol revision, from the path (`EIO=`) or the traffic. */
  eio?: 3 | 4;
  /** This binary message is a Socket.IO attachment: `index` (0-based) of `count`, announced by `packet`. */
  attachment?: { index: number; count: number; packet: string };
  /** MQTT protocol level from the CONNECT packet. */
  mqttLevel?: MqttLevel;
  /** Bytes at the start of this message that finish an MQTT packet begun in an earlier message. */
  mqttCarry?: number;
  /** Set when the traffic already showed the protocol (so a bare "2" is an Engine.IO ping, not a number). */
  known?: 'engine.io';
}

/** What this message tells about the ones after it. */
export interface Facts {
  eio?: 3 | 4;
  /** A Socket.IO BINARY_EVENT / BINARY_ACK announced this many binary messages to follow. */
  attachments?: { count: number; packet: string };
  mqttLevel?: MqttLevel;
  /** Bytes of an MQTT packet still to come in later messages; null when the split cannot be followed. */
  mqttPending?: number | null;
}

export interface Rendered {
  view: MessageView;
  facts?: Facts;
}

export interface RenderContext {
  input: MessageInput;
  /** `input.bytes` cut at `limits.maxInputBytes`. */
  bytes: Uint8Array;
  /** True when `bytes` is not the whole message (the body limit or the input limit cut it). */
  cut: boolean;
  limits: ViewLimits;
  state: ViewState;
}

/** Thrown by a renderer whose protocol the bytes do not follow; the message then falls back to raw. */
export class NotThisProtocol extends Error {}
