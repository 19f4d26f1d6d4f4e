/**
 * Shared by the TLS tests: throwaway CA directories, a real TLS server on 127.0.0.1 that answers with
 * leaves from a LeafCertificates, and a verifying client.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer, type PeerCertificate, type SecureContext, type Server } from 'node:tls';
import type { AddressInfo } from 'node:net';
import type { LeafCertificates } from '../../src/tls/index.js';
import { withTimeout } from '../helpers/wait.js';

/** A fresh temporary directory; `remove()` deletes it. The CA directory is made inside it by the code under test. */
export function tempDir(prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), `wsdiag-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export interface LeafServer {
  port: number;
  /** Server-side handshake failures (e.g. a server name that cannot be minted). */
  errors: Error[];
  close(): Promise<void>;
}

/**
 * A TLS server whose SNICallback is the leaves' own; a client without SNI (one that dialled an IP) gets
 * `fallback`. Each secure connection is answered with "hello <servername>" and closed.
 */
export async function startLeafServer(leaves: LeafCertificates, fallback?: SecureContext): Promise<LeafServer> {
  const errors: Error[] = [];
  const server: Server = createServer({ SNICallback: leaves.sniCallback, ...(fallback ? { secureContext: fallback } : {}) }, (socket) => {
    const name = (socket as unknown as { servername?: string | false }).servername;
    socket.end(`hello ${name === false || name === undefined ? '-' : name}`);
  });
  server.on('tlsClientError', (err) => errors.push(err));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    errors,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface ClientResult {
  authorized: boolean;
  peer: PeerCertificate;
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
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (reply += chunk));
      socket.on('error', reject);
      socket.on('end', () => resolve({ authorized: socket.authorized, peer: socket.getPeerCertificate(), reply }));
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
