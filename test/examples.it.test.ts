/**
 * The library examples in examples/ keep working: each runs to completion and exits 0.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runNode } from './support/cli.js';

describe('examples', () => {
  for (const name of ['validate-in-tests', 'embed-proxy', 'chaos-resilience']) {
    it(`${name} runs and exits 0`, async () => {
      const script = fileURLToPath(new URL(`../examples/${name}.js`, import.meta.url));
      const run = await runNode(script, []);
      assert.equal(run.code, 0, run.stderr);
      assert.ok(run.stdout.length > 0);
    });
  }
});
