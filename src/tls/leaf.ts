/**
 * Leaf certificates for the hosts a client connects to, minted on demand from the CA and kept in a
 * bounded LRU cache. As in mitmproxy, every leaf carries the same key pair (made once per process, never
 * stored), so a new host costs one certificate signature, not a key generation. Concurrent requests for a
 * host not yet cached share one mint (single-flight). Each leaf comes with a TLS SecureContext holding
 * the leaf and the CA certificate: the chain a client sees, so that a client told to trust the CA's key
 * (Chromium's --ignore-certificate-errors-spki-list) finds it in the chain.
 */
import { createSecureContext, type SecureContext } from 'node:tls';
import { webcrypto } from 'node:crypto';
import type { CertificateAuthority } from './ca.js';
import { InvalidServerNameError } from './errors.js';
import { parseLeafSubject } from './host.js';
import { LruCache } from './lru.js';
import { derToPem, GENERATE_PARAMS, LeafTemplate } from './x509.js';

const DAY_MS = 86_400_000;
/** Browsers reject server certificates valid for more than 398 days; a leaf is valid from a day back for 397. */
const LEAF_VALIDITY_DAYS = 397;
/** A cached leaf this close to its end is minted again. */
const RENEW_BEFORE_MS = DAY_MS;

/**
 * Each cached leaf holds an OpenSSL context, about 40 KiB of native memory (measured: 42 KiB RSS per leaf
 * on Node 20), so 256 leaves cost about 10 MiB; an evicted host costs only a new mint (milliseconds).
 * mitmproxy keeps 100.
 */
export const DEFAULT_MAX_LEAVES = 256;

export interface LeafCertificate {
  /** The normalised name or address it was minted for (lower case, no trailing dot, canonical IPv6). */
  readonly host: string;
  readonly kind: 'dns' | 'ip';
  /** The leaf alone, PEM. */
  readonly pem: string;
  /** Hex serial number. */
  readonly serial: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Leaf key + leaf certificate + CA certificate, ready for tls.createServer / new TLSSocket. */
  readonly secureContext: SecureContext;
}

export interface LeafCertificatesOptions {
  /** How many hosts' leaves to keep (least recently used evicted first). Default 256. */
  readonly maxEntries?: number;
}

export interface LeafStats {
  /** Leaves signed so far. */
  readonly minted: number;
  /** Requests answered from the cache. */
  readonly hits: number;
  /** Requests that joined a mint already under way for the same host. */
  readonly joined: number;
  /** Leaves in the cache now. */
  readonly cached: number;
}

type SniCallback = (servername: string, callback: (err: Error | null, ctx?: SecureContext) => void) => void;

export class LeafCertificates {
  private readonly cache: LruCache<string, LeafCertificate>;
  private readonly inFlight = new Map<string, Promise<LeafCertificate>>();
  private counts = { minted: 0, hits: 0, joined: 0 };

  private constructor(
    private readonly ca: CertificateAuthority,
    private readonly template: LeafTemplate,
    private readonly leafKeyPem: string,
    maxEntries: number,
  ) {
    this.cache = new LruCache(maxEntries);
  }

  /** Makes the shared leaf key (same family as the CA's: ECDSA P-256, or RSA 2048 under an RSA CA). */
  static async create(ca: CertificateAuthority, options: LeafCertificatesOptions = {}): Promise<LeafCertificates> {
    const pair = await webcrypto.subtle.generateKey(GENERATE_PARAMS[ca.signing.profile.rsa ? 'rsa' : 'ecdsa'], true, ['sign', 'verify']);
    const spki = new Uint8Array(await webcrypto.subtle.exportKey('spki', pair.publicKey));
    const pkcs8 = new Uint8Array(await webcrypto.subtle.exportKey('pkcs8', pair.privateKey));
    const template = new LeafTemplate({
      caDer: ca.signing.certDer,
      caSigningKey: ca.signing.key,
      caProfile: ca.signing.profile,
      leafSpki: spki,
      leafIsRsa: ca.signing.profile.rsa,
    });
    return new LeafCertificates(ca, template, derToPem('PRIVATE KEY', pkcs8), options.maxEntries ?? DEFAULT_MAX_LEAVES);
  }

  get stats(): LeafStats {
    return { ...this.counts, cached: this.cache.size };
  }

  /**
   * The leaf for a server name or IP address: from the cache, from a mint already under way, or newly
   * minted. Rejects with InvalidServerNameError for a name no certificate can carry.
   */
  get(host: string): Promise<LeafCertificate> {
    let key: string;
    let subject: ReturnType<typeof parseLeafSubject>;
    try {
      subject = parseLeafSubject(host);
      key = subject.name;
    } catch (err) {
      return Promise.reject(err instanceof InvalidServerNameError ? err : new InvalidServerNameError(String(err)));
    }
    const cached = this.cache.get(key);
    if (cached !== undefined && cached.notAfter.getTime() - Date.now() > RENEW_BEFORE_MS) {
      this.counts.hits++;
      return Promise.resolve(cached);
    }
    const pending = this.inFlight.get(key);
    if (pending !== undefined) {
      this.counts.joined++;
      return pending;
    }
    const minting = this.mint(subject).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, minting);
    return minting;
  }

  /**
   * For tls.createServer({ SNICallback }) or new TLSSocket(…, { SNICallback }): answers each client's SNI
   * with its leaf's context. A name that cannot be minted fails that handshake only.
   */
  readonly sniCallback: SniCallback = (servername, callback) => {
    this.get(servername).then(
      (leaf) => callback(null, leaf.secureContext),
      (err: unknown) => callback(err instanceof Error ? err : new Error(String(err))),
    );
  };

  private async mint(subject: ReturnType<typeof parseLeafSubject>): Promise<LeafCertificate> {
    const now = Date.now();
    const notBefore = new Date(now - DAY_MS);
    const notAfter = new Date(Math.min(notBefore.getTime() + LEAF_VALIDITY_DAYS * DAY_MS, this.ca.validTo.getTime()));
    const { der, serial } = await this.template.mint(subject, notBefore, notAfter);
    const pem = derToPem('CERTIFICATE', der);
    const leaf: LeafCertificate = {
      host: subject.name,
      kind: subject.kind,
      pem,
      serial,
      notBefore,
      notAfter,
      secureContext: createSecureContext({ key: this.leafKeyPem, cert: `${pem}${this.ca.certPem}` }),
    };
    this.counts.minted++;
    this.cache.set(subject.name, leaf);
    return leaf;
  }
}
