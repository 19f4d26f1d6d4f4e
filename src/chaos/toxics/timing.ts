/**
 * Time faults, as toxiproxy's `latency` and `bandwidth` but counted in WebSocket terms: latency per message
 * (and per control frame) rather than per TCP chunk. The stream stays ordered, so a held message holds
 * what follows it; delays overlap as on a real link rather than adding up.
 */
import { frameName, type ToxicDefinition } from './toxic.js';

export const latency: ToxicDefinition<'latency'> = {
  type: 'latency',
  summary: 'holds each message and control frame `latency` ± `jitter` milliseconds',
  level: 'frame',
  valid: true,
  attributes: {
    latency: { kind: 'integer', default: 100, min: 0, max: 3_600_000, description: 'milliseconds added to each message' },
    jitter: {
      kind: 'integer',
      default: 0,
      min: 0,
      max: 3_600_000,
      description: 'up to this many milliseconds more or less (uniform), never below 0',
    },
  },
  frame(ctx) {
    const frame = ctx.frame;
    if (!(frame.first || frame.header.opcode >= 0x8) || !ctx.roll()) return;
    const { latency: base, jitter } = ctx.attributes;
    const ms = Math.max(0, Math.round(base + (jitter > 0 ? (ctx.random() * 2 - 1) * jitter : 0)));
    ctx.plan.delay(ms);
    ctx.fault(`held ${frameName(frame)} ${ms} ms`, undefined, { delay_ms: ms });
  },
};

export const bandwidth: ToxicDefinition<'bandwidth'> = {
  type: 'bandwidth',
  summary: 'limits the direction to `rate` kilobytes per second (toxicity: the share of connections limited)',
  level: 'stream',
  valid: true,
  attributes: {
    rate: { kind: 'integer', default: 100, min: 1, max: 10_000_000, description: 'kilobytes (1000 bytes) per second' },
  },
  stream: (attributes) => ({ kind: 'rate', bytesPerSecond: attributes.rate * 1000 }),
};
