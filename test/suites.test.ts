/**
 * No test is left out of both suites: every file that declares tests is named *.test.ts, so that exactly
 * one of `npm run test:unit` and `npm run test:integration` runs it (test/support/suites.ts), and the two
 * suites together are every built test file.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { filesUnder, suiteFiles, suiteOf } from './support/suites.js';

const SOURCE = fileURLToPath(new URL('../../test/', import.meta.url));
const BUILT = fileURLToPath(new URL('./', import.meta.url));

/** Declares tests: imports it, test, describe or suite from node:test. */
function declaresTests(text: string): boolean {
  return [...text.matchAll(/import\s*\{([^}]*)\}\s*from\s*'node:test'/g)].some((m) =>
    m[1]!.split(',').some((name) => ['it', 'test', 'describe', 'suite'].includes(name.trim().split(/\s+as\s+/)[0]!)),
  );
}

describe('the unit and integration suites', () => {
  const sources = filesUnder(SOURCE, '.ts');

  it('tells the suites apart by name', () => {
    assert.equal(suiteOf('proxy/cli.it.test.ts'), 'integration');
    assert.equal(suiteOf('proxy/cli.it.test.js'), 'integration');
    assert.equal(suiteOf('protocol/utf8.test.ts'), 'unit');
    assert.equal(suiteOf('support/decode.ts'), null);
    assert.equal(suiteOf('fixtures/decoder-streams.ts'), null);
  });

  it('every file that declares tests is a test file of one suite', () => {
    const misnamed = sources.filter((file) => suiteOf(file) === null && declaresTests(readFileSync(`${SOURCE}${file}`, 'utf8')));
    assert.deepEqual(misnamed, [], 'name them *.test.ts (unit) or *.it.test.ts (integration)');
    const silent = sources.filter((file) => suiteOf(file) !== null && !declaresTests(readFileSync(`${SOURCE}${file}`, 'utf8')));
    assert.deepEqual(silent, [], 'test files that declare no test');
  });

  it('the two suites together run every built test file, each once', () => {
    const unit = suiteFiles(BUILT, 'unit');
    const integration = suiteFiles(BUILT, 'integration');
    assert.deepEqual(
      unit.filter((file) => integration.includes(file)),
      [],
    );
    const expected = sources.filter((file) => suiteOf(file) !== null).map((file) => file.replace(/\.ts$/, '.js'));
    assert.deepEqual([...unit, ...integration].sort(), expected);
    assert.ok(unit.length > 0 && integration.length > 0);
  });
});
