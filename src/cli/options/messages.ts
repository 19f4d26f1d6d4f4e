/**
 * The conversation flags, declared once: --messages (a `message` event per message, ping, pong and
 * Close), --body-limit (how much of each payload it keeps) and --redact (patterns masked in everything
 * peers supply, payloads included). Shared by proxy, ci, sandwich and analyze.
 */
import type { ProxyOptions } from '../../proxy/index.js';
import { DEFAULT_BODY_LIMIT } from '../../messages/index.js';
import { compileRedactPatterns } from '../../redact.js';
import { wholeNumber, type Flag } from '../flags.js';

/** The conversation flags as commander names their values. */
export interface MessageFlags {
  messages?: boolean;
  bodyLimit?: number;
  /** Each --redact, in order. */
  redact: string[];
}

export type MessageOptions = Pick<ProxyOptions, 'messages' | 'bodyLimit' | 'redact'>;

export const MESSAGES = {
  messages: {
    flags: '--messages',
    help: 'also report every message, ping, pong and Close: sizes, frames and payload (inflated, cut at --body-limit), with a view that knows the subprotocol',
    sets: ['messages'],
  } satisfies Flag<MessageOptions>,
  bodyLimit: {
    flags: '--body-limit <bytes>',
    help: `payload bytes each message event keeps, after inflation; 0 = sizes only (default ${DEFAULT_BODY_LIMIT})`,
    parse: wholeNumber,
    sets: ['bodyLimit'],
  } satisfies Flag<MessageOptions>,
  redact: {
    flags: '--redact <regex>',
    help: 'also write REDACTED for whatever REGEX matches in payloads, previews, Close reasons and paths (repeatable; /regex/i to give flags); credentials are redacted anyway',
    parse: (value: string, previous: unknown) => [...(previous as string[]), value],
    default: [],
    defaultText: 'none',
    sets: ['redact'],
  } satisfies Flag<MessageOptions>,
};

/** The flags in --help order. */
export const MESSAGE_FLAGS = [MESSAGES.messages, MESSAGES.bodyLimit, MESSAGES.redact];

/** The conversation flags as library options; a --redact that is not a regular expression is a ConfigError now, before anything runs. */
export function messageOptions(flags: MessageFlags): MessageOptions {
  compileRedactPatterns(flags.redact);
  return {
    messages: flags.messages === true,
    ...(flags.bodyLimit !== undefined ? { bodyLimit: flags.bodyLimit } : {}),
    ...(flags.redact.length > 0 ? { redact: flags.redact } : {}),
  };
}
