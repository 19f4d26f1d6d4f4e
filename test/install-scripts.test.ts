/**
 * A clean `npm install` prints nothing alarming: npm 11 warns about every dependency whose install script
 * package.json's `allowScripts` does not cover (and npm 12 skips such scripts). Every locked package with an
 * install script must be reviewed there, approved or denied, so a new one (or a new version under a pinned
 * approval) fails here instead of surprising the next person who clones the project.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';

const ROOT = new URL('../../', import.meta.url);
const readJson = (name: string): unknown => JSON.parse(readFileSync(new URL(name, ROOT), 'utf8'));

interface LockedPackage {
  version?: string;
  hasInstallScript?: boolean;
}

it('every locked dependency with an install script is covered by allowScripts in package.json', () => {
  const manifest = readJson('package.json') as { allowScripts?: Record<string, boolean> };
  const lock = readJson('package-lock.json') as { packages: Record<string, LockedPackage> };
  const allowed = manifest.allowScripts ?? {};
  const withScripts = Object.entries(lock.packages).filter(([path, pkg]) => path !== '' && pkg.hasInstallScript === true);
  assert.ok(withScripts.length > 0, 'bufferutil has an install script: the lockfile must say so');
  for (const [path, pkg] of withScripts) {
    const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    const keys = [name, `${name}@${pkg.version}`];
    assert.ok(
      keys.some((key) => typeof allowed[key] === 'boolean'),
      `${name}@${pkg.version} has an install script that allowScripts does not cover`,
    );
  }
  assert.equal(allowed['bufferutil'], true, "bufferutil's script builds it where no prebuilt binary fits: approved, not denied");
});
