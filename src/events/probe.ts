/**
 * The probe's own events (`wsdiag probe --json`): a `probe-case` per case, as it finishes, and a
 * `probe-summary` at the end; and what a comparison of two observation points finds (shared with the
 * sandwich's findings).
 */
import type { Direction, EventBase } from './base.js';

export type FindingSeverity = 'failure' | 'warning' | 'info';

/**
 * Stable identifiers of what a comparison can find. Users filter on these (JSON Lines `check`), so they
 * change only on purpose, like rule ids.
 */
export type CheckId =
  // Handshake
  | 'handshake-refused'
  | 'handshake-status-changed'
  | 'handshake-invalid'
  | 'subprotocol-changed'
  | 'extensions-changed'
  | 'version-changed'
  | 'key-replaced'
  | 'path-rewritten'
  // Frames
  | 'rsv-added'
  | 'rsv-removed'
  | 'mask-removed'
  | 'mask-added'
  | 'mask-key-changed'
  | 'refragmented'
  | 'length-form-changed'
  | 'control-moved'
  // Messages
  | 'payload-altered'
  | 'type-changed'
  | 'message-truncated'
  | 'message-dropped'
  | 'message-duplicated'
  | 'messages-merged'
  | 'message-split'
  | 'messages-reordered'
  | 'message-added'
  | 'recompressed'
  | 'message-incomplete'
  // Control frames
  | 'ping-lost'
  | 'pong-lost'
  | 'ping-answered-by-intermediary'
  | 'control-altered'
  | 'control-added'
  // Closing
  | 'close-swallowed'
  | 'close-code-rewritten'
  | 'close-reason-rewritten'
  | 'close-added'
  | 'connection-closed-by-intermediary'
  // Rules and timing
  | 'protocol-violation'
  | 'latency'
  | 'timeout'
  // Invalid frames (--include-invalid)
  | 'invalid-passed-on'
  | 'invalid-rejected'
  | 'invalid-repaired'
  | 'invalid-dropped';

export interface ProbeFinding {
  check: CheckId;
  severity: FindingSeverity;
  /** Failures and warnings are the intermediary's doing; info findings describe legal changes. */
  blame: 'intermediary' | null;
  /** The direction in which the change was seen; null for findings about the whole connection. */
  dir: Direction | null;
  /** One sentence: what was sent and what arrived. */
  message: string;
  /** A protocol rule the change breaks (from the rule table), when there is one. */
  rule?: string;
  /** Where the RFC says so, e.g. "RFC 6455 §5.4". */
  rfc?: string;
}

/** How a case came out: every check passed, only warnings, a failure, or it could not run. */
export type CaseStatus = 'pass' | 'warn' | 'fail' | 'error';

export interface ProbeCaseEvent extends EventBase {
  type: 'probe-case';
  /** The case's name, e.g. `text/small`. */
  case: string;
  status: CaseStatus;
  duration_ms: number;
  /** Largest one-way delay measured for a small message or control frame, in ms; null if none. */
  max_latency_ms: number | null;
  /** Why the case could not run (status `error`), else null. */
  error: string | null;
  findings: ProbeFinding[];
}

export interface ProbeSummaryEvent extends EventBase {
  type: 'probe-summary';
  /** The intermediary's URL (credentials redacted). */
  through: string;
  /** The reflector's "host:port". */
  reflector: string;
  /** The CONNECT proxy the client went through, or null. */
  forward_proxy: string | null;
  cases: number;
  passed: number;
  warned: number;
  failed: number;
  errors: number;
  duration_ms: number;
  /** Failures and warnings by check id (infos are not counted). */
  by_check: Record<string, number>;
}
