/**
 * TCP stream reassembly: segments in (capture order), per connection and direction the byte stream out
 * (in order, each byte once), with what the capture cannot show said plainly.
 *
 * - Sequence numbers are compared modulo 2^32 (RFC 9293 §3.4), so a stream may wrap around; each direction
 *   is handed out as offsets from its first byte (after the SYN, or the first byte seen).
 * - Retransmissions and overlaps: the first copy of a byte wins (a later, different copy is dropped), as in
 *   most reassemblers. Wireshark 4.0 does the same when out-of-order reassembly is on
 *   (tcp.reassemble_out_of_order: a later copy with other bytes leaves the reassembled request unchanged);
 *   with its default settings it flags a partly overlapping segment as out-of-order and does not reassemble
 *   across it.
 * - Out-of-order segments wait, copied, in a bounded buffer (per direction and in total). When a bound is
 *   reached, the stream moves on past its oldest hole, which is reported as a gap.
 * - A hole becomes a gap (offset and size, never filled with guesses) when the stream provably moved past
 *   it: the receiver acknowledged bytes after it (so the capture lost them, the receiver did not), the
 *   connection was reset, a buffer bound was reached, or the capture ended. A FIN alone does not prove a
 *   hole lost: a retransmission may still fill it; the FIN is handed out once the bytes before it are.
 * - Bytes the snapshot length cut off are a gap of known size at a known place.
 * - A connection whose SYN is not in the capture starts at the first byte seen in each direction, and says
 *   so (`roles`, `synSeen`).
 * - The connection table is bounded: past `maxConnections`, finished connections are forgotten first, then
 *   the least recently active ones are closed as `evicted`.
 */
import type { GapCause } from '../events/index.js';

export type { GapCause } from '../events/index.js';
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, type Endpoint, type TcpSegment, type Timestamp } from './types.js';

export type CloseReason =
  /** Both directions ended with a FIN. */
  | 'fin'
  | 'reset'
  /** The capture ended first. */
  | 'capture-end'
  /** Given up to keep the connection table bounded. */
  | 'evicted'
  /** A new connection (SYN with another initial sequence number) took the same addresses and ports. */
  | 'reused';

export type Peer = 0 | 1;

/** A connection as handlers see it. */
export interface TcpConnection {
  /** 0-based, in order of first packet, as Wireshark's tcp.stream for the same capture. */
  readonly stream: number;
  /** endpoints[0] is the client when the capture shows who sent the SYN; else the first packet's sender. */
  readonly endpoints: readonly [Endpoint, Endpoint];
  /** How endpoints[0] was chosen. */
  readonly roles: 'syn' | 'first-packet';
  readonly firstTs: Timestamp;
  /** Whether the capture shows the SYN of each direction (without it the stream starts at the first byte seen). */
  synSeen(from: Peer): boolean;
  /** Stop handing out data for this connection (TLS, plain HTTP...): only its end is still reported. */
  ignore(): void;
}

/** Receives one connection's stream; every call is synchronous and in stream order. */
export interface TcpStreamHandler {
  /** In-order bytes sent by endpoints[from], at `offset` in that direction. A view: copy what you keep. */
  data(from: Peer, bytes: Uint8Array, offset: number, ts: Timestamp): void;
  /** `length` bytes at `offset` that the capture does not hold; the stream goes on after them. */
  gap(from: Peer, offset: number, length: number, cause: GapCause, ts: Timestamp): void;
  /** endpoints[from] sent a FIN, and every byte before it was handed out. */
  fin(from: Peer, ts: Timestamp): void;
  /** endpoints[from] reset the connection; `close('reset')` follows. */
  reset(from: Peer, ts: Timestamp): void;
  /** The last call for this connection. */
  close(reason: CloseReason, ts: Timestamp): void;
}

export interface TcpSink {
  open(connection: TcpConnection): TcpStreamHandler;
}

