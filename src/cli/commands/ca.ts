/**
 * `wsdiag ca`: where wsdiag's local CA is (creating it on first use), its fingerprint and SPKI hash, and
 * how to trust it in each kind of client; `--pem` prints the certificate alone. Never prints the key.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { CertificateAuthority, trustInstructions, type CaKeyType } from '../../tls/index.js';
import { action } from '../run.js';

interface CaOptions {
  caDir?: string;
  pem?: boolean;
  keyType?: CaKeyType;
}

const EXAMPLES = `
Examples:
  $ wsdiag ca                              where the CA is, its fingerprints, how to trust it
  $ wsdiag ca --pem > wsdiag-ca.pem        the certificate alone (public), e.g. to copy to another machine
  $ wsdiag ca --ca-dir ./ca --key-type rsa a CA of its own for a project, RSA 2048 for old clients
`;

export function registerCa(program: Command): void {
  program
    .command('ca')
    .description('the local CA that TLS interception uses: where it is, its fingerprint, how to trust it')
    .option('--ca-dir <dir>', 'the CA directory, created with mode 0700 if missing (default: ~/.wsdiag)')
    .option('--pem', 'print only the CA certificate, PEM (never the key)')
    .addOption(
      new Option('--key-type <type>', 'key of a CA created now: ecdsa (P-256) or rsa (2048); an existing CA keeps its own')
        .choices(['ecdsa', 'rsa']),
    )
    .addHelpText('after', EXAMPLES)
    .action(action((options: CaOptions) => runCa(options)));
}

async function runCa(options: CaOptions): Promise<number> {
  const ca = await CertificateAuthority.open({
    ...(options.caDir !== undefined ? { dir: expandHome(options.caDir) } : {}),
    ...(options.keyType !== undefined ? { keyType: options.keyType } : {}),
  });
  // A reader that goes away early (`| head`) is not an error worth a stack trace.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
  if (options.pem === true) {
    process.stdout.write(ca.certPem);
    return 0;
  }
  const wanted = options.keyType === 'rsa' ? 'RSA' : options.keyType === 'ecdsa' ? 'ECDSA' : null;
  if (!ca.created && wanted !== null && !ca.keyLabel.startsWith(wanted)) {
    process.stderr.write(`wsdiag: note: the CA in ${ca.dir} already exists with an ${ca.keyLabel} key; --key-type applies only when a CA is created\n`);
  }
  process.stdout.write(`${describeCa(ca)}\n${trustInstructions(ca)}`);
  return 0;
}

/** `~` and `~/…` as the shell would have expanded them, for a path given quoted or from a config file. */
function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : path;
}

function describeCa(ca: CertificateAuthority): string {
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
