/**
 * Real TLS on 127.0.0.1: a tls.createServer whose SNICallback is LeafCertificates', and verifying
 * clients that trust only the CA. A DNS name (SNI) and an IP (no SNI) verify; a client trusting another
 * CA refuses; 50 new hosts at once all verify with one mint each; a server name that cannot be minted
 * fails that handshake only.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CertificateAuthority, LeafCertificates } from '../../src/tls/index.js';
import { waitForEvent } from '../support/wait.js';
import { tempDir } from '../support/temp.js';
import { startLeafServer, tlsRequest, type LeafServer } from './helpers.js';

const root = tempDir('handshake');
let ca: CertificateAuthority;
let otherCa: CertificateAuthority;
let leaves: LeafCertificates;
let server: LeafServer;

before(async () => {
  [ca, otherCa] = await Promise.all([
    CertificateAuthority.open({ dir: `${root.path}/ca` }),
    CertificateAuthority.open({ dir: `${root.path}/other` }),
  ]);
  leaves = await LeafCertificates.create(ca);
  server = await startLeafServer(leaves, (await leaves.get('127.0.0.1')).secureContext);
});
after(async () => {
  await server.close();
});

describe('TLS with minted leaves', () => {
  it('a client sending SNI app.test verifies the chain and the name', async () => {
    const r = await tlsRequest({ port: server.port, ca: ca.certPem, servername: 'app.test' });
    assert.equal(r.authorized, true);
    assert.equal(r.reply, 'hello app.test');
    assert.equal(r.peer.subjectaltname, 'DNS:app.test');
    assert.equal(r.peer.issuerCertificate.fingerprint256, ca.fingerprint256, 'the CA is in the chain sent');
  });

  it('a client dialling 127.0.0.1 (no SNI) verifies the IP SAN', async () => {
    const r = await tlsRequest({ port: server.port, ca: ca.certPem });
    assert.equal(r.authorized, true);
    assert.equal(r.reply, 'hello -');
    assert.equal(r.peer.subjectaltname, 'IP Address:127.0.0.1');
  });

  it('a client trusting a different CA rejects the leaf', async () => {
    await assert.rejects(tlsRequest({ port: server.port, ca: otherCa.certPem, servername: 'app.test' }), (err: NodeJS.ErrnoException) => {
      assert.match(err.code ?? '', /^(SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)$/);
      return true;
    });
  });

  it('a client asking for another name than the leaf carries is refused by name checking', async () => {
    // The server answers SNI "a.test" with a.test's leaf; the client connects to 127.0.0.1 expecting b.test.
    const { connect } = await import('node:tls');
    const err = await new Promise<Error>((resolve) => {
      const socket = connect({
        host: '127.0.0.1',
        port: server.port,
        ca: ca.certPem,
        servername: 'a.test',
        checkServerIdentity: (_host, cert) =>
          cert.subjectaltname === 'DNS:b.test' ? undefined : new Error(`leaf names ${cert.subjectaltname}, not b.test`),
      });
      socket.on('error', resolve);
      socket.on('secureConnect', () => resolve(new Error('unexpectedly accepted')));
    });
    assert.match(err.message, /leaf names DNS:a\.test, not b\.test/);
  });

  it('50 new hosts at once: every handshake verifies, each host minted once', async () => {
    const before = leaves.stats.minted;
    const names = Array.from({ length: 50 }, (_, i) => `burst-${i}.app.test`);
    const results = await Promise.all(names.map((servername) => tlsRequest({ port: server.port, ca: ca.certPem, servername })));
    assert.deepEqual(
      results.map((r) => r.reply),
      names.map((n) => `hello ${n}`),
    );
    assert.ok(results.every((r) => r.authorized));
    assert.equal(leaves.stats.minted - before, 50);
  });

  it('a server name that cannot be minted fails that handshake only; the server goes on', async () => {
    const serverError = waitForEvent(server.server, 'tlsClientError', 'the server-side handshake error', 20_000);
    await assert.rejects(tlsRequest({ port: server.port, ca: ca.certPem, servername: 'bad name.test' }));
    const [err] = await serverError;
    assert.match(err instanceof Error ? err.message : '', /not a host name a certificate can be made for/);
    const r = await tlsRequest({ port: server.port, ca: ca.certPem, servername: 'after.test' });
    assert.equal(r.authorized, true);
  });
});
