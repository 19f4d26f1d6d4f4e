/**
 * The TLS flags, declared once: how the upstream's certificate is checked (--insecure, --ca) and what
 * wsdiag serves to clients (--tls-cert, --tls-key). PEM files are read and checked here, before
 * anything listens (src/tls/pem.ts), so a wrong path is exit 2 naming the flag and the file.
 */
import { ConfigError } from '../../errors.js';
import type { ProxyOptions } from '../../proxy/index.js';
import { loadCaFile, loadKeyPairFiles } from '../../tls/index.js';
import type { Flag } from '../flags.js';

/** The TLS flags as commander names their values. */
export interface TlsFlags {
  insecure?: boolean;
  ca?: string;
  tlsCert?: string;
  tlsKey?: string;
}

type Tls = Pick<ProxyOptions, 'insecure' | 'ca' | 'tls'>;

export const TLS = {
  insecure: {
    flags: '--insecure',
    help: 'do not verify the upstream TLS certificate (wss:/https: targets)',
    sets: ['insecure'],
  } satisfies Flag<Tls>,
  ca: {
    flags: '--ca <file>',
    help: 'trust this CA certificate (PEM) for the upstream, e.g. a self-signed test certificate',
    sets: ['ca'],
  } satisfies Flag<Tls>,
  tlsCert: {
    flags: '--tls-cert <file>',
    help: 'serve TLS to clients (wss://, https://) with this certificate (PEM); needs --tls-key',
    sets: ['tls', 'tls.cert'],
  } satisfies Flag<Tls>,
  tlsKey: { flags: '--tls-key <file>', help: 'the private key (PEM) for --tls-cert', sets: ['tls', 'tls.key'] } satisfies Flag<Tls>,
};

/** How the upstream's certificate is checked: the CA file read and checked. */
export function upstreamTlsOptions(flags: TlsFlags): { insecure: boolean; ca?: Buffer } {
  return { insecure: flags.insecure === true, ...(flags.ca !== undefined ? { ca: loadCaFile(flags.ca) } : {}) };
}

/** What wsdiag serves to clients: the certificate and key read and checked as a pair. */
export function servedTlsOptions(flags: TlsFlags): Pick<ProxyOptions, 'tls'> {
  if (flags.tlsCert === undefined && flags.tlsKey === undefined) return {};
  if (flags.tlsKey === undefined) throw new ConfigError('tls.key', (n) => `${n('tls.cert')} needs ${n('tls.key')}`);
  if (flags.tlsCert === undefined) throw new ConfigError('tls.cert', (n) => `${n('tls.key')} needs ${n('tls.cert')}`);
  return { tls: loadKeyPairFiles(flags.tlsCert, flags.tlsKey) };
}
