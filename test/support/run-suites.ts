/**
 * `node dist/test/support/run-suites.js unit|integration|all [node --test flags...]`: runs a suite of the
 * built tests with node's test runner, two files at a time (see ./suites.ts for which file is in which
 * suite). The unit suite runs with ./no-io.ts loaded, so a unit test that opens a socket or starts a process
 * fails. `all` runs the unit suite, then the integration suite, and fails if either failed. Extra flags go to
 * `node --test` (e.g. --test-name-pattern, --test-reporter=spec).
 *
 * Run without a suite, as node's test runner does when given the whole dist/test/ directory, it does nothing.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { suiteFiles, type Suite } from './suites.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const NO_IO = fileURLToPath(new URL('./no-io.js', import.meta.url));

function run(suite: Suite, flags: readonly string[]): Promise<number> {
  const files = suiteFiles(ROOT, suite).map((file) => `${ROOT}${file}`);
  const args = ['--test', '--test-concurrency=2', ...(suite === 'unit' ? ['--import', NO_IO] : []), ...flags, ...files];
  process.stderr.write(`wsdiag tests: the ${suite} suite, ${files.length} files\n`);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: 'inherit' });
    child.on('close', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

const [which, ...flags] = process.argv.slice(2);
if (which === 'unit' || which === 'integration') {
  process.exitCode = await run(which, flags);
} else if (which === 'all') {
  const unit = await run('unit', flags);
  const integration = await run('integration', flags);
  process.exitCode = unit !== 0 ? unit : integration;
} else if (which !== undefined || process.env['NODE_TEST_CONTEXT'] === undefined) {
  process.stderr.write('usage: node dist/test/support/run-suites.js unit|integration|all [node --test flags...]\n');
  process.exitCode = 2;
}
