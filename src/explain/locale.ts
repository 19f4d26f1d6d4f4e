/**
 * Choosing the language: an explicit choice (`--lang`) wins; otherwise the POSIX locale variables decide, in their usual
 * order of precedence (LC_ALL, then LC_MESSAGES, then LANG), and French is used when the effective one
 * starts with `fr`. Everything else falls back to English.
 */
import { ConfigError } from '../errors.js';
import { LANGS, type Lang } from './types.js';

export function isLang(value: string): value is Lang {
  return (LANGS as readonly string[]).includes(value);
}

/** The language the locale environment asks for. */
export function langFromEnv(env: NodeJS.ProcessEnv): Lang {
  const locale = [env.LC_ALL, env.LC_MESSAGES, env.LANG].find((v) => v !== undefined && v !== '') ?? '';
  return locale.toLowerCase().startsWith('fr') ? 'fr' : 'en';
}

/** The language to use: the explicit choice if any (validated), else the environment's. */
export function resolveLang(explicit: string | undefined, env: NodeJS.ProcessEnv): Lang {
  if (explicit === undefined) return langFromEnv(env);
  if (!isLang(explicit)) throw new ConfigError('lang', (n) => `${n('lang')} expects one of ${LANGS.join(', ')}, got "${explicit}"`);
  return explicit;
}
