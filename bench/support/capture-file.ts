/**
 * A large capture of mixed traffic for the capture benchmark, written as it is generated (memory stays
 * small whatever the size): 64 connections at a time, interleaved packet by packet as on a busy link, each
 * replaced by a new one when it ends. By connections, about 62 % plain WebSocket (masked client messages
 * of 32 B to 64 KiB echoed by the server), 20 % WebSocket with permessage-deflate, 13 % TLS and 5 % plain
 * HTTP; Ethernet, IPv4, 1448-byte segments, in pcapng from the library's own writer.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { deflateRawSync, constants as zlib } from 'node:zlib';
import { PcapngWriter, SyntheticTcp } from '../../src/capture/writer.js';
import type { Timestamp } from '../../src/capture/types.js';
import { computeAccept } from '../../src/protocol/handshake.js';
import { encodeFrame, closeBody } from '../../src/protocol/encoder.js';
import { Prng, textPayload } from './frames.js';
import { must } from './must.js';

export interface GeneratedCapture {
  bytes: number;
  packets: number;
  connections: { websocket: number; deflate: number; tls: number; http: number };
  /** WebSocket frames written, both directions. */
  frames: number;
}

const SLOTS = 64;
const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const DEFLATE = 'permessage-deflate; client_no_context_takeover; server_no_context_takeover';
const enc = (s: string) => new TextEncoder().encode(s);

type Kind = 'websocket' | 'deflate' | 'tls' | 'http';

/** Compressed payloads made once: without context takeover each message stands alone, so they can repeat. */
function compressedPayloads(): Uint8Array[] {
  return [64, 700, 4096, 30_000].map((n) => {
    const out = deflateRawSync(Buffer.from(textPayload(n)), { finishFlush: zlib.Z_SYNC_FLUSH });
    return Uint8Array.from(out.subarray(0, out.length - 4));
  });
}

/** One connection's packets, produced a step at a time so connections interleave. */
class Flow {
  private step = 0;
  private readonly steps: number;
  constructor(
    readonly kind: Kind,
    private readonly tcp: SyntheticTcp,
    private readonly rng: Prng,
    private readonly compressed: Uint8Array[],
    private readonly counts: GeneratedCapture,
  ) {
    this.steps = 20 + below(rng, 400);
  }

  /** The next packets of this flow, or null when it has ended. */
  next(ts: Timestamp): Uint8Array | null {
    const step = this.step++;
    if (step === 0) return this.tcp.open(ts);
    if (step > this.steps + 1) return null;
    if (step === this.steps + 1) return concat([this.tcp.end('client', ts), this.tcp.end('server', ts)]);
    switch (this.kind) {
      case 'websocket':
      case 'deflate':
        return this.websocket(step, ts);
      case 'tls':
        return step === 1
          ? this.tcp.send('client', tlsRecord(0x16, 300, this.rng), ts)
          : this.tcp.send(below(this.rng, 4) === 0 ? 'client' : 'server', tlsRecord(0x17, 500 + below(this.rng, 16_000), this.rng), ts);
      case 'http':
        return step % 2 === 1
          ? this.tcp.send('client', enc(`GET /page/${step} HTTP/1.1\r\nHost: bench\r\n\r\n`), ts)
          : this.tcp.send('server', concat([enc('HTTP/1.1 200 OK\r\nContent-Length: 8000\r\n\r\n'), textPayload(8000)]), ts);
    }
  }

