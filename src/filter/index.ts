/**
 * The filter language shared by `proxy` and `tail` (issue 13): `--conn`, `--dir`, `--type`, `--rule`,
 * `--code`, `--grep`. Pure: no I/O, no CLI library.
 */
export { createFilter, connMatcher, searchableTexts, type Filter, type FilterOptions, type FilterableEvent } from './filter.js';
export {
  FILTER_EVENT_TYPES,
  FILTER_CODES,
  parseFilterArgs,
  parseConnValue,
  parseDirValue,
  parseTypeValue,
  parseRuleValue,
  parseCodeValue,
  parseGrepValue,
  parseList,
  type FilterArgs,
  type Parsed,
} from './parse.js';
