/**
 * The edge between commander actions and the process: a command's resolved number becomes the exit code;
 * a thrown error becomes one line on stderr and its exit code (DESIGN §5), never a stack trace for errors
 * of ours. Library errors name library options; here they are named by the flags of the command that
 * ran (./flags.ts), with the command's hint for the option when it has one.
 */
import { Command } from 'commander';
import { ExitCode, WsdiagError } from '../errors.js';
import { optionFlags, type OptionFlags } from './flags.js';

/** Wraps a command action. Commander passes the command itself last: its flags name the options. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<number> | number): (...args: A) => Promise<void> {
  return async (...args: A) => {
    const command = args.at(-1);
    try {
      process.exitCode = await fn(...args);
    } catch (err) {
      process.exitCode = reportError(err, command instanceof Command ? optionFlags(command) : undefined);
    }
  };
}

/** Prints an error for a human and returns the exit code it deserves. */
export function reportError(err: unknown, flags?: OptionFlags): number {
  if (err instanceof WsdiagError) {
    process.stderr.write(`wsdiag: ${errorLine(err, flags)}\n`);
    return err.exitCode;
  }
  // Not one of ours: a bug. Say so, with the stack, so it can be reported.
  const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
  process.stderr.write(`wsdiag: internal error (please report it): ${detail}\n`);
  return ExitCode.Operational;
}

/** The error's message with its options named by the command's flags, and the command's hint, if any. */
export function errorLine(err: WsdiagError, flags?: OptionFlags): string {
  if (!flags) return err.message;
  const text = err.describe(flags.name);
  const hint = err.option !== undefined ? flags.hint(err.option) : undefined;
  return hint !== undefined ? `${text}; ${hint}` : text;
}
