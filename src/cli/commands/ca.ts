/**
 * `wsdiag ca`: where wsdiag's local CA is (creating it on first use), its fingerprint and SPKI hash, and
 * how to trust it in each kind of client; `--pem` prints the certificate alone. Never prints the key.
 * Flags → options → CertificateAuthority.open → what it says (src/tls/trust.ts) → exit 0.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { CertificateAuthority, describeCa, trustInstructions, type CaKeyType, type OpenCaOptions } from '../../tls/index.js';
import { action } from '../run.js';
import { addFlags, optionFlags, type Flag } from '../flags.js';

interface CaFlags {
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

const CA_FLAGS: Array<Flag<OpenCaOptions>> = [
  { flags: '--ca-dir <dir>', help: 'the CA directory, created with mode 0700 if missing (default: ~/.wsdiag)', sets: ['dir'] },
  { flags: '--pem', help: 'print only the CA certificate, PEM (never the key)' },
  {
    flags: '--key-type <type>',
    help: 'key of a CA created now: ecdsa (P-256) or rsa (2048); an existing CA keeps its own',
    choices: ['ecdsa', 'rsa'],
    sets: ['keyType'],
  },
];

export function registerCa(program: Command): void {
  const command = program
    .command('ca')
    .description('the local CA that TLS interception uses: where it is, its fingerprint, how to trust it');
  addFlags(command, CA_FLAGS)
    .addHelpText('after', EXAMPLES)
    .action(action((flags: CaFlags) => runCa(flags, command)));
}

async function runCa(flags: CaFlags, command: Command): Promise<number> {
  const ca = await CertificateAuthority.open({
    ...(flags.caDir !== undefined ? { dir: expandHome(flags.caDir) } : {}),
    ...(flags.keyType !== undefined ? { keyType: flags.keyType } : {}),
  });
  // A reader that goes away early (`| head`) is not an error worth a stack trace.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
  if (flags.pem === true) {
    process.stdout.write(ca.certPem);
    return 0;
  }
  const wanted = flags.keyType === 'rsa' ? 'RSA' : flags.keyType === 'ecdsa' ? 'ECDSA' : null;
  if (!ca.created && wanted !== null && !ca.keyLabel.startsWith(wanted)) {
    const keyType = optionFlags(command).name('keyType');
    process.stderr.write(
      `wsdiag: note: the CA in ${ca.dir} already exists with an ${ca.keyLabel} key; ${keyType} applies only when a CA is created\n`,
    );
  }
  process.stdout.write(`${describeCa(ca)}\n${trustInstructions(ca)}`);
  return 0;
}

/** `~` and `~/…` as the shell would have expanded them, for a path given quoted or from a config file. */
function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : path;
}
