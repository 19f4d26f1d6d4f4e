/**
 * Input of the analyze benchmark: recorded client->server streams written to files, and one huge frame
 * written to stdout (for a pipe into `wsdiag analyze -`). Payload is the benchmarks' mixed UTF-8 text
 * (frames.ts), masked, every frame with its own key; streams repeat one block of about 1 MiB of frames, so
 * any size is written with little memory.
 *
 *   node dist/bench/support/analyze-input.js frame text|binary BYTES    (one frame, to stdout)
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Opcode } from '../../src/protocol/constants.js';
import { encodeFrame } from '../../src/protocol/encoder.js';
import { unmask } from '../../src/protocol/mask.js';
import { Prng, textPayload } from './frames.js';

export interface StreamFile {
  path: string;
  payloadSize: number;
  frames: number;
  bytes: number;
}

/** Writes masked text frames of `payloadSize` bytes to `path` until about `targetBytes` are written. */
export function writeTextStream(path: string, payloadSize: number, targetBytes: number): StreamFile {
  const prng = new Prng();
  const payload = textPayload(payloadSize);
  const frames: Uint8Array[] = [];
  let blockBytes = 0;
  while (blockBytes < 2 ** 20 || frames.length === 0) {
    const frame = encodeFrame({ opcode: Opcode.Text, payload, mask: prng.maskKey() });
    frames.push(frame);
    blockBytes += frame.length;
  }
  const block = Buffer.concat(frames);
  const repeats = Math.max(1, Math.round(targetBytes / block.length));
  const fd = openSync(path, 'w');
  try {
    for (let i = 0; i < repeats; i++) writeSync(fd, block);
  } finally {
    closeSync(fd);
  }
  return { path, payloadSize, frames: repeats * frames.length, bytes: repeats * block.length };
}

/** Writes ONE masked frame of `length` payload bytes to stdout, one reused 64 KiB block at a time. */
async function writeHugeFrame(kind: 'text' | 'binary', length: number): Promise<void> {
  const key = new Prng(7).maskKey();
  const header = Buffer.alloc(14);
  header[0] = 0x80 | (kind === 'text' ? Opcode.Text : Opcode.Binary);
  header[1] = 0x80 | 127;
  header.writeBigUInt64BE(BigInt(length), 2);
  header.set(key, 10);
  const BLOCK = 64 * 1024; // a multiple of 4: every block starts at mask position 0
  const block = Buffer.allocUnsafe(BLOCK);
  unmask(block, 0, textPayload(BLOCK), 0, BLOCK, key, 0);
  const out = process.stdout;
  out.on('error', () => process.exit(0)); // the reader stopped: nothing more to do
  if (!out.write(header)) await once(out, 'drain');
  for (let sent = 0; sent < length; sent += BLOCK) {
    const n = Math.min(BLOCK, length - sent);
    if (!out.write(n === BLOCK ? block : block.subarray(0, n))) await once(out, 'drain');
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [what, kind, bytes] = process.argv.slice(2);
  if (what !== 'frame' || (kind !== 'text' && kind !== 'binary')) throw new Error('usage: analyze-input.js frame text|binary BYTES');
  await writeHugeFrame(kind, Number(bytes));
}
