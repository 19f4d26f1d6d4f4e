/**
 * Reading the Prometheus text exposition format in tests (the samples, not the comments), and running
 * Debian's `prometheus` against a wsdiag: a generated config on loopback, a temporary storage directory,
 * and queries through its HTTP API (/api/v1/query).
 */

/** One sample: `name{a="x",b="y"} value`, keyed by the name and its labels sorted by name. */
export type Samples = ReadonlyMap<string, number>;

/** The key of a sample as `parseSamples` keys it: `name` or `name{a="x",b="y"}` (labels sorted). */
export function sampleKey(name: string, labels: Record<string, string> = {}): string {
  const names = Object.keys(labels).sort();
  if (names.length === 0) return name;
  return `${name}{${names.map((label) => `${label}=${JSON.stringify(labels[label])}`).join(',')}}`;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Every sample of an exposition; a line that is not a comment and not a sample fails the parse. */
export function parseSamples(text: string): Samples {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = LINE.exec(line);
    if (!match) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const label of (match[2] ?? '').matchAll(LABEL)) labels[label[1] ?? ''] = JSON.parse(`"${label[2] ?? ''}"`) as string;
    const value = match[3] === '+Inf' ? Infinity : match[3] === '-Inf' ? -Infinity : Number(match[3]);
    samples.set(sampleKey(match[1] ?? '', labels), value);
  }
  return samples;
}

/** The samples of one metric family (`name` and its labelled series), as key → value, for deepEqual. */
export function family(samples: Samples, name: string): Record<string, number> {
  const found: Record<string, number> = {};
  for (const [key, value] of samples) if (key === name || key.startsWith(`${name}{`)) found[key] = value;
  return found;
}