export interface ReassemblyOptions {
  /** Out-of-order bytes held per direction before its oldest hole is given up (default 4 MiB). */
  maxBufferedPerDirection?: number;
  /** Out-of-order bytes held over all connections (default 64 MiB). */
  maxBufferedTotal?: number;
  /**
   * Connections tracked at once, finished ones included (default DEFAULT_MAX_CONNECTIONS). What each costs is
   * mostly its handler's: a judged WebSocket connection holds about 10 KiB, 150 KiB with permessage-deflate.
   */
  maxConnections?: number;
}

export interface ReassemblyStats {
  connections: number;
  segments: number;
  /** Segments whose bytes had all been handed out already. */
  retransmissions: number;
  /** Segments that arrived ahead of a hole and waited. */
  outOfOrder: number;
  gaps: number;
  gapBytes: number;
  evicted: number;
  /** Packets for connections already closed (late ACKs, retransmitted FINs). */
  afterClose: number;
}

/** Connections tracked at once by default: with every one a compressed WebSocket, about 1.5 GiB. */
export const DEFAULT_MAX_CONNECTIONS = 10_000;

/** Accounting cost of one waiting piece beyond its bytes, so many tiny pieces also reach the bound. */
const PIECE_OVERHEAD = 64;
/** An acknowledgement further ahead than this is not about this stream (or is corrupt): ignored. */
const MAX_ACK_JUMP = 1 << 30;

const EMPTY = new Uint8Array(0);

/** Out-of-order bytes (or, `bytes` null, a known-missing run) waiting at a stream offset. */
interface Piece {
  offset: number;
  length: number;
  bytes: Uint8Array | null;
  /** `bytes` is our own copy (not a view of a packet). */
  owned: boolean;
}

class Half {
  started = false;
  syn = false;
  /** Initial sequence number, when the SYN was seen. */
  isn = 0;
  /** Sequence number of the byte at `offset`. */
  nextSeq = 0;
  /** Stream offset of the next byte to hand out. */
  offset = 0;
  /** Stream offset of the FIN, or -1. */
  finOffset = -1;
  finished = false;
  /** Waiting pieces, sorted by offset, never overlapping. */
  pieces: Piece[] = [];
  buffered = 0;
  /** Some waiting piece is still a view of the packet being processed. */
  views = false;
}

class Connection implements TcpConnection {
  readonly halves: [Half, Half] = [new Half(), new Half()];
  handler: TcpStreamHandler | null = null;
  ignored = false;
  closed = false;
  lastSeen: number;

  constructor(
    readonly key: string,
    readonly stream: number,
    readonly endpoints: readonly [Endpoint, Endpoint],
    readonly roles: 'syn' | 'first-packet',
    readonly firstTs: Timestamp,
    tick: number,
  ) {
    this.lastSeen = tick;
  }

  synSeen(from: Peer): boolean {
    return this.halves[from].syn;
  }

  ignore(): void {
    this.ignored = true;
  }

  peerOf(src: Endpoint): Peer {
    const e = this.endpoints[0];
    return e.port === src.port && e.ip === src.ip ? 0 : 1;
  }
}

export class TcpReassembler {
  private readonly sink: TcpSink;
  private readonly maxPerDirection: number;
  private readonly maxTotal: number;
  private readonly maxConnections: number;
  private readonly table = new Map<string, Connection>();
  private nextStream = 0;
  private totalBuffered = 0;
  /** Increases with every segment: recency for eviction. */
  private tick = 0;
  private lastTs: Timestamp = { sec: 0, nsec: 0 };
  private readonly counters: ReassemblyStats = {
    connections: 0,
    segments: 0,
    retransmissions: 0,
    outOfOrder: 0,
    gaps: 0,
    gapBytes: 0,
    evicted: 0,
    afterClose: 0,
  };

  constructor(sink: TcpSink, options: ReassemblyOptions = {}) {
    this.sink = sink;
    this.maxPerDirection = options.maxBufferedPerDirection ?? 4 * 1024 * 1024;
    this.maxTotal = options.maxBufferedTotal ?? 64 * 1024 * 1024;
    this.maxConnections = Math.max(1, options.maxConnections ?? DEFAULT_MAX_CONNECTIONS);
  }

