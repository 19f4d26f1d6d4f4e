/**
 * wsdiag ending a WebSocket connection itself, with a closing handshake rather than a cut: each side gets
 * a Close at a frame boundary, nothing more is relayed, and both get a grace period to answer before
 * what is left is dropped (the mechanism lives in ./relay.ts). Two reasons lead there, and this module
 * holds what differs between them: the Close each side gets and how its answer is explained.
 *
 * - `enforce`: --enforce stepped in after a violation (./enforce.ts builds that plan);
 * - `shutdown`: the proxy is stopping (SIGINT/SIGTERM, RunningProxy.close()): Close 1001 "going away"
 *   to both sides (RFC 6455 §7.4.1: "an endpoint is going away, such as a server going down").
 */
import { randomBytes } from 'node:crypto';
import type { PeerCloseEvent, Side } from '../events/index.js';
import { Opcode, closeBody, encodeFrame } from '../protocol/index.js';

export const GOING_AWAY = 1001;

/** How long the endpoints get to complete the closing handshake when the proxy stops (--grace). */
export const DEFAULT_SHUTDOWN_GRACE_MS = 5000;

export const SHUTDOWN_REASON = 'wsdiag is shutting down';

export interface ClosingPlan {
  how: 'enforce' | 'shutdown';
  /** The Close frame wsdiag sends to a side. */
  closeFor(side: Side): Uint8Array;
  /**
   * Rewrites the analyzer's reading of a side's Close that answers wsdiag's own. The analyzer only sees
   * the endpoints' bytes, so without this an answer would read as the side starting the closing handshake.
   */
  explainReply(event: PeerCloseEvent): PeerCloseEvent;
  /** How long both sides get to answer before what is left is dropped. */
  graceMs: number;
}

export function shutdownPlan(graceMs: number): ClosingPlan {
  return {
    how: 'shutdown',
    graceMs,
    closeFor: (side) => closeFrame(side, GOING_AWAY, SHUTDOWN_REASON),
    explainReply: (event) => {
      const what = event.code === null ? 'without a status code' : `with ${event.code}`;
      return {
        ...event,
        blame: null,
        cause: null,
        explain: `The ${event.by} answered wsdiag's Close ${GOING_AWAY} (sent because wsdiag was shutting down) ${what}.`,
      };
    },
  };
}

/**
 * A Close frame for `to`. Frames toward the server are masked as a client must mask (RFC 6455 §5.3,
 * with a fresh random key); frames toward the client are not, as a server must not.
 */
export function closeFrame(to: Side, code: number, reason: string): Uint8Array {
  const payload = closeBody(code, reason);
  return to === 'server'
    ? encodeFrame({ opcode: Opcode.Close, payload, mask: new Uint8Array(randomBytes(4)) })
    : encodeFrame({ opcode: Opcode.Close, payload });
}
