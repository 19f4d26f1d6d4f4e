/**
 * The TLS layer's own failures. A CA store that cannot be read, parsed or written is a configuration
 * problem the user fixes (another --ca-dir, or remove the broken file), so it exits 2 like any bad
 * configuration; a server name that cannot be put in a certificate is refused with its own class so the
 * proxy can report it as the client's doing.
 */
import { ExitCode, WsdiagError } from '../errors.js';

/** The CA directory or its files are unusable: unreadable, corrupt, mismatched, expired or unwritable. */
export class CaConfigError extends WsdiagError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'WSDIAG_CA_CONFIG', ExitCode.Usage, options);
  }
}

/** A host name or address that no certificate can be minted for (empty, malformed, not ASCII…). */
export class InvalidServerNameError extends WsdiagError {
  constructor(message: string) {
    super(message, 'WSDIAG_INVALID_SERVER_NAME', ExitCode.Usage);
  }
}
