/**
 * The decoder asked for frames only (DecoderOptions.framesOnly, what the chaos engine uses): on every
 * decoder fixture, valid or not, split at every offset, it finds the same frames as the full decoder, with
 * the same headers, positions and payloads (when a payload listener is on), reports nothing but the one
 * rule that loses the boundaries, and assembles no message.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DecoderOptions } from '../../src/protocol/decoder.js';
import { INVALID_STREAMS, VALID_STREAMS, type StreamFixture } from '../fixtures/decoder-streams.js';
import { hex } from '../support/bytes.js';
import { cut, decodeChunks, type DecodeRun } from '../support/decode.js';

function optionsOf(fixture: StreamFixture): DecoderOptions {
  return {
    from: fixture.from,
    ...(fixture.extensions !== undefined ? { extensions: fixture.extensions } : {}),
    ...(fixture.maxMessage !== undefined ? { maxMessage: fixture.maxMessage } : {}),
    ...(fixture.typePolicy !== undefined ? { typePolicy: fixture.typePolicy } : {}),
  };
}

/** What framing alone decides: each frame's header line, where the stream ended, and each frame's payload. */
function framing(run: DecodeRun): { frames: string[]; end: string; payloads: string[] } {
  return {
    // The header lines of the recording sink: index, offset, header length, RSV bits, length form, key.
    frames: run.details.filter((line) => line.startsWith('frame #')),
    end: JSON.stringify([run.truncation, run.decoder.frameCount, run.decoder.bytesSeen, run.decoder.ignoredBytes]),
    payloads: [...(run.heard?.frames ?? new Map<number, Uint8Array>())].map(([i, p]) => `${i}:${Buffer.from(p).toString('hex')}`),
  };
}

function splits(length: number): number[][] {
  const all: number[][] = [[]];
  for (let at = 1; at < length; at++) all.push([at]);
  return all;
}

describe('a decoder asked for frames only', () => {
  for (const fixture of [...INVALID_STREAMS, ...VALID_STREAMS]) {
    it(fixture.name, () => {
      const bytes = hex(fixture.bytes);
      const options = optionsOf(fixture);
      const full = framing(decodeChunks([bytes], options, true));
      const stops = (run: DecodeRun) => run.events.filter((e) => e[0] !== 'frame');
      const expectedStops = fixture.findings.some(([rule]) => rule === 'length-msb-set')
        ? ['finding:length-msb-set', 'stopped:length-msb-set']
        : [];
      // Beyond a few KiB, a sample of the offsets (each header region and a stride) keeps this fast.
      const points = bytes.length <= 4096 ? splits(bytes.length) : [[], [1], [2], [bytes.length >> 1], [bytes.length - 1]];
      for (const at of points) {
        const chunks = cut(bytes, at);
        for (const listen of [false, true]) {
          const run = decodeChunks(chunks, { ...options, framesOnly: true }, listen);
          const what = `split at ${at.join(',') || 'nothing'}${listen ? ', with a payload listener' : ''}`;
          const seen = framing(run);
          assert.deepEqual(seen.frames, full.frames, `the frames, ${what}`);
          assert.equal(seen.end, full.end, `where the stream ended, ${what}`);
          if (listen) assert.deepEqual(seen.payloads, full.payloads, `the payloads, ${what}`);
          assert.deepEqual(
            stops(run).map((e) => `${e[0]}:${String(e[1])}`),
            expectedStops,
            `nothing but the frames (and a lost boundary), ${what}`,
          );
        }
      }
    });
  }
});
