/**
 * The one way forward mode reaches the network: every upstream TCP connection it opens (a CONNECT's
 * target, a blind tunnel, the upstream leg of an intercepted or absolute-URI request) goes through
 * `dialUpstream`, so name overrides and proxy chaining have a single place to live. TLS, when wanted, is
 * started by the caller on the socket this returns.
 */
import { connect, type Socket } from 'node:net';

/**
 * Opens a TCP connection to `host`:`port` (a name, or an IP address without brackets) and resolves once it
 * is connected; rejects with the socket's error (ENOTFOUND, ECONNREFUSED…, as node names them). The socket
 * allows half-open connections: the relay passes each FIN on itself.
 */
export function dialUpstream(host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, allowHalfOpen: true });
    const onError = (err: Error): void => {
      socket.destroy();
      reject(err);
    };
    socket.once('error', onError);
    socket.once('connect', () => {
      socket.off('error', onError);
      resolve(socket);
    });
  });
}
