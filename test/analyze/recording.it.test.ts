/**
 * openRecording on a standard input that Node has already made non-blocking (the case where a synchronous
 * read answers EAGAIN and the socket handle takes over), in a child process fed piece by piece.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startProcess } from '../support/cli.js';

const RECORDING_MODULE = fileURLToPath(new URL('../../src/analyze/recording.js', import.meta.url));

/**
 * A child that makes its stdin non-blocking (by touching process.stdin, as loading chalk does), then reads
 * it with openRecording into one 4 KiB buffer, printing the length of every read and, at the end, the
 * total and a hash of everything read.
 */
const CHILD = `
import { createHash } from 'node:crypto';
import { openRecording } from ${JSON.stringify(RECORDING_MODULE)};
void process.stdin;
const recording = openRecording('-');
const buffer = new Uint8Array(4096);
const hash = createHash('sha256');
let total = 0;
for (;;) {
  const got = recording.read(buffer);
  const n = typeof got === 'number' ? got : await got;
  if (n === 0) break;
  hash.update(buffer.subarray(0, n));
  total += n;
  process.stdout.write('read ' + n + '\\n');
}
recording.close();
process.stdout.write('end ' + total + ' ' + hash.digest('hex') + '\\n');
`;

describe('openRecording on a non-blocking stdin', () => {
  it('reads a non-blocking stdin that is fed piece by piece, each byte once, in order', async () => {
    const pieces = Array.from({ length: 6 }, (_, i) => randomBytes(3000 + i * 1500));
    const run = startProcess(process.execPath, ['--input-type=module', '-e', CHILD]);
    const bytesRead = (): number =>
      run
        .lines()
        .filter((l) => l.startsWith('read '))
        .reduce((sum, l) => sum + Number(l.slice('read '.length)), 0);
    let written = 0;
    try {
      // Each piece is written only after the child has read everything before it, so the child always
      // finds its stdin empty at some point: a synchronous read would get EAGAIN there.
      for (const piece of pieces) {
        run.child.stdin.write(piece);
        written += piece.length;
        await run.until(() => (bytesRead() >= written ? true : undefined), `the child to have read ${written} bytes`);
      }
    } finally {
      run.child.stdin.end();
    }
    const exit = await run.exited();
    assert.equal(exit.stderr, '');
    const all = Buffer.concat(pieces);
    assert.equal(run.lines().at(-1), `end ${all.length} ${createHash('sha256').update(all).digest('hex')}`);
  });
});
