/**
 * Child program for ca.it.test.ts: opens the CA in the directory given as its argument once released (a
 * line on stdin), so that two processes race on the same first use; prints the result as JSON. Does
 * nothing without an argument, because the test runner also loads every file under test/ as a test file.
 */
import { once } from 'node:events';
import { CertificateAuthority } from '../../src/tls/index.js';

const dir = process.argv[2];
if (dir !== undefined) {
  process.stdout.write('ready\n');
  process.stdin.resume();
  await once(process.stdin, 'data');
  const ca = await CertificateAuthority.open({ dir });
  process.stdout.write(`${JSON.stringify({ fingerprint: ca.fingerprint256, created: ca.created })}\n`);
  process.stdin.pause();
}
