/** The benchmarks' own small command lines (`--quick`, `--reps N`, `--window MS`...): read the same way by each. */

/** The value after `flag` in `argv`, or undefined when the flag is not there. */
export function valueAfter(argv: readonly string[], flag: string): string | undefined {
  const at = argv.indexOf(flag);
  return at < 0 ? undefined : argv[at + 1];
}

/** The positive whole number after `flag`, or `fallback` when the flag is not there; anything else is an error. */
export function countAfter(argv: readonly string[], flag: string, fallback: number): number {
  const raw = valueAfter(argv, flag);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${flag} takes a positive integer`);
  return value;
}

/** What every closed-loop relay bench (messages, ui, chaos) takes: `--quick`, `--reps N`, `--window MS`. */
export interface WindowedOptions {
  quick: boolean;
  reps: number;
  warmupMs: number;
  windowMs: number;
}

/** A bench's own defaults for a full run (`--reps`, `--window`); `--quick` always takes one short window. */
export interface WindowDefaults {
  reps: number;
  windowMs: number;
}

/** `--quick` (one short repetition, for a smoke run), `--reps N` (default 5) and `--window MS` (default 1000). */
export function windowedOptions(argv: readonly string[], defaults: WindowDefaults = { reps: 5, windowMs: 1000 }): WindowedOptions {
  const quick = argv.includes('--quick');
  return {
    quick,
    reps: countAfter(argv, '--reps', quick ? 1 : defaults.reps),
    warmupMs: quick ? 200 : 300,
    windowMs: countAfter(argv, '--window', quick ? 400 : defaults.windowMs),
  };
}
