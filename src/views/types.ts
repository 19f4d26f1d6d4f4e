/**
 * The shapes of the message views (issue 13): what `describeMessage` takes and what it returns. A view is
 * for people (the pretty log, later the dashboard); the JSON Lines `message` event carries the payload
 * itself, so nothing here is part of the event schema.
 */
import type { Direction } from '../events/index.js';

export type ViewProtocol =
  'json' | 'socket.io' | 'engine.io' | 'mqtt' | 'stomp' | 'graphql-transport-ws' | 'subscriptions-transport-ws' | 'text' | 'hex';

/** The `kind` of a `message` event. */
export type MessageKind = 'text' | 'binary' | 'ping' | 'pong' | 'close';

export interface MessageInput {
  /** The subprotocol the server selected in the handshake (`open.subprotocol`), or null. */
  subprotocol: string | null;
  kind: MessageKind;
  /** The payload as captured: inflated when it was compressed, possibly cut at the body limit. */
  bytes: Uint8Array;
  /** True when `bytes` is only the start of the message (the body limit cut it). */
  truncated: boolean;
  /** The request path of the upgrade (`open.path`): Socket.IO negotiates no subprotocol, its path tells. */
  path?: string | null;
  /** Who sent the message: lets a view say whether a ping goes the way its protocol version expects. */
  dir?: Direction;
  /** The whole message's size in bytes when known (`message.size`), to say how much the limit cut. */
  size?: number | null;
}

/** A structured form of a view for a UI: a tree of labelled values. */
export interface ViewNode {
  label: string;
  value?: string;
  children?: ViewNode[];
}

export interface MessageView {
  protocol: ViewProtocol;
  /** One line, no control characters, at most `maxSummaryChars` characters. */
  summary: string;
  /** The multi-line pretty form, at most `maxTextChars` characters; lines are separated by "\n". */
  text: string;
  detail?: ViewNode;
}

/**
 * What a view may cost. Payloads are untrusted and may be large (the body limit can be raised), so every
 * renderer reads at most `maxInputBytes` and writes at most the sizes below, whatever the input.
 */
export interface ViewLimits {
  /** Bytes of the payload a renderer parses; the rest is counted, not read. */
  maxInputBytes: number;
  /** Characters of `text`. */
  maxTextChars: number;
  /** Characters of `summary`. */
  maxSummaryChars: number;
  /** Bytes shown in a hex dump. */
  maxHexBytes: number;
  /** Nesting levels shown in pretty JSON and in the detail tree (deeper values are shown compact). */
  maxDepth: number;
  /** Nodes in a detail tree. */
  maxNodes: number;
  /** Packets or frames listed from one message (MQTT and STOMP may carry several). */
  maxPackets: number;
}

export const DEFAULT_VIEW_LIMITS: Readonly<ViewLimits> = Object.freeze({
  maxInputBytes: 256 * 1024,
  maxTextChars: 16 * 1024,
  maxSummaryChars: 200,
  maxHexBytes: 1024,
  maxDepth: 32,
  maxNodes: 1000,
  maxPackets: 64,
});
