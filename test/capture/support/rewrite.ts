/**
 * Rewrites a real capture the way networks and capture points spoil them: segments swapped, segments
 * repeated, a segment lost. Packets are decoded with the library's own layers only to find TCP payloads and
 * directions; the bytes written back are the original packets, untouched.
 */
import { decodeIp } from '../../../src/capture/ip.js';
import { findNetwork } from '../../../src/capture/link.js';
import { CaptureReader } from '../../../src/capture/reader.js';
import type { TcpSegment } from '../../../src/capture/types.js';
import { pcapFile } from './builders.js';

export interface CapturedPacket {
  sec: number;
  usec: number;
  data: Uint8Array;
  linkType: number;
  /** The TCP segment in it, when there is one. */
  segment: TcpSegment | null;
}

export function packetsOf(file: Uint8Array): CapturedPacket[] {
  const out: CapturedPacket[] = [];
  const reader = new CaptureReader({
    packet: (p) => {
      const data = p.data.slice();
      const start = findNetwork(p.linkType, data, { offset: 0, family: 0 });
      const seg = start === null ? null : decodeIp(data, start.offset, start.family, p.ts, p.number);
      out.push({
        sec: p.ts.sec,
        usec: Math.floor(p.ts.nsec / 1000),
        data,
        linkType: p.linkType,
        segment: seg === null || typeof seg === 'string' ? null : seg,
      });
    },
    problem: (p) => {
      if (p.severity === 'error') throw new Error(p.message);
    },
  });
  reader.push(file);
  reader.end();
  return out;
}

export function writePcap(packets: CapturedPacket[]): Uint8Array {
  return pcapFile({ linkType: packets[0]?.linkType ?? 1, records: packets.map((p) => ({ sec: p.sec, frac: p.usec, data: p.data })) });
}

const carriesData = (p: CapturedPacket): boolean => p.segment !== null && p.segment.payload.length > 0;
const sameSender = (a: CapturedPacket, b: CapturedPacket): boolean =>
  a.segment !== null &&
  b.segment !== null &&
  a.segment.src.ip === b.segment.src.ip &&
  a.segment.src.port === b.segment.src.port &&
  a.segment.dst.port === b.segment.dst.port;

/**
 * Swaps each pair of adjacent data segments of one sender (no acknowledgement between them, so the receiver
 * could not have spoken about the first before the second), and repeats every third data segment a little
 * later in the file (a retransmission). Returns the new packets and how many swaps and repeats it made.
 */
export function reorderAndDuplicate(packets: CapturedPacket[]): { packets: CapturedPacket[]; swaps: number; duplicates: number } {
  const out = packets.slice();
  let swaps = 0;
  for (let i = 0; i + 1 < out.length; i++) {
    const a = out[i]!;
    const b = out[i + 1]!;
    if (carriesData(a) && carriesData(b) && sameSender(a, b)) {
      out[i] = b;
      out[i + 1] = a;
      swaps++;
      i++;
    }
  }
  const withCopies: CapturedPacket[] = [];
  const waiting: CapturedPacket[] = [];
  let duplicates = 0;
  let dataSeen = 0;
  for (const p of out) {
    withCopies.push(p);
    if (carriesData(p) && dataSeen++ % 3 === 0) waiting.push(p);
    // The copy lands a packet or two later: a segment the stream has passed, or one it still waits for.
    if (waiting.length > 0 && withCopies.length % 2 === 0) {
      withCopies.push(waiting.shift()!);
      duplicates++;
    }
  }
  return { packets: withCopies, swaps, duplicates };
}

/**
 * Drops the `skip`-th data segment sent from `fromPort` whose bytes no other segment carries (a zero-window
 * probe's byte, for one, comes again in a later segment: dropping the probe loses nothing); returns it too.
 */
export function dropSegment(
  packets: CapturedPacket[],
  fromPort: number,
  skip: number,
): { packets: CapturedPacket[]; dropped: CapturedPacket } {
  const sent = packets.filter((p) => carriesData(p) && p.segment!.src.port === fromPort);
  const alone = (p: CapturedPacket): boolean => {
    const s = p.segment!;
    return !sent.some(
      (q) => q !== p && ((q.segment!.seq - s.seq) | 0) < s.payload.length && ((s.seq - q.segment!.seq) | 0) < q.segment!.payload.length,
    );
  };
  const candidates = sent.filter(alone);
  const dropped = candidates[skip];
  if (dropped === undefined) throw new Error(`no data segment #${skip} from port ${fromPort} that no other segment repeats`);
  return { packets: packets.filter((p) => p !== dropped), dropped };
}
