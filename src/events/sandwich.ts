/**
 * The sandwich's own events (`wsdiag sandwich`): a `sandwich-finding` per difference between what
 * entered and what left the intermediary, and a `sandwich-summary` at the end. The legs' own events are
 * the core ones (core.ts).
 *
 *   client ──► front listener (c1) ──► intermediary (--via) ──► return listener (r1) ──► target
 */
import type { Direction, EventBase } from './base.js';
import type { CheckId, FindingSeverity } from './probe.js';

/** How the two legs of a connection were paired (see ./matcher.ts). */
export type MatchedBy = 'key' | 'path-order' | 'order';

/** One leg's side of a finding's evidence. */
export interface LegEvidence {
  conn: string;
  /** The request path on this leg (on the front leg: as sent to the intermediary). */
  path: string;
  /** The Sec-WebSocket-Key of the request on this leg (an intermediary that terminates the handshake sends its own). */
  key: string | null;
  /** The status of the upgrade answer on this leg. */
  status: number | null;
  /** What the request offered on this leg (Sec-WebSocket-Protocol / -Extensions), null when absent. */
  offered: { subprotocols: string | null; extensions: string | null };
  /** What the 101 chose on this leg. */
  subprotocol: string | null;
  extensions: string | null;
  /** The finding's direction on this leg; absent for findings about the handshake or the whole connection. */
  stream?: StreamEvidence;
}

export interface StreamEvidence {
  dir: Direction;
  bytes: number;
  frames: number;
  messages: number;
  /** Close frames seen in this direction, in order. */
  closes: Array<{ code: number | null; reason: string }>;
  /** For a finding about a rule: where this leg's analyzer saw the rule broken (the leg's own violation events), up to 3. */
  violations?: Array<{ rule: string; frame: number | null; message: string }>;
}

export interface SandwichEvidence {
  matched_by: MatchedBy;
  /** A rule id of DESIGN §3 that the change breaks, when there is one. */
  rule?: string;
  rfc?: string;
  front: LegEvidence;
  return: LegEvidence;
  /** The pair was still open when wsdiag stopped: traffic may still have been inside the intermediary. */
  interrupted?: true;
}

/** One difference between the two legs of a connection. */
export interface SandwichFindingEvent extends EventBase {
  type: 'sandwich-finding';
  /** The front leg's connection id (the one the client sees). */
  conn: string;
  return_conn: string;
  /** Check id, the same vocabulary as `wsdiag probe` (src/observe/types.ts CheckId). */
  check: CheckId;
  /** `failure`: RFC 6455 forbids it; `warning`: suspicious; `info`: a legal change. */
  severity: FindingSeverity;
  blame: 'intermediary';
  /** The direction in which the change was seen; null for the whole connection. */
  dir: Direction | null;
  message: string;
  evidence: SandwichEvidence;
}

export interface SandwichSummaryEvent extends EventBase {
  type: 'sandwich-summary';
  /** Connections whose two legs were matched and compared. */
  pairs: number;
  /** Legs that never found their other half (the intermediary routed elsewhere, or answered itself). */
  unmatched: { front: number; return: number };
  /** Finding counts by severity and by check id (keys sorted). */
  failures: number;
  warnings: number;
  infos: number;
  by_check: Record<string, number>;
}