  get stats(): ReassemblyStats {
    return { ...this.counters };
  }

  /** Connections given up so far to keep the table bounded. */
  get evictions(): number {
    return this.counters.evicted;
  }

  /** Out-of-order bytes held right now, over all connections. */
  get buffered(): number {
    return this.totalBuffered;
  }

  push(seg: TcpSegment): void {
    this.counters.segments++;
    this.tick++;
    this.lastTs = seg.ts;
    const key = connectionKey(seg.src, seg.dst);
    let conn = this.table.get(key);
    const flags = seg.flags;
    const opensNew = (flags & (TCP_SYN | TCP_ACK)) === TCP_SYN;
    if (conn !== undefined && opensNew && this.isNewConnection(conn, seg)) {
      if (!conn.closed) this.close(conn, 'reused', seg.ts);
      this.table.delete(key);
      conn = undefined;
    }
    if (conn !== undefined && conn.handler === null && (flags & TCP_SYN) !== 0 && !conn.closed) {
      // Only lone ACKs were seen so far: the SYN says who the client is; the stream keeps its number.
      this.table.delete(key);
      conn = this.create(key, seg, conn.stream);
    }
    if (conn === undefined) conn = this.create(key, seg);
    else if (conn.closed) {
      this.counters.afterClose++;
      return;
    }
    conn.lastSeen = this.tick;
    const from = conn.peerOf(seg.src);
    const carries = (flags & (TCP_SYN | TCP_FIN | TCP_RST)) !== 0 || seg.payload.length + seg.missing > 0;
    if (conn.handler === null) {
      // Opened lazily: a lone ACK does not make a stream worth reporting, but it takes its number.
      if (!carries) return;
      if ((flags & TCP_RST) !== 0) {
        conn.closed = true;
        return;
      }
      conn.handler = this.sink.open(conn);
    }
    this.segment(conn, from, seg);
    if (this.totalBuffered > this.maxTotal) this.relieveTotal(seg.ts);
  }

  /** The capture ended: holes become gaps, waiting bytes are handed out, every open connection closes. */
  end(): void {
    for (const conn of this.table.values()) {
      if (!conn.closed && conn.handler !== null) this.finish(conn, 'capture-end', this.lastTs);
    }
    this.table.clear();
  }

  // ---------------------------------------------------------------------------------------------------
  // Connections

  private create(key: string, seg: TcpSegment, stream?: number): Connection {
    const flags = seg.flags;
    const syn = (flags & TCP_SYN) !== 0;
    const ack = (flags & TCP_ACK) !== 0;
    // SYN: the sender is the client. SYN-ACK: the receiver is.
    const endpoints: [Endpoint, Endpoint] = syn && ack ? [seg.dst, seg.src] : [seg.src, seg.dst];
    const conn = new Connection(key, stream ?? this.nextStream++, endpoints, syn ? 'syn' : 'first-packet', seg.ts, this.tick);
    if (stream === undefined) this.counters.connections++;
    this.table.set(key, conn);
    if (this.table.size > this.maxConnections) this.shrinkTable(seg.ts, conn);
    return conn;
  }

  /** A SYN on a known tuple: a retransmitted SYN, or a new connection reusing the ports. */
  private isNewConnection(conn: Connection, seg: TcpSegment): boolean {
    if (conn.closed) return true;
    const half = conn.halves[conn.peerOf(seg.src)];
    if (half.syn) return half.isn !== seg.seq;
    // A connection seen without its SYN (mid-stream) meets a SYN: only new if it had carried data.
    return half.started || conn.halves[0].started || conn.halves[1].started;
  }

