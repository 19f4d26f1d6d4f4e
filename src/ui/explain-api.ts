/**
 * Explanations for the page: `GET /api/explain?topic=reserved-bits&lang=fr` answers the `explain` library's
 * object for one rule or close code (the same data `wsdiag explain --json` prints). Answers are cached:
 * the texts never change while the server runs.
 */
import { explain, isLang, type Explanation } from '../explain/index.js';
import { WsdiagError } from '../errors.js';

export type ExplainAnswer = { status: 200; body: Explanation } | { status: 400 | 404; body: { error: string } };

const cache = new Map<string, ExplainAnswer>();
const MAX_TOPIC_LENGTH = 64;

export function explainTopic(topic: string | null, lang: string | null): ExplainAnswer {
  if (topic === null || topic === '' || topic.length > MAX_TOPIC_LENGTH)
    return { status: 400, body: { error: 'expected ?topic=RULE-OR-CODE' } };
  const language = lang ?? 'en';
  if (!isLang(language)) return { status: 400, body: { error: `lang must be en or fr, got "${language}"` } };
  const key = `${language}\u0000${topic}`;
  const cached = cache.get(key);
  if (cached) return cached;
  let answer: ExplainAnswer;
  try {
    const [explanation] = explain([topic], language);
    answer = explanation ? { status: 200, body: explanation } : { status: 404, body: { error: `nothing explains "${topic}"` } };
  } catch (err) {
    if (!(err instanceof WsdiagError)) throw err;
    answer = { status: 404, body: { error: err.message } };
  }
  // Bounded: only known topics can be added (404s are not worth keeping beyond a few).
  if (answer.status === 200 || cache.size < 1000) cache.set(key, answer);
  return answer;
}
