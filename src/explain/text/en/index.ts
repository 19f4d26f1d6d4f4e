/** The English catalogue. Rule summaries and hints come from RULES itself, which is written in English. */
import type { Catalogue } from '../types.js';
import { CODES_EN } from './codes.js';
import { LABELS_EN } from './labels.js';
import { PAIRS_EN } from './pairs.js';
import { RULES_EN } from './rules.js';

export const CATALOGUE_EN: Catalogue = {
  codes: CODES_EN,
  rules: RULES_EN,
  ruleWording: null,
  pairs: PAIRS_EN,
  labels: LABELS_EN,
};
