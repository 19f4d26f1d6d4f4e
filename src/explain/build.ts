/**
 * Assembles explanations: the facts (codes.ts, RULES, senders.ts) joined with one language's text.
 * Pure data in, pure data out; rendering is ./render.ts's job.
 */
import type { Side } from '../events/index.js';
import { ConfigError } from '../errors.js';
import { getRule, RULES, type RuleDef, type RuleId } from '../rules/index.js';
import { codeFacts } from './codes.js';
import { isLang } from './locale.js';
import { SUBPROTOCOL_PROFILES } from './profiles.js';
import { RULE_SENDERS } from './senders.js';
import { catalogue, type Catalogue, type RuleWording } from './text/index.js';
import { parseTopic } from './topics.js';
import { LANGS, type CodeExplanation, type Explanation, type Lang, type RuleExplanation } from './types.js';

/**
 * Explains each topic (a close code such as `1002` or `4001`, or a rule id such as `reserved-bits`), in
 * order. Every topic is checked before any is explained, so a typo anywhere is a UsageError (exit 2).
 */
export function explain(topics: readonly string[], lang: Lang = 'en'): Explanation[] {
  if (!isLang(lang)) throw new ConfigError('lang', `language must be one of ${LANGS.join(', ')}, got "${String(lang)}"`);
  const parsed = topics.map((raw) => ({ raw, topic: parseTopic(raw, lang) }));
  return parsed.map(({ raw, topic }) => (topic.kind === 'code' ? explainCode(raw, topic.code, lang) : explainRule(raw, topic.id, lang)));
}

function explainCode(raw: string, code: number, lang: Lang): CodeExplanation {
  const cat = catalogue(lang);
  const facts = codeFacts(code);
  const text = cat.codes[facts.key];
  const single = facts.range[0] === facts.range[1];
  const explanation: CodeExplanation = {
    topic: raw,
    lang,
    kind: 'close-code',
    code,
    name: text.name,
    title: single ? `${code} ${text.name}` : `${code} · ${text.name}`,
    status: facts.status,
    range: facts.range,
    wire: facts.wire,
    reference: facts.reference,
    sentBy: facts.sentBy,
    meaning: text.meaning,
    whenSeen: text.whenSeen,
    resolve: [...text.resolve],
    typicalCause: text.typicalCause,
    useWhen: text.useWhen,
    rules: RULES.filter((r) => r.code === code).map((r) => ({ id: r.id, summary: wordingOf(cat, r).summary })),
  };
  // 1003 is the code whose fix depends on the subprotocol's message type.
  if (code === 1003) explanation.profiles = SUBPROTOCOL_PROFILES.map((p) => ({ ...p }));
  return explanation;
}

function explainRule(raw: string, id: RuleId, lang: Lang): RuleExplanation {
  const cat = catalogue(lang);
  const def = getRule(id);
  const text = cat.rules[id];
  const wording = wordingOf(cat, def);
  const hint = { client: hintFor(wording, 'client'), server: hintFor(wording, 'server') };
  // Most hints do not depend on the sender; say it once then, and once per side otherwise.
  const hints =
    hint.client === hint.server ? [hint.client] : [cat.labels.hintIf('client') + hint.client, cat.labels.hintIf('server') + hint.server];
  return {
    topic: raw,
    lang,
    kind: 'rule',
    id,
    code: def.code,
    severity: def.severity,
    rfc: def.rfc,
    summary: wording.summary,
    hint,
    title: id,
    sentBy: RULE_SENDERS[id],
    meaning: text.meaning,
    whenSeen: text.whenSeen,
    resolve: [...hints, ...text.resolve],
    typicalCause: text.typicalCause,
    useWhen: cat.labels.ruleUseWhen(id, wording.summary),
  };
}

function wordingOf(cat: Catalogue, def: RuleDef): RuleWording {
  return cat.ruleWording?.[def.id] ?? { summary: def.summary, hint: def.hint };
}

function hintFor(wording: RuleWording, sender: Side): string {
  return typeof wording.hint === 'string' ? wording.hint : wording.hint(sender);
}