  private websocket(step: number, ts: Timestamp): Uint8Array {
    const deflate = this.kind === 'deflate';
    if (step === 1) {
      const ext = deflate ? `Sec-WebSocket-Extensions: ${DEFLATE}\r\n` : '';
      return this.tcp.send(
        'client',
        enc(
          `GET /ws HTTP/1.1\r\nHost: bench\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\n${ext}\r\n`,
        ),
        ts,
      );
    }
    if (step === 2) {
      const ext = deflate ? `Sec-WebSocket-Extensions: ${DEFLATE}\r\n` : '';
      return this.tcp.send(
        'server',
        enc(
          `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${computeAccept(KEY)}\r\n${ext}\r\n`,
        ),
        ts,
      );
    }
    if (step === this.steps) {
      this.counts.frames += 2;
      return concat([
        this.tcp.send('client', encodeFrame({ opcode: 8, payload: closeBody(1000, 'bye'), mask: this.rng.maskKey() }), ts),
        this.tcp.send('server', encodeFrame({ opcode: 8, payload: closeBody(1000, 'bye') }), ts),
      ]);
    }
    // A message from the client and its echo; a few small ones per segment, as chatty apps send.
    const from = step % 2 === 1 ? 'client' : 'server';
    const mask = from === 'client' ? this.rng.maskKey() : undefined;
    let frame: Uint8Array;
    if (deflate) {
      frame = encodeFrame({
        opcode: 1,
        rsv1: true,
        payload: must(this.compressed[below(this.rng, this.compressed.length)], 'compressed sample'),
        ...(mask ? { mask } : {}),
      });
      this.counts.frames++;
    } else {
      const roll = below(this.rng, 20);
      if (roll === 0) {
        frame = encodeFrame({ opcode: 2, payload: new Uint8Array(65_536).fill(step & 0xff), ...(mask ? { mask } : {}) });
        this.counts.frames++;
      } else {
        const frames: Uint8Array[] = [];
        const n = 1 + below(this.rng, 4);
        for (let i = 0; i < n; i++)
          frames.push(
            encodeFrame({ opcode: 1, payload: textPayload(32 + below(this.rng, roll < 10 ? 200 : 4000)), ...(mask ? { mask } : {}) }),
          );
        this.counts.frames += n;
        frame = concat(frames);
      }
    }
    return this.tcp.send(from, frame, ts);
  }
}

/** A number in [0, n). */
function below(rng: Prng, n: number): number {
  return rng.next() % n;
}

function tlsRecord(type: number, length: number, rng: Prng): Uint8Array {
  const out = new Uint8Array(5 + length);
  out[0] = type;
  out[1] = 3;
  out[2] = 3;
  out[3] = length >> 8;
  out[4] = length & 0xff;
  for (let i = 5; i < out.length; i += 97) out[i] = below(rng, 256);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Writes about `targetBytes` of mixed traffic to `path`. */
export function generateCapture(path: string, targetBytes: number, seed = 42): GeneratedCapture {
  const rng = new Prng(seed);
  const writer = new PcapngWriter({ application: 'wsdiag capture benchmark' });
  const iface = writer.addInterface({ name: 'eth0', linkType: 'ethernet' });
  const counts: GeneratedCapture = { bytes: 0, packets: 0, connections: { websocket: 0, deflate: 0, tls: 0, http: 0 }, frames: 0 };
  const compressed = compressedPayloads();
  const fd = openSync(path, 'w');
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  const flush = (): void => {
    if (pendingBytes === 0) return;
    writeSync(fd, concat(pending));
    pending = [];
    pendingBytes = 0;
  };
  const write = (bytes: Uint8Array): void => {
    pending.push(bytes);
    pendingBytes += bytes.length;
    counts.bytes += bytes.length;
    if (pendingBytes > 4 * 1024 * 1024) flush();
  };
  write(writer.header());
  write(iface.block);
  let nextPort = 10_000;
  let usec = 1_700_000_000_000_000;
  const newFlow = (): Flow => {
    const roll = below(rng, 100);
    // By connection count; TLS and HTTP flows carry more bytes per step than small WebSocket messages.
    const kind: Kind = roll < 62 ? 'websocket' : roll < 82 ? 'deflate' : roll < 95 ? 'tls' : 'http';
    counts.connections[kind]++;
    const port = nextPort;
    nextPort = nextPort >= 60_000 ? 10_000 : nextPort + 1;
    const client = { ip: `10.${(port >> 8) & 0xff}.${port & 0xff}.${1 + below(rng, 250)}`, port };
    const server = { ip: '192.0.2.80', port: kind === 'tls' ? 443 : 8080 };
    const tcp = new SyntheticTcp({
      writer,
      interfaceId: iface.id,
      linkType: 'ethernet',
      client,
      server,
      maxSegment: 1448,
      isn: { client: below(rng, 2 ** 32), server: below(rng, 2 ** 32) },
    });
    return new Flow(kind, tcp, rng, compressed, counts);
  };
  const flows: Flow[] = Array.from({ length: SLOTS }, newFlow);
  while (counts.bytes < targetBytes) {
    for (const [i, flow] of flows.entries()) {
      if (counts.bytes >= targetBytes) break;
      usec += 10;
      const ts = { sec: Math.floor(usec / 1e6), nsec: (usec % 1e6) * 1000 };
      const packets = flow.next(ts);
      if (packets === null) flows[i] = newFlow();
      else write(packets);
    }
  }
  flush();
  closeSync(fd);
  return counts;
}
