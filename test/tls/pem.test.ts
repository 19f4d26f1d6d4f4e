/**
 * The one PEM reader (src/tls/pem.ts): what a CA file and a certificate/key pair must be, and the error a
 * user gets otherwise — a ConfigError naming the option and the file, before anything listens.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import { loadCaFile, loadKeyPairFiles, readPemFile } from '../../src/tls/pem.js';
import { makeCertificate } from '../support/certs.js';
import { tempDir } from '../support/temp.js';

const dir = tempDir('pem').path;
const good = makeCertificate();
const other = makeCertificate();
after(() => {
  good.remove();
  other.remove();
});
const file = (name: string, text: string | Buffer): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const flag = (option: string): string => `--${option.replace('.', '-')}`;

/** Asserts a ConfigError about `option` whose message, as the library and as the CLI name it, matches. */
function rejects(fn: () => unknown, option: string, asLibrary: RegExp, asCli: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ConfigError, String(err));
    assert.equal(err.option, option);
    assert.equal(err.exitCode, 2);
    assert.match(err.message, asLibrary);
    assert.match(err.describe(flag), asCli);
    return true;
  });
}

describe('loadCaFile', () => {
  it('returns the file as it is: one certificate, or a bundle', () => {
    assert.deepEqual(loadCaFile(good.certPath), good.cert);
    const bundle = Buffer.concat([good.cert, other.cert]);
    assert.deepEqual(loadCaFile(file('bundle.pem', bundle)), bundle);
  });

  it('a missing file, or a directory: "cannot read" with the option and the path', () => {
    const missing = join(dir, 'missing.pem');
    rejects(
      () => loadCaFile(missing),
      'ca',
      /^cannot read ca file .*missing\.pem: no such file or directory \(ENOENT\)$/,
      /^cannot read --ca file .*missing\.pem: /,
    );
    rejects(() => loadCaFile(dir), 'ca', /^cannot read ca file .*: .*\(EISDIR\)$/, /^cannot read --ca file /);
  });

  it('a file with no certificate in it (Node would silently trust nothing): refused, naming the file', () => {
    const text = file('notes.txt', 'not a certificate\n');
    rejects(
      () => loadCaFile(text),
      'ca',
      /^ca: not a usable PEM certificate \(.*notes\.txt holds no "-----BEGIN CERTIFICATE-----" block\)$/,
      /^--ca: not a usable PEM/,
    );
    rejects(() => loadCaFile(good.keyPath), 'ca', /^ca: not a usable PEM certificate/, /^--ca: /);
  });

  it('a damaged certificate (which Node would skip without a word): refused, saying which one', () => {
    const body = good.cert.toString();
    const damaged = file('damaged.pem', body.replace(/\n[A-Za-z0-9+/]{8}/, '\nAAAAAAAA'));
    rejects(
      () => loadCaFile(damaged),
      'ca',
      /^ca: not a usable PEM certificate \(.*damaged\.pem: .+\)$/,
      /^--ca: not a usable PEM certificate/,
    );
    const truncated = `${body.slice(0, body.length - 80)}\n-----END CERTIFICATE-----\n`;
    const bundle = file('bundle2.pem', Buffer.concat([good.cert, Buffer.from(truncated)]));
    rejects(() => loadCaFile(bundle), 'ca', /\(certificate 2 of .*bundle2\.pem: .+\)$/, /^--ca: /);
  });

  it('names the option it is given (a CA for another option)', () => {
    rejects(
      () => loadCaFile(join(dir, 'nope.pem'), 'upstreamCa'),
      'upstreamCa',
      /^cannot read upstreamCa file/,
      /^cannot read --upstreamCa file/,
    );
  });
});

describe('loadKeyPairFiles', () => {
  it('returns a certificate and its key', () => {
    assert.deepEqual(loadKeyPairFiles(good.certPath, good.keyPath), { cert: good.cert, key: good.key });
  });

  it('an unreadable certificate or key names that one (tls.cert, tls.key)', () => {
    const missing = join(dir, 'missing.pem');
    rejects(() => loadKeyPairFiles(missing, good.keyPath), 'tls.cert', /^cannot read tls\.cert file /, /^cannot read --tls-cert file /);
    rejects(() => loadKeyPairFiles(good.certPath, missing), 'tls.key', /^cannot read tls\.key file /, /^cannot read --tls-key file /);
  });

  it('a key of another certificate, or files that are not PEM: a ConfigError about the pair (tls)', () => {
    rejects(() => loadKeyPairFiles(good.certPath, other.keyPath), 'tls', /^tls: not a usable PEM certificate or key \(.+\)$/, /^--tls: /);
    const junk = file('junk.pem', 'junk\n');
    rejects(() => loadKeyPairFiles(junk, junk), 'tls', /^tls: not a usable PEM certificate or key/, /^--tls: /);
  });
});

it('readPemFile reads without judging (the callers check what they need)', () => {
  assert.deepEqual(readPemFile('ca', good.keyPath), good.key);
});
