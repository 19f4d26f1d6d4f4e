/**
 * The shape of an explanation: what `wsdiag explain` prints, what `--json` emits and what library users
 * get from `explain()`. Every field is plain data (strings, numbers, arrays) so it serialises as is.
 */
import type { Severity, ViolationCode } from '../events/index.js';
import type { RuleId } from '../rules/index.js';

export type Lang = 'en' | 'fr';
export const LANGS: readonly Lang[] = ['en', 'fr'];

/** Who puts a code on the wire, or who sends the bytes a rule complains about. */
export type Sender = 'client' | 'server' | 'either' | 'nobody';

/**
 * Where a close code stands in RFC 6455 §7.4 and the IANA registry.
 * - `standard`: defined by RFC 6455 or registered with IANA (1000–1003, 1007–1014), may be sent.
 * - `local-only`: 1005, 1006, 1015 — reported by an API to its caller, never sent in a Close frame.
 * - `reserved`: 1004 and 1016–2999 — not to be sent.
 * - `registered-range`: 3000–3999, registered with IANA by libraries and frameworks.
 * - `private-range`: 4000–4999, free for applications.
 * - `invalid`: below 1000 or 5000 and above.
 */
export type CodeStatus = 'standard' | 'local-only' | 'reserved' | 'registered-range' | 'private-range' | 'invalid';

/** Fields every explanation has, whatever it explains. */
interface ExplanationBase {
  /** The argument as the user typed it (`1002`, `reserved-bits`). */
  topic: string;
  lang: Lang;
  /** One line, e.g. `1002 Protocol Error` or `reserved-bits`. */
  title: string;
  /** What it means. */
  meaning: string;
  /** When you typically see it (which libraries, browsers, proxies). */
  whenSeen: string;
  /** How to resolve it: one or more sentences, each its own item. */
  resolve: string[];
  /** Who sends it (a code) or who sent the offending bytes (a rule). */
  sentBy: Sender;
  /** A short phrase, used when two topics are compared without a written comparison. */
  typicalCause: string;
  /** One sentence: when this is the right code to send (or the rule to look at). */
  useWhen: string;
}

/** A rule that produces a close code, as listed under the code. */
export interface RuleRef {
  id: RuleId;
  summary: string;
}

/** One row of the subprotocol profile table (see ./profiles.ts). */
export interface SubprotocolProfile {
  /** The Sec-WebSocket-Protocol value, e.g. `mqtt` or `wamp.2.json`. */
  subprotocol: string;
  /** The only message type the subprotocol uses. */
  messageType: 'text' | 'binary';
}

export interface CodeExplanation extends ExplanationBase {
  kind: 'close-code';
  code: number;
  /** The registered name (`Protocol Error`) or the range's name (`Private use`). */
  name: string;
  status: CodeStatus;
  /** The numbers this explanation covers: [code, code] for a single code, the whole range otherwise. */
  range: [number, number];
  /** Whether an endpoint may put this code in a Close frame. */
  wire: boolean;
  /** Where the code is defined. */
  reference: string;
  /** wsdiag rules that answer a violation with this code. */
  rules: RuleRef[];
  /** Only for 1003: which message type common subprotocols expect (empty until the table is filled). */
  profiles?: SubprotocolProfile[];
}

export interface RuleExplanation extends ExplanationBase {
  kind: 'rule';
  id: RuleId;
  code: ViolationCode;
  severity: Severity;
  rfc: string;
  /** One line: what the rule forbids. */
  summary: string;
  /** The fix hint shown with each violation, for each side that may have sent the bytes. */
  hint: { client: string; server: string };
}

export type Explanation = CodeExplanation | RuleExplanation;

/** Two topics compared in prose: the key differences and which to use when. */
export interface WrittenComparison {
  differences: string[];
  whichWhen: string[];
}
