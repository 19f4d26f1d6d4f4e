/**
 * Turning what the user typed into a topic: a close code (any 16-bit number) or a rule id. Anything
 * else is a usage error that lists the valid forms and, when the input is close to a rule id, suggests it.
 */
import { UsageError } from '../errors.js';
import { editDistance, typoBudget, findRule, RULES, type RuleId } from '../rules/index.js';
import { MAX_CLOSE_CODE } from './codes.js';
import { catalogue } from './text/index.js';
import type { Lang } from './types.js';

export type Topic = { kind: 'code'; code: number } | { kind: 'rule'; id: RuleId };

/** Rule ids are lower-case with hyphens; accept `Reserved_Bits` and `reserved bits` too. */
function normaliseRuleId(raw: string): string {
  return raw
    .trim()
    .toLowerCase()
    .replace(/[_\s]+/g, '-');
}

export function parseTopic(raw: string, lang: Lang): Topic {
  const labels = catalogue(lang).labels;
  const trimmed = raw.trim();
  if (/^\d+$/.test(trimmed)) {
    const code = Number(trimmed);
    if (code > MAX_CLOSE_CODE) throw new UsageError(labels.outOfRange(trimmed));
    return { kind: 'code', code };
  }
  const rule = findRule(normaliseRuleId(trimmed));
  if (rule) return { kind: 'rule', id: rule.id };
  throw new UsageError(
    labels.unknownTopic(
      raw,
      suggestRuleIds(raw),
      RULES.map((r) => r.id),
    ),
  );
}

/**
 * Rule ids close to the input: the nearest by edit distance when it is a likely typo, otherwise the
 * ids that contain the input as a word fragment (`utf8` → both UTF-8 rules). At most three.
 */
export function suggestRuleIds(raw: string): RuleId[] {
  const input = normaliseRuleId(raw);
  if (input === '') return [];
  const scored = RULES.map((r) => ({ id: r.id, distance: editDistance(input, r.id) }));
  const best = Math.min(...scored.map((s) => s.distance));
  const budget = typoBudget(input);
  if (best <= budget)
    return scored
      .filter((s) => s.distance === best)
      .slice(0, 3)
      .map((s) => s.id);
  if (input.length < 3) return [];
  return RULES.filter((r) => r.id.includes(input))
    .slice(0, 3)
    .map((r) => r.id);
}
