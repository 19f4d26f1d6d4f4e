/**
 * The one way forward mode reaches the network: every upstream TCP connection it opens (a CONNECT's
 * target, a blind tunnel, the upstream leg of an intercepted or absolute-URI request) goes through a
 * `Dial`: `dialUpstream` here, straight to the host, or ./reach.ts's, which adds --resolve and
 * --upstream-proxy on top of it. TLS, when wanted, is started by the caller on the socket a dial gives.
 */
import { connect, type Socket } from 'node:net';

/** Opens a connected TCP socket to host:port (half-open allowed), or rejects with why not. */
export type Dial = (host: string, port: number) => Promise<Socket>;

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
