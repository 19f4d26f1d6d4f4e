/**
 * A pcapng writer, pure: every method returns the bytes to append to the file, in order. It exists so the
 * proxy can record what it relayed (both legs, with their timestamps) in a file Wireshark opens and
 * dissects as WebSocket: TCP/IP headers are synthetic (a three-way handshake, sequence numbers that advance,
 * acknowledgements, FIN or RST at the end, correct IPv4 and TCP checksums), the payload is the relayed bytes.
 *
 * Layout: one section (little-endian), one interface per leg (raw IP or Ethernet, nanosecond timestamps),
 * enhanced packet blocks. Wireshark finds HTTP on any port by heuristics, then follows the upgrade.
 */
import { parseIp } from '../ip.js';
import { concatBytes } from '../protocol/index.js';
import { putU16, putU32 } from './bytes.js';
import type { Endpoint, Timestamp } from './types.js';
import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN } from './types.js';
import { LINKTYPE_ETHERNET, LINKTYPE_RAW } from './link.js';
import { PCAPNG_SHB_TYPE } from './detect.js';

export type WriterLinkType = 'raw' | 'ethernet';

const BLOCK_IDB = 1;
const BLOCK_EPB = 6;
const OPT_SHB_USERAPPL = 4;
const OPT_IF_NAME = 2;
const OPT_IF_DESCRIPTION = 3;
const OPT_IF_TSRESOL = 9;
/** if_tsresol 9: timestamps count nanoseconds. */
const NANOSECONDS = 9;

/** Largest TCP payload per synthetic segment: an IPv4 packet is at most 65535 bytes with 40 of headers. */
export const MAX_SEGMENT_PAYLOAD = 65535 - 40;

const encoder = new TextEncoder();

export class PcapngWriter {
  private readonly application: string;
  private interfaces = 0;

  constructor(options: { application?: string } = {}) {
    this.application = options.application ?? 'wsdiag';
  }

  /** The section header block: the first bytes of the file. */
  header(): Uint8Array {
    const options = encodeOptions([[OPT_SHB_USERAPPL, encoder.encode(this.application)]]);
    const block = new Uint8Array(28 + options.length);
    putU32(block, 0, PCAPNG_SHB_TYPE, true);
    putU32(block, 4, block.length, true);
    putU32(block, 8, 0x1a2b3c4d, true);
    putU16(block, 12, 1, true);
    putU16(block, 14, 0, true);
    // Section length unknown (-1): the file is written as it goes.
    putU32(block, 16, 0xffffffff, true);
    putU32(block, 20, 0xffffffff, true);
    block.set(options, 24);
    putU32(block, block.length - 4, block.length, true);
    return block;
  }

  /** Declares an interface (one per leg); write its block before any packet that uses its id. */
  addInterface(options: { name: string; description?: string; linkType?: WriterLinkType }): { id: number; block: Uint8Array } {
    const list: Array<[number, Uint8Array]> = [[OPT_IF_NAME, encoder.encode(options.name)]];
    if (options.description !== undefined) list.push([OPT_IF_DESCRIPTION, encoder.encode(options.description)]);
    list.push([OPT_IF_TSRESOL, Uint8Array.of(NANOSECONDS)]);
    const encoded = encodeOptions(list);
    const block = new Uint8Array(20 + encoded.length);
    putU32(block, 0, BLOCK_IDB, true);
    putU32(block, 4, block.length, true);
    putU16(block, 8, (options.linkType ?? 'raw') === 'ethernet' ? LINKTYPE_ETHERNET : LINKTYPE_RAW, true);
    putU16(block, 10, 0, true);
    putU32(block, 12, 0, true);
    block.set(encoded, 16);
    putU32(block, block.length - 4, block.length, true);
    return { id: this.interfaces++, block };
  }

  /** An enhanced packet block holding `frame` as captured on interface `interfaceId` at `ts`. */
  packet(interfaceId: number, ts: Timestamp, frame: Uint8Array): Uint8Array {
    const padded = (frame.length + 3) & ~3;
    const block = new Uint8Array(32 + padded);
    putU32(block, 0, BLOCK_EPB, true);
    putU32(block, 4, block.length, true);
    putU32(block, 8, interfaceId, true);
    const ticks = BigInt(ts.sec) * 1_000_000_000n + BigInt(ts.nsec);
    putU32(block, 12, Number(ticks >> 32n), true);
    putU32(block, 16, Number(ticks & 0xffffffffn), true);
    putU32(block, 20, frame.length, true);
    putU32(block, 24, frame.length, true);
    block.set(frame, 28);
    putU32(block, block.length - 4, block.length, true);
    return block;
  }
}

