/**
 * wsdiag's local certificate authority: created on first use in ~/.wsdiag (or a given directory), loaded
 * on later runs. It signs the leaf certificates that let wsdiag terminate TLS for the hosts a client asks
 * for; the client trusts it once (see `wsdiag ca`). Its private key never leaves the directory.
 */
import { createHash, createPrivateKey, randomBytes, sign, verify, webcrypto, X509Certificate, type KeyObject } from 'node:crypto';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { CaConfigError } from './errors.js';
import {
  CA_CERT_FILE,
  CA_KEY_FILE,
  CERT_FILE_MODE,
  defaultCaDir,
  ensureCaDir,
  KEY_FILE_MODE,
  publishIfAbsent,
  readCaFile,
  replaceFile,
} from './store.js';
import {
  buildCaCertificate,
  GENERATE_PARAMS,
  importSigningKey,
  keyIdentifier,
  keyProfile,
  type CaKeyType,
  type KeyProfile,
} from './x509.js';

export type { CaKeyType } from './x509.js';

const DAY_MS = 86_400_000;
/** Ten years, counted from a day back so a client whose clock runs a little slow still accepts it. */
const CA_VALIDITY_DAYS = 3653;
const CN_MAX = 64;

export interface OpenCaOptions {
  /** Where the CA lives (created with mode 0700 if missing). Default: ~/.wsdiag */
  readonly dir?: string;
  /** The key type of a CA created now; an existing CA keeps its own. Default: ecdsa (P-256). */
  readonly keyType?: CaKeyType;
}

export class CertificateAuthority {
  /** Whether this call created the CA (false: it was loaded, possibly made by a concurrent process). */
  readonly created: boolean;
  readonly dir: string;
  /** The private key and the certificate (mode 0600): secret. */
  readonly keyPath: string;
  /** The certificate alone: the file to trust. */
  readonly certPath: string;
  readonly certPem: string;
  readonly certificate: X509Certificate;
  /** e.g. "ECDSA P-256", "RSA 2048". */
  readonly keyLabel: string;
  /** SHA-256 of the certificate, colon-separated upper-case hex (as browsers and openssl show it). */
  readonly fingerprint256: string;
  /** base64 SHA-256 of the SubjectPublicKeyInfo: what Chromium's --ignore-certificate-errors-spki-list takes. */
  readonly spkiSha256: string;
  /** For leaf minting (./leaf.ts); not part of what callers should print or store. */
  readonly signing: { readonly key: webcrypto.CryptoKey; readonly profile: KeyProfile; readonly certDer: Uint8Array };

  private constructor(init: { created: boolean; dir: string; certificate: X509Certificate; signing: CertificateAuthority['signing'] }) {
    this.created = init.created;
    this.dir = init.dir;
    this.keyPath = join(init.dir, CA_KEY_FILE);
    this.certPath = join(init.dir, CA_CERT_FILE);
    this.certificate = init.certificate;
    this.certPem = init.certificate.toString();
    this.keyLabel = init.signing.profile.label;
    this.fingerprint256 = init.certificate.fingerprint256;
    this.spkiSha256 = spkiSha256(init.certificate.publicKey);
    this.signing = init.signing;
  }

  get subject(): string {
    return this.certificate.subject.replace(/\n/g, ', ');
  }
  get validFrom(): Date {
    return new Date(this.certificate.validFrom);
  }
  get validTo(): Date {
    return new Date(this.certificate.validTo);
  }

  /**
   * Loads the CA from its directory, creating it first if there is none. Throws CaConfigError when the
   * directory or its files are unusable: the message names the file and what to do.
   */
  static async open(options: OpenCaOptions = {}): Promise<CertificateAuthority> {
    const dir = resolve(options.dir ?? defaultCaDir());
    await ensureCaDir(dir);
    const keyPath = join(dir, CA_KEY_FILE);
    let text = await readCaFile(keyPath);
    let created = false;
    if (text === null) {
      const fresh = await createCaFileContent(options.keyType ?? 'ecdsa');
      created = await publishIfAbsent(dir, CA_KEY_FILE, fresh, KEY_FILE_MODE);
      text = created ? fresh : await readCaFile(keyPath);
      if (text === null) throw new CaConfigError(`${keyPath} vanished while it was being created; run again`);
    }
    const { key, certificate, profile } = parseCaFile(text, keyPath);
    const ca = new CertificateAuthority({
      created,
      dir,
      certificate,
      signing: { key: await importSigningKey(key, profile), profile, certDer: new Uint8Array(certificate.raw) },
    });
    if ((await readCaFile(ca.certPath)) !== ca.certPem) await replaceFile(dir, CA_CERT_FILE, ca.certPem, CERT_FILE_MODE);
    return ca;
  }
}

