/**
 * Valid changes to fragmentation (RFC 6455 §5.4: "an intermediary MAY change the fragmentation of a
 * message"): split frames into fragments, or merge a fragmented message into one frame. A compliant
 * receiver sees the same messages and reports nothing.
 */
import { frameName, framesAttribute, type ToxicDefinition } from './toxic.js';

export const fragment: ToxicDefinition<'fragment'> = {
  type: 'fragment',
  summary:
    'valid: splits data frames into fragments of at most `size` payload bytes (control frames so split become control-frame-fragmented)',
  level: 'frame',
  valid: true,
  attributes: {
    size: { kind: 'integer', default: 16, min: 1, max: 0x7fff_ffff, description: 'payload bytes per fragment' },
    frames: framesAttribute('data', 'which frames (a fragmented control frame is a fault)'),
  },
  frame(ctx) {
    const { size, frames } = ctx.attributes;
    const length = ctx.frame.header.length;
    if (!ctx.matches(frames) || length <= size || ctx.plan.fragmentSize !== null || !ctx.roll()) return;
    ctx.plan.fragmentSize = size;
    const count = Math.ceil(length / size);
    ctx.fault(
      `split ${frameName(ctx.frame)} (${length} bytes) into ${count} frames of at most ${size} bytes`,
      { frames: 1 },
      { frames: count },
    );
  },
};

export const coalesce: ToxicDefinition<'coalesce'> = {
  type: 'coalesce',
  summary:
    'valid: merges a fragmented message into one frame, holding it whole up to `max_bytes` (a longer one, or one with a control frame between its fragments, is forwarded as it came)',
  level: 'frame',
  valid: true,
  attributes: {
    max_bytes: {
      kind: 'integer',
      default: 1024 * 1024,
      min: 1,
      max: 64 * 1024 * 1024,
      description: 'the most payload held for one message',
    },
  },
  frame(ctx) {
    const h = ctx.frame.header;
    // A message another toxic already changes is left to it: coalescing would have to merge both edits.
    if (!ctx.frame.first || h.fin || h.length > ctx.attributes.max_bytes || ctx.plan.touched || !ctx.roll()) return;
    // The engine holds the message and reports the fault once it is merged (it may have to give up).
    ctx.plan.coalesce = { maxBytes: ctx.attributes.max_bytes, toxic: ctx.toxic };
  },
};
