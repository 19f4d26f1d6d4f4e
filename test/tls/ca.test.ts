/**
 * The CA store: created on first use with the right extensions and file modes, the same CA on later
 * runs, one CA when several openers race (in one process and across processes), and a typed
 * configuration error, never a crash, for every way the files can be broken.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as pkijs from 'pkijs';
import { describe, it } from 'node:test';
import { ExitCode } from '../../src/errors.js';
import { CaConfigError, CertificateAuthority, CA_CERT_FILE, CA_KEY_FILE } from '../../src/tls/index.js';
import { buildCaCertificate, importSigningKey, keyProfile } from '../../src/tls/x509.js';
import { startNode } from '../support/cli.js';
import { tempDir } from '../support/temp.js';

const root = tempDir('ca');
let counter = 0;
const freshDir = (): string => join(root.path, `ca-${++counter}`, 'nested');

const CHILD = fileURLToPath(new URL('./open-ca-child.js', import.meta.url));

function extension(cert: X509Certificate, oid: string): pkijs.Extension | undefined {
  return pkijs.Certificate.fromBER(cert.raw).extensions?.find((e) => e.extnID === oid);
}

async function rejectsConfig(dir: string, pattern: RegExp): Promise<void> {
  await assert.rejects(CertificateAuthority.open({ dir }), (err: unknown) => {
    assert.ok(err instanceof CaConfigError, `expected CaConfigError, got ${String(err)}`);
    assert.equal(err.exitCode, ExitCode.Usage);
    assert.equal(err.code, 'WSDIAG_CA_CONFIG');
    assert.match(err.message, pattern);
    assert.doesNotMatch(err.message, /\n/, 'one line');
    return true;
  });
}

describe('CertificateAuthority.open: first use', () => {
  it('creates an ECDSA P-256 CA valid for ten years with the CA extensions, 0700 dir, 0600 key, 0644 cert', async () => {
    const dir = freshDir();
    const ca = await CertificateAuthority.open({ dir });
    assert.equal(ca.created, true);
    assert.equal(ca.keyLabel, 'ECDSA P-256');
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.equal(statSync(join(dir, '..')).mode & 0o777, 0o700, 'parents it creates too');
    assert.equal(statSync(ca.keyPath).mode & 0o777, 0o600);
    assert.equal(statSync(ca.certPath).mode & 0o777, 0o644);
    assert.deepEqual(readdirSync(dir).sort(), [CA_CERT_FILE, CA_KEY_FILE], 'no temporary file left behind');

    const cert = new X509Certificate(readFileSync(ca.certPath));
    assert.equal(cert.fingerprint256, ca.fingerprint256);
    assert.equal(cert.ca, true);
    assert.ok(cert.verify(cert.publicKey), 'self-signed');
    assert.equal(cert.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
    assert.match(cert.subject, /CN=wsdiag local CA \(.+\\, \d{4}-\d\d-\d\d\)/);
    assert.match(cert.subject, /^O=wsdiag\nOU=key [0-9a-f]{8}\nCN=/, 'one attribute per RDN');
    const years = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / (365.25 * 86_400_000);
    assert.ok(Math.abs(years - 10) < 0.01, `10 years, got ${years}`);
    assert.ok(Date.parse(cert.validFrom) <= Date.now() - 23 * 3_600_000, 'valid from a day back');

    const text = execFileSync('openssl', ['x509', '-in', ca.certPath, '-noout', '-text']).toString();
    assert.match(text, /Basic Constraints: critical\s+CA:TRUE, pathlen:0/);
    assert.match(text, /Key Usage: critical\s+Certificate Sign, CRL Sign/);
    assert.match(text, /Subject Key Identifier:\s+[0-9A-F:]{59}/);
    assert.ok(extension(cert, '2.5.29.14'));
  });

  it('creates RSA 2048 on request', async () => {
    const ca = await CertificateAuthority.open({ dir: freshDir(), keyType: 'rsa' });
    assert.equal(ca.keyLabel, 'RSA 2048');
    assert.equal(ca.certificate.publicKey.asymmetricKeyDetails?.modulusLength, 2048);
    assert.match(execFileSync('openssl', ['x509', '-in', ca.certPath, '-noout', '-text']).toString(), /sha256WithRSAEncryption/);
  });

  it('SPKI hash is base64 SHA-256 of the DER SubjectPublicKeyInfo (as openssl computes it)', async () => {
    const ca = await CertificateAuthority.open({ dir: freshDir() });
    const spkiDer = execFileSync('openssl', ['x509', '-in', ca.certPath, '-noout', '-pubkey']);
    const der = execFileSync('openssl', ['pkey', '-pubin', '-outform', 'DER'], { input: spkiDer });
    assert.equal(ca.spkiSha256, createHash('sha256').update(der).digest('base64'));
    assert.match(ca.fingerprint256, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });
});

describe('CertificateAuthority.open: later runs', () => {
  it('loads the same CA, and an RSA request does not replace an existing ECDSA CA', async () => {
    const dir = freshDir();
    const first = await CertificateAuthority.open({ dir });
    const second = await CertificateAuthority.open({ dir, keyType: 'rsa' });
    assert.equal(second.created, false);
    assert.equal(second.fingerprint256, first.fingerprint256);
    assert.equal(second.keyLabel, 'ECDSA P-256');
  });

  it('rewrites a missing or altered ca-cert.pem from ca-key.pem', async () => {
    const dir = freshDir();
    const ca = await CertificateAuthority.open({ dir });
    writeFileSync(ca.certPath, 'edited');
    await CertificateAuthority.open({ dir });
    assert.equal(readFileSync(ca.certPath, 'utf8'), ca.certPem);
  });

  it('loads a CA made elsewhere (openssl, SEC1 "EC PRIVATE KEY" + certificate in one file)', async () => {
    const dir = freshDir();
    mkdirSync(dir, { recursive: true });
    const key = execFileSync('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout']);
    writeFileSync(join(dir, 'k.pem'), key);
    const cert = execFileSync('openssl', [
      'req',
      '-x509',
      '-key',
      join(dir, 'k.pem'),
      '-days',
      '30',
      '-subj',
      '/CN=elsewhere CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign',
    ]);
    assert.match(key.toString(), /BEGIN EC PRIVATE KEY/);
    writeFileSync(join(dir, CA_KEY_FILE), Buffer.concat([key, cert]));
    const ca = await CertificateAuthority.open({ dir });
    assert.equal(ca.created, false);
    assert.equal(ca.subject, 'CN=elsewhere CA');
  });
});

describe('CertificateAuthority.open: concurrent first use', () => {
  it('five opens at once in one process agree on one CA', async () => {
    const dir = freshDir();
    const cas = await Promise.all(Array.from({ length: 5 }, () => CertificateAuthority.open({ dir })));
    assert.equal(new Set(cas.map((ca) => ca.fingerprint256)).size, 1);
    assert.equal(cas.filter((ca) => ca.created).length, 1, 'exactly one of them created it');
    assert.equal(readFileSync(join(dir, CA_KEY_FILE), 'utf8').match(/BEGIN PRIVATE KEY/g)?.length, 1);
    assert.deepEqual(readdirSync(dir).sort(), [CA_CERT_FILE, CA_KEY_FILE]);
  });

  it('two processes released at the same instant produce one CA (3 rounds)', async () => {
    for (let round = 0; round < 3; round++) {
      const dir = freshDir();
      const children = [0, 1].map(() => startNode(CHILD, [dir]));
      // Each child has loaded everything and waits on stdin; then both are released together.
      await Promise.all(children.map((child) => child.waitForLine('ready', 'the child ready')));
      for (const child of children) child.child.stdin.end('go\n');
      const exits = await Promise.all(children.map((child) => child.exited()));
      for (const exit of exits) assert.equal(exit.code, 0, exit.stderr);
      const results = exits.map(
        (exit) => JSON.parse(exit.stdout.split('\n').filter(Boolean).at(-1) ?? '{}') as { fingerprint: string; created: boolean },
      );
      assert.equal(results[0]?.fingerprint, results[1]?.fingerprint, `round ${round}: one CA`);
      assert.equal(results.filter((r) => r.created).length, 1, `round ${round}: one creator`);
      const onDisk = new X509Certificate(readFileSync(join(dir, CA_CERT_FILE)));
      assert.equal(onDisk.fingerprint256, results[0]?.fingerprint);
      assert.deepEqual(readdirSync(dir).sort(), [CA_CERT_FILE, CA_KEY_FILE]);
    }
  });
});

describe('CertificateAuthority.open: broken stores give CaConfigError', () => {
  /** A directory whose ca-key.pem holds `content`. */
  function storeWith(content: string | Buffer): string {
    const dir = freshDir();
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, CA_KEY_FILE), content);
    return dir;
  }
  const pieces = async (): Promise<{ key: string; cert: string }> => {
    const ca = await CertificateAuthority.open({ dir: freshDir() });
    const text = readFileSync(ca.keyPath, 'utf8');
    return { key: text.slice(0, text.indexOf('-----BEGIN CERTIFICATE')), cert: ca.certPem };
  };

  it('garbage', async () => {
    await rejectsConfig(storeWith('not a pem file\n'), /ca-key\.pem is not a CA file \(no private key in it\): remove .* to make a new CA/);
  });

  it('a truncated file (key only)', async () => {
    const { key } = await pieces();
    await rejectsConfig(storeWith(key), /not a CA file \(no certificate in it\)/);
  });

  /** The PEM block with the byte at `offset` of its DER content flipped. */
  function flipByte(pem: string, offset: number): string {
    const [head = '', body = '', tail = ''] = pem.split(/(?<=-----\n)|(?=\n-----END)/);
    const der = Buffer.from(body, 'base64');
    der[offset] = (der[offset] ?? 0) ^ 0xff;
    return `${head}${der.toString('base64').replace(/.{64}(?=.)/g, '$&\n')}${tail}`;
  }

  it('a key that does not parse', async () => {
    const { key, cert } = await pieces();
    await rejectsConfig(storeWith(flipByte(key, 1) + cert), /the private key is damaged: remove/);
  });

  it('a key whose private half is damaged while its public half still matches the certificate', async () => {
    const { key, cert } = await pieces();
    // PKCS#8 P-256: the 32-byte private scalar starts at byte 36; the public point follows it intact.
    await rejectsConfig(storeWith(flipByte(key, 40) + cert), /the private key is damaged \(it cannot sign for its certificate\)/);
  });

  it('a damaged certificate', async () => {
    const { key, cert } = await pieces();
    await rejectsConfig(storeWith(key + cert.replace(/\n[A-Za-z0-9+/]{64}\n/, '\nAAAA\n')), /the certificate is damaged/);
  });

  it('a key and a certificate that do not belong together', async () => {
    const a = await pieces();
    const b = await pieces();
    await rejectsConfig(storeWith(a.key + b.cert), /no certificate in it matches its private key/);
  });

  it('a certificate that is not a CA', async () => {
    const dir = freshDir();
    mkdirSync(dir, { recursive: true });
    const key = execFileSync('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']);
    writeFileSync(join(dir, 'k.pem'), key);
    const cert = execFileSync('openssl', [
      'req',
      '-x509',
      '-key',
      join(dir, 'k.pem'),
      '-days',
      '2',
      '-subj',
      '/CN=leaf',
      '-addext',
      'basicConstraints=critical,CA:FALSE',
    ]);
    writeFileSync(join(dir, CA_KEY_FILE), Buffer.concat([key, cert]));
    await rejectsConfig(dir, /not a CA certificate/);
  });

  it('an expired CA', async () => {
    const { key } = await pieces();
    const keyObject = (await import('node:crypto')).createPrivateKey(key);
    const profile = keyProfile(keyObject);
    const spki = new Uint8Array((await import('node:crypto')).createPublicKey(keyObject).export({ type: 'spki', format: 'der' }));
    const der = await buildCaCertificate({
      commonName: 'old CA',
      organizationalUnit: 'test',
      notBefore: new Date('2020-01-01T00:00:00Z'),
      notAfter: new Date('2021-01-01T00:00:00Z'),
      publicKeySpki: spki,
      signingKey: await importSigningKey(keyObject, profile),
      profile,
    });
    await rejectsConfig(storeWith(key + new X509Certificate(der).toString()), /the CA expired on Jan  1 00:00:00 2021 GMT/);
  });

  it('an encrypted key', async () => {
    const key = execFileSync('openssl', [
      'genpkey',
      '-algorithm',
      'EC',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-aes256',
      '-pass',
      'pass:x',
    ]);
    await rejectsConfig(storeWith(key), /encrypted private key is not supported/);
  });

  it('an Ed25519 CA (a key type wsdiag does not sign with)', async () => {
    const dir = freshDir();
    mkdirSync(dir, { recursive: true });
    const key = execFileSync('openssl', ['genpkey', '-algorithm', 'ed25519']);
    writeFileSync(join(dir, 'k.pem'), key);
    const cert = execFileSync('openssl', [
      'req',
      '-x509',
      '-key',
      join(dir, 'k.pem'),
      '-days',
      '2',
      '-subj',
      '/CN=ed CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
    ]);
    writeFileSync(join(dir, CA_KEY_FILE), Buffer.concat([key, cert]));
    await rejectsConfig(dir, /unsupported CA key type ed25519/);
  });

  it('ca-key.pem unreadable (a directory in its place)', async () => {
    const dir = freshDir();
    mkdirSync(join(dir, CA_KEY_FILE), { recursive: true });
    await rejectsConfig(dir, /cannot read .*ca-key\.pem: .*\(EISDIR\)/);
  });

  it('the CA directory is a file', async () => {
    const path = join(root.path, `file-${++counter}`);
    writeFileSync(path, '');
    await rejectsConfig(path, /is not a directory/);
  });

  it('the CA directory cannot be created (under /proc)', { timeout: 10_000 }, async () => {
    await rejectsConfig('/proc/wsdiag-no-such-dir/ca', /cannot create the CA directory .*\(ENOENT\)/);
  });
});
