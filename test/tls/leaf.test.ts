/**
 * Leaf certificates: each verifies against the CA (Node and `openssl verify -x509_strict -purpose
 * sslserver`), carries the host as its only SAN, serverAuth, an AKI equal to the CA's SKI and a validity
 * browsers accept; the cache is bounded and concurrent requests share one mint.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { CertificateAuthority, InvalidServerNameError, LeafCertificates } from '../../src/tls/index.js';
import { tempDir } from '../support/temp.js';
import { opensslVerify } from './helpers.js';

const DAY = 86_400_000;
const root = tempDir('leaf');

function extensionValue(pem: string, oid: string): Uint8Array | undefined {
  const ext = pkijs.Certificate.fromBER(new X509Certificate(pem).raw).extensions?.find((e) => e.extnID === oid);
  return ext === undefined ? undefined : new Uint8Array(ext.extnValue.valueBlock.valueHexView);
}

/** The keyIdentifier inside an AKI, or an SKI's OCTET STRING content. */
function keyId(value: Uint8Array | undefined, aki: boolean): string | undefined {
  if (value === undefined) return undefined;
  if (!aki) return Buffer.from((asn1js.fromBER(value).result as asn1js.OctetString).valueBlock.valueHexView).toString('hex');
  const parsed = new pkijs.AuthorityKeyIdentifier({ schema: asn1js.fromBER(value).result });
  return parsed.keyIdentifier === undefined ? undefined : Buffer.from(parsed.keyIdentifier.valueBlock.valueHexView).toString('hex');
}

for (const keyType of ['ecdsa', 'rsa'] as const) {
  describe(`leaves from an ${keyType} CA`, () => {
    let ca: CertificateAuthority;
    let leaves: LeafCertificates;
    before(async () => {
      ca = await CertificateAuthority.open({ dir: join(root.path, keyType), keyType });
      leaves = await LeafCertificates.create(ca);
    });

    it('a DNS name: verifies against the CA, matches the name only, serverAuth, AKI = CA SKI', async () => {
      const leaf = await leaves.get('App.Test');
      const cert = new X509Certificate(leaf.pem);
      assert.equal(leaf.host, 'app.test');
      assert.ok(cert.verify(ca.certificate.publicKey), 'signed by the CA');
      assert.ok(cert.checkIssued(ca.certificate));
      assert.equal(cert.ca, false);
      assert.equal(cert.subjectAltName, 'DNS:app.test');
      assert.equal(cert.checkHost('app.test'), 'app.test');
      assert.equal(cert.checkHost('other.test'), undefined);
      assert.equal(cert.checkHost('x.app.test'), undefined, 'no wildcard');
      assert.deepEqual(cert.keyUsage, ['1.3.6.1.5.5.7.3.1'], 'extKeyUsage serverAuth');
      assert.equal(keyId(extensionValue(leaf.pem, '2.5.29.35'), true), keyId(extensionValue(ca.certPem, '2.5.29.14'), false));
      assert.equal(cert.publicKey.asymmetricKeyType, keyType === 'rsa' ? 'rsa' : 'ec');

      const leafPath = join(root.path, `${keyType}-leaf.pem`);
      writeFileSync(leafPath, leaf.pem);
      assert.match(opensslVerify(ca.certPath, leafPath), /: OK/);
    });

    it('an IP address goes in as an iPAddress SAN (IPv4 and IPv6)', async () => {
      const v4 = new X509Certificate((await leaves.get('127.0.0.1')).pem);
      assert.equal(v4.subjectAltName, 'IP Address:127.0.0.1');
      assert.equal(v4.checkIP('127.0.0.1'), '127.0.0.1');
      assert.equal(v4.checkHost('127.0.0.1'), undefined, 'not as a DNS name');
      const v6 = new X509Certificate((await leaves.get('[::1]')).pem);
      assert.equal(v6.checkIP('::1'), '::1');
      assert.ok(v6.verify(ca.certificate.publicKey));
    });

    it('a name longer than a CN allows (64) is carried by the SAN alone', async () => {
      const long = `${'a'.repeat(60)}.long.test`;
      const cert = new X509Certificate((await leaves.get(long)).pem);
      assert.equal(cert.subject, 'O=wsdiag');
      assert.equal(cert.checkHost(long), long);
      assert.ok(cert.verify(ca.certificate.publicKey));
    });

    it('valid from a day back for at most 397 days, random 16-byte serials', async () => {
      const a = await leaves.get('validity.test');
      const b = await leaves.get('validity2.test');
      const cert = new X509Certificate(a.pem);
      const from = Date.parse(cert.validFrom);
      const to = Date.parse(cert.validTo);
      assert.ok(to - from <= 397 * DAY, `${(to - from) / DAY} days`);
      assert.ok(to - from >= 396 * DAY);
      assert.ok(from <= Date.now() - 23 * 3_600_000 && from >= Date.now() - 25 * 3_600_000);
      assert.match(a.serial, /^[0-7][0-9a-f]{31}$/);
      assert.notEqual(a.serial, b.serial);
      assert.equal(cert.serialNumber.toLowerCase(), a.serial);
    });
  });
}

describe('LeafCertificates cache', () => {
  let ca: CertificateAuthority;
  before(async () => {
    ca = await CertificateAuthority.open({ dir: join(root.path, 'cache') });
  });

  it('is bounded: the least recently used host is evicted and minted again when asked for', async () => {
    const leaves = await LeafCertificates.create(ca, { maxEntries: 2 });
    const a1 = await leaves.get('a.test');
    await leaves.get('b.test');
    assert.equal(await leaves.get('a.test'), a1, 'a cache hit returns the same leaf');
    await leaves.get('c.test'); // evicts b (a was used more recently)
    assert.deepEqual(leaves.stats, { minted: 3, hits: 1, joined: 0, cached: 2 });
    assert.equal(await leaves.get('a.test'), a1);
    const b2 = await leaves.get('b.test');
    assert.equal(leaves.stats.minted, 4, 'b was evicted, so minted again');
    assert.equal(leaves.stats.cached, 2);
    assert.notEqual(b2.serial, a1.serial);
  });

  it('single-flight: 20 concurrent requests for a new host share one mint', async () => {
    const leaves = await LeafCertificates.create(ca);
    const all = await Promise.all(Array.from({ length: 20 }, (_, i) => leaves.get(i % 2 === 0 ? 'same.test' : 'SAME.test.')));
    assert.ok(all.every((leaf) => leaf === all[0]));
    assert.deepEqual(leaves.stats, { minted: 1, hits: 0, joined: 19, cached: 1 });
  });

  it('every leaf of one process shares one key pair', async () => {
    const leaves = await LeafCertificates.create(ca);
    const [x, y] = await Promise.all([leaves.get('x.test'), leaves.get('y.test')]);
    const spki = (pem: string): string => new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' }).toString('hex');
    assert.equal(spki(x.pem), spki(y.pem));
  });

  it('a name no certificate can carry is refused with InvalidServerNameError and nothing is cached', async () => {
    const leaves = await LeafCertificates.create(ca);
    await assert.rejects(leaves.get('bad name.test'), InvalidServerNameError);
    assert.deepEqual(leaves.stats, { minted: 0, hits: 0, joined: 0, cached: 0 });
  });
});
