/** Picks the text catalogue of a language. */
import type { Lang } from '../types.js';
import { CATALOGUE_EN } from './en/index.js';
import { CATALOGUE_FR } from './fr/index.js';
import type { Catalogue } from './types.js';

const CATALOGUES: Record<Lang, Catalogue> = { en: CATALOGUE_EN, fr: CATALOGUE_FR };

export function catalogue(lang: Lang): Catalogue {
  return CATALOGUES[lang];
}

export type { Catalogue, CodeText, Labels, RuleText, RuleWording } from './types.js';
