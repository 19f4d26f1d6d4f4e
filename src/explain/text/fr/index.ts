/** Le catalogue français, résumés et conseils des règles compris (RULES est rédigé en anglais). */
import type { Catalogue } from '../types.js';
import { CODES_FR } from './codes.js';
import { LABELS_FR } from './labels.js';
import { PAIRS_FR } from './pairs.js';
import { RULE_WORDING_FR, RULES_FR } from './rules.js';

export const CATALOGUE_FR: Catalogue = {
  codes: CODES_FR,
  rules: RULES_FR,
  ruleWording: RULE_WORDING_FR,
  pairs: PAIRS_FR,
  labels: LABELS_FR,
};
