/**
 * Reading recordings into one reused buffer: files, and a library caller's stdin stream. A standard input
 * that Node has made non-blocking is read in a child process: ./recording.it.test.ts.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { openRecording, readWhole } from '../../src/analyze/index.js';
import { tempDir } from '../support/temp.js';

const dir = tempDir('recording').path;

describe('openRecording', () => {
  it('reads a file through one buffer, to the end', async () => {
    const bytes = randomBytes(100_000);
    const path = join(dir, 'rec.bin');
    writeFileSync(path, bytes);
    const recording = openRecording(path);
    assert.equal(recording.name, path);
    const whole = await readWhole(recording);
    recording.close();
    assert.deepEqual(Buffer.from(whole), bytes);
  });

  it("reads a library caller's stdin stream, chunks larger and smaller than the buffer, whole and in order", async () => {
    const pieces = [randomBytes(100_000), randomBytes(3), Buffer.alloc(0), randomBytes(70_000)];
    const recording = openRecording('-', Readable.from(pieces));
    assert.equal(recording.name, 'stdin');
    const buffer = new Uint8Array(64 * 1024);
    const got: Buffer[] = [];
    for (;;) {
      const read = recording.read(buffer);
      const n = typeof read === 'number' ? read : await read;
      if (n === 0) break;
      got.push(Buffer.from(buffer.subarray(0, n)));
      buffer.fill(0);
    }
    recording.close();
    assert.deepEqual(Buffer.concat(got), Buffer.concat(pieces));
  });

  it('throws the system error for a missing file and for a directory', () => {
    assert.throws(() => openRecording(join(dir, 'missing.bin')), { code: 'ENOENT' });
    assert.throws(() => openRecording(dir), { code: 'EISDIR' });
  });
});