export interface SyntheticTcpOptions {
  writer: PcapngWriter;
  interfaceId: number;
  /** The interface's link type (as declared with addInterface). */
  linkType?: WriterLinkType;
  client: Endpoint;
  server: Endpoint;
  /**
   * Initial sequence numbers (defaults are fixed, so files are reproducible). A file with more than one
   * connection gives each its own (initialSequenceNumbers): see there.
   */
  isn?: { client: number; server: number };
  /** Largest payload per segment (default MAX_SEGMENT_PAYLOAD, as on loopback; 1448 looks like Ethernet). */
  maxSegment?: number;
}

type Role = 'client' | 'server';

const DEFAULT_ISN = { client: 0x1000_0000, server: 0x2000_0000 } as const;
/** Odd, so `ordinal * ISN_STRIDE` is one-to-one modulo 2^32: no two of 2^32 connections share a number. */
const ISN_STRIDE = 0x9e37_79b9;

/**
 * The initial sequence numbers of a file's `ordinal`-th connection (0 gives SyntheticTcp's defaults).
 * Connections must not share them: on loopback, Linux reuses the ports of a connection in TIME_WAIT for a
 * new one to the same address (net.ipv4.tcp_tw_reuse = 2, the default), and Wireshark tells the new
 * connection from a retransmitted SYN of the old one only by its initial sequence number: with the same
 * numbers it merges the two into one stream and dissects none of the second one's frames. (wsdiag's own
 * reassembly also takes a SYN on the ports of a connection it saw end as a new connection.)
 */
export function initialSequenceNumbers(ordinal: number): { client: number; server: number } {
  const offset = Math.imul(ordinal, ISN_STRIDE);
  return { client: (DEFAULT_ISN.client + offset) >>> 0, server: (DEFAULT_ISN.server + offset) >>> 0 };
}

/**
 * One TCP connection drawn as packets: what each side sent, with the handshake, acknowledgements and the
 * end that a capture of the real connection would show.
 */
export class SyntheticTcp {
  private readonly options: SyntheticTcpOptions;
  private readonly address: Record<Role, Uint8Array>;
  private readonly next: Record<Role, number>;
  private readonly finished: Record<Role, boolean> = { client: false, server: false };
  private ipId = 0;

  constructor(options: SyntheticTcpOptions) {
    this.options = options;
    let client = parseIp(options.client.ip);
    let server = parseIp(options.server.ip);
    // A dual-stack socket may report one side as IPv4: both must be one family in a packet.
    if (client.length !== server.length) {
      client = mapToIpv6(client);
      server = mapToIpv6(server);
    }
    this.address = { client, server };
    this.next = { ...(options.isn ?? DEFAULT_ISN) };
  }

  /** SYN, SYN-ACK, ACK. */
  open(ts: Timestamp): Uint8Array {
    const syn = this.segment('client', TCP_SYN, this.next.client, 0, EMPTY, ts);
    this.next.client = (this.next.client + 1) >>> 0;
    const synAck = this.segment('server', TCP_SYN | TCP_ACK, this.next.server, this.next.client, EMPTY, ts);
    this.next.server = (this.next.server + 1) >>> 0;
    const ack = this.segment('client', TCP_ACK, this.next.client, this.next.server, EMPTY, ts);
    return concatBytes([syn, synAck, ack]);
  }

  /** Bytes `from` sent, as segments of at most `maxSegment` bytes, then the other side's ACK. */
  send(from: Role, bytes: Uint8Array, ts: Timestamp): Uint8Array {
    if (bytes.length === 0) return EMPTY;
    const to = other(from);
    const blocks: Uint8Array[] = [];
    const mss = Math.max(1, Math.min(MAX_SEGMENT_PAYLOAD, this.options.maxSegment ?? MAX_SEGMENT_PAYLOAD));
    for (let at = 0; at < bytes.length; at += mss) {
      const piece = bytes.subarray(at, Math.min(bytes.length, at + mss));
      const last = at + piece.length >= bytes.length;
      blocks.push(this.segment(from, TCP_ACK | (last ? TCP_PSH : 0), this.next[from], this.next[to], piece, ts));
      this.next[from] = (this.next[from] + piece.length) >>> 0;
    }
    blocks.push(this.segment(to, TCP_ACK, this.next[to], this.next[from], EMPTY, ts));
    return concatBytes(blocks);
  }

  /**
   * `length` bytes `from` sent that are left out of the file: the sequence numbers move on as if they had
   * been sent, so a reader sees a segment the capture lost (a `gap`), not a stream that silently joins.
   */
  skip(from: Role, length: number): void {
    this.next[from] = (this.next[from] + length) >>> 0;
  }

  /** `from` sent a FIN; the other side acknowledges it. */
  end(from: Role, ts: Timestamp): Uint8Array {
    if (this.finished[from]) return EMPTY;
    this.finished[from] = true;
    const to = other(from);
    const fin = this.segment(from, TCP_FIN | TCP_ACK, this.next[from], this.next[to], EMPTY, ts);
    this.next[from] = (this.next[from] + 1) >>> 0;
    const ack = this.segment(to, TCP_ACK, this.next[to], this.next[from], EMPTY, ts);
    return concatBytes([fin, ack]);
  }

