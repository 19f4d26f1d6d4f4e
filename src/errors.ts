/**
 * wsdiag's own failures. Peer misbehaviour is never thrown: it is data (violation events). These classes
 * are for our side: bad flags or configuration (exit 2) and operational failures such as an unreachable
 * upstream or a port that cannot be bound (exit 3).
 */

export const ExitCode = {
  Ok: 0,
  Violations: 1,
  Usage: 2,
  Operational: 3,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export class WsdiagError extends Error {
  readonly code: string;
  readonly exitCode: ExitCodeValue;
  constructor(message: string, code: string, exitCode: ExitCodeValue, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.exitCode = exitCode;
  }
  override get name(): string {
    return this.constructor.name;
  }
}

/** A bad flag, argument or configuration file: the user can fix the command line. Exit 2. */
export class UsageError extends WsdiagError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'WSDIAG_USAGE', ExitCode.Usage, options);
  }
}

/** Something in the environment failed: listen, connect, read, write. Exit 3. */
export class OperationalError extends WsdiagError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'WSDIAG_OPERATIONAL', ExitCode.Operational, options);
  }
}
