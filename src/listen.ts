/**
 * Binding a listening socket with an error a user can act on: every server wsdiag opens (the proxy, the
 * dashboard, the admin endpoint, the chaos API) fails the same way on a port in use, so it says so the
 * same way, naming the option that chose the address when there is one.
 */
import type { Server } from 'node:net';
import { OperationalError } from './errors.js';
import { hostPort } from './text.js';

/** Who a failed bind is about: the library option that chose the address (`admin`), or a plain label. */
export type ListenerName = { option: string } | { label: string };

/**
 * `server.listen(port, host)`, resolved once it listens. A failure rejects with an OperationalError
 * (exit 3): `[option: ]cannot listen on HOST:PORT: <why, in words>`.
 */
export function listenOn(server: Server, host: string, port: number, name?: ListenerName): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      const problem = `cannot listen on ${hostPort(host, port)}: ${describeListenError(err)}`;
      if (name !== undefined && 'option' in name) {
        const { option } = name;
        reject(new OperationalError((n) => `${n(option)}: ${problem}`, { cause: err, option }));
      } else {
        reject(new OperationalError(name !== undefined ? `${name.label}: ${problem}` : problem, { cause: err }));
      }
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/** Why an address cannot be bound, in words. */
export function describeListenError(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'EADDRINUSE':
      return 'the address is already in use (another wsdiag or server runs there; pick another port, or 0 for any free one)';
    case 'EACCES':
      return 'permission denied (ports below 1024 need privileges)';
    case 'EADDRNOTAVAIL':
      return 'this machine has no such address';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'the host name does not resolve';
    default:
      return err.message;
  }
}
