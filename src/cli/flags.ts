/**
 * Flags as data, declared once (in ./options for the groups several commands share, in the command file
 * for the others). Each flag says which library options it sets, so the command that declares it knows,
 * for every library option, the flag a user typed: a ConfigError about `returnListen` is shown as one
 * about `--return`, and no message is ever patched. The option names are keys of the library's option
 * types (`Flag<ProxyOptions>`), so renaming an option breaks the build rather than a message.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { OptionNamer } from '../errors.js';

/** A library option a flag sets: a key of the options type, or a dotted path into one (`tls.cert`). */
export type OptionPath<O> = (keyof O & string) | `${keyof O & string}.${string}`;

export interface Flag<O = Record<string, unknown>> {
  /** Commander's syntax: `--target <url>`, `--no-preview`, `--ui [host:port]`. */
  readonly flags: string;
  readonly help: string;
  /** The library options this flag sets; a ConfigError about one of them names this flag. */
  readonly sets?: readonly OptionPath<O>[];
  /**
   * Parses a value. An InvalidArgumentError says what is wrong without naming the flag ("expects a whole
   * number…"): the flag is put in front of it here.
   */
  parse?(value: string, previous: unknown): unknown;
  readonly default?: unknown;
  /** How --help shows the default, when not the value itself. */
  readonly defaultText?: string;
  readonly choices?: readonly string[];
  /** Commander refuses to run without it. */
  readonly required?: boolean;
  /** Added to the message of a ConfigError about one of `sets` (e.g. where the valid values are listed). */
  readonly hint?: string;
}

/** The same flag with another help text (a command whose flag means something more specific). */
export function withHelp<O>(flag: Flag<O>, help: string): Flag<O> {
  return { ...flag, help };
}

/** How one command names the library options: by the flags that set them. */
export class OptionFlags {
  readonly #flags = new Map<string, string[]>();
  readonly #hints = new Map<string, string>();

  add(option: string, flag: string | undefined, hint?: string): void {
    if (flag !== undefined) this.#flags.set(option, [...(this.#flags.get(option) ?? []), flag]);
    if (hint !== undefined) this.#hints.set(option, hint);
  }

  /** The flag (or flags, as `--tls-cert/--tls-key`) that set `option`; the option's own name when none does. */
  readonly name: OptionNamer = (option) => this.#flags.get(option)?.join('/') ?? option;

  hint(option: string): string | undefined {
    return this.#hints.get(option);
  }

  /** Every library option this command can name, with its flag. */
  options(): Array<{ option: string; flag: string | undefined; hint: string | undefined }> {
    const all = new Set([...this.#flags.keys(), ...this.#hints.keys()]);
    return [...all].map((option) => ({ option, flag: this.#flags.get(option)?.join('/'), hint: this.#hints.get(option) }));
  }
}

const tables = new WeakMap<Command, OptionFlags>();

/** The option → flag table of a command (empty for a command that declared no flags this way). */
export function optionFlags(command: Command): OptionFlags {
  let table = tables.get(command);
  if (!table) tables.set(command, (table = new OptionFlags()));
  return table;
}

/** Declares `flags` on `command`, in order, and records which library options each sets. */
export function addFlags(command: Command, flags: readonly Flag[]): Command {
  const table = optionFlags(command);
  for (const flag of flags) {
    const option = new Option(flag.flags, flag.help);
    const name = option.long ?? option.short ?? flag.flags;
    if (flag.parse) {
      const parse = flag.parse.bind(flag);
      option.argParser((value: string, previous: unknown) => {
        try {
          return parse(value, previous);
        } catch (err) {
          if (err instanceof InvalidArgumentError) throw new InvalidArgumentError(`${name} ${err.message}`);
          throw err;
        }
      });
    }
    if (flag.choices) option.choices(flag.choices);
    if (flag.default !== undefined) option.default(flag.default, flag.defaultText);
    if (flag.required) option.makeOptionMandatory();
    command.addOption(option);
    for (const set of flag.sets ?? []) table.add(set, name, flag.hint);
  }
  return command;
}

/**
 * Library options that no flag sets (an argument such as `ci`'s command, `view`'s logs) but whose errors
 * deserve a hint on the command line.
 */
export function addOptionHints(command: Command, hints: Readonly<Record<string, string>>): Command {
  const table = optionFlags(command);
  for (const [option, hint] of Object.entries(hints)) table.add(option, undefined, hint);
  return command;
}

/** A whole number of 0 or more (a count, a size in bytes, a time in milliseconds). */
export function wholeNumber(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) {
    throw new InvalidArgumentError(`expects a whole number of 0 or more, got "${value}"`);
  }
  return n;
}

/** A whole number of 1 or more. */
export function positiveNumber(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError(`expects a whole number of 1 or more, got "${value}"`);
  }
  return n;
}
