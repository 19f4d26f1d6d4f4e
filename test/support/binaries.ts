/**
 * The real programs some integration tests lean on (nginx, HAProxy, tinyproxy, tcpdump, tshark, openssl,
 * Chromium): where they are, or why a test that needs one is skipped.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** The absolute path of an installed program, or null (looked up on PATH and in the sbin directories). */
export function findBinary(name: string): string | null {
  const path = `${process.env['PATH'] ?? ''}:/usr/sbin:/usr/local/sbin:/sbin`;
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`], { env: { ...process.env, PATH: path }, encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

/** A test's `skip` option: false when the program is installed, else why not and how to install it. */
export function skipWithout(name: string, apt = name): string | false {
  return findBinary(name) === null ? `${name} is not installed (apt-get install ${apt})` : false;
}

/** Where Chromium is (WSDIAG_CHROMIUM, or Debian's), or why the browser tests are skipped. */
export function chromiumPath(): { path: string } | { skip: string } {
  const candidates = [process.env['WSDIAG_CHROMIUM'], '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((p): p is string => !!p);
  const found = candidates.find((p) => existsSync(p));
  return found ? { path: found } : { skip: `no Chromium at ${candidates.join(' or ')} (apt-get install chromium; .ci/run installs it)` };
}
