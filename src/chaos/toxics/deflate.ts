/**
 * permessage-deflate faults (RFC 7692), on connections that negotiated it (elsewhere RSV1 is the `rsv`
 * toxic's reserved-bits): a compressed message whose DEFLATE data is corrupt, or an uncompressed message
 * marked compressed. Either way the receiver fails to inflate: `invalid-compressed-data` (1007).
 */
import { frameName, type ToxicDefinition } from './toxic.js';

/** BTYPE 11 in the first block header: "reserved (error)" (RFC 1951 §3.2.3), so inflation fails at once. */
const RESERVED_BLOCK_TYPE = 0b110;

export const deflate: ToxicDefinition<'deflate'> = {
  type: 'deflate',
  summary:
    'on permessage-deflate connections: corrupts the first DEFLATE block of compressed messages (corrupt), or sets RSV1 on uncompressed ones (rsv1-uncompressed): invalid-compressed-data',
  level: 'frame',
  valid: false,
  attributes: {
    fault: {
      kind: 'enum',
      default: 'corrupt',
      values: ['corrupt', 'rsv1-uncompressed'],
      description: 'corrupt: a reserved block type in a compressed message; rsv1-uncompressed: mark a plain message compressed',
    },
  },
  frame(ctx) {
    if (!ctx.deflate) return;
    const frame = ctx.frame;
    if (ctx.attributes.fault === 'corrupt') {
      if (!frame.compressed || frame.messageOffset !== 0 || frame.header.length === 0 || !ctx.roll()) return;
      ctx.plan.patches.push({ position: 0, mode: 'or', value: RESERVED_BLOCK_TYPE });
      ctx.fault(`set the reserved block type (BTYPE 11) in the first DEFLATE block of ${frameName(frame)}`, undefined, { btype: 3 });
      return;
    }
    // An empty message inflates fine either way: only a payload makes the mark a fault.
    if (!frame.first || frame.compressed || frame.header.length === 0 || !ctx.roll()) return;
    ctx.plan.rsv1 = true;
    ctx.fault(`set RSV1 (compressed) on the uncompressed message of ${frameName(frame)}`, { rsv1: false }, { rsv1: true });
  },
};
