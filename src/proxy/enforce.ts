/**
 * The decisions behind `--enforce`, kept apart from the socket code: where to cut the offending
 * direction, which Close frames to send, and how to describe the endpoints' answers to them.
 *
 * DESIGN §4: on a violation wsdiag does not forward the offending frame; it sends a Close with the
 * violation's code (the rule id as reason) to the side that sent it and a Close 1001 to the other side.
 */
import type { Direction, PeerCloseEvent, Side } from '../events/index.js';
import { senderOf, receiverOf } from '../events/index.js';
import type { Finding } from '../protocol/index.js';
import { getRule } from '../rules/index.js';
import { GOING_AWAY, closeFrame, type ClosingPlan } from './closing.js';

/** What --enforce did on a connection. */
export interface Enforcement {
  /** The direction of the offending bytes. */
  dir: Direction;
  finding: Finding;
  /** The close code sent to the offender (the violation's code). */
  code: number;
  offender: Side;
  other: Side;
}

/** How long wsdiag waits for the endpoints to answer its Close frames before it drops them (DESIGN §4). */
export const DEFAULT_ENFORCE_GRACE_MS = 2000;

export function enforcementFor(dir: Direction, finding: Finding): Enforcement {
  return { dir, finding, code: getRule(finding.rule).code, offender: senderOf(dir), other: receiverOf(dir) };
}

/**
 * How many bytes at the start of `chunkLength` new bytes may still be forwarded: those before the
 * offending frame's header. `forwardedBefore` bytes of the direction were already forwarded. Returns -1
 * when part of the offending frame has already gone out (a header split across reads, or a fault found
 * deep in a long frame): the receiver is then in the middle of a frame and cannot be sent a Close.
 */
export function forwardableBytes(finding: Finding, forwardedBefore: number, chunkLength: number): number {
  // Every frame finding carries its frame; a finding without one is cut at the chunk start.
  const offset = finding.frame?.offset ?? forwardedBefore;
  const keep = offset - forwardedBefore;
  if (keep < 0) return -1;
  return Math.min(keep, chunkLength);
}

/** The Close wsdiag sends to the offender: the violation's code, the rule id as reason. */
export function offenderClose(enforcement: Enforcement): Uint8Array {
  return closeFrame(enforcement.offender, enforcement.code, enforcement.finding.rule);
}

/** The Close 1001 wsdiag sends to the side that did nothing wrong. */
export function bystanderClose(enforcement: Enforcement): Uint8Array {
  return closeFrame(enforcement.other, GOING_AWAY, `${enforcement.offender} broke ${enforcement.finding.rule}`);
}

/** The closing wsdiag starts on --enforce: the violation's code to the offender, 1001 to the other side. */
export function enforcementPlan(enforcement: Enforcement, graceMs: number): ClosingPlan {
  return {
    how: 'enforce',
    graceMs,
    closeFor: (side) => (side === enforcement.offender ? offenderClose(enforcement) : bystanderClose(enforcement)),
    explainReply: (event) => explainEnforcedReply(event, enforcement),
  };
}

/**
 * Rewrites the analyzer's reading of a Close that answers wsdiag's own Close. The analyzer only sees
 * the endpoints' bytes, so without this the offender echoing 1002 would read as "closed with 1002 although
 * every frame relayed to it was valid".
 */
export function explainEnforcedReply(event: PeerCloseEvent, enforcement: Enforcement): PeerCloseEvent {
  const { finding, offender } = enforcement;
  const what = event.code === null ? 'without a status code' : `with ${event.code}`;
  if (event.by === offender) {
    return {
      ...event,
      cause: { rule: finding.rule, dir: enforcement.dir, frame: finding.frame },
      blame: offender,
      explain: `The ${offender} answered wsdiag's Close ${enforcement.code} (sent by --enforce because it broke ${finding.rule}) ${what}.`,
    };
  }
  return {
    ...event,
    cause: null,
    blame: null,
    explain: `The ${event.by} answered wsdiag's Close ${GOING_AWAY} (sent by --enforce after the ${offender} broke ${finding.rule}) ${what}.`,
  };
}
