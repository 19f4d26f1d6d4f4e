/**
 * LineSink's batching (batchChars): lines are gathered and handed over whole, in order, in few writes, and
 * nothing gathered is lost when the producer releases, flushes, ends, or when the stream goes away.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { LineSink } from '../../src/reporters/index.js';
import { CaptureStream } from '../support/capture-stream.js';

const line = (i: number): string => `{"n":${i},"text":"line ${i} ✓"}\n`;

/** A stream that holds each write until `release()` is called, as a full pipe does. */
class HeldStream extends Writable {
  readonly writes: string[] = [];
  #held: Array<() => void> = [];

  constructor() {
    super({ highWaterMark: 16 });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.writes.push(chunk.toString('utf8'));
    this.#held.push(() => callback());
  }

  release(): void {
    const held = this.#held;
    this.#held = [];
    for (const done of held) done();
  }
}

describe('LineSink with batchChars', () => {
  it('gathers lines until release(), then hands them over in one write, in order', () => {
    const out = new CaptureStream();
    const sink = new LineSink(out, undefined, { batchChars: 1_000_000 });
    for (let i = 0; i < 100; i++) sink.write(line(i));
    assert.equal(out.writes.length, 0, 'nothing written before release');
    sink.release();
    assert.equal(out.writes.length, 1);
    assert.equal(out.text, Array.from({ length: 100 }, (_, i) => line(i)).join(''));
    sink.release();
    assert.equal(out.writes.length, 1, 'releasing an empty batch writes nothing');
  });

  it('writes whenever batchChars characters are gathered, whole lines only', () => {
    const out = new CaptureStream();
    const sink = new LineSink(out, undefined, { batchChars: 100 });
    for (let i = 0; i < 50; i++) sink.write(line(i));
    assert.ok(out.writes.length >= 10, `${out.writes.length} writes`);
    for (const write of out.writes) {
      assert.ok(write.length >= 100, 'no write before the threshold');
      assert.ok(write.endsWith('\n'), 'a write ends at a line end');
    }
    sink.release();
    assert.equal(out.text, Array.from({ length: 50 }, (_, i) => line(i)).join(''));
  });

  it('flush() and end() write what is gathered and resolve once the stream has it', async () => {
    const out = new CaptureStream();
    const sink = new LineSink(out, undefined, { batchChars: 1_000_000 });
    sink.write(line(1));
    await sink.flush();
    assert.equal(out.text, line(1));
    sink.write(line(2));
    await sink.end();
    assert.equal(out.text, line(1) + line(2));
    assert.ok(out.writableEnded);
  });

  it('without batchChars, each write is one stream write, as before', () => {
    const out = new CaptureStream();
    const sink = new LineSink(out);
    for (let i = 0; i < 5; i++) sink.write(line(i));
    assert.deepEqual(
      out.writes,
      Array.from({ length: 5 }, (_, i) => line(i)),
    );
  });

  it('room() is null while the stream holds nothing, else resolves once the stream has taken it', async () => {
    const out = new HeldStream();
    const sink = new LineSink(out, undefined, { batchChars: 1_000_000 });
    assert.equal(sink.room(), null);
    sink.write(line(1));
    sink.release();
    const room = sink.room();
    assert.ok(room instanceof Promise, 'the stream still holds the write');
    let resolved = false;
    void room.then(() => (resolved = true));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(resolved, false, 'not before the stream took it');
    out.release();
    await room;
    assert.equal(sink.room(), null);
    assert.deepEqual(out.writes, [line(1)]);
  });

  it('a reader that goes away (EPIPE) closes the sink quietly: gathered lines are dropped, waiters released, no throw', async () => {
    const out = new HeldStream();
    const closes: Array<Error | undefined> = [];
    const sink = new LineSink(out, (error) => closes.push(error), { batchChars: 1_000_000 });
    sink.write(line(1));
    sink.release();
    const room = sink.room();
    sink.write(line(2));
    out.destroy(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(sink.closed, true);
    assert.equal(sink.error, undefined, 'a reader gone is not an error');
    assert.deepEqual(closes, [undefined]);
    await room;
    await sink.flush();
    sink.write(line(3));
    sink.release();
    assert.deepEqual(out.writes, [line(1)], 'nothing more was written after the close');
  });

  it('another write error closes the sink and is kept for the caller', async () => {
    const out = new HeldStream();
    const sink = new LineSink(out, undefined, { batchChars: 10 });
    out.destroy(Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }));
    await new Promise((resolve) => setImmediate(resolve));
    sink.write(line(1));
    assert.equal(sink.closed, true);
    assert.match(String(sink.error?.message), /no space left/);
    await sink.flush();
  });
});

describe('LineSink with gatherMs', () => {
  it('lines written within the window reach the stream together, in one write, without a flush', async () => {
    const out = new CaptureStream();
    const sink = new LineSink(out, undefined, { gatherMs: 5 });
    for (let i = 0; i < 100; i++) sink.write(line(i));
    assert.equal(out.writes.length, 0, 'nothing written at once');
    await out.waitFor((text) => text.length > 0, 'the gathered lines');
    assert.deepEqual(out.writes, [Array.from({ length: 100 }, (_, i) => line(i)).join('')]);
  });

  it('flush() writes the gathered lines at once, not after the window', async () => {
    const out = new CaptureStream();
    // A window no test waits out: only flush() can have written the line.
    const sink = new LineSink(out, undefined, { gatherMs: 600_000 });
    sink.write(line(1));
    await sink.flush();
    assert.deepEqual(out.writes, [line(1)]);
    await sink.end();
  });

  it('a line longer than a whole batch goes on its own, after the lines gathered before it', async () => {
    const out = new CaptureStream();
    const sink = new LineSink(out, undefined, { gatherMs: 600_000 });
    const huge = `${JSON.stringify({ data: 'é'.repeat(200_000) })}\n`;
    sink.write(line(1));
    sink.write(huge);
    sink.write(line(2));
    await sink.end();
    assert.deepEqual(out.writes, [line(1), huge, line(2)]);
  });

  it('a stream that goes away drops the gathered lines and writes nothing later', async () => {
    const out = new HeldStream();
    const sink = new LineSink(out, undefined, { gatherMs: 600_000 });
    sink.write(line(1));
    out.destroy(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(sink.closed, true);
    await sink.flush();
    assert.deepEqual(out.writes, []);
  });
});
