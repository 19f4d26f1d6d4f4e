/**
 * Child process of the decode benchmark: streams ONE masked 1 GiB text frame through a parser and prints
 * its peak resident memory as JSON on stdout. It runs alone in a fresh process so the peak is this job's
 * and nothing else's. Chunks of 16 KiB are made on the fly; the frame itself is never allocated by the
 * benchmark.
 *
 *   node dist/bench/support/decode-rss.js decoder|analyzer|ws [bytes] [fresh|reused]
 */
import { Opcode } from '../../src/protocol/constants.js';
import { unmask } from '../../src/protocol/mask.js';
import { Prng, textPayload } from './frames.js';
import { PARSERS } from './parsers.js';
import { peakRssBytes } from './peak-rss.js';

const CHUNK = 16 * 1024;

export interface RssResult {
  parser: string;
  frameBytes: number;
  chunks: 'fresh' | 'reused';
  /** RSS once the modules are loaded, before the first byte. */
  baselineRss: number;
  /** Peak RSS of the whole process (VmHWM, see peak-rss.ts). */
  peakRss: number;
  seconds: number;
  messages: number;
  problems: number;
}

/**
 * The frame as a lazily produced sequence of chunks: a 14-byte header, then masked text payload, either
 * in a fresh buffer per chunk (as a socket delivers them, so garbage piles up until V8 collects it) or
 * in one reused buffer (what is left is the parser's own footprint).
 */
function* hugeTextFrame(length: number, fresh: boolean): Generator<Buffer> {
  const key = new Prng(7).maskKey();
  const header = Buffer.alloc(14);
  header[0] = 0x80 | Opcode.Text;
  header[1] = 0x80 | 127;
  header.writeBigUInt64BE(BigInt(length), 2);
  header.set(key, 10);
  yield header;
  // CHUNK is a multiple of 4, so every chunk starts at mask position 0 and one masked block serves all.
  const plain = textPayload(CHUNK);
  const masked = Buffer.allocUnsafe(CHUNK);
  unmask(masked, 0, plain, 0, CHUNK, key, 0);
  for (let sent = 0; sent < length; sent += CHUNK) {
    const n = Math.min(CHUNK, length - sent);
    yield fresh ? Buffer.from(masked.subarray(0, n)) : masked.subarray(0, n);
  }
}

async function main(): Promise<void> {
  const parser = PARSERS[process.argv[2] ?? 'decoder'];
  if (!parser) throw new Error(`unknown parser ${process.argv[2]}`);
  const length = Number(process.argv[3] ?? 2 ** 30);
  const chunks = process.argv[4] === 'reused' ? 'reused' : 'fresh';
  const baselineRss = process.memoryUsage.rss();
  const session = parser.open();
  const start = process.hrtime.bigint();
  for (const chunk of hugeTextFrame(length, chunks === 'fresh')) session.push(chunk);
  const counts = await session.finish();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const result: RssResult = {
    parser: parser.name,
    frameBytes: length,
    chunks,
    baselineRss,
    peakRss: peakRssBytes() ?? process.memoryUsage.rss(),
    seconds,
    ...counts,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

await main();
