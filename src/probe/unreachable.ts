import { OperationalError } from '../errors.js';

/**
 * "The intermediary cannot be reached": TCP, TLS or CONNECT failed before any WebSocket handshake.
 * The runner turns it into exit 3 when it happens before any case ran, and into an errored case after.
 */
export class UnreachableError extends OperationalError {}

/** A connect error in words a user can act on. */
export function connectError(what: string, err: NodeJS.ErrnoException): UnreachableError {
  const why =
    err.code === 'ECONNREFUSED'
      ? 'connection refused (is it running and listening there?)'
      : err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN'
        ? 'the host name does not resolve'
        : err.code === 'ETIMEDOUT'
          ? 'the connection timed out'
          : err.code === 'ECONNRESET'
            ? 'the connection was reset'
            : err.message;
  return new UnreachableError(`cannot reach ${what}: ${why}`, { cause: err });
}