  /** `from` reset the connection. */
  reset(from: Role, ts: Timestamp): Uint8Array {
    this.finished.client = this.finished.server = true;
    return this.segment(from, TCP_RST | TCP_ACK, this.next[from], this.next[other(from)], EMPTY, ts);
  }

  private segment(from: Role, flags: number, seq: number, ack: number, payload: Uint8Array, ts: Timestamp): Uint8Array {
    const src = this.address[from];
    const dst = this.address[other(from)];
    const srcPort = this.options[from].port;
    const dstPort = this.options[other(from)].port;
    const ethernet = this.options.linkType === 'ethernet';
    const v6 = src.length === 16;
    const linkLength = ethernet ? 14 : 0;
    const ipLength = v6 ? 40 : 20;
    const tcpLength = 20 + payload.length;
    const frame = new Uint8Array(linkLength + ipLength + tcpLength);
    if (ethernet) {
      // Locally administered addresses, one per side.
      frame.set([0x02, 0, 0, 0, 0, from === 'client' ? 2 : 1], 0);
      frame.set([0x02, 0, 0, 0, 0, from === 'client' ? 1 : 2], 6);
      putU16(frame, 12, v6 ? 0x86dd : 0x0800, false);
    }
    const ip = linkLength;
    if (v6) {
      putU32(frame, ip, 0x60000000, false);
      putU16(frame, ip + 4, tcpLength, false);
      frame[ip + 6] = 6;
      frame[ip + 7] = 64;
      frame.set(src, ip + 8);
      frame.set(dst, ip + 24);
    } else {
      frame[ip] = 0x45;
      putU16(frame, ip + 2, ipLength + tcpLength, false);
      putU16(frame, ip + 4, this.ipId, false);
      this.ipId = (this.ipId + 1) & 0xffff;
      putU16(frame, ip + 6, 0x4000, false); // Don't Fragment
      frame[ip + 8] = 64;
      frame[ip + 9] = 6;
      frame.set(src, ip + 12);
      frame.set(dst, ip + 16);
      putU16(frame, ip + 10, checksum(frame, ip, ip + 20, 0), false);
    }
    const tcp = ip + ipLength;
    putU16(frame, tcp, srcPort, false);
    putU16(frame, tcp + 2, dstPort, false);
    putU32(frame, tcp + 4, seq, false);
    putU32(frame, tcp + 8, flags & TCP_ACK ? ack : 0, false);
    frame[tcp + 12] = 5 << 4;
    frame[tcp + 13] = flags;
    putU16(frame, tcp + 14, 0xffff, false);
    frame.set(payload, tcp + 20);
    putU16(frame, tcp + 16, checksum(frame, tcp, tcp + tcpLength, pseudoHeaderSum(src, dst, tcpLength)), false);
    return this.options.writer.packet(this.options.interfaceId, ts, frame);
  }
}

const EMPTY = new Uint8Array(0);

function other(role: Role): Role {
  return role === 'client' ? 'server' : 'client';
}

/** The Internet checksum (RFC 1071) of bytes[start..end) added to `initial`, a 16-bit one's complement sum. */
export function checksum(bytes: Uint8Array, start: number, end: number, initial: number): number {
  let sum = initial;
  let i = start;
  for (; i + 1 < end; i += 2) sum += (bytes[i]! << 8) | bytes[i + 1]!;
  if (i < end) sum += bytes[i]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}

/** The sum of the TCP pseudo-header (RFC 9293 §3.1; RFC 8200 §8.1 for IPv6), before folding. */
function pseudoHeaderSum(src: Uint8Array, dst: Uint8Array, tcpLength: number): number {
  let sum = 0;
  for (const address of [src, dst]) for (let i = 0; i < address.length; i += 2) sum += (address[i]! << 8) | address[i + 1]!;
  return sum + 6 + (tcpLength & 0xffff) + Math.floor(tcpLength / 0x10000);
}

function encodeOptions(options: ReadonlyArray<readonly [number, Uint8Array]>): Uint8Array {
  let length = 4;
  for (const [, value] of options) length += 4 + ((value.length + 3) & ~3);
  const out = new Uint8Array(length);
  let p = 0;
  for (const [code, value] of options) {
    putU16(out, p, code, true);
    putU16(out, p + 2, value.length, true);
    out.set(value, p + 4);
    p += 4 + ((value.length + 3) & ~3);
  }
  return out; // ends with opt_endofopt (four zero bytes)
}

function mapToIpv6(address: Uint8Array): Uint8Array {
  if (address.length === 16) return address;
  const out = new Uint8Array(16);
  out[10] = 0xff;
  out[11] = 0xff;
  out.set(address, 12);
  return out;
}
