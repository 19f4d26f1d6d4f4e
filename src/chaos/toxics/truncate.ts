/**
 * A frame cut short and the stream ended (FIN): what a crashing intermediary or a proxy timeout leaves
 * behind. The receiver reports `truncated-frame` (1006, abnormal closure).
 */
import { frameName, framesAttribute, type ToxicDefinition } from './toxic.js';

export const truncate: ToxicDefinition<'truncate'> = {
  type: 'truncate',
  summary: 'cuts the chosen frame after `keep` payload bytes and ends the stream (truncated-frame, 1006)',
  level: 'frame',
  valid: false,
  attributes: {
    keep: {
      kind: 'integer',
      default: 0,
      min: 0,
      max: Number.MAX_SAFE_INTEGER,
      description: 'payload bytes forwarded before the cut (at most the frame’s length minus one)',
    },
    frames: framesAttribute('data', 'which frames (frames with an empty payload are not cut)'),
  },
  frame(ctx) {
    const length = ctx.frame.header.length;
    if (!ctx.matches(ctx.attributes.frames) || length === 0 || !ctx.roll()) return;
    const keep = Math.min(ctx.attributes.keep, length - 1);
    ctx.plan.truncateKeep = keep;
    ctx.fault(`cut ${frameName(ctx.frame)} after ${keep} of ${length} payload bytes and ended the stream`, { length }, { sent: keep });
  },
};
