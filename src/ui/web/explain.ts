/**
 * The explain texts (src/explain, served at /api/explain), fetched once per topic and language. The
 * language follows the browser (French when it prefers French) until the user switches; the choice is
 * remembered in this browser.
 */
export type Lang = 'en' | 'fr';

export interface Explanation {
  kind: 'rule' | 'close-code';
  title: string;
  meaning: string;
  whenSeen: string;
  resolve: string[];
  summary?: string;
  rfc?: string;
  code?: number;
  name?: string;
  reference?: string;
}

const cache = new Map<string, Promise<Explanation | { error: string }>>();
const STORAGE_KEY = 'wsdiag.lang';

export function initialLang(): Lang {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved === 'en' || saved === 'fr') return saved;
  } catch {
    // Storage may be off; the browser's language decides then.
  }
  const preferred = navigator.languages.length > 0 ? navigator.languages : [navigator.language];
  return preferred.some((l) => l.toLowerCase().startsWith('fr')) ? 'fr' : 'en';
}

export function rememberLang(lang: Lang): void {
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // Not remembered, still switched.
  }
}

export function fetchExplanation(topic: string, lang: Lang): Promise<Explanation | { error: string }> {
  const key = `${lang}/${topic}`;
  let pending = cache.get(key);
  if (!pending) {
    pending = fetch(`/api/explain?topic=${encodeURIComponent(topic)}&lang=${lang}`)
      .then(async (res) => (res.ok ? ((await res.json()) as Explanation) : ((await res.json()) as { error: string })))
      .catch((err: unknown) => ({ error: String(err) }));
    cache.set(key, pending);
  }
  return pending;
}
