/**
 * Throwaway directories for files the tests write (logs, reports, configs, CA stores).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';

export interface TempDir {
  path: string;
  /** A path inside the directory that no other call returned: `<n>-<name>`. */
  file(name: string): string;
  remove(): void;
}

/**
 * A fresh directory under the system's temporary directory, removed after the last test of the file (or
 * of the describe block it is made in): call it at the top level of either. KEEP=1 keeps it, to look at.
 */
export function tempDir(prefix: string): TempDir {
  const path = mkdtempSync(join(tmpdir(), `wsdiag-${prefix}-`));
  let count = 0;
  const dir: TempDir = {
    path,
    file: (name) => join(path, `${++count}-${name}`),
    remove: () => rmSync(path, { recursive: true, force: true }),
  };
  after(() => {
    if (!process.env['KEEP']) dir.remove();
  });
  return dir;
}
