/**
 * `wsdiag explain` as a library: what a close code or a rule means, when you see it and how to resolve
 * it, in English or French.
 *
 *   const list = explain(['1002', '1003'], 'en');
 *   process.stdout.write(renderExplanations(list, { width: 120, color: false }));
 */
export { explain } from './build.js';
export { renderExplanations, SIDE_BY_SIDE_MIN_WIDTH, type RenderOptions } from './render.js';
export { comparePairs, type PairComparison } from './compare.js';
export { langFromEnv, resolveLang } from './locale.js';
export { codeFacts, CODE_KEYS, NAMED_CODES, type CodeKey } from './codes.js';
export { suggestRuleIds } from './topics.js';
export { SUBPROTOCOL_PROFILES } from './profiles.js';
export { LANGS } from './types.js';
export type { CodeExplanation, CodeStatus, Explanation, Lang, RuleExplanation, RuleRef, Sender, SubprotocolProfile } from './types.js';
export { isLang } from './locale.js';
