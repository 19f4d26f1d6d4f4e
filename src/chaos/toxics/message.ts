/**
 * Message faults: the wrong type (text ↔ binary: a 1003 where the receiver accepts one type, a 1007 when
 * binary data that is not UTF-8 becomes text) and invalid UTF-8 in a text message (`invalid-utf8-text`).
 */
import { Opcode } from '../../protocol/index.js';
import { frameName, type ToxicDefinition } from './toxic.js';

export const retype: ToxicDefinition<'retype'> = {
  type: 'retype',
  summary:
    'turns text messages into binary ones or the reverse (unsupported-text/-binary at a receiver that accepts one type; invalid-utf8-text for binary data that is not UTF-8)',
  level: 'frame',
  valid: false,
  attributes: {
    to: {
      kind: 'enum',
      default: 'swap',
      values: ['swap', 'text', 'binary'],
      description: 'swap both ways, or turn only the other type into this one',
    },
  },
  frame(ctx) {
    const { to } = ctx.attributes;
    const opcode = ctx.plan.opcode;
    if (!ctx.frame.first || (opcode !== Opcode.Text && opcode !== Opcode.Binary)) return;
    const target = opcode === Opcode.Text ? Opcode.Binary : Opcode.Text;
    if (to !== 'swap' && (to === 'text') !== (target === Opcode.Text)) return;
    if (!ctx.roll()) return;
    ctx.plan.opcode = target;
    const [was, now] = target === Opcode.Text ? ['binary', 'text'] : ['text', 'binary'];
    ctx.fault(`sent the ${was} message of ${frameName(ctx.frame)} as ${now}`, { opcode }, { opcode: target });
  },
};

/** 0xFF never occurs in UTF-8 (RFC 3629 §1), wherever it is put. */
const NEVER_UTF8 = 0xff;

export const corruptUtf8: ToxicDefinition<'corrupt-utf8'> = {
  type: 'corrupt-utf8',
  summary: 'writes 0xFF into an uncompressed text message (invalid-utf8-text, 1007)',
  level: 'frame',
  valid: false,
  attributes: {
    offset: {
      kind: 'integer',
      default: 0,
      min: 0,
      max: Number.MAX_SAFE_INTEGER,
      description: "the byte to overwrite in the message's first non-empty frame (the last byte when the frame is shorter)",
    },
  },
  frame(ctx) {
    const frame = ctx.frame;
    // A compressed message's payload is DEFLATE data: corrupting its text would mean inflating it first.
    if (frame.messageOpcode !== Opcode.Text || frame.compressed || frame.messageOffset !== 0 || frame.header.length === 0 || !ctx.roll())
      return;
    const position = Math.min(ctx.attributes.offset, frame.header.length - 1);
    ctx.plan.patches.push({ position, mode: 'set', value: NEVER_UTF8 });
    ctx.fault(
      `wrote 0xFF (never valid in UTF-8) at payload byte ${position} of ${frameName(frame)}`,
      { position },
      { position, byte: NEVER_UTF8 },
    );
  },
};
