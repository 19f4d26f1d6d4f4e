/**
 * One sentence for each way a connection ends, seen from the middle: an endpoint's Close (`peer-close`),
 * a frame cut short (`truncated-frame`), and a connection that ended without a completed closing handshake
 * (the `close` event's `explain`, what both endpoints report as 1006). Pure functions: facts in, words out.
 */
import { otherSide, type Blame, type EndHow, type EndedBy, type FrameRef, type PeerCloseCause, type Side } from '../events/index.js';
import { closeCodeName, opcodeName, type Truncation } from '../protocol/index.js';
import { formatDuration, plural } from '../text.js';
import type { CauseCandidate } from './causes.js';

/** Who ended a connection (or one direction of it), and how. */
export interface Ending {
  ended_by: EndedBy;
  how: EndHow;
}

/** Codes with which an endpoint blames what it received (RFC 6455 §7.4.1). */
const PEER_FAULT_CODES = new Set([1002, 1003, 1007, 1009]);
/** Codes that complain about the peer for a reason no frame rule can see (a policy, a missing extension). */
const PEER_POLICY_CODES = new Set([1008, 1010]);
/** Codes with which an endpoint reports a failure on its own side. */
const OWN_FAILURE_CODES = new Set([1011, 1014]);

export interface PeerCloseFacts {
  by: Side;
  code: number | null;
  /** Whether the Close body was well-formed. */
  valid: boolean;
  /** The other side had already sent its Close: this one answers it. */
  reply: boolean;
  /** The likeliest cause among the violations the closer received (see causes.ts), or null. */
  received: CauseCandidate | null;
  /** The closer's own Ping that the other side left unanswered, when this Close looks like a keepalive timeout. */
  keepalive: { cause: PeerCloseCause; waitedMs: number } | null;
}

export interface PeerCloseReading {
  blame: Blame | null;
  cause: PeerCloseCause | null;
  explain: string;
}

/**
 * What an endpoint's Close means. Blame names a side only when something is wrong: the side at fault when
 * a cause is visible, `unknown` for a complaint nothing on the wire explains, the closer itself when it
 * reports its own failure or sends an invalid Close, and null for a close that is nobody's fault.
 */
