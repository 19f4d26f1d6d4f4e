/**
 * `wsdiag ca` as a user runs it: creates the CA on first use (in $HOME/.wsdiag or --ca-dir), prints
 * where it is, its fingerprint and SPKI hash and how to trust it, `--pem` prints the certificate alone,
 * the key is never printed, and bad usage or a broken CA exits 2 with one line on stderr.
 */
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/temp.js';

const root = tempDir('ca-cli');

function assertNoKey(output: string): void {
  assert.doesNotMatch(output, /PRIVATE KEY/);
}

describe('wsdiag ca', () => {
  it('first run creates the CA in $HOME/.wsdiag and prints paths, fingerprint, SPKI hash and trust steps', async () => {
    const home = join(root.path, 'home');
    mkdirSync(home);
    const r = await runCli(['ca'], { env: { HOME: home } });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const dir = join(home, '.wsdiag');
    const certPath = join(dir, 'ca-cert.pem');
    const cert = new X509Certificate(readFileSync(certPath));
    const spki = createHash('sha256')
      .update(cert.publicKey.export({ type: 'spki', format: 'der' }))
      .digest('base64');
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.equal(statSync(join(dir, 'ca-key.pem')).mode & 0o777, 0o600);

    assert.match(r.stdout, new RegExp(`^wsdiag CA created in ${dir}\n`));
    assert.ok(r.stdout.includes(`  certificate   ${certPath}`));
    assert.ok(r.stdout.includes(`  private key   ${join(dir, 'ca-key.pem')}`));
    assert.ok(r.stdout.includes(`  SHA-256       ${cert.fingerprint256}\n`));
    assert.ok(r.stdout.includes(`  SPKI SHA-256  ${spki}`));
    assert.match(r.stdout, /  key           ECDSA P-256\n/);
    assert.match(r.stdout, /  subject       O=wsdiag, OU=key [0-9a-f]{8}, CN=wsdiag local CA \(.+, \d{4}-\d\d-\d\d\)\n/);
    // One section per kind of client, with this CA's own paths filled in.
    for (const needle of [
      `certutil -d sql:$HOME/.pki/nssdb -A -t "C,," -n "wsdiag local CA" -i ${certPath}`,
      `--ignore-certificate-errors-spki-list=${spki}`,
      'Firefox',
      `NODE_EXTRA_CA_CERTS=${certPath}`,
      'SSL_CERT_FILE=',
      'REQUESTS_CA_BUNDLE=',
      'python3 -m certifi',
      `curl --cacert ${certPath}`,
      `sudo cp ${certPath} /usr/local/share/ca-certificates/wsdiag.crt && sudo update-ca-certificates`,
      `security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain ${certPath}`,
      `certutil -addstore -f Root ${certPath}`,
    ]) {
      assert.ok(r.stdout.includes(needle), `missing: ${needle}`);
    }
    assertNoKey(r.stdout);

    const again = await runCli(['ca'], { env: { HOME: home } });
    assert.equal(again.code, 0);
    assert.match(again.stdout, new RegExp(`^wsdiag CA in ${dir}\n`), 'loaded, not created, the second time');
    assert.ok(again.stdout.includes(cert.fingerprint256));
  });

  it('--pem prints exactly the certificate, and --ca-dir chooses the directory (~ expanded)', async () => {
    const home = join(root.path, 'home-pem');
    mkdirSync(home);
    const r = await runCli(['ca', '--pem', '--ca-dir', '~/project-ca'], { env: { HOME: home } });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, readFileSync(join(home, 'project-ca', 'ca-cert.pem'), 'utf8'));
    assert.match(r.stdout, /^-----BEGIN CERTIFICATE-----\n[\s\S]+\n-----END CERTIFICATE-----\n$/);
    assertNoKey(r.stdout);
  });

  it('--key-type rsa creates an RSA 2048 CA; on an existing CA it only notes that it applies to new ones', async () => {
    const dir = join(root.path, 'rsa');
    const r = await runCli(['ca', '--ca-dir', dir, '--key-type', 'rsa']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /  key           RSA 2048\n/);
    const ecdsa = join(root.path, 'ecdsa');
    assert.equal((await runCli(['ca', '--ca-dir', ecdsa])).code, 0);
    const note = await runCli(['ca', '--ca-dir', ecdsa, '--key-type', 'rsa']);
    assert.equal(note.code, 0);
    assert.match(note.stdout, /  key           ECDSA P-256\n/);
    assert.match(
      note.stderr,
      /^wsdiag: note: the CA in .* already exists with an ECDSA P-256 key; --key-type applies only when a CA is created\n$/,
    );
  });

  it('bad usage exits 2 with a message on stderr', async () => {
    for (const args of [
      ['ca', 'extra'],
      ['ca', '--key-type', 'dsa'],
      ['ca', '--no-such-flag'],
      ['ca', '--ca-dir'],
    ]) {
      const r = await runCli(args, { env: { HOME: join(root.path, 'unused') } });
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /^error: /, args.join(' '));
      assert.equal(r.stdout, '');
    }
  });

  it('a corrupt CA exits 2 with one line naming the file and the fix, no stack trace', async () => {
    const dir = join(root.path, 'corrupt');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'ca-key.pem'),
      '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n',
    );
    const r = await runCli(['ca', '--ca-dir', dir]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.equal(
      r.stderr,
      `wsdiag: ${join(dir, 'ca-key.pem')}: the private key is damaged: remove ${join(dir, 'ca-key.pem')} to make a new CA (then trust the new one), or restore the file\n`,
    );
  });

  it('an unusable --ca-dir exits 2', async () => {
    const file = join(root.path, 'a-file');
    writeFileSync(file, '');
    const r = await runCli(['ca', '--ca-dir', file]);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, `wsdiag: the CA directory ${file} is not a directory\n`);
  });
});
