/**
 * wsdiag's own failures. Peer misbehaviour is never thrown: it is data (violation events). These classes
 * are for our side: bad options or configuration (exit 2) and operational failures such as an unreachable
 * upstream or a port that cannot be bound (exit 3).
 *
 * The library speaks in its own option names (`target`, `listen`, `maxMessage`…), never in command-line
 * flags: an error about an option says which one (`option`), and a message that mentions options is
 * written against a namer, so each reader sees the names it knows. A library user reads
 * `listen "x" is not HOST:PORT`; the CLI, which knows which flag sets which option, prints
 * `--return "x" is not HOST:PORT` for the sandwich's `returnListen`.
 */

export const ExitCode = {
  Ok: 0,
  Violations: 1,
  Usage: 2,
  Operational: 3,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** How a message names a library option: the CLI names each by its flag. */
export type OptionNamer = (option: string) => string;

/** A message, or a message that names options: written once, shown with whatever names the reader knows. */
export type ErrorText = string | ((name: OptionNamer) => string);

/** Library users see the options by their own names. */
const optionAsIs: OptionNamer = (option) => option;

export interface WsdiagErrorOptions {
  cause?: unknown;
  /** The library option the error is about. */
  option?: string;
}

export class WsdiagError extends Error {
  readonly code: string;
  readonly exitCode: ExitCodeValue;
  /** The library option the error is about, when it is about one (always, for a ConfigError). */
  readonly option: string | undefined;
  readonly #text: ErrorText;
  constructor(message: ErrorText, code: string, exitCode: ExitCodeValue, options: WsdiagErrorOptions = {}) {
    super(typeof message === 'string' ? message : message(optionAsIs), options.cause !== undefined ? { cause: options.cause } : undefined);
    this.code = code;
    this.exitCode = exitCode;
    this.option = options.option;
    this.#text = message;
  }
  override get name(): string {
    return this.constructor.name;
  }
  /** The message with every option it mentions named by `name` (`message` names them as the library does). */
  describe(name: OptionNamer): string {
    return typeof this.#text === 'string' ? this.#text : this.#text(name);
  }
}

/** A bad argument, option or configuration file: the user can fix the command line. Exit 2. */
export class UsageError extends WsdiagError {
  constructor(message: ErrorText, options?: WsdiagErrorOptions) {
    super(message, 'WSDIAG_USAGE', ExitCode.Usage, options);
  }
}

/**
 * A library option with a value that cannot work (not a URL, not HOST:PORT, an unreadable PEM file,
 * two addresses that would loop...). `option` is the library option's name; the message never names a
 * command-line flag (it names options through the namer, see ErrorText). Exit 2.
 */
export class ConfigError extends UsageError {
  declare readonly option: string;
  constructor(option: string, message: ErrorText, options?: { cause?: unknown }) {
    super(message, { ...options, option });
  }
}

/** Something in the environment failed: listen, connect, read, write. Exit 3. */
export class OperationalError extends WsdiagError {
  constructor(message: ErrorText, options?: WsdiagErrorOptions) {
    super(message, 'WSDIAG_OPERATIONAL', ExitCode.Operational, options);
  }
}
