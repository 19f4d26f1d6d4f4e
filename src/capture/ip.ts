/**
 * IPv4 and IPv6 down to TCP: the segment's addresses, ports, sequence numbers, flags and payload, with the
 * payload bytes the snapshot length cut off counted rather than lost. Lengths come from the IP header, so
 * Ethernet padding and a trailing frame check sequence are never taken for payload.
 *
 * IP fragments are not reassembled: TCP sets Don't Fragment and sizes its segments to the path (RFC 9293
 * §3.7.1), so fragmented TCP is rare; a fragment is counted and skipped, and the hole it leaves in the TCP
 * stream is reported by reassembly as a gap, never filled.
 */
import { canonicalIpv6 } from '../ip.js';
import { u16be, u32be } from './bytes.js';
import type { Endpoint, TcpSegment, Timestamp } from './types.js';

const PROTO_TCP = 6;

/** IPv6 extension headers whose length is (byte 1 + 1) * 8: hop-by-hop, routing, destination, mobility, HIP, shim6. */
const EXT_HOP_BY_HOP = 0;
const EXT_ROUTING = 43;
const EXT_FRAGMENT = 44;
const EXT_AUTH = 51;
const EXT_DEST_OPTS = 60;
const EXT_MOBILITY = 135;
const EXT_HIP = 139;
const EXT_SHIM6 = 140;
/** A chain longer than this is not a real packet. */
const MAX_EXTENSION_HEADERS = 16;

/** Why a packet gave no TCP segment. */
export type SkipReason = 'not-ip' | 'not-tcp' | 'ip-fragment' | 'truncated' | 'malformed';

export type TcpDecode = TcpSegment | SkipReason;

/** Decodes the IP packet at `data[offset..]` to a TCP segment. `family` 0 reads the version from the packet. */
export function decodeIp(data: Uint8Array, offset: number, family: 0 | 4 | 6, ts: Timestamp, packet: number): TcpDecode {
  if (data.length <= offset) return 'truncated';
  const version = data[offset]! >> 4;
  if (family !== 0 && version !== family) return 'malformed';
  if (version === 4) return ipv4(data, offset, ts, packet);
  if (version === 6) return ipv6(data, offset, ts, packet);
  return family === 0 ? 'not-ip' : 'malformed';
}

function ipv4(data: Uint8Array, at: number, ts: Timestamp, packet: number): TcpDecode {
  if (data.length < at + 20) return 'truncated';
  const headerLength = (data[at]! & 0x0f) * 4;
  if (headerLength < 20) return 'malformed';
  if (data.length < at + headerLength) return 'truncated';
  const totalLength = u16be(data, at + 2);
  const fragment = u16be(data, at + 6);
  // More Fragments set, or a non-zero offset: a piece of a larger datagram.
  if ((fragment & 0x2000) !== 0 || (fragment & 0x1fff) !== 0) return 'ip-fragment';
  if (data[at + 9] !== PROTO_TCP) return 'not-tcp';
  // Total length 0 is what a capture on the sending host shows for segments the NIC will cut (TSO):
  // the captured length is then the only length there is (Wireshark reasons the same way).
  let ipLength: number;
  if (totalLength === 0) ipLength = data.length - at;
  else if (totalLength < headerLength) return 'malformed';
  else ipLength = totalLength;
  const src = ipv4Text(data, at + 12);
  const dst = ipv4Text(data, at + 16);
  return tcp(data, at + headerLength, ipLength - headerLength, src, dst, ts, packet);
}

function ipv6(data: Uint8Array, at: number, ts: Timestamp, packet: number): TcpDecode {
  if (data.length < at + 40) return 'truncated';
  const payloadLength = u16be(data, at + 4);
  // 0 is a jumbogram (RFC 2675) or a segmentation-offload capture: take what was captured.
  const end = payloadLength === 0 ? data.length : at + 40 + payloadLength;
  let next = data[at + 6]!;
  let p = at + 40;
  for (let i = 0; next !== PROTO_TCP; i++) {
    if (i >= MAX_EXTENSION_HEADERS) return 'malformed';
    let length: number;
    switch (next) {
      case EXT_HOP_BY_HOP:
      case EXT_ROUTING:
      case EXT_DEST_OPTS:
      case EXT_MOBILITY:
      case EXT_HIP:
      case EXT_SHIM6:
        if (data.length < p + 2) return 'truncated';
        length = (data[p + 1]! + 1) * 8;
        break;
      case EXT_AUTH:
        if (data.length < p + 2) return 'truncated';
        length = (data[p + 1]! + 2) * 4;
        break;
      case EXT_FRAGMENT: {
        if (data.length < p + 8) return 'truncated';
        // Offset 0 without More Fragments is an atomic fragment (RFC 6946): the whole datagram.
        const field = u16be(data, p + 2);
        if ((field & 0xfff8) !== 0 || (field & 0x0001) !== 0) return 'ip-fragment';
        length = 8;
        break;
      }
      default:
        // ESP, No Next Header, UDP, ICMPv6...: nothing TCP we could read.
        return 'not-tcp';
    }
    if (p + length > end) return 'malformed';
    next = data[p]!;
    p += length;
  }
  const src = ipv6Text(data, at + 8);
  const dst = ipv6Text(data, at + 24);
  return tcp(data, p, end - p, src, dst, ts, packet);
}

/** The TCP header at data[at..]; `length` is the segment length the IP header gives. */
function tcp(data: Uint8Array, at: number, length: number, srcIp: string, dstIp: string, ts: Timestamp, packet: number): TcpDecode {
  if (length < 20) return 'malformed';
  if (data.length < at + 20) return 'truncated';
  const headerLength = (data[at + 12]! >> 4) * 4;
  if (headerLength < 20 || headerLength > length) return 'malformed';
  const payloadStart = at + headerLength;
  const payloadLength = length - headerLength;
  const captured = Math.max(0, Math.min(payloadLength, data.length - payloadStart));
  const src: Endpoint = { ip: srcIp, port: u16be(data, at) };
  const dst: Endpoint = { ip: dstIp, port: u16be(data, at + 2) };
  return {
    src,
    dst,
    seq: u32be(data, at + 4),
    ack: u32be(data, at + 8),
    flags: data[at + 13]!,
    payload: captured > 0 ? data.subarray(payloadStart, payloadStart + captured) : EMPTY,
    missing: payloadLength - captured,
    ts,
    packet,
  };
}

const EMPTY = new Uint8Array(0);

export function ipv4Text(data: Uint8Array, at: number): string {
  return `${data[at]}.${data[at + 1]}.${data[at + 2]}.${data[at + 3]}`;
}

/** RFC 5952 text (../ip.ts), with an IPv4-mapped address in its dotted form. */
export function ipv6Text(data: Uint8Array, at: number): string {
  // ::ffff:a.b.c.d, the IPv4-mapped form, is written with the IPv4 address in dotted form (RFC 5952 §5).
  const mapped = data.subarray(at, at + 10).every((byte) => byte === 0) && data[at + 10] === 0xff && data[at + 11] === 0xff;
  return mapped ? `::ffff:${ipv4Text(data, at + 12)}` : canonicalIpv6(data, at);
}
