/**
 * Control frame faults (RFC 6455 §5.5): pings, pongs and the Close dropped, held, duplicated or forged,
 * what antivirus filters and auth proxies are known for. Most are legal on the wire and show up as
 * behaviour instead: a keepalive that times out (`ping-unanswered`), a closing handshake that never
 * completes; an unmasked ping toward the server and a bad close code are 1002s.
 */
import { MAX_CONTROL_PAYLOAD, Opcode } from '../../protocol/index.js';
import { CONTROL_SELECTORS } from '../types.js';
import { frameName, framesAttribute, type ToxicDefinition } from './toxic.js';

export const drop: ToxicDefinition<'drop'> = {
  type: 'drop',
  summary: 'does not forward the chosen frames (default: pongs, as some antivirus filters do)',
  level: 'frame',
  valid: false,
  attributes: {
    frames: framesAttribute('pong', 'which frames'),
  },
  frame(ctx) {
    if (!ctx.matches(ctx.attributes.frames) || !ctx.roll()) return;
    ctx.plan.dropped = true;
    ctx.fault(`dropped ${frameName(ctx.frame)} (${ctx.frame.header.length} payload bytes)`);
  },
};

export const delay: ToxicDefinition<'delay'> = {
  type: 'delay',
  summary: 'holds the chosen frames, and so everything after them, `ms` milliseconds (default: pongs)',
  level: 'frame',
  valid: true,
  attributes: {
    ms: { kind: 'integer', default: 1000, min: 0, max: 3_600_000, description: 'how long to hold the frame' },
    frames: framesAttribute('pong', 'which frames'),
  },
  frame(ctx) {
    if (!ctx.matches(ctx.attributes.frames) || !ctx.roll()) return;
    ctx.plan.delay(ctx.attributes.ms);
    ctx.fault(`held ${frameName(ctx.frame)} ${ctx.attributes.ms} ms`, undefined, { delay_ms: ctx.attributes.ms });
  },
};

export const duplicate: ToxicDefinition<'duplicate'> = {
  type: 'duplicate',
  summary: 'sends the chosen control frames again (an unsolicited pong, a ping answered twice: legal; a second Close: not)',
  level: 'frame',
  valid: false,
  attributes: {
    copies: { kind: 'integer', default: 1, min: 1, max: 100, description: 'copies sent after the frame' },
    frames: { kind: 'enum', default: 'pong', values: CONTROL_SELECTORS, description: 'which control frames' },
  },
  frame(ctx) {
    const h = ctx.frame.header;
    // Held whole before it is copied: only frames a compliant sender keeps within 125 bytes.
    if (!ctx.matches(ctx.attributes.frames) || h.length > MAX_CONTROL_PAYLOAD || !ctx.roll()) return;
    ctx.plan.copies += ctx.attributes.copies;
    ctx.fault(`sent ${frameName(ctx.frame)} ${ctx.attributes.copies + 1} times`, { copies: 1 }, { copies: ctx.attributes.copies + 1 });
  },
};

export const injectPing: ToxicDefinition<'inject-ping'> = {
  type: 'inject-ping',
  summary:
    'sends a ping of its own before the chosen frames, unmasked by default (unmasked-client-frame toward the server; toward the client, a ping the client must answer)',
  level: 'frame',
  valid: false,
  attributes: {
    payload: {
      kind: 'string',
      default: 'wsdiag',
      nullable: false,
      maxBytes: MAX_CONTROL_PAYLOAD,
      description: 'the ping payload (UTF-8, at most 125 bytes)',
    },
    masked: { kind: 'boolean', default: false, description: 'mask the ping (with a fresh key)' },
    frames: framesAttribute('message', 'before which frames'),
  },
  frame(ctx) {
    if (!ctx.matches(ctx.attributes.frames) || !ctx.roll()) return;
    const { payload, masked } = ctx.attributes;
    ctx.plan.injections.push({ payload: new TextEncoder().encode(payload), masked });
    ctx.fault(`injected ${masked ? 'a masked' : 'an unmasked'} ping before ${frameName(ctx.frame)}`, undefined, {
      opcode: Opcode.Ping,
      masked,
    });
  },
};

export const closeCode: ToxicDefinition<'close-code'> = {
  type: 'close-code',
  summary: 'replaces the code (and optionally the reason) of Close frames; an invalid code is invalid-close-code',
  level: 'frame',
  valid: false,
  attributes: {
    code: { kind: 'integer', default: 1000, min: 0, max: 0xffff, description: 'the code to write (any 16-bit value, valid or not)' },
    reason: {
      kind: 'string',
      default: null,
      nullable: true,
      maxBytes: MAX_CONTROL_PAYLOAD - 2,
      description: 'the reason to write; null keeps the sender’s',
    },
  },
  frame(ctx) {
    const h = ctx.frame.header;
    if (h.opcode !== Opcode.Close || h.length > MAX_CONTROL_PAYLOAD || !ctx.roll()) return;
    // The old code arrives with the payload: the engine reports the fault once it has read it.
    ctx.plan.closeRewrite = { code: ctx.attributes.code, reason: ctx.attributes.reason, toxic: ctx.toxic };
  },
};
