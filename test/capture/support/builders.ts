/**
 * Hand-built capture bytes for the capture tests, written from the format specifications and independent
 * of src/capture (its writer included), so a reader bug cannot hide behind a writer with the same bug.
 */

export function concat(parts: ReadonlyArray<Uint8Array | number[]>): Uint8Array {
  const arrays = parts.map((p) => (p instanceof Uint8Array ? p : Uint8Array.from(p)));
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0));
  let at = 0;
  for (const a of arrays) {
    out.set(a, at);
    at += a.length;
  }
  return out;
}

function u16(value: number, little: boolean): number[] {
  return little ? [value & 0xff, (value >>> 8) & 0xff] : [(value >>> 8) & 0xff, value & 0xff];
}

function u32(value: number, little: boolean): number[] {
  const b = [(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
  return little ? b.reverse() : b;
}

const pad4 = (n: number): number => (n + 3) & ~3;

// ---------------------------------------------------------------------------------------------------
// Classic pcap

export interface PcapRecord {
  sec: number;
  /** Micro- or nanoseconds, as the file's precision says. */
  frac: number;
  data: Uint8Array;
  /** Defaults to data.length. */
  originalLength?: number;
}

export function pcapFile(options: {
  little?: boolean;
  nanoseconds?: boolean;
  linkType?: number;
  snapLength?: number;
  version?: [number, number];
  records: PcapRecord[];
}): Uint8Array {
  const little = options.little ?? true;
  const magic = options.nanoseconds ? 0xa1b23c4d : 0xa1b2c3d4;
  const [major, minor] = options.version ?? [2, 4];
  const header = [
    ...u32(magic, little),
    ...u16(major, little),
    ...u16(minor, little),
    ...u32(0, little),
    ...u32(0, little),
    ...u32(options.snapLength ?? 262144, little),
    ...u32(options.linkType ?? 1, little),
  ];
  const records = options.records.map((r) =>
    concat([
      [...u32(r.sec, little), ...u32(r.frac, little), ...u32(r.data.length, little), ...u32(r.originalLength ?? r.data.length, little)],
      r.data,
    ]),
  );
  return concat([header, ...records]);
}

// ---------------------------------------------------------------------------------------------------
// pcapng

export function block(type: number, body: Uint8Array | number[], little: boolean): Uint8Array {
  const bytes = body instanceof Uint8Array ? body : Uint8Array.from(body);
  const padded = new Uint8Array(pad4(bytes.length));
  padded.set(bytes);
  const length = 12 + padded.length;
  return concat([u32(type, little), u32(length, little), padded, u32(length, little)]);
}

export function option(code: number, value: Uint8Array | number[], little: boolean): Uint8Array {
  const bytes = value instanceof Uint8Array ? value : Uint8Array.from(value);
  const padded = new Uint8Array(pad4(bytes.length));
  padded.set(bytes);
  return concat([u16(code, little), u16(bytes.length, little), padded]);
}

export const END_OF_OPTIONS = new Uint8Array(4);

export function shb(options: { little?: boolean; major?: number } = {}): Uint8Array {
  const little = options.little ?? true;
  return block(
    0x0a0d0d0a,
    concat([u32(0x1a2b3c4d, little), u16(options.major ?? 1, little), u16(0, little), [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]]),
    little,
  );
}

export function idb(options: {
  little?: boolean;
  linkType?: number;
  snapLength?: number;
  name?: string;
  tsresol?: number;
  /** if_tsoffset in seconds (may be negative). */
  tsoffset?: number;
}): Uint8Array {
  const little = options.little ?? true;
  const opts: Uint8Array[] = [];
  if (options.name !== undefined) opts.push(option(2, new TextEncoder().encode(options.name), little));
  if (options.tsresol !== undefined) opts.push(option(9, [options.tsresol], little));
  if (options.tsoffset !== undefined) {
    const v = BigInt.asUintN(64, BigInt(options.tsoffset));
    const hi = Number(v >> 32n);
    const lo = Number(v & 0xffffffffn);
    opts.push(option(14, little ? [...u32(lo, true), ...u32(hi, true)] : [...u32(hi, false), ...u32(lo, false)], little));
  }
  if (opts.length > 0) opts.push(END_OF_OPTIONS);
  return block(1, concat([u16(options.linkType ?? 1, little), u16(0, little), u32(options.snapLength ?? 0, little), ...opts]), little);
}

/** An enhanced packet block; `ticks` is the 64-bit timestamp in the interface's units. */
export function epb(options: {
  little?: boolean;
  iface?: number;
  ticks: bigint;
  data: Uint8Array;
  originalLength?: number;
  comment?: string;
}): Uint8Array {
  const little = options.little ?? true;
  const hi = Number(options.ticks >> 32n);
  const lo = Number(options.ticks & 0xffffffffn);
  const data = new Uint8Array(pad4(options.data.length));
  data.set(options.data);
  const opts = options.comment === undefined ? [] : [option(1, new TextEncoder().encode(options.comment), little), END_OF_OPTIONS];
  return block(
    6,
    concat([
      u32(options.iface ?? 0, little),
      u32(hi, little),
      u32(lo, little),
      u32(options.data.length, little),
      u32(options.originalLength ?? options.data.length, little),
      data,
      ...opts,
    ]),
    little,
  );
}

export function spb(options: { little?: boolean; data: Uint8Array; originalLength?: number }): Uint8Array {
  const little = options.little ?? true;
  return block(3, concat([u32(options.originalLength ?? options.data.length, little), options.data]), little);
}

/** The obsolete Packet Block (type 2). */
export function obsoletePb(options: { little?: boolean; iface?: number; ticks: bigint; data: Uint8Array }): Uint8Array {
  const little = options.little ?? true;
  return block(
    2,
    concat([
      u16(options.iface ?? 0, little),
      u16(0, little),
      u32(Number(options.ticks >> 32n), little),
      u32(Number(options.ticks & 0xffffffffn), little),
      u32(options.data.length, little),
      u32(options.data.length, little),
      options.data,
    ]),
    little,
  );
}

// ---------------------------------------------------------------------------------------------------
// Packets

export interface TcpSpec {
  src: string;
  dst: string;
  sport: number;
  dport: number;
  seq: number;
  ack?: number;
  /** Letters: S, A, F, R, P. */
  flags?: string;
  payload?: Uint8Array | string;
  /** Extra TCP option bytes (a multiple of 4). */
  options?: number[];
}

const FLAG_BITS: Record<string, number> = { F: 1, S: 2, R: 4, P: 8, A: 16 };

/** TCP flags written as letters (F S R P A) as the bits of the header's flag byte. */
export function tcpFlagBits(flags: string): number {
  let bits = 0;
  for (const letter of flags) {
    const bit = FLAG_BITS[letter];
    if (bit === undefined) throw new Error(`unknown TCP flag "${letter}"`);
    bits |= bit;
  }
  return bits;
}

export function tcpHeader(spec: TcpSpec): Uint8Array {
  const payload = typeof spec.payload === 'string' ? new TextEncoder().encode(spec.payload) : (spec.payload ?? new Uint8Array(0));
  const flagBits = tcpFlagBits(spec.flags ?? 'A');
  const opts = spec.options ?? [];
  return concat([
    u16(spec.sport, false),
    u16(spec.dport, false),
    u32(spec.seq >>> 0, false),
    u32((spec.ack ?? 0) >>> 0, false),
    [((20 + opts.length) / 4) << 4, flagBits],
    u16(65535, false),
    [0, 0, 0, 0],
    opts,
    payload,
  ]);
}

export function ipv4Bytes(text: string): number[] {
  return text.split('.').map(Number);
}

/** An IPv4 packet around `payload`; `totalLength` overrides the header's length field. */
export function ipv4(options: {
  src: string;
  dst: string;
  protocol?: number;
  payload: Uint8Array;
  options?: number[];
  totalLength?: number;
  fragment?: number;
}): Uint8Array {
  const opts = options.options ?? [];
  const headerLength = 20 + opts.length;
  return concat([
    [0x40 | (headerLength / 4), 0],
    u16(options.totalLength ?? headerLength + options.payload.length, false),
    [0, 1],
    u16(options.fragment ?? 0x4000, false),
    [64, options.protocol ?? 6, 0, 0],
    ipv4Bytes(options.src),
    ipv4Bytes(options.dst),
    opts,
    options.payload,
  ]);
}

export function ipv6Bytes(text: string): number[] {
  const [left = '', right] = text.split('::');
  const l = left === '' ? [] : left.split(':');
  const r = right === undefined || right === '' ? [] : right.split(':');
  const groups = [...l, ...new Array<string>(8 - l.length - r.length).fill('0'), ...r];
  return groups.flatMap((g) => u16(parseInt(g, 16), false));
}

/** An IPv6 packet; `extensions` are [next-header value, header bytes] in order, the last pointing to `next`. */
export function ipv6(options: {
  src: string;
  dst: string;
  payload: Uint8Array;
  next?: number;
  extensions?: Array<[number, Uint8Array]>;
  payloadLength?: number;
}): Uint8Array {
  const exts = options.extensions ?? [];
  const first = exts.length > 0 ? exts[0]![0] : (options.next ?? 6);
  const chain = exts.map(([, bytes], i) => {
    const copy = Uint8Array.from(bytes);
    copy[0] = i + 1 < exts.length ? exts[i + 1]![0] : (options.next ?? 6);
    return copy;
  });
  const body = concat([...chain, options.payload]);
  return concat([
    [0x60, 0, 0, 0],
    u16(options.payloadLength ?? body.length, false),
    [first, 64],
    ipv6Bytes(options.src),
    ipv6Bytes(options.dst),
    body,
  ]);
}

export function ethernet(payload: Uint8Array, etherType = 0x0800, vlans: number[] = []): Uint8Array {
  const tags = vlans.flatMap((tpid, i) => [...u16(tpid, false), ...u16(100 + i, false)]);
  return concat([[2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1], tags, u16(etherType, false), payload]);
}

/** Ethernet + IPv4 + TCP, the shape of a tcpdump capture on Linux loopback. */
export function tcpPacket(spec: TcpSpec): Uint8Array {
  return ethernet(ipv4({ src: spec.src, dst: spec.dst, payload: tcpHeader(spec) }));
}
