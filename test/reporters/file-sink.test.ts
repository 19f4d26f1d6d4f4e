import assert from 'node:assert/strict';
import { closeSync, openSync, readFileSync, renameSync, rmSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { OperationalError } from '../../src/errors.js';
import { FileLineSink } from '../../src/reporters/file-sink.js';
import { JsonlReporter, openJsonlLog } from '../../src/reporters/jsonl.js';
import * as sample from '../fixtures/sample-events.js';
import { tempDir } from '../support/temp.js';

const dir = tempDir('file-sink').path;
let counter = 0;
function freshPath(): string {
  return join(dir, `log-${++counter}.jsonl`);
}
function open(path: string): number {
  return openSync(path, 'a');
}
function read(path: string): string {
  return readFileSync(path, 'utf8');
}

describe('FileLineSink', () => {
  it('writes the lines of one event-loop turn when the turn ends, in order', async () => {
    const path = freshPath();
    const sink = new FileLineSink(open(path), path);
    sink.write('a\n');
    sink.write('b\n');
    assert.equal(read(path), '', 'nothing is written inside the turn');
    await nextTurn();
    assert.equal(read(path), 'a\nb\n');
    sink.write('c\n');
    await sink.end();
    assert.equal(read(path), 'a\nb\nc\n');
  });

  it('writes at once when 256 KiB wait, without waiting for the turn to end', async () => {
    const path = freshPath();
    const sink = new FileLineSink(open(path), path);
    const line = `${'é'.repeat(1023)}\n`; // 1,024 characters, 2,047 bytes
    for (let i = 0; i < 256; i++) sink.write(line);
    assert.equal(read(path), line.repeat(256));
    sink.write('tail\n');
    assert.equal(read(path), line.repeat(256));
    await sink.flush();
    assert.equal(read(path), `${line.repeat(256)}tail\n`);
    await sink.end();
  });

  it('room() is always null (a file takes everything) and release() writes now', async () => {
    const path = freshPath();
    const sink = new FileLineSink(open(path), path);
    sink.write('x\n');
    sink.release();
    assert.equal(read(path), 'x\n');
    sink.write('y\n');
    assert.equal(sink.room(), null);
    assert.equal(read(path), 'x\ny\n');
    await sink.end();
  });

  it('reopen(): what waits goes to the moved file, later lines to a new file at the path', async () => {
    const path = freshPath();
    const sink = new FileLineSink(open(path), path);
    sink.write('1\n');
    await nextTurn();
    sink.write('2\n');
    renameSync(path, `${path}.1`);
    sink.reopen();
    sink.write('3\n');
    await sink.end();
    assert.equal(read(`${path}.1`), '1\n2\n');
    assert.equal(read(path), '3\n');
  });

  it('reopen() throws when the path cannot be opened and keeps writing to the old file', async () => {
    const sub = join(dir, `gone-${++counter}`);
    mkdirSync(sub);
    const path = join(sub, 'log.jsonl');
    const sink = new FileLineSink(open(path), path);
    sink.write('before\n');
    renameSync(sub, `${sub}.moved`);
    assert.throws(() => sink.reopen(), { code: 'ENOENT' });
    sink.write('after\n');
    await sink.end();
    assert.equal(read(join(`${sub}.moved`, 'log.jsonl')), 'before\nafter\n');
    rmSync(`${sub}.moved`, { recursive: true });
  });

  it('a write error closes the sink once, reports it and drops later lines without throwing', async () => {
    const path = freshPath();
    const fd = open(path);
    const errors: Array<Error | undefined> = [];
    const sink = new FileLineSink(fd, path, (err) => errors.push(err));
    closeSync(fd); // the descriptor goes away underneath: EBADF on the next write
    sink.write('lost\n');
    await sink.flush();
    assert.equal(sink.closed, true);
    assert.equal((sink.error as NodeJS.ErrnoException | undefined)?.code, 'EBADF');
    assert.equal(errors.length, 1);
    sink.write('dropped\n');
    await sink.flush();
    await sink.end();
    assert.equal(errors.length, 1);
  });

  it('after end() later lines are dropped', async () => {
    const path = freshPath();
    const sink = new FileLineSink(open(path), path);
    sink.write('kept\n');
    await sink.end();
    sink.write('dropped\n');
    await nextTurn();
    assert.equal(read(path), 'kept\n');
    assert.equal(sink.closed, true);
  });
});

describe('JsonlReporter over a log file', () => {
  it('openJsonlLog on a regular file: one line per event, all there after close()', async () => {
    const path = freshPath();
    const reporter = openJsonlLog(path);
    for (const event of sample.run) reporter.write(event);
    await reporter.close();
    assert.equal(read(path), sample.run.map((e) => `${JSON.stringify(e)}\n`).join(''));
  });

  it('reopen() rotates; an unopenable path is an OperationalError naming it', async () => {
    const sub = join(dir, `rot-${++counter}`);
    mkdirSync(sub);
    const path = join(sub, 'log.jsonl');
    const reporter = new JsonlReporter(new FileLineSink(open(path), path));
    reporter.write(sample.open);
    renameSync(path, `${path}.1`);
    reporter.reopen();
    reporter.write(sample.close);
    rmSync(path);
    rmSync(sub, { recursive: true });
    assert.throws(
      () => reporter.reopen(),
      (err: unknown) => err instanceof OperationalError && err.message.startsWith(`cannot reopen log file ${path}: no such file`),
    );
    await reporter.close();
  });

  it('reopen() does nothing for a log that is not a regular file', async () => {
    const reporter = openJsonlLog('/dev/null');
    reporter.write(sample.open);
    reporter.reopen();
    await reporter.close();
  });
});
