/**
 * How to make each kind of client trust wsdiag's CA, with the CA's own paths and hash filled in, so the
 * commands can be pasted as they are. Printed by `wsdiag ca`.
 */
import { join } from 'node:path';
import type { CertificateAuthority } from './ca.js';
import { CA_KEY_FILE } from './store.js';

export interface TrustTarget {
  readonly dir: string;
  readonly certPath: string;
  readonly spkiSha256: string;
}

/** Quotes a path for a POSIX shell when it needs it. */
function sh(path: string): string {
  return /^[\w./:@%+=,-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}

/** The instructions, as lines of plain text (no colour, no trailing spaces). */
export function trustInstructions(ca: TrustTarget): string {
  const cert = sh(ca.certPath);
  const bundle = sh(join(ca.dir, 'python-bundle.pem'));
  const nick = '"wsdiag local CA"';
  return [
    'Trust it only on machines you control: whoever holds the private key can impersonate any site to them.',
    '',
    'Chrome / Chromium',
    '  Linux, every run (the NSS database; certutil is in libnss3-tools):',
    `    certutil -d sql:$HOME/.pki/nssdb -A -t "C,," -n ${nick} -i ${cert}`,
    '  One run, nothing installed (Chromium honours the flag only with --user-data-dir):',
    `    chromium --user-data-dir="$(mktemp -d)" --ignore-certificate-errors-spki-list=${ca.spkiSha256}`,
    '  macOS and Windows: Chrome uses the OS store (below).',
    'Firefox (its own store)',
    `  Settings > Privacy & Security > Certificates > View Certificates > Authorities > Import: ${cert},`,
    '  tick "Trust this CA to identify websites". Or, for one profile directory:',
    `    certutil -d sql:PROFILE_DIR -A -t "C,," -n ${nick} -i ${cert}`,
    'Node.js (added to the built-in CAs; read when node starts)',
    `    NODE_EXTRA_CA_CERTS=${cert} node app.js`,
    'Python (these variables replace the default CAs, so give them a bundle with both)',
    `    cat "$(python3 -m certifi)" ${cert} > ${bundle}`,
    `    SSL_CERT_FILE=${bundle} REQUESTS_CA_BUNDLE=${bundle} python3 app.py`,
    '  SSL_CERT_FILE: ssl, websockets, aiohttp, httpx; REQUESTS_CA_BUNDLE: requests (certifi otherwise).',
    'curl',
    `    curl --cacert ${cert} https://HOST/        (or CURL_CA_BUNDLE=${cert})`,
    'OS store (every program that uses it)',
    `  Debian/Ubuntu: sudo cp ${cert} /usr/local/share/ca-certificates/wsdiag.crt && sudo update-ca-certificates`,
    `  macOS:         sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain ${cert}`,
    `  Windows:       certutil -addstore -f Root ${cert}   (as administrator; -user -addstore Root: for you only)`,
    '',
    `To stop trusting it, remove it the same way. Deleting ${sh(join(ca.dir, CA_KEY_FILE))} makes a new CA on the next run.`,
    '',
  ].join('\n');
}

/** What `wsdiag ca` says about the CA: where it is, what it is, its fingerprints (never the key itself). */
export function describeCa(ca: CertificateAuthority): string {
  const day = (d: Date): string => d.toISOString().slice(0, 10);
  const rows: Array<[string, string]> = [
    ['certificate', `${ca.certPath}   (public: the file to trust)`],
    ['private key', `${ca.keyPath}   (secret, mode 0600: never copy it off this machine)`],
    // Node escapes the comma inside the CN ("(host\\, date)"); people read it better plain.
    ['subject', ca.subject.replace(/\\,/g, ',')],
    ['key', ca.keyLabel],
    ['valid', `${day(ca.validFrom)} to ${day(ca.validTo)}`],
    ['SHA-256', ca.fingerprint256],
    ['SPKI SHA-256', `${ca.spkiSha256}   (for --ignore-certificate-errors-spki-list)`],
  ];
  const head = ca.created ? `wsdiag CA created in ${ca.dir}` : `wsdiag CA in ${ca.dir}`;
  return `${head}\n${rows.map(([k, v]) => `  ${k.padEnd(14)}${v}`).join('\n')}\n`;
}
