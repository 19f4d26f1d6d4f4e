/**
 * `analyzeReader` (one reused input buffer, output gathered into one write per chunk) against the path
 * `wsdiag analyze` took before it (`analyzeStream` over a fresh buffer per chunk, one write per event):
 * the same events, byte for byte, in JSON Lines and in the human log, however the input is cut and
 * whatever the buffer held before each read.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Side, WsdiagEvent } from '../../src/events/index.js';
import { concatBytes, encodeFrame } from '../../src/protocol/encoder.js';
import { JsonlReporter, PrettyReporter, SummaryCollector } from '../../src/reporters/index.js';
import { analyzeReader, analyzeStream, type AnalyzeOptions } from '../../src/session/analyze.js';
import { CaptureStream } from '../support/capture-stream.js';
import { clientFixture, deflatedServerFixture } from '../fixtures/many-events.js';

const T0 = Date.parse('2026-01-02T03:04:05.000Z');

/** A clock that moves 1 ms per reading, so every event of a run has its own time and both runs agree. */
function steppingClock(): () => Date {
  let now = T0;
  return () => new Date(now++);
}

interface Output {
  json: string;
  pretty: string;
  result: string;
}

function sinks(batchChars: number): {
  json: JsonlReporter;
  pretty: PrettyReporter;
  summary: SummaryCollector;
  streams: { json: CaptureStream; pretty: CaptureStream };
} {
  const streams = { json: new CaptureStream(), pretty: new CaptureStream() };
  return {
    json: new JsonlReporter(streams.json, { batchChars }),
    pretty: new PrettyReporter(streams.pretty, { color: false, frames: true, quiet: false, batchChars }),
    summary: new SummaryCollector(),
    streams,
  };
}

function optionsFor(from: Side, extensions: string | null, onEvent: (event: WsdiagEvent) => void): AnalyzeOptions {
  return { from, extensions, frames: true, clock: steppingClock(), onEvent };
}

/** What `wsdiag analyze` did before: a fresh buffer per chunk into analyzeStream, a write per event. */
async function perChunkPath(bytes: Uint8Array, from: Side, extensions: string | null): Promise<Output> {
  const { json, pretty, summary, streams } = sinks(0);
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += 65_536) chunks.push(bytes.slice(at, at + 65_536));
  const result = await analyzeStream(
    chunks,
    optionsFor(from, extensions, (event) => {
      summary.write(event);
      json.write(event);
      pretty.write(event);
    }),
  );
  const end = summary.summary(() => new Date(T0));
  json.write(end);
  pretty.write(end);
  await Promise.all([json.flush(), pretty.flush()]);
  return { json: streams.json.text, pretty: streams.pretty.text, result: JSON.stringify(result) };
}

/**
 * The reused-buffer path: analyzeReader with a `chunkBytes` buffer that `read` first scribbles over, then
 * fills with at most `readBytes` bytes (a pipe hands over less than asked): an event made from a byte the
 * analysis kept a view of between reads would differ. Lines are released after each chunk, as the CLI does.
 */
async function reusedBufferPath(
  bytes: Uint8Array,
  from: Side,
  extensions: string | null,
  chunkBytes: number,
  readBytes: number,
): Promise<Output & { writes: number; reads: number }> {
  const { json, pretty, summary, streams } = sinks(64 * 1024);
  let at = 0;
  let reads = 0;
  const read = (buffer: Uint8Array): number | Promise<number> => {
    buffer.fill(0xaa);
    const n = Math.min(buffer.length, readBytes, bytes.length - at);
    buffer.set(bytes.subarray(at, at + n), 0);
    at += n;
    // Every other read answers asynchronously, as a pipe does.
    return reads++ % 2 === 0 ? n : Promise.resolve(n);
  };
  const result = await analyzeReader(read, {
    ...optionsFor(from, extensions, (event) => {
      summary.write(event);
      json.write(event);
      pretty.write(event);
    }),
    chunkBytes,
    afterChunk: () => {
      json.release();
      pretty.release();
      return null;
    },
  });
  const end = summary.summary(() => new Date(T0));
  json.write(end);
  pretty.write(end);
  await Promise.all([json.flush(), pretty.flush()]);
  return {
    json: streams.json.text,
    pretty: streams.pretty.text,
    result: JSON.stringify(result),
    writes: streams.json.writes.length,
    reads,
  };
}

describe('analyzeReader', () => {
  const cases: Array<{ name: string; bytes: Uint8Array; from: Side; extensions: string | null }> = [
    { name: 'client frames with every kind of event', bytes: clientFixture(), from: 'client', extensions: null },
    {
      name: 'compressed server frames (context takeover)',
      bytes: deflatedServerFixture(),
      from: 'server',
      extensions: 'permessage-deflate',
    },
  ];
  for (const { name, bytes, from, extensions } of cases) {
    it(`${name}: the same output, byte for byte, as the per-chunk path, for every buffer and read size`, async () => {
      const expected = await perChunkPath(bytes, from, extensions);
      const lines = expected.json.split('\n').length - 1;
      assert.ok(lines > 1000, `the fixture makes many events (${lines})`);
      for (const type of ['frame', 'violation', 'peer-close', 'summary'])
        assert.match(expected.json, new RegExp(`"type":"${type}"`), `it has ${type} events`);
      for (const [chunkBytes, readBytes] of [
        [64 * 1024, 64 * 1024],
        [64 * 1024, 1000],
        [4096, 4096],
        [7, 7],
        [1, 1],
        [100_000, 100_000],
      ] as const) {
        const got = await reusedBufferPath(bytes, from, extensions, chunkBytes, readBytes);
        const how = `buffer ${chunkBytes} B, reads of ${readBytes} B`;
        assert.equal(got.result, expected.result, `result, ${how}`);
        assert.equal(got.json, expected.json, `JSON Lines, ${how}`);
        assert.equal(got.pretty, expected.pretty, `human log, ${how}`);
        // At most one write per chunk, one per 64 KiB gathered and the summary's: never one per event.
        const most = got.reads + Math.ceil(got.json.length / (64 * 1024)) + 1;
        assert.ok(got.writes <= most, `${got.writes} writes for ${got.reads} reads and ${lines} lines, ${how}`);
        if (readBytes >= 4096) assert.ok(got.writes < lines / 10, `${got.writes} writes for ${lines} lines, ${how}`);
      }
    });
  }

  it('waits for what afterChunk returns before the next read', async () => {
    const bytes = concatBytes(Array.from({ length: 10 }, (_, i) => encodeFrame({ opcode: 1, payload: `m${i}`, mask: true })));
    const order: string[] = [];
    let at = 0;
    await analyzeReader(
      (buffer) => {
        if (at >= bytes.length) return 0;
        const n = Math.min(5, bytes.length - at);
        buffer.set(bytes.subarray(at, at + n), 0);
        at += n;
        order.push('read');
        return n;
      },
      {
        from: 'client',
        chunkBytes: 64,
        afterChunk: () => {
          order.push('after');
          if (at !== 10) return null;
          return new Promise<void>((resolve) =>
            setImmediate(() => {
              order.push('drained');
              resolve();
            }),
          );
        },
      },
    );
    // The read after the chunk whose output was backed up comes only once it has drained.
    assert.deepEqual(order.slice(0, 6), ['read', 'after', 'read', 'after', 'drained', 'read']);
  });
});
