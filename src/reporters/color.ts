/**
 * Colour decisions and the palette of the human log. Colour is on only for a terminal, and off with
 * NO_COLOR (https://no-color.org: set and not empty) or `--no-color`. A Chalk instance per reporter,
 * never the global one, so a test or a second reporter cannot change another's colours.
 */
import { Chalk, type ChalkInstance } from 'chalk';

export interface ColorDecision {
  /** The stream the output goes to; colour only when it is a TTY. */
  stream: { isTTY?: boolean };
  /** `false` when the user passed --no-color. */
  flag?: boolean;
  env?: NodeJS.ProcessEnv;
}

export function shouldUseColor({ stream, flag = true, env = process.env }: ColorDecision): boolean {
  if (!flag) return false;
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  return stream.isTTY === true;
}

/** The roles text plays in the log; pretty.ts names roles, this file picks colours. */
export interface Palette {
  time: (s: string) => string;
  conn: (s: string) => string;
  label: (s: string) => string;
  error: (s: string) => string;
  warning: (s: string) => string;
  rule: (s: string) => string;
  good: (s: string) => string;
  muted: (s: string) => string;
  emphasis: (s: string) => string;
}

export function createPalette(color: boolean): Palette {
  // Level 1 (16 colours) is enough for these roles and works on every colour terminal.
  const c: ChalkInstance = new Chalk({ level: color ? 1 : 0 });
  return {
    time: (s) => c.gray(s),
    conn: (s) => c.cyan(s),
    label: (s) => c.dim(s),
    error: (s) => c.red.bold(s),
    warning: (s) => c.yellow.bold(s),
    rule: (s) => c.bold(s),
    good: (s) => c.green(s),
    muted: (s) => c.dim(s),
    emphasis: (s) => c.bold(s),
  };
}
