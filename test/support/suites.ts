/**
 * The two test suites, told apart by file name:
 *
 * - integration tests, `*.it.test.ts`: they open sockets (a proxy, ws peers, raw misbehaving peers, an
 *   HTTP server) or start processes (the CLI, openssl, tcpdump, nginx, Chromium...);
 * - unit tests, every other `*.test.ts`: sans-IO and in-memory (files allowed), which `npm run test:unit`
 *   checks by running them with ./no-io.ts loaded.
 *
 * A file that does both is an integration test, or is split in two. test/suites.test.ts checks that every
 * file declaring tests is named so that exactly one suite runs it.
 */
import { readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

export type Suite = 'unit' | 'integration';

/** The suite of a test file (source .ts or built .js), or null for a file that is not a test file. */
export function suiteOf(file: string): Suite | null {
  if (/\.it\.test\.[jt]s$/.test(file)) return 'integration';
  if (/\.test\.[jt]s$/.test(file)) return 'unit';
  return null;
}

/** Every file under `root` whose name ends in `extension`, as paths relative to it with '/', sorted. */
export function filesUnder(root: string, extension: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(extension)) found.push(relative(root, path).split(sep).join('/'));
    }
  };
  walk(root);
  return found.sort();
}

/** The test files of a suite under `root` (built: .js), relative to it. */
export function suiteFiles(root: string, suite: Suite): string[] {
  return filesUnder(root, '.js').filter((file) => suiteOf(file) === suite);
}
