/**
 * Masking faults (RFC 6455 §5.1, §5.3): a client frame without a mask (`unmasked-client-frame`), a server
 * frame with one (`masked-server-frame`); and the valid change, new keys on masked frames. Every frame the
 * engine re-encodes is otherwise masked toward the server with a fresh key and unmasked toward the client.
 */
import { frameName, framesAttribute, type ToxicDefinition } from './toxic.js';

export const mask: ToxicDefinition<'mask'> = {
  type: 'mask',
  summary:
    'removes the mask of frames toward the server or adds one to frames toward the client (unmasked-client-frame, masked-server-frame)',
  level: 'frame',
  valid: false,
  attributes: {
    action: {
      kind: 'enum',
      default: 'invert',
      values: ['invert', 'remove', 'add'],
      description:
        'invert: the wrong way for the direction (remove toward the server, add toward the client); or always remove, always add',
    },
    frames: framesAttribute('all', 'which frames'),
  },
  frame(ctx) {
    const { action, frames } = ctx.attributes;
    const masked = action === 'remove' ? false : action === 'add' ? true : ctx.direction === 'server->client';
    if (!ctx.matches(frames) || ctx.frame.header.masked === masked || !ctx.roll()) return;
    ctx.plan.mask = masked;
    ctx.fault(`${masked ? 'masked' : 'removed the mask of'} ${frameName(ctx.frame)}`, { masked: !masked }, { masked });
  },
};

export const remask: ToxicDefinition<'remask'> = {
  type: 'remask',
  summary: 'valid: masks the chosen masked frames again with fresh keys, as an intermediary that re-frames does (nothing to report)',
  level: 'frame',
  valid: true,
  attributes: {
    frames: framesAttribute('all', 'which frames (only masked ones change)'),
  },
  frame(ctx) {
    // A frame already re-encoded by an earlier toxic gets a fresh key anyway.
    if (!ctx.matches(ctx.attributes.frames) || !ctx.frame.header.masked || ctx.plan.mask !== null || !ctx.roll()) return;
    ctx.plan.mask = true;
    ctx.fault(`masked ${frameName(ctx.frame)} again with a fresh key`);
  },
};
