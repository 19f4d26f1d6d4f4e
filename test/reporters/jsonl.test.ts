import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { UsageError } from '../../src/errors.js';
import { JsonlReporter, describeFsError, openJsonlLog } from '../../src/reporters/jsonl.js';
import { parseEventLine } from '../../src/events/index.js';
import { CaptureStream } from '../support/capture-stream.js';
import * as sample from '../fixtures/sample-events.js';
import { tempDir } from '../support/temp.js';

const dir = tempDir('jsonl').path;

describe('JsonlReporter', () => {
  it('writes one whole, newline-terminated JSON object per write', () => {
    const stream = new CaptureStream();
    const reporter = new JsonlReporter(stream);
    for (const event of sample.run) reporter.write(event);
    assert.equal(stream.writes.length, sample.run.length);
    for (const [i, chunk] of stream.writes.entries()) {
      assert.ok(chunk.endsWith('\n'));
      assert.equal(chunk.indexOf('\n'), chunk.length - 1, 'no newline inside a line');
      assert.deepEqual(JSON.parse(chunk), sample.run[i]);
    }
  });

  it('round-trips every sample event through parseEventLine', () => {
    const stream = new CaptureStream();
    const reporter = new JsonlReporter(stream);
    for (const event of sample.run) reporter.write(event);
    const parsed = stream.text.trimEnd().split('\n').map(parseEventLine);
    assert.deepEqual(
      parsed,
      sample.run.map((event) => ({ ok: true, event })),
    );
  });

  it('keeps newlines inside strings escaped', () => {
    const stream = new CaptureStream();
    new JsonlReporter(stream).write({ ...sample.peerClose, reason: 'a\nb' });
    assert.equal(stream.text.split('\n').length, 2);
    assert.equal((JSON.parse(stream.text) as { reason: string }).reason, 'a\nb');
  });

  it('flush() waits until a slow stream has taken every line', async () => {
    const callbacks: Array<() => void> = [];
    const slow = new Writable({ highWaterMark: 1, write: (_chunk, _enc, cb) => void callbacks.push(() => cb()) });
    const reporter = new JsonlReporter(slow);
    reporter.write(sample.open);
    reporter.write(sample.close);
    let flushed = false;
    const flushing = reporter.flush().then(() => (flushed = true));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(flushed, false);
    callbacks.shift()!();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(flushed, false, 'one line still pending');
    callbacks.shift()!();
    await flushing;
    assert.equal(flushed, true);
  });

  it('on EPIPE goes quiet: closed, no error, later writes dropped, flush resolves', async () => {
    let writes = 0;
    const broken = new Writable({
      write(_chunk, _enc, cb) {
        writes++;
        cb(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    let closedWith: Error | undefined | null = null;
    const reporter = new JsonlReporter(broken, { onClosed: (err) => (closedWith = err) });
    reporter.write(sample.open);
    await reporter.flush();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(reporter.closed, true);
    assert.equal(reporter.error, undefined);
    assert.equal(closedWith, undefined);
    reporter.write(sample.close);
    await reporter.flush();
    assert.equal(writes, 1);
  });

  it('keeps other write errors for the caller', async () => {
    const full = new Writable({
      write: (_chunk, _enc, cb) => cb(Object.assign(new Error('no space left on device'), { code: 'ENOSPC' })),
    });
    const reporter = new JsonlReporter(full);
    reporter.write(sample.open);
    await reporter.flush();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(reporter.closed, true);
    assert.equal((reporter.error as NodeJS.ErrnoException | undefined)?.code, 'ENOSPC');
  });
});

describe('openJsonlLog', () => {
  it('appends to an existing file and close() ends it', async () => {
    const path = join(dir, 'append.jsonl');
    writeFileSync(path, 'existing\n');
    const reporter = openJsonlLog(path);
    reporter.write(sample.open);
    reporter.write(sample.close);
    await reporter.close();
    assert.equal(readFileSync(path, 'utf8'), `existing\n${JSON.stringify(sample.open)}\n${JSON.stringify(sample.close)}\n`);
  });

  it('throws a UsageError naming the path and the reason, synchronously', () => {
    const path = join(dir, 'missing-dir', 'log.jsonl');
    assert.throws(
      () => openJsonlLog(path),
      (err: unknown) =>
        err instanceof UsageError &&
        err.exitCode === 2 &&
        err.message === `cannot open log file ${path}: no such file or directory (ENOENT)`,
    );
  });

  it('refuses a directory', () => {
    assert.throws(() => openJsonlLog(dir), {
      name: 'UsageError',
      message: `cannot open log file ${dir}: illegal operation on a directory (EISDIR)`,
    });
  });
});

describe('describeFsError', () => {
  it('drops the syscall and path Node appends, keeps the errno name', () => {
    const err = Object.assign(new Error("EACCES: permission denied, open '/root/x'"), { code: 'EACCES' });
    assert.equal(describeFsError(err), 'permission denied (EACCES)');
    assert.equal(describeFsError(new Error('plain')), 'plain');
    assert.equal(describeFsError('text'), 'text');
  });
});
