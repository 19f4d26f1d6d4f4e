import assert from 'node:assert/strict';
import { mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { OperationalError } from '../../src/errors.js';
import { JsonlReporter, openJsonlLog } from '../../src/reporters/jsonl.js';
import { ReopenableLogFile } from '../../src/reporters/log-file.js';
import * as sample from '../fixtures/sample-events.js';
import { tempDir } from '../support/temp.js';
import { waitForFileText } from '../support/wait.js';

const dir = tempDir('log-file').path;
let counter = 0;
function freshDir(): string {
  const sub = join(dir, `case-${++counter}`);
  mkdirSync(sub);
  return sub;
}
function open(path: string): ReopenableLogFile {
  return new ReopenableLogFile(openSync(path, 'a'), path);
}
const read = (path: string): string => readFileSync(path, 'utf8');

describe('ReopenableLogFile', () => {
  it('lines reach the file within a gathering window, without a flush (a live `tail -f` sees them)', async () => {
    const path = join(freshDir(), 'wsdiag.log');
    const log = open(path);
    log.write('1\n');
    log.write('2\n');
    await waitForFileText(path, (text) => (text === '1\n2\n' ? true : undefined), 'both lines in the log file');
    await log.end();
  });

  it('reopen(): lines handed over before go to the moved file, later lines to a new file at the path', async () => {
    const path = join(freshDir(), 'wsdiag.log');
    const log = open(path);
    log.write('1\n');
    log.write('2\n');
    renameSync(path, `${path}.1`);
    log.reopen();
    log.write('3\n');
    await log.end();
    assert.equal(read(`${path}.1`), '1\n2\n');
    assert.equal(read(path), '3\n');
  });

  it('rotating ten times during a burst loses no line and splits none', async () => {
    const folder = freshDir();
    const path = join(folder, 'wsdiag.log');
    const log = open(path);
    const line = (i: number): string => `${JSON.stringify({ i, pad: 'é'.repeat(i % 300) })}\n`;
    for (let i = 0; i < 5000; i++) {
      log.write(line(i));
      if (i % 500 === 499) {
        renameSync(path, `${path}.${i}`);
        log.reopen();
      }
    }
    await log.end();
    const files = readdirSync(folder).sort((a, b) => Number(a.split('.').pop()) - Number(b.split('.').pop()));
    assert.equal(files.length, 11);
    const seen = files
      .flatMap((f) =>
        read(join(folder, f))
          .split('\n')
          .filter((l) => l !== ''),
      )
      .map((l) => (JSON.parse(l) as { i: number }).i);
    assert.deepEqual(
      seen.sort((a, b) => a - b),
      Array.from({ length: 5000 }, (_, i) => i),
    );
  });

  it('reopen() throws when the path cannot be opened, and the current file keeps getting lines', async () => {
    const folder = freshDir();
    const path = join(folder, 'wsdiag.log');
    const log = open(path);
    log.write('before\n');
    renameSync(folder, `${folder}.moved`);
    assert.throws(() => log.reopen(), { code: 'ENOENT' });
    log.write('after\n');
    await log.end();
    assert.equal(read(join(`${folder}.moved`, 'wsdiag.log')), 'before\nafter\n');
  });

  it('a rotated file closing is not the log closing: onClosed fires only for the file in use', async () => {
    const path = join(freshDir(), 'wsdiag.log');
    const closings: Array<Error | undefined> = [];
    const log = new ReopenableLogFile(openSync(path, 'a'), path, (err) => closings.push(err));
    log.write('a\n');
    renameSync(path, `${path}.1`);
    log.reopen();
    await log.flush();
    assert.deepEqual(closings, []);
    assert.equal(log.closed, false);
    await log.end();
    assert.equal(log.closed, true);
  });
});

describe('JsonlReporter.reopen', () => {
  it('rotates the --log file; an unopenable path is an OperationalError naming it', async () => {
    const folder = freshDir();
    const path = join(folder, 'wsdiag.log');
    const reporter = openJsonlLog(path);
    reporter.write(sample.open);
    renameSync(path, `${path}.1`);
    reporter.reopen();
    reporter.write(sample.close);
    await reporter.flush();
    assert.equal(read(`${path}.1`), `${JSON.stringify(sample.open)}\n`);
    assert.equal(read(path), `${JSON.stringify(sample.close)}\n`);
    rmSync(folder, { recursive: true });
    assert.throws(
      () => reporter.reopen(),
      (err: unknown) =>
        err instanceof OperationalError && err.exitCode === 3 && err.message.startsWith(`cannot reopen log file ${path}: no such file`),
    );
    await reporter.close();
  });

  it('does nothing for a reporter on stdout', () => {
    const reporter = new JsonlReporter(process.stdout);
    assert.doesNotThrow(() => reporter.reopen());
  });
});
