/**
 * `wsdiag proxy --json | head` must end quietly: when the reader of stdout goes away, the reporter
 * stops writing and the process exits 0 without a stack trace (pino's test/broken-pipe.test.js).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

const WRITER = fileURLToPath(new URL('../fixtures/broken-pipe-writer.js', import.meta.url));

function runWithEarlyClosedStdout(mode: string): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRITER, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    // Read one chunk, then go away like `head -1` does.
    child.stdout.once('data', () => child.stdout.destroy());
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('the writer did not exit within 10 s of its reader going away'));
    }, 10_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr });
    });
  });
}

describe('a reporter whose reader closes early', () => {
  for (const mode of ['jsonl', 'pretty']) {
    it(`${mode}: exits 0 with nothing on stderr`, async () => {
      const result = await runWithEarlyClosedStdout(mode);
      assert.deepEqual(result, { code: 0, signal: null, stderr: '' });
    });
  }
});
