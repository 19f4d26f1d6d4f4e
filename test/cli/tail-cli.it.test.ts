/**
 * `wsdiag tail` as a user runs it: exit codes, one-line usage errors, filters, -f through appends, a
 * truncation and a replacement until a signal, and a reader that goes away.
 */
import assert from 'node:assert/strict';
import { appendFileSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import * as sample from '../fixtures/sample-events.js';
import { startCli } from '../support/cli.js';
import { tempDir } from '../support/temp.js';
import { jsonl, logWriter, pretty, withoutFrames } from './tail-logs.js';

const dir = tempDir('tail-cli');
const logFile = logWriter(dir);

describe('wsdiag tail (command line)', () => {
  it('exits 0 after the last line', async () => {
    const path = logFile(jsonl(sample.run));
    const run = startCli(['tail', path]);
    assert.equal((await run.exited()).code, 0, `exit status; stderr: ${run.stderr()}`);
    assert.equal(run.stdout(), pretty(withoutFrames));
  });

  it('exits 2 with one line for a missing file', async () => {
    const path = dir.file('absent.jsonl');
    const run = startCli(['tail', path]);
    assert.equal((await run.exited()).code, 2, `exit status; stderr: ${run.stderr()}`);
    assert.equal(run.stderr(), `wsdiag: cannot read log file ${path}: no such file or directory (ENOENT)\n`);
  });

  it('exits 2 with one line for a file that is not a wsdiag log, with or without -f', async () => {
    const path = logFile(['line one', 'line two', 'line three', 'line four', 'line five', 'line six']);
    for (const args of [
      ['tail', path],
      ['tail', '-f', '--interval', '10', path],
    ]) {
      const run = startCli(args);
      assert.equal((await run.exited()).code, 2, `exit status of ${args.join(' ')}; stderr: ${run.stderr()}`);
      assert.equal(
        run.stderr(),
        `wsdiag: ${path} does not look like a wsdiag log: none of its first 5 lines is a wsdiag event (line 1, not JSON: "line one")\n`,
      );
      assert.equal(run.stdout(), '');
    }
  });

  for (const [args, message] of [
    [['--code', '1002,1001'], '"1001" is not a violation code (use 1002, 1003, 1006, 1007, 1009, 1011)'],
    [['--rule', 'reserved-bit'], 'unknown rule "reserved-bit" (did you mean "reserved-bits"?)'],
    [['--interval', '0'], 'expects a whole number of milliseconds of 1 or more, got "0"'],
  ] as const) {
    it(`exits 2 for ${args.join(' ')}`, async () => {
      const run = startCli(['tail', logFile([]), ...args]);
      assert.equal((await run.exited()).code, 2, `exit status; stderr: ${run.stderr()}`);
      assert.ok(run.stderr().includes(message), run.stderr());
      assert.doesNotMatch(run.stderr(), /\n\s+at /, 'no stack trace');
    });
  }

  it('accepts repeated and comma-separated filters', async () => {
    const path = logFile(jsonl(sample.run));
    const run = startCli([
      'tail',
      path,
      '--json',
      '--rule',
      'reserved-bits',
      '--rule',
      'invalid-utf8-text,message-too-big',
      '--code',
      '1007,1006,1011',
      '--conn',
      'c3,c9',
      '--frames',
    ]);
    assert.equal((await run.exited()).code, 0, `exit status; stderr: ${run.stderr()}`);
    const expected = [sample.listening, sample.utf8Violation, sample.closeAbnormal, sample.globalError, sample.summary];
    assert.equal(
      run.stdout(),
      jsonl(expected)
        .map((line) => `${line}\n`)
        .join(''),
    );
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`-f follows appends, a truncation and a replacement, and exits 0 on ${signal}`, async () => {
      const path = logFile(jsonl([sample.listening]));
      const run = startCli(['tail', '-f', '--interval', '10', path]);
      await run.waitForStdout('listening on');
      appendFileSync(path, `${JSON.stringify(sample.open)}\n`);
      await run.waitForStdout('c1 open');
      truncateSync(path, 0);
      await run.waitForStderr('was truncated');
      appendFileSync(path, `${JSON.stringify(sample.violation)}\n`);
      await run.waitForStdout('reserved-bits');
      renameSync(path, `${path}.old`);
      writeFileSync(path, `${JSON.stringify(sample.close)}\n`);
      await run.waitForStdout('c1 close');
      run.kill(signal);
      assert.equal((await run.exited()).code, 0, `exit status; stderr: ${run.stderr()}`);
      assert.equal(run.stdout(), pretty([sample.listening, sample.open, sample.violation, sample.close]));
      assert.equal(
        run.stderr(),
        `wsdiag: ${path} was truncated; reading it from the start\nwsdiag: ${path} was replaced; reading the new file from the start\n`,
      );
    });
  }

  it('exits 0 quietly when its reader goes away (| head)', async () => {
    const path = dir.file('big.jsonl');
    writeFileSync(path, `${jsonl(sample.run).join('\n')}\n`.repeat(2000));
    const run = startCli(['tail', path]);
    await run.waitForStdout('\n');
    run.closeStdout();
    assert.equal((await run.exited()).code, 0, `exit status; stderr: ${run.stderr()}`);
    assert.equal(run.stderr(), '');
  });

  it('-f exits 0 quietly when its reader goes away', async () => {
    const path = logFile(jsonl([sample.listening]));
    const run = startCli(['tail', '-f', '--interval', '10', path]);
    await run.waitForStdout('listening on');
    run.closeStdout();
    // The closed pipe is noticed at the next write.
    appendFileSync(path, `${JSON.stringify(sample.open)}\n`);
    assert.equal((await run.exited()).code, 0, `exit status; stderr: ${run.stderr()}`);
    assert.equal(run.stderr(), '');
  });
});
