/**
 * PEM files given as options (a CA to trust upstream, a certificate and key to serve TLS with): read and
 * checked before anything listens, so a wrong path or a file that is not PEM is one clear ConfigError
 * naming the option and the file, instead of a TLS failure on the first connection.
 */
import { readFileSync } from 'node:fs';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import { ConfigError } from '../errors.js';
import { describeFsError } from '../reporters/jsonl.js';

/** Reads the PEM file of option `option` (unchecked). */
export function readPemFile(option: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new ConfigError(option, (n) => `cannot read ${n(option)} file ${path}: ${describeFsError(err)}`, { cause: err });
  }
}

/** A CA certificate (or a bundle) to trust: option `option` (`ca`). */
export function loadCaFile(path: string, option = 'ca'): Buffer {
  const ca = readPemFile(option, path);
  usableBy(option, 'certificate', { ca });
  return ca;
}

/**
 * A certificate and its private key to serve TLS with: options `tls.cert` and `tls.key`; a pair that does
 * not go together (or is not PEM) is a ConfigError about `tls`.
 */
export function loadKeyPairFiles(certPath: string, keyPath: string): { cert: Buffer; key: Buffer } {
  const cert = readPemFile('tls.cert', certPath);
  const key = readPemFile('tls.key', keyPath);
  usableBy('tls', 'certificate or key', { cert, key });
  return { cert, key };
}

/** Node's TLS layer is the judge of PEM material; its complaint becomes a ConfigError about the option. */
function usableBy(option: string, what: string, material: SecureContextOptions): void {
  try {
    createSecureContext(material);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new ConfigError(option, (n) => `${n(option)}: not a usable PEM ${what} (${reason})`, { cause: err });
  }
}
