/**
 * The library examples in examples/ keep working: each runs to completion and exits 0.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

describe('examples', () => {
  for (const name of ['validate-in-tests', 'embed-proxy', 'chaos-resilience']) {
    it(`${name} runs and exits 0`, async () => {
      const script = fileURLToPath(new URL(`../examples/${name}.js`, import.meta.url));
      const { stdout } = await run(process.execPath, [script], { timeout: 20_000 });
      assert.ok(stdout.length > 0);
    });
  }
});
