/**
 * Captures of scripted TCP conversations for the WebSocket-layer tests, built as TcpSegments (so a test
 * can drop, reorder or cut exactly the segment it means) and run through reassembly and the judge.
 */
import { analyzeCaptureBytes } from '../../../src/capture/analyze.js';
import type { CaptureEvent } from '../../../src/capture/events.js';
import { TcpReassembler } from '../../../src/capture/reassembly.js';
import type { Endpoint, TcpSegment, Timestamp } from '../../../src/capture/types.js';
import { WebSocketJudge, type CaptureAnalyzerOptions } from '../../../src/capture/websocket.js';
import { computeAccept } from '../../../src/protocol/handshake.js';
import { ethernet, ipv4, pcapFile, tcpHeader } from './builders.js';

export const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

export function upgradeRequest(extra: Record<string, string | null> = {}, path = '/chat'): string {
  const headers: Record<string, string | null> = {
    Host: 'example.test',
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': KEY,
    'Sec-WebSocket-Version': '13',
    ...extra,
  };
  const lines = Object.entries(headers)
    .filter((e): e is [string, string] => e[1] !== null)
    .map(([k, v]) => `${k}: ${v}\r\n`);
  return `GET ${path} HTTP/1.1\r\n${lines.join('')}\r\n`;
}

export function switchingProtocols(extra: Record<string, string | null> = {}): string {
  const headers: Record<string, string | null> = {
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Accept': computeAccept(KEY),
    ...extra,
  };
  const lines = Object.entries(headers)
    .filter((e): e is [string, string] => e[1] !== null)
    .map(([k, v]) => `${k}: ${v}\r\n`);
  return `HTTP/1.1 101 Switching Protocols\r\n${lines.join('')}\r\n`;
}

type Side = 'client' | 'server';

/** Writes a conversation as TCP segments with realistic sequence numbers and acknowledgements. */
export class Conversation {
  readonly segments: TcpSegment[] = [];
  private readonly next: Record<Side, number>;
  private time = 0;

  constructor(
    readonly client: Endpoint = { ip: '192.0.2.10', port: 51000 },
    readonly server: Endpoint = { ip: '198.51.100.20', port: 8080 },
    isn: Record<Side, number> = { client: 0xfffff000, server: 7000 },
  ) {
    this.next = { ...isn };
  }

  /** The time of the next segment, then advances 1 ms. */
  private ts(): Timestamp {
    const ms = 1_700_000_000_000 + this.time++;
    return { sec: Math.floor(ms / 1000), nsec: (ms % 1000) * 1e6 };
  }

  private push(from: Side, flags: number, payload: Uint8Array, seq = this.next[from]): TcpSegment {
    const to: Side = from === 'client' ? 'server' : 'client';
    const segment: TcpSegment = {
      src: this[from],
      dst: this[to],
      seq: seq >>> 0,
      ack: this.next[to] >>> 0,
      flags,
      payload,
      missing: 0,
      ts: this.ts(),
      packet: this.segments.length + 1,
    };
    this.segments.push(segment);
    return segment;
  }

  handshake(): this {
    this.push('client', 0x02, new Uint8Array(0));
    this.next.client = (this.next.client + 1) >>> 0;
    this.push('server', 0x12, new Uint8Array(0));
    this.next.server = (this.next.server + 1) >>> 0;
    this.push('client', 0x10, new Uint8Array(0));
    return this;
  }

  /** Bytes sent by one side, in segments of at most `mss` bytes, then the peer's ACK. */
  send(from: Side, data: Uint8Array | string, mss = 1460): this {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    for (let at = 0; at < bytes.length; at += mss) {
      const piece = bytes.subarray(at, Math.min(bytes.length, at + mss));
      this.push(from, 0x18, piece);
      this.next[from] = (this.next[from] + piece.length) >>> 0;
    }
    this.ack(from === 'client' ? 'server' : 'client');
    return this;
  }

  ack(from: Side): this {
    this.push(from, 0x10, new Uint8Array(0));
    return this;
  }

  fin(from: Side): this {
    this.push(from, 0x11, new Uint8Array(0));
    this.next[from] = (this.next[from] + 1) >>> 0;
    return this;
  }

  reset(from: Side): this {
    this.push(from, 0x14, new Uint8Array(0));
    return this;
  }

  /** As a classic pcap file (Ethernet, IPv4), for the whole pipeline. */
  pcap(segments: TcpSegment[] = this.segments): Uint8Array {
    return pcapFile({
      records: segments.map((s) => {
        const flags = ['F', 'S', 'R', 'P', 'A'].filter((_, i) => s.flags & (1 << i)).join('');
        const packet = ethernet(
          ipv4({
            src: s.src.ip,
            dst: s.dst.ip,
            payload: tcpHeader({
              src: s.src.ip,
              dst: s.dst.ip,
              sport: s.src.port,
              dport: s.dst.port,
              seq: s.seq,
              ack: s.ack,
              flags,
              payload: s.payload,
            }),
          }),
        );
        return { sec: s.ts.sec, frac: s.ts.nsec / 1000, data: packet };
      }),
    });
  }
}

/** Segments through reassembly and the judge, events with their JSON round trip (what a log holds). */
export function judge(segments: TcpSegment[], analyzer: CaptureAnalyzerOptions = {}): CaptureEvent[] {
  const events: CaptureEvent[] = [];
  const wsJudge = new WebSocketJudge({ onEvent: (e) => events.push(JSON.parse(JSON.stringify(e)) as CaptureEvent), analyzer });
  const tcp = new TcpReassembler(wsJudge);
  for (const s of segments) tcp.push(s);
  tcp.end();
  return events;
}

/** A whole capture file through the pipeline. */
export function judgeFile(bytes: Uint8Array, analyzer: CaptureAnalyzerOptions = {}): CaptureEvent[] {
  return analyzeCaptureBytes(bytes, { analyzer }).events.map((e) => JSON.parse(JSON.stringify(e)) as CaptureEvent);
}

/** Events without their timestamps, for comparing runs whose packet times differ. */
export function withoutTs(events: CaptureEvent[]): unknown[] {
  return events.map((e) => {
    const { ts: _ts, ...rest } = e as CaptureEvent & { duration_ms?: number };
    if ('duration_ms' in rest) delete (rest as { duration_ms?: number }).duration_ms;
    return rest;
  });
}
