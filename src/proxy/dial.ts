/**
 * The one way forward mode reaches the network: every upstream TCP connection it opens (a CONNECT's
 * target, a blind tunnel, the upstream leg of an intercepted or absolute-URI request) goes through a
 * `Dial`: `dialUpstream` here, straight to the host, or ./reach.ts's, which adds --resolve and
 * --upstream-proxy on top of it. TLS, when wanted, is started on the socket a dial gives (connectOver),
 * and node's agents pool such connections (poolingAgent): forward mode and ./reach.ts both build on these.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { upstreamTlsOptions, type UpstreamTls } from './upstream.js';

/** Opens a connected TCP socket to host:port (half-open allowed), or rejects with why not. */
export type Dial = (host: string, port: number) => Promise<Socket>;

/** Node's callback for a connection opened asynchronously (http.request's and agents' createConnection). */
export type Done = (err: Error | null, socket?: Socket) => void;

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

/** Opens a TCP connection with `tcp` and, for `secure`, starts wsdiag's own verified TLS on it for `servername`. */
export function connectOver(tcp: () => Promise<Socket>, secure: boolean, servername: string, tls: UpstreamTls, done: Done): void {
  tcp().then(
    (socket) => done(null, secure ? tlsConnect(upstreamTlsOptions(servername, tls, socket)) : socket),
    (err: unknown) => done(err instanceof Error ? err : new Error(String(err))),
  );
}

/** A keep-alive agent whose connections `open` makes (node's agents accept an asynchronous createConnection). */
export function poolingAgent(secure: boolean, open: (options: { host: string; port: number }, done: Done) => void): HttpAgent {
  const agent = secure ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
  (
    agent as unknown as { createConnection: (options: { host?: string; port?: number | string }, done: Done) => undefined }
  ).createConnection = (options, done) => {
    open({ host: options.host ?? 'localhost', port: Number(options.port ?? (secure ? 443 : 80)) }, done);
    return undefined;
  };
  return agent;
}
