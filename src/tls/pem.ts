/**
 * PEM files given as options (a CA to trust upstream, a certificate and key to serve TLS with): read and
 * checked before anything listens, so a wrong path or a file that is not PEM is one clear ConfigError
 * naming the option and the file, instead of a TLS failure on the first connection.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { ConfigError } from '../errors.js';
import { describeFsError } from '../reporters/index.js';

/** Reads the PEM file of option `option` (unchecked). */
export function readPemFile(option: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new ConfigError(option, (n) => `cannot read ${n(option)} file ${path}: ${describeFsError(err)}`, { cause: err });
  }
}

/**
 * A CA certificate (or a bundle) to trust: option `option` (`ca`). Node's TLS layer skips what it cannot
 * parse in `ca` without a word (a file with no certificate, or a damaged one, would silently trust
 * nothing), so each certificate is parsed here.
 */
export function loadCaFile(path: string, option = 'ca'): Buffer {
  const ca = readPemFile(option, path);
  const blocks = ca.toString('latin1').match(PEM_CERTIFICATE) ?? [];
  const refuse = (why: string) => new ConfigError(option, (n) => `${n(option)}: not a usable PEM certificate (${why})`);
  if (blocks.length === 0) throw refuse(`${path} holds no "-----BEGIN CERTIFICATE-----" block`);
  blocks.forEach((block, i) => {
    try {
      new X509Certificate(block);
    } catch (err) {
      const which = blocks.length === 1 ? path : `certificate ${i + 1} of ${path}`;
      throw refuse(`${which}: ${err instanceof Error ? err.message : String(err)}`);
    }
  });
  return ca;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[^-]*-----END CERTIFICATE-----/g;

/**
 * A certificate and its private key to serve TLS with: options `tls.cert` and `tls.key`. Node's TLS layer
 * is the judge of the pair; its complaint (not PEM, a key of another certificate) is a ConfigError about
 * `tls`.
 */
export function loadKeyPairFiles(certPath: string, keyPath: string): { cert: Buffer; key: Buffer } {
  const cert = readPemFile('tls.cert', certPath);
  const key = readPemFile('tls.key', keyPath);
  try {
    createSecureContext({ cert, key });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new ConfigError('tls', (n) => `${n('tls')}: not a usable PEM certificate or key (${reason})`, { cause: err });
  }
  return { cert, key };
}
