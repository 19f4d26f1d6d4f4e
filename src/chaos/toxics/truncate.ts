/**
 * A frame cut short and the stream ended (FIN): what a crashing intermediary or a proxy timeout leaves
 * behind. The receiver reports `truncated-frame` (1006, abnormal closure). With `end` false the frame is
 * shortened instead (its header gives the new length) and the stream goes on: a valid frame carrying less
 * than was sent, as from a proxy that caps message sizes (what probe and sandwich call message-truncated).
 */
import { frameName, framesAttribute, type ToxicDefinition } from './toxic.js';

export const truncate: ToxicDefinition<'truncate'> = {
  type: 'truncate',
  summary:
    'cuts the chosen frame after `keep` payload bytes and ends the stream (truncated-frame, 1006); with end=false, shortens the frame to `keep` bytes and goes on',
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
    end: {
      kind: 'boolean',
      default: true,
      description: 'end the stream after the cut (true), or shorten the frame to `keep` bytes and go on (false)',
    },
    frames: framesAttribute('data', 'which frames (frames with an empty payload are not cut)'),
  },
  frame(ctx) {
    const length = ctx.frame.header.length;
    const { keep: wanted, end } = ctx.attributes;
    // A frame already no longer than `keep` is not shortened.
    if (!ctx.matches(ctx.attributes.frames) || length === 0 || (!end && wanted >= length) || !ctx.roll()) return;
    const keep = Math.min(wanted, length - 1);
    ctx.plan.truncateKeep = keep;
    if (end) {
      ctx.fault(`cut ${frameName(ctx.frame)} after ${keep} of ${length} payload bytes and ended the stream`, { length }, { sent: keep });
      return;
    }
    ctx.plan.truncateEnds = false;
    ctx.fault(`shortened ${frameName(ctx.frame)} from ${length} to ${keep} payload bytes`, { length }, { length: keep });
  },
};
