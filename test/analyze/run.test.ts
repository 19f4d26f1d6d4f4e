/**
 * runAnalyze as a library call, in memory: an input that fails part way still gets what was found before
 * it written, then one usage error.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { runAnalyze } from '../../src/analyze/index.js';
import { UsageError } from '../../src/errors.js';
import { analyzeBytes } from '../../src/session/index.js';
import { clientFixture } from '../fixtures/many-events.js';
import { CaptureStream } from '../support/capture-stream.js';

describe('runAnalyze', () => {
  it('when the input fails part way, what was found before is written first, then one usage error', async () => {
    const bytes = clientFixture();
    const before = bytes.subarray(0, 200_000);
    // Everything but the frame cut short at the end: a run that fails never reaches the end of its input.
    const found = analyzeBytes(before, { from: 'client' }).events.filter(
      (e) => e.type === 'violation' && e.rule !== 'truncated-frame',
    ).length;
    assert.ok(found > 20, `the first part has many violations (${found})`);
    for (const json of [true, false]) {
      const stdin = new Readable({ read() {} });
      // Pieces of odd sizes, then a read error, as a disk or a socket would fail.
      for (let at = 0; at < before.length; at += 9_999) stdin.push(before.subarray(at, at + 9_999));
      setImmediate(() => stdin.destroy(Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' })));
      const stdout = new CaptureStream();
      await assert.rejects(
        runAnalyze({ file: '-', from: 'client', json, color: false }, { stdin, stdout }),
        (err: unknown) => err instanceof UsageError && /^cannot read stdin: i\/o error, read \(EIO\)$/.test(err.message),
      );
      const violations = json
        ? stdout.text.split('\n').filter((l) => l.includes('"type":"violation"')).length
        : stdout.text.split('\n').filter((l) => / ✖ \d{4} | ⚠ \d{4} /.test(l)).length;
      assert.equal(violations, found, `${json ? 'JSON Lines' : 'human log'}: every violation found before the error was written`);
    }
  });
});
