/**
 * Header faults (RFC 6455 §5.2): reserved bits, reserved opcodes, non-minimal length encodings. Each is a
 * 1002 at a compliant receiver (`reserved-bits`, `reserved-opcode`, `non-minimal-length`).
 */
import { opcodeName } from '../../protocol/index.js';
import { frameName, framesAttribute, minimalForm, type ToxicDefinition } from './toxic.js';

export const rsv: ToxicDefinition<'rsv'> = {
  type: 'rsv',
  summary: 'sets RSV1, RSV2 or RSV3 (reserved-bits; RSV1 under permessage-deflate marks a message compressed)',
  level: 'frame',
  valid: false,
  attributes: {
    bit: { kind: 'integer', default: 1, min: 1, max: 3, description: 'which reserved bit to set' },
    frames: framesAttribute('data', 'which frames'),
  },
  frame(ctx) {
    const { bit, frames } = ctx.attributes;
    if (!ctx.matches(frames) || ctx.plan.rsv(bit) || !ctx.roll()) return;
    ctx.plan.setRsv(bit);
    ctx.fault(`set RSV${bit} on ${frameName(ctx.frame)}`, { [`rsv${bit}`]: false }, { [`rsv${bit}`]: true });
  },
};

const RESERVED_OPCODES = [0x3, 0x4, 0x5, 0x6, 0x7, 0xb, 0xc, 0xd, 0xe, 0xf] as const;

export const reservedOpcode: ToxicDefinition<'reserved-opcode'> = {
  type: 'reserved-opcode',
  summary: 'replaces the opcode with a reserved one (reserved-opcode; the continuations of a message so hidden become unexpected)',
  level: 'frame',
  valid: false,
  attributes: {
    opcode: {
      kind: 'integer',
      default: 0x3,
      min: 0x3,
      max: 0xf,
      values: RESERVED_OPCODES,
      description: 'the reserved opcode to write (3–7, 11–15)',
    },
    frames: framesAttribute('message', 'which frames'),
  },
  frame(ctx) {
    const { opcode, frames } = ctx.attributes;
    if (!ctx.matches(frames) || ctx.plan.opcode === opcode || !ctx.roll()) return;
    const before = ctx.plan.opcode;
    ctx.plan.opcode = opcode;
    ctx.fault(
      `replaced the opcode of ${frameName(ctx.frame)} (${opcodeName(before)}) with reserved opcode 0x${opcode.toString(16)}`,
      { opcode: before },
      { opcode },
    );
  },
};

export const nonMinimalLength: ToxicDefinition<'non-minimal-length'> = {
  type: 'non-minimal-length',
  summary: 'writes the payload length in the 16- or 64-bit form when a shorter one fits (non-minimal-length)',
  level: 'frame',
  valid: false,
  attributes: {
    form: { kind: 'integer', default: 64, min: 16, max: 64, values: [16, 64], description: 'the length form to write: 16 or 64 (bits)' },
    frames: framesAttribute('all', 'which frames'),
  },
  frame(ctx) {
    const { form, frames } = ctx.attributes;
    const length = ctx.frame.header.length;
    // Only a form longer than needed is a fault (a 16-bit form for 200 bytes is the minimal one).
    if (!ctx.matches(frames) || form <= minimalForm(length) || ctx.frame.header.lengthForm === form || !ctx.roll()) return;
    ctx.plan.lengthForm = form;
    ctx.fault(
      `wrote the length (${length}) of ${frameName(ctx.frame)} in the ${form}-bit form`,
      { length_form: ctx.frame.header.lengthForm },
      { length_form: form },
    );
  },
};