export function explainPeerClose(facts: PeerCloseFacts): PeerCloseReading {
  const { by, code, received } = facts;
  const other = otherSide(by);
  const what = code === null ? 'without a status code' : `with ${code} (${closeCodeName(code)})`;
  if (facts.keepalive) {
    const frame = facts.keepalive.cause.frame;
    return {
      blame: other,
      cause: facts.keepalive.cause,
      explain: `The ${by} closed ${what} after the ${other} left its ping${frame ? ` (frame #${frame.index})` : ''} unanswered for ${formatDuration(facts.keepalive.waitedMs)}: a keepalive timeout.`,
    };
  }
  if (received && (code === null || PEER_FAULT_CODES.has(code) || code === 1008 || code === 1011)) {
    const frame = received.frame ? ` (frame #${received.frame.index} at offset ${received.frame.offset})` : ' (in the handshake)';
    const matches = code === received.code ? ', exactly the code wsdiag expected' : '';
    return {
      blame: other,
      cause: { rule: received.rule, dir: received.dir, frame: received.frame },
      explain: `The ${by} closed ${what} after the ${other} broke ${received.rule}${frame}${matches}.`,
    };
  }
  // Echoing the other side's code in the answering Close is what RFC 6455 §5.5.1 suggests: not a complaint.
  if (facts.reply) {
    return { blame: null, cause: null, explain: `The ${by} answered the ${other}'s Close ${what}, completing the closing handshake.` };
  }
  if (!facts.valid) {
    return {
      blame: by,
      cause: null,
      explain: `The ${by} started the closing handshake ${what}, in a Close frame that itself breaks the protocol (see its violation).`,
    };
  }
  if (code !== null && PEER_FAULT_CODES.has(code)) {
    return {
      blame: 'unknown',
      cause: null,
      explain: `The ${by} closed ${what} although every frame wsdiag relayed to it was valid: something after wsdiag (another proxy or load balancer) altered the traffic, or the ${by} itself is wrong.`,
    };
  }
  if (code !== null && PEER_POLICY_CODES.has(code)) {
    return {
      blame: 'unknown',
      cause: null,
      explain: `The ${by} closed ${what}, objecting to something in what the ${other} sent that breaks no rule wsdiag checks (an application policy or requirement).`,
    };
  }
  if (code !== null && OWN_FAILURE_CODES.has(code)) {
    return {
      blame: by,
      cause: null,
      explain: `The ${by} closed ${what}: it reports a failure on its own side, not a fault in what the ${other} sent.`,
    };
  }
  return { blame: null, cause: null, explain: `The ${by} started the closing handshake ${what}.` };
}

/** A Close that says its sender gave up waiting for a Pong: 1011 (python-websockets), or a reason that says so. */
export function isKeepaliveClose(code: number | null, reason: string): boolean {
  return code === 1011 || /ping|pong|keep[- ]?alive|heart-?beat/i.test(reason);
}

/** "the client ended the connection with a FIN", for the sentences below; null = a recorded stream's end. */
export function endingPhrase(ending: Ending | null): string {
  if (ending === null) return 'the recorded stream ended';
  const who = ending.ended_by;
  if (who === 'proxy') return `wsdiag ended the connection (${ending.how})`;
  switch (ending.how) {
    case 'fin':
      return `the ${who} ended the connection with a FIN`;
    case 'reset':
      return `the ${who} reset the connection`;
    case 'error':
      return `the ${who}'s connection failed`;
    default:
      return `the ${who} closed the connection`;
  }
}

/** The `truncated-frame` message: which frame, how much of it arrived, and what ended the stream. */
export function describeTruncation(sender: Side, cut: Truncation, ending: Ending | null): string {
  const frame = `the ${sender}'s frame #${cut.frame.index} (${opcodeName(cut.frame.opcode)}) at offset ${cut.frame.offset}`;
  const before = `before ${endingPhrase(ending)}`;
  if (cut.part === 'payload') {
    return capital(`${frame} was cut short: ${cut.received} of its ${plural(cut.needed, 'payload byte')} arrived ${before}.`);
  }
  const got =
    cut.needed === null
      ? `only ${plural(cut.received, 'byte')} of it (a header has at least 2) arrived`
      : `${cut.received} of its ${cut.needed} bytes arrived`;
  return `The header of ${frame} was cut short: ${got} ${before}.`;
}

/** The same cut, as a clause of the connection's end: "in the middle of the client's frame #3 (...)". */
export function truncationClause(sender: Side, cut: Truncation): string {
  const frame = `the ${sender}'s frame #${cut.frame.index} (${opcodeName(cut.frame.opcode)}) at offset ${cut.frame.offset}`;
  return cut.part === 'payload'
    ? `in the middle of ${frame}, ${cut.received} of its ${plural(cut.needed, 'payload byte')} relayed`
    : `in the middle of the header of ${frame}`;
}

/** A Ping left unanswered, as a clause of the connection's end. */
export function unansweredPingClause(pinger: Side, frame: FrameRef, waitedMs: number): string {
  return `with the ${pinger}'s ping (frame #${frame.index}) unanswered by the ${otherSide(pinger)} for ${formatDuration(waitedMs)}`;
}

export interface ConnectionEndFacts {
  ending: Ending;
  /** The code of each side's Close frame, if it sent one (null for an empty body). */
  closes: Partial<Record<Side, number | null>>;
  /** The first frame cut short, as a cause and a clause ("in the middle of ..."). */
  truncation: { cause: PeerCloseCause; clause: string } | null;
  /** A Ping still unanswered when the connection ended. */
  ping: { cause: PeerCloseCause; clause: string } | null;
}

/**
 * The `close` event's explanation when the connection ended without a completed closing handshake (what
 * the endpoints report as 1006), or null when the handshake was completed or wsdiag itself ended it.
 */
export function explainConnectionEnd(facts: ConnectionEndFacts): { explain: string; cause: PeerCloseCause | null } | null {
  const { ending, closes } = facts;
  if (ending.ended_by === 'proxy') return null;
  const closed = (['client', 'server'] as const).filter((side) => side in closes);
  if (closed.length === 2) return null;
  const detail = facts.truncation ?? facts.ping;
  const lead = capital(endingPhrase(ending));
  const clause = detail ? `, ${detail.clause}` : '';
  const [closer] = closed;
  if (closer === undefined) {
    return {
      explain: `${lead} without a closing handshake (no Close frame either way)${clause}: both endpoints see 1006 (abnormal closure).`,
      cause: detail?.cause ?? null,
    };
  }
  const silent = otherSide(closer);
  const code = closes[closer] ?? null;
  const seen = code === null ? '1005 (no status received)' : `${code}`;
  return {
    explain:
      `${lead} before the closing handshake was complete (the ${closer} sent a Close, the ${silent} never answered)${clause}: ` +
      `the ${silent} sees ${seen}, the ${closer} sees 1006 (abnormal closure).`,
    cause: detail?.cause ?? null,
  };
}

/** The message of a `ping-unanswered` violation. */
export function describeUnansweredPing(
  pinger: Side,
  frame: FrameRef,
  later: number,
  when:
    | { kind: 'timeout'; waitedMs: number; timeoutMs: number }
    | { kind: 'close'; waitedMs: number; code: number | null }
    | { kind: 'end'; waitedMs: number },
): string {
  const answerer = otherSide(pinger);
  const ping = `The ${pinger}'s ping (frame #${frame.index} at offset ${frame.offset})`;
  const more = later > 0 ? ` ${plural(later, 'later ping')} went unanswered too.` : '';
  const waited = formatDuration(when.waitedMs);
  switch (when.kind) {
    case 'timeout':
      return `${ping} has had no pong from the ${answerer} for ${waited} (--pong-timeout ${when.timeoutMs} ms).${more}`;
    case 'close':
      return `${ping} got no pong from the ${answerer} in the ${waited} before the ${pinger} closed ${when.code === null ? 'without a status code' : `with ${when.code}`}.${more}`;
    case 'end':
      return `${ping} was still unanswered by the ${answerer} when the connection ended, ${waited} later.${more}`;
  }
}

function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
