/**
 * The shape of one language's text catalogue. Each language fills every slot: the Records are keyed by
 * the full list of codes and rule ids, so a new rule without text fails to compile (and the tests).
 */
import type { Severity, Side } from '../../events/index.js';
import type { RuleId } from '../../rules/index.js';
import type { CodeKey } from '../codes.js';
import type { CodeStatus, Sender, WrittenComparison } from '../types.js';

export interface CodeText {
  /** The code's name (`Protocol Error`) or the range's (`Private use (4000–4999)`). */
  name: string;
  meaning: string;
  whenSeen: string;
  resolve: string[];
  typicalCause: string;
  useWhen: string;
}

export interface RuleText {
  meaning: string;
  whenSeen: string;
  /** Steps beyond the rule's hint; may be empty. */
  resolve: string[];
  typicalCause: string;
}

/** A rule's summary and hint in a language other than the one RULES is written in. */
export interface RuleWording {
  summary: string;
  hint: string | ((sender: Side) => string);
}

/** Every fixed string the renderer and the error messages use. */
export interface Labels {
  meaning: string;
  whenSeen: string;
  resolve: string;
  rulesProducing: (code: number) => string;
  noRules: string;
  profiles: string;
  keyDifferences: string;
  whichToUseWhen: string;
  closeCode: string;
  sentByLabel: string;
  typicalCauseLabel: string;
  onWireLabel: string;
  mayBeSent: string;
  neverSent: string;
  /** ': ' in English, ' : ' in French. */
  colon: string;
  semicolon: string;
  both: string;
  versus: string;
  sender: Record<Sender, string>;
  status: Record<CodeStatus, string>;
  severity: Record<Severity, string>;
  hintIf: (side: Side) => string;
  messageType: { text: string; binary: string };
  seeAlso: (code: number) => string;
  ruleUseWhen: (id: RuleId, summary: string) => string;
  unknownTopic: (topic: string, suggestions: string[], ruleIds: string[]) => string;
  outOfRange: (topic: string) => string;
}

/** A written comparison between two topics, by their catalogue keys (a code key or a rule id). */
export type PairEntry = [a: CodeKey | RuleId, b: CodeKey | RuleId, comparison: WrittenComparison];

export interface Catalogue {
  codes: Record<CodeKey, CodeText>;
  rules: Record<RuleId, RuleText>;
  /** null: use the English summary and hint of RULES as they are. */
  ruleWording: Record<RuleId, RuleWording> | null;
  pairs: PairEntry[];
  labels: Labels;
}
