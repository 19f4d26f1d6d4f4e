/**
 * `wsdiag proxy --json | head` must end quietly: when the reader of stdout goes away, the reporter
 * stops writing and the process exits 0 without a stack trace (pino's test/broken-pipe.test.js).
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { startNode } from '../support/cli.js';

const WRITER = fileURLToPath(new URL('../fixtures/broken-pipe-writer.js', import.meta.url));

describe('a reporter whose reader closes early', () => {
  for (const mode of ['jsonl', 'pretty']) {
    it(`${mode}: exits 0 with nothing on stderr`, async () => {
      const writer = startNode(WRITER, [mode]);
      // Read one chunk, then go away like `head -1` does.
      await writer.waitForStdout(/./s, 'the first chunk');
      writer.closeStdout();
      const { code, signal, stderr } = await writer.exited();
      assert.deepEqual({ code, signal, stderr }, { code: 0, signal: null, stderr: '' });
    });
  }
});
