/**
 * Views of WebSocket messages that know the subprotocol (issue 13): pure functions from a message's bytes
 * to a one-line summary, a multi-line pretty form and a tree for a UI. Never throws; bounded work and
 * output whatever the input.
 */
export { describeMessage, resolveLimits, type DescribeOptions } from './describe.js';
export { ConversationViews, type ConversationOpen, type ConversationMessage } from './conversation.js';
export {
  DEFAULT_VIEW_LIMITS,
  type MessageInput,
  type MessageKind,
  type MessageView,
  type ViewLimits,
  type ViewNode,
  type ViewProtocol,
} from './types.js';
