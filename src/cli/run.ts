/**
 * The edge between commander actions and the process: turns thrown errors into a one-line message on
 * stderr and an exit code (DESIGN §5), never a stack trace for errors of ours.
 */
import { InvalidArgumentError } from 'commander';
import { ExitCode, WsdiagError } from '../errors.js';
import { shouldUseColor } from '../reporters/color.js';
import type { PrettyOptions } from '../reporters/types.js';

/** Wraps a command action: its resolved number becomes the exit code; errors become messages. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<number> | number): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      process.exitCode = await fn(...args);
    } catch (err) {
      process.exitCode = reportError(err);
    }
  };
}

/** Prints an error for a human and returns the exit code it deserves. */
export function reportError(err: unknown): number {
  if (err instanceof WsdiagError) {
    process.stderr.write(`wsdiag: ${err.message}\n`);
    return err.exitCode;
  }
  // Not one of ours: a bug. Say so, with the stack, so it can be reported.
  const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
  process.stderr.write(`wsdiag: internal error (please report it): ${detail}\n`);
  return ExitCode.Operational;
}

/** Parses a non-negative integer option, or throws a usage error naming the flag. */
export function parseCount(flag: string): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) {
      throw new InvalidArgumentError(`${flag} expects a whole number of 0 or more, got "${value}"`);
    }
    return n;
  };
}

/**
 * How a long-running command (`proxy`, `sandwich`) knows it is time to stop: the first SIGINT/SIGTERM.
 * Nothing else stops it (not a closed stdout: the traffic it relays matters more than its printing). A
 * second signal means "now" and exits at once. `listen()` attaches the signal handlers, `dispose()`
 * removes them.
 */
export class StopRequest {
  readonly requested: Promise<void>;
  readonly #resolve: () => void;
  private signals = 0;

  constructor() {
    let resolve!: () => void;
    this.requested = new Promise<void>((r) => (resolve = r));
    this.#resolve = resolve;
  }

  private readonly onSignal = (): void => {
    if (++this.signals > 1) process.exit(ExitCode.Ok);
    this.#resolve();
  };

  listen(): void {
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
  }

  dispose(): void {
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
  }
}

/** The live log's options on this process's stdout: colour and width only on a terminal. */
export function stdoutPrettyOptions(flags: { color: boolean; frames?: boolean; quiet?: boolean }): PrettyOptions {
  return {
    color: shouldUseColor({ stream: process.stdout, flag: flags.color }),
    frames: flags.frames === true,
    quiet: flags.quiet === true,
    ...(process.stdout.isTTY ? { width: process.stdout.columns } : {}),
  };
}
