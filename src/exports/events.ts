/**
 * `wsdiag/events`: the vocabulary. Every event type wsdiag writes (one union, `WsdiagEvent`; docs/events.md
 * is the contract), the parser that reads any wsdiag JSON Lines log back, the rule table the violations
 * name, and connection ids.
 */
export * from '../events/index.js';
export { RULES, findRule, getRule, type RuleDef, type RuleId } from '../rules/index.js';
export { newRunId, splitConnId, RUN_ID_LENGTH } from '../conn-id.js';
