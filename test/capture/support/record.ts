/**
 * Recording harnesses for the capture layers: everything a sink sees, as plain data, so runs can be
 * compared whole (the reader's records cut at every offset must equal the uncut run's).
 */
import assert from 'node:assert/strict';
import { CaptureReader, type ReaderOptions } from '../../../src/capture/reader.js';
import type { CaptureSink } from '../../../src/capture/types.js';

export type ReaderRecord =
  | ['section', string, number, boolean, string]
  | ['interface', number, number, number, number, string | null]
  | ['packet', number, number, number, number, number, boolean, string, number]
  | ['problem', string, string, number, number | null, string];

export function hexOf(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

export function readChunks(chunks: Uint8Array[], options: ReaderOptions = {}): ReaderRecord[] {
  const records: ReaderRecord[] = [];
  const sink: CaptureSink = {
    section: (s) => records.push(['section', s.format, s.index, s.littleEndian, s.version]),
    interface: (i) => records.push(['interface', i.id, i.section, i.linkType, i.snapLength, i.name]),
    packet: (p) =>
      records.push(['packet', p.number, p.interfaceId, p.linkType, p.ts.sec, p.ts.nsec, p.timestamped, hexOf(p.data), p.originalLength]),
    problem: (p) => records.push(['problem', p.severity, p.code, p.offset, p.packet ?? null, p.message]),
  };
  const reader = new CaptureReader(sink, options);
  for (const chunk of chunks) reader.push(chunk);
  reader.end();
  return records;
}

/** Reads the bytes whole, cut in two at every offset, and one byte at a time; asserts every run agrees. */
export function readEverySplit(bytes: Uint8Array, options: ReaderOptions = {}): ReaderRecord[] {
  const whole = readChunks([bytes], options);
  const step = bytes.length > 3000 ? 7 : 1;
  for (let at = 1; at < bytes.length; at += step) {
    const split = readChunks([bytes.subarray(0, at), bytes.subarray(at)], options);
    assert.deepEqual(split, whole, `records differ when the file is cut at byte ${at}`);
  }
  const single = readChunks(
    Array.from(bytes, (b) => Uint8Array.of(b)),
    options,
  );
  assert.deepEqual(single, whole, 'records differ when the file is read one byte at a time');
  return whole;
}

export function packets(records: ReaderRecord[]): Extract<ReaderRecord, ['packet', ...unknown[]]>[] {
  return records.filter((r): r is Extract<ReaderRecord, ['packet', ...unknown[]]> => r[0] === 'packet');
}

export function problems(records: ReaderRecord[]): Array<[string, string]> {
  return records.filter((r) => r[0] === 'problem').map((r) => [r[1], r[2]]);
}
