/**
 * Shared by the TLS tests: a real TLS server on 127.0.0.1 that answers with
 * leaves from a LeafCertificates, and a verifying client.
 */
import { execFileSync } from 'node:child_process';
import { createServer as createNetServer, type Server } from 'node:net';
import { connect, TLSSocket, type DetailedPeerCertificate, type SecureContext } from 'node:tls';
import type { LeafCertificates } from '../../src/tls/index.js';
import { listen } from '../support/net.js';
import { withTimeout } from '../support/wait.js';

export interface LeafServer {
  port: number;
  /** Emits 'tlsClientError' for each failed server-side handshake (e.g. a name that cannot be minted). */
  server: Server;
  close(): Promise<void>;
}

/**
 * A TLS server as the proxy will run one: a plain TCP server whose sockets become server-side TLSSockets
 * with the leaves' SNICallback; a client without SNI (one that dialled an IP) gets `fallback`. Each
 * secure connection is answered with "hello <servername>" and closed. Failed handshakes are emitted as
 * 'tlsClientError' on `server`.
 */
export async function startLeafServer(leaves: LeafCertificates, fallback: SecureContext): Promise<LeafServer> {
  const server = createNetServer((raw) => {
    const socket = new TLSSocket(raw, { isServer: true, secureContext: fallback, SNICallback: leaves.sniCallback });
    socket.on('error', (err) => server.emit('tlsClientError', err));
    socket.on('secure', () => {
      const name = (socket as unknown as { servername?: string | false }).servername;
      socket.end(`hello ${typeof name === 'string' ? name : '-'}`);
    });
  });
  return {
    port: await listen(server),
    server,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface ClientResult {
  authorized: boolean;
  peer: DetailedPeerCertificate;
  reply: string;
}

/**
 * A verifying TLS client trusting only `ca`; without a servername it sends no SNI and Node checks the
 * certificate against the IP it dialled. Rejects with the verification or handshake error.
 */
export function tlsRequest(options: { port: number; ca: string; servername?: string; host?: string }): Promise<ClientResult> {
  return withTimeout(
    new Promise<ClientResult>((resolve, reject) => {
      const socket = connect({
        host: options.host ?? '127.0.0.1',
        port: options.port,
        ca: options.ca,
        ...(options.servername !== undefined ? { servername: options.servername } : {}),
      });
      let reply = '';
      let peer: DetailedPeerCertificate | undefined;
      socket.setEncoding('utf8');
      socket.on('secureConnect', () => (peer = socket.getPeerCertificate(true)));
      socket.on('data', (chunk: string) => (reply += chunk));
      socket.on('error', reject);
      socket.on('close', () => {
        if (peer === undefined) reject(new Error('the connection closed before the TLS handshake completed'));
        else resolve({ authorized: socket.authorized, peer, reply });
      });
    }),
    `a TLS exchange with 127.0.0.1:${options.port}`,
    20_000,
  );
}

/** `openssl verify` of a leaf against a CA as a TLS server certificate, strict X.509 checks on. */
export function opensslVerify(caPath: string, leafPath: string): string {
  return execFileSync('openssl', ['verify', '-x509_strict', '-purpose', 'sslserver', '-CAfile', caPath, leafPath], {
    stdio: 'pipe',
  }).toString();
}