  private shrinkTable(ts: Timestamp, keep: Connection): void {
    const target = Math.floor(this.maxConnections * 0.9);
    // Finished connections first (kept only to absorb late packets), oldest first.
    for (const [key, conn] of this.table) {
      if (this.table.size <= target) return;
      if (conn !== keep && (conn.closed || conn.handler === null)) this.table.delete(key);
    }
    const live = [...this.table.values()].filter((c) => c !== keep).sort((a, b) => a.lastSeen - b.lastSeen);
    for (const conn of live) {
      if (this.table.size <= target) return;
      this.counters.evicted++;
      this.finish(conn, 'evicted', ts);
      this.table.delete(conn.key);
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // Segments

  private segment(conn: Connection, from: Peer, seg: TcpSegment): void {
    const flags = seg.flags;
    const ts = seg.ts;
    if ((flags & TCP_RST) !== 0) {
      this.reset(conn, from, ts);
      return;
    }
    const half = conn.halves[from];
    if (conn.ignored) {
      // Nothing is handed out any more; only the end of the connection still matters.
      if ((flags & TCP_FIN) !== 0 && !half.finished) this.finished(conn, from, ts);
      return;
    }
    // The acknowledgement speaks about the other direction: bytes it covers reached the peer.
    if ((flags & TCP_ACK) !== 0) this.acknowledged(conn, (1 - from) as Peer, seg.ack, ts);
    if (conn.closed) return;

    let dataSeq = seg.seq;
    if ((flags & TCP_SYN) !== 0) {
      if (!half.syn) {
        half.syn = true;
        half.isn = seg.seq;
        if (!half.started) {
          half.started = true;
          half.nextSeq = (seg.seq + 1) >>> 0;
        }
      }
      // The SYN takes one sequence number; data on a SYN (TCP Fast Open) follows it.
      dataSeq = (seg.seq + 1) >>> 0;
    }
    const length = seg.payload.length + seg.missing;
    const fin = (flags & TCP_FIN) !== 0;
    if (length === 0 && !fin) return;
    if (!half.started) {
      half.started = true;
      half.nextSeq = dataSeq;
    }
    if (half.finished) {
      if (length > 0) this.counters.retransmissions++;
      return;
    }
    const offset = half.offset + ((dataSeq - half.nextSeq) | 0);
    if (length > 0) this.data(conn, from, offset, seg.payload, seg.missing, ts);
    if (fin && half.finOffset < 0) half.finOffset = offset + length;
    this.drain(conn, from, ts);
    if (half.buffered > this.maxPerDirection) this.relieve(conn, from, ts, this.maxPerDirection);
  }

  private data(conn: Connection, from: Peer, offset: number, payload: Uint8Array, missing: number, ts: Timestamp): void {
    const half = conn.halves[from];
    let start = offset;
    let bytes = payload;
    let absent = missing;
    const end = offset + payload.length + missing;
    if (end <= half.offset) {
      this.counters.retransmissions++;
      return;
    }
    if (start < half.offset) {
      // The head was handed out already: the first copy wins.
      const cut = half.offset - start;
      if (cut < bytes.length) bytes = bytes.subarray(cut);
      else {
        absent -= cut - bytes.length;
        bytes = EMPTY;
      }
      start = half.offset;
    }
    const handler = conn.handler!;
    if (start === half.offset && half.pieces.length === 0) {
      // In order, nothing waiting: hand the packet's own bytes out, no copy.
      if (bytes.length > 0) this.deliver(half, handler, from, bytes, ts);
      if (absent > 0) this.gap(half, handler, from, absent, 'snaplen', ts);
      return;
    }
    if (start > half.offset) this.counters.outOfOrder++;
    if (bytes.length > 0) this.insert(half, start, bytes.length, bytes);
    if (absent > 0) this.insert(half, start + bytes.length, absent, null);
  }

  /** Adds [offset, offset+length) to the waiting pieces where no earlier copy covers it (first copy wins). */
  private insert(half: Half, offset: number, length: number, bytes: Uint8Array | null): void {
    const end = offset + length;
    const pieces = half.pieces;
    let cursor = offset;
    let i = 0;
    while (i < pieces.length && cursor < end) {
      const p = pieces[i]!;
      const pEnd = p.offset + p.length;
      if (pEnd <= cursor) {
        i++;
        continue;
      }
      if (p.offset >= end) break;
      if (p.offset > cursor) {
        this.addPiece(half, i, cursor, p.offset - cursor, bytes, offset);
        i++;
      }
      cursor = Math.max(cursor, pEnd);
      i++;
    }
    if (cursor < end) this.addPiece(half, i, cursor, end - cursor, bytes, offset);
  }

  private addPiece(half: Half, index: number, offset: number, length: number, bytes: Uint8Array | null, bytesOffset: number): void {
    const view = bytes === null ? null : bytes.subarray(offset - bytesOffset, offset - bytesOffset + length);
    half.pieces.splice(index, 0, { offset, length, bytes: view, owned: false });
    if (view !== null) half.views = true;
    const cost = (view === null ? 0 : length) + PIECE_OVERHEAD;
    half.buffered += cost;
    this.totalBuffered += cost;
  }

  /** Hands out what is now contiguous, the FIN once reached, and keeps copies of what still waits. */
  private drain(conn: Connection, from: Peer, ts: Timestamp): void {
    const half = conn.halves[from];
    const handler = conn.handler!;
    const pieces = half.pieces;
    let taken = 0;
    while (taken < pieces.length && pieces[taken]!.offset <= half.offset && !conn.ignored) {
      const p = pieces[taken++]!;
      this.release(half, p);
      const cut = half.offset - p.offset;
      if (cut >= p.length) continue;
      if (p.bytes === null) this.gap(half, handler, from, p.length - cut, 'snaplen', ts);
      else this.deliver(half, handler, from, cut === 0 ? p.bytes : p.bytes.subarray(cut), ts);
    }
    if (taken > 0) pieces.splice(0, taken);
    if (conn.ignored) {
      // The handler lost interest while bytes were being handed out: nothing more waits.
      for (const h of conn.halves) this.dropPieces(h);
      return;
    }
    if (half.views) {
      // What still waits may be a view of this packet, which the reader reuses: copy it now.
      half.views = false;
      for (const p of pieces) {
        if (!p.owned && p.bytes !== null) {
          p.bytes = p.bytes.slice();
          p.owned = true;
        }
      }
    }
    if (half.finOffset >= 0 && !half.finished && half.offset >= half.finOffset) this.finished(conn, from, ts);
  }

  /** endpoints[from]'s FIN is reached; both FINs close the connection. */
  private finished(conn: Connection, from: Peer, ts: Timestamp): void {
    const half = conn.halves[from];
    half.finished = true;
    half.nextSeq = (half.nextSeq + 1) >>> 0;
    conn.handler!.fin(from, ts);
    if (conn.halves[1 - from]!.finished) this.close(conn, 'fin', ts);
  }

  /** Bytes of direction `from` up to `ack` reached the receiver: holes before it are lost to the capture. */
  private acknowledged(conn: Connection, from: Peer, ack: number, ts: Timestamp): void {
    const half = conn.halves[from];
    if (!half.started || half.finished || conn.ignored) return;
    const ahead = (ack - half.nextSeq) | 0;
    if (ahead <= 0 || ahead > MAX_ACK_JUMP) return;
    let target = half.offset + ahead;
    // The FIN takes a sequence number of its own: an ACK of it covers one more than the data.
    if (half.finOffset >= 0) target = Math.min(target, half.finOffset);
    this.moveTo(conn, from, target, 'lost', ts);
  }

  /** Moves direction `from` up to `target`: waiting bytes are handed out, holes reported as gaps. */
  private moveTo(conn: Connection, from: Peer, target: number, cause: GapCause, ts: Timestamp): void {
    const half = conn.halves[from];
    const handler = conn.handler!;
    while (half.offset < target) {
      const first = half.pieces[0];
      if (first !== undefined && first.offset <= half.offset) {
        this.drain(conn, from, ts);
        continue;
      }
      const next = first === undefined ? target : Math.min(first.offset, target);
      this.gap(half, handler, from, next - half.offset, cause, ts);
    }
    this.drain(conn, from, ts);
  }

  /** Gives up holes of one direction, oldest first, until it holds at most `limit` bytes. */
  private relieve(conn: Connection, from: Peer, ts: Timestamp, limit: number): void {
    const half = conn.halves[from];
    while (half.buffered > limit && half.pieces.length > 0) this.moveTo(conn, from, half.pieces[0]!.offset, 'buffer-limit', ts);
  }

  /** The total bound was reached: relieve the directions holding most until back under it. */
  private relieveTotal(ts: Timestamp): void {
    while (this.totalBuffered > this.maxTotal) {
      let worst: { conn: Connection; from: Peer } | null = null;
      let most = 0;
      for (const conn of this.table.values()) {
        for (const from of [0, 1] as const) {
          if (conn.halves[from].buffered > most) {
            most = conn.halves[from].buffered;
            worst = { conn, from };
          }
        }
      }
      if (worst === null) return;
      this.relieve(worst.conn, worst.from, ts, 0);
    }
  }

  private reset(conn: Connection, from: Peer, ts: Timestamp): void {
    for (const peer of [from, (1 - from) as Peer]) this.flush(conn, peer, 'reset', ts);
    conn.handler!.reset(from, ts);
    this.close(conn, 'reset', ts);
  }

  /** Ends a connection the capture does not show ending: holes become gaps, then close. */
  private finish(conn: Connection, reason: CloseReason, ts: Timestamp): void {
    for (const peer of [0, 1] as const) this.flush(conn, peer, 'capture-end', ts);
    if (!conn.closed) this.close(conn, reason, ts);
  }

  /** Hands out everything still waiting in a direction, holes as gaps of `cause`, up to a FIN if one is known. */
  private flush(conn: Connection, from: Peer, cause: GapCause, ts: Timestamp): void {
    const half = conn.halves[from];
    if (!half.started || half.finished || conn.ignored) {
      this.dropPieces(half);
      return;
    }
    const last = half.pieces[half.pieces.length - 1];
    let target = last === undefined ? half.offset : last.offset + last.length;
    if (half.finOffset > target) target = half.finOffset;
    if (target > half.offset) this.moveTo(conn, from, target, cause, ts);
  }

  private close(conn: Connection, reason: CloseReason, ts: Timestamp): void {
    if (conn.closed) return;
    conn.closed = true;
    for (const half of conn.halves) this.dropPieces(half);
    conn.handler?.close(reason, ts);
  }

  private deliver(half: Half, handler: TcpStreamHandler, from: Peer, bytes: Uint8Array, ts: Timestamp): void {
    const offset = half.offset;
    this.advance(half, bytes.length);
    handler.data(from, bytes, offset, ts);
  }

  private gap(half: Half, handler: TcpStreamHandler, from: Peer, length: number, cause: GapCause, ts: Timestamp): void {
    const offset = half.offset;
    this.advance(half, length);
    this.counters.gaps++;
    this.counters.gapBytes += length;
    handler.gap(from, offset, length, cause, ts);
  }

  private advance(half: Half, length: number): void {
    half.offset += length;
    half.nextSeq = (half.nextSeq + length) >>> 0;
  }

  private release(half: Half, piece: Piece): void {
    const cost = (piece.bytes === null ? 0 : piece.length) + PIECE_OVERHEAD;
    half.buffered -= cost;
    this.totalBuffered -= cost;
  }

  private dropPieces(half: Half): void {
    for (const p of half.pieces) this.release(half, p);
    half.pieces = [];
  }
}

/** The same key for both directions of a connection. */
export function connectionKey(a: Endpoint, b: Endpoint): string {
  const x = `${a.ip} ${a.port}`;
  const y = `${b.ip} ${b.port}`;
  return x < y ? `${x} ${y}` : `${y} ${x}`;
}