/** base64 SHA-256 of a public key's DER SubjectPublicKeyInfo. */
export function spkiSha256(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('base64');
}

/** A new key and self-signed certificate, as the text of ca-key.pem. */
async function createCaFileContent(keyType: CaKeyType): Promise<string> {
  const pair = await webcrypto.subtle.generateKey(GENERATE_PARAMS[keyType], true, ['sign', 'verify']);
  const spki = new Uint8Array(await webcrypto.subtle.exportKey('spki', pair.publicKey));
  const pkcs8 = new Uint8Array(await webcrypto.subtle.exportKey('pkcs8', pair.privateKey));
  const keyObject = createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
  const now = Date.now();
  const der = await buildCaCertificate({
    commonName: caCommonName(new Date(now)),
    organizationalUnit: `key ${Buffer.from(keyIdentifier(spki)).toString('hex').slice(0, 8)}`,
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now - DAY_MS + CA_VALIDITY_DAYS * DAY_MS),
    publicKeySpki: spki,
    signingKey: pair.privateKey,
    profile: keyProfile(keyObject),
  });
  const keyPem = keyObject.export({ type: 'pkcs8', format: 'pem' }).toString();
  return `${keyPem}${new X509Certificate(der).toString()}`;
}

/**
 * "wsdiag local CA (HOST, YYYY-MM-DD)": says whose machine and when, so that in a browser's certificate
 * list it cannot be mistaken for another CA (the OU adds the key's id for two made the same day).
 */
function caCommonName(date: Date): string {
  const day = date.toISOString().slice(0, 10);
  const frame = `wsdiag local CA (, ${day})`;
  const host =
    hostname()
      .replace(/[^\x20-\x7e]/g, '?')
      .slice(0, CN_MAX - frame.length) || 'localhost';
  return `wsdiag local CA (${host}, ${day})`;
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n[\s\S]*?-----END \1-----/g;

/** The key and the certificate of ca-key.pem, checked: they match, it is a CA, and it is valid now. */
function parseCaFile(text: string, path: string): { key: KeyObject; certificate: X509Certificate; profile: KeyProfile } {
  const blocks = [...text.matchAll(PEM_BLOCK)].map((m) => ({ label: m[1] ?? '', pem: m[0] }));
  const fix = `remove ${path} to make a new CA (then trust the new one), or restore the file`;
  if (blocks.some((b) => b.label === 'ENCRYPTED PRIVATE KEY')) {
    throw new CaConfigError(`${path}: an encrypted private key is not supported; store it unencrypted (the file is mode 0600)`);
  }
  const keyBlocks = blocks.filter((b) => /^(?:|EC |RSA )PRIVATE KEY$/.test(b.label));
  const certBlocks = blocks.filter((b) => b.label === 'CERTIFICATE');
  if (keyBlocks.length !== 1 || certBlocks.length === 0) {
    const found = keyBlocks.length === 0 ? 'no private key' : keyBlocks.length > 1 ? 'several private keys' : 'no certificate';
    throw new CaConfigError(`${path} is not a CA file (${found} in it): ${fix}`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(keyBlocks[0]?.pem ?? '');
  } catch (err) {
    throw new CaConfigError(`${path}: the private key is damaged: ${fix}`, { cause: err });
  }
  const certificate = certBlocks.map((b) => parseCertificatePem(b.pem, path, fix)).find((cert) => cert.checkPrivateKey(key));
  if (certificate === undefined) throw new CaConfigError(`${path}: no certificate in it matches its private key: ${fix}`);
  const profile = keyProfile(key);
  // checkPrivateKey compares public keys, and a key file carries its public half beside the private one:
  // a damaged private half still "matches". Only a signature shows the key can really sign for the CA.
  if (!signsFor(key, certificate))
    throw new CaConfigError(`${path}: the private key is damaged (it cannot sign for its certificate): ${fix}`);
  if (!certificate.ca) throw new CaConfigError(`${path}: the certificate is not a CA certificate (basicConstraints CA:false): ${fix}`);
  const now = Date.now();
  if (now > Date.parse(certificate.validTo)) {
    throw new CaConfigError(`${path}: the CA expired on ${certificate.validTo}: ${fix}`);
  }
  if (now < Date.parse(certificate.validFrom)) {
    throw new CaConfigError(`${path}: the CA is not valid before ${certificate.validFrom} (is the clock right?)`);
  }
  return { key, certificate, profile };
}

function signsFor(key: KeyObject, certificate: X509Certificate): boolean {
  const challenge = randomBytes(32);
  try {
    return verify('sha256', challenge, certificate.publicKey, sign('sha256', challenge, key));
  } catch {
    return false;
  }
}

function parseCertificatePem(pem: string, path: string, fix: string): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch (err) {
    throw new CaConfigError(`${path}: the certificate is damaged: ${fix}`, { cause: err });
  }
}
