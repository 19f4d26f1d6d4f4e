/**
 * The rule table (id, close code, severity, RFC section, hint) and the "did you mean" lookup for rule ids
 * typed by hand. Rule ids are stable: add, never rename.
 */
export { RULES, findRule, getRule, type RuleDef, type RuleId } from './table.js';
export { closestRuleId, editDistance, typoBudget } from './suggest.js';
