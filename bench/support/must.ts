/**
 * A value a benchmark cannot go on without (a result it measured, a port its child reported): returned,
 * or an error that names what is missing instead of a TypeError further on.
 */
export function must<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) throw new Error(`benchmark: no ${what}`);
  return value;
}
