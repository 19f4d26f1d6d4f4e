/**
 * The analyze benchmark's anchor: a recorded client->server stream fed to ws's own Receiver (as its
 * server configures it, maxPayload 0) by a whole Node process, which prints {"messages":N} and exits 0,
 * or prints ws's error and exits 1, as a server would close. Two ways to read the file:
 *
 *   stream   a read stream of 16 KiB chunks, as a Node program usually feeds ws (and as the issue's
 *            reference figures were measured)
 *   sync     synchronous reads of READ-BYTES, as `wsdiag analyze` reads: the same I/O for both, so the
 *            ratio is the decoding's and the process's alone. Each read gets a fresh buffer, because ws
 *            keeps the chunks it has not consumed yet and unmasks them in place.
 *
 *   node dist/bench/support/ws-analyze.js FILE stream|sync [READ-BYTES]
 */
import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Writable } from 'node:stream';

type ReceiverClass = new (options: Record<string, unknown>) => Writable;

const [file, mode, readArg] = process.argv.slice(2);
if (!file || (mode !== 'stream' && mode !== 'sync')) throw new Error('usage: ws-analyze.js FILE stream|sync [READ-BYTES]');
const { Receiver } = createRequire(import.meta.url)('ws') as { Receiver: ReceiverClass };
const receiver = new Receiver({ binaryType: 'nodebuffer', extensions: {}, isServer: true, maxPayload: 0, skipUTF8Validation: false });
let messages = 0;
receiver.on('message', () => {
  messages++;
});
receiver.on('error', (err: Error) => {
  process.stderr.write(`${err.message}\n`);
  process.exit(1);
});
const report = (): void => {
  process.stdout.write(`${JSON.stringify({ messages })}\n`);
};

if (mode === 'stream') {
  const source = createReadStream(file, { highWaterMark: 16 * 1024 });
  source.on('data', (chunk) => receiver.write(chunk));
  source.on('end', report);
} else {
  const readBytes = Number(readArg ?? 64 * 1024);
  const fd = openSync(file, 'r');
  for (;;) {
    const chunk = Buffer.allocUnsafe(readBytes);
    const n = readSync(fd, chunk, 0, readBytes, null);
    if (n === 0) break;
    receiver.write(n === readBytes ? chunk : chunk.subarray(0, n));
  }
  closeSync(fd);
  // Writable's bookkeeping after each write is deferred to a tick: let it finish before the count.
  process.nextTick(report);
}
