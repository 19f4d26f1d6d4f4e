/**
 * What the capture layers hand each other. Every layer is sans-IO: bytes or records come in through
 * `push`, results go out through a sink, synchronously and in order. Byte views handed to a sink are valid
 * only during that call (the reader reuses its buffers): copy what you keep.
 */
import type { CaptureProblemCode } from '../events/index.js';

export type { CaptureProblemCode } from '../events/index.js';

/** A capture timestamp: whole seconds since the Unix epoch and nanoseconds within that second. */
export interface Timestamp {
  sec: number;
  nsec: number;
}

export const ZERO_TIME: Timestamp = { sec: 0, nsec: 0 };

/** Milliseconds since the epoch (what `Date` holds), rounded down. */
export function timestampToMs(ts: Timestamp): number {
  return ts.sec * 1000 + Math.floor(ts.nsec / 1e6);
}

export function timestampFromMs(ms: number): Timestamp {
  const sec = Math.floor(ms / 1000);
  return { sec, nsec: Math.round((ms - sec * 1000) * 1e6) };
}

/** Negative, zero or positive as `a` is before, at or after `b`. */
export function compareTimestamps(a: Timestamp, b: Timestamp): number {
  return a.sec !== b.sec ? a.sec - b.sec : a.nsec - b.nsec;
}

export type CaptureFormat = 'pcap' | 'pcapng';

/** A file header (pcap) or section header block (pcapng). */
export interface SectionInfo {
  format: CaptureFormat;
  /** 0-based; a pcap file has one section. */
  index: number;
  littleEndian: boolean;
  /** "2.4" for pcap, "1.0" for pcapng. */
  version: string;
}

/** A capture interface: the one of a pcap file, or a pcapng Interface Description Block. */
export interface InterfaceInfo {
  /** Index over the whole file (pcapng numbers interfaces per section; this counts across sections). */
  id: number;
  section: number;
  /** LINKTYPE_* value (https://www.tcpdump.org/linktypes.html). */
  linkType: number;
  /** Largest number of bytes captured per packet; 0 = no limit. */
  snapLength: number;
  /** if_name, when the file gives one. */
  name: string | null;
}

/** One captured packet. `data` is a view valid only during the sink call. */
export interface PacketRecord {
  /** 1-based position in the file, as Wireshark's frame.number. */
  number: number;
  interfaceId: number;
  linkType: number;
  ts: Timestamp;
  /** False for pcapng simple packet blocks, which carry none (the previous packet's time is used). */
  timestamped: boolean;
  /** The bytes captured (at most the snapshot length). */
  data: Uint8Array;
  /** The packet's length on the wire; more than `data.length` when the snapshot cut it. */
  originalLength: number;
}

/**
 * Something wrong with the capture itself (not with the WebSocket traffic in it). `error` problems stop the
 * reader: nothing after them can be trusted; `warning` ones skip one record or packet.
 */
export interface CaptureProblem {
  severity: 'error' | 'warning';
  code: CaptureProblemCode;
  message: string;
  /** Byte offset in the file where the problem was found. */
  offset: number;
  /** The packet concerned, when there is one. */
  packet?: number;
}

/** Receives what a CaptureReader finds, in file order. */
export interface CaptureSink {
  section?(section: SectionInfo): void;
  interface?(info: InterfaceInfo): void;
  packet(packet: PacketRecord): void;
  problem(problem: CaptureProblem): void;
}

/** An IP address as text (IPv6 in RFC 5952 form, without brackets) and a port. */
export interface Endpoint {
  ip: string;
  port: number;
}

/** "ip:port", IPv6 in brackets (the form of the `client` field of `open` events). */
export function endpointText(e: Endpoint): string {
  return e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`;
}

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;

/** A TCP segment as the packet decoder found it. `payload` is a view valid only during the call. */
export interface TcpSegment {
  src: Endpoint;
  dst: Endpoint;
  seq: number;
  ack: number;
  flags: number;
  /** Payload bytes present in the capture. */
  payload: Uint8Array;
  /** Payload bytes the IP header announces but the snapshot length cut off (they follow `payload`). */
  missing: number;
  ts: Timestamp;
  packet: number;
}
