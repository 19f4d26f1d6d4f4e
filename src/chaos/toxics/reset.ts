/**
 * A TCP reset once N bytes of the direction were forwarded, wherever the cut falls (toxiproxy's
 * `limit_data` followed by `reset_peer`). Both endpoints see the connection drop: 1006.
 */
import type { ToxicDefinition } from './toxic.js';

export const reset: ToxicDefinition<'reset'> = {
  type: 'reset',
  summary: 'resets the connection once `bytes` bytes of this direction were forwarded (toxicity: the share of connections reset)',
  level: 'stream',
  valid: false,
  attributes: {
    bytes: { kind: 'integer', default: 0, min: 0, max: Number.MAX_SAFE_INTEGER, description: 'bytes forwarded before the reset' },
  },
  stream: (attributes) => ({ kind: 'reset-after', bytes: attributes.bytes }),
};
