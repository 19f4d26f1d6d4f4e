/**
 * What the --pcap recorder's tests drive it with: one connection's addresses, handshake and close event,
 * an output kept in memory, and a file of two connections on the same ports.
 */
import assert from 'node:assert/strict';
import type { CloseEvent } from '../../../src/events/index.js';
import { concatBytes, encodeFrame } from '../../../src/protocol/encoder.js';
import { computeAccept } from '../../../src/protocol/handshake.js';
import { pcapRecorder, type PcapOutput } from '../../../src/proxy/pcap.js';
import type { ConnectionInfo, TappedHandshake } from '../../../src/proxy/types.js';

export const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

/** The recorder's output kept in memory: every write, and whether it was closed. */
export class MemoryOutput implements PcapOutput {
  readonly parts: Uint8Array[] = [];
  full = false;
  closed = false;
  write(bytes: Uint8Array): void {
    this.parts.push(bytes.slice());
  }
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
  bytes(): Uint8Array {
    return concatBytes(this.parts);
  }
}

/** One connection's two legs, with addresses of their own. */
export const INFO: ConnectionInfo = {
  conn: 'run-c1',
  path: '/chat?token=REDACTED',
  subprotocol: null,
  extensions: null,
  legs: {
    client: { client: { ip: '127.0.0.1', port: 50123 }, server: { ip: '127.0.0.1', port: 8080 } },
    upstream: { client: { ip: '10.0.0.5', port: 40555 }, server: { ip: '10.0.0.9', port: 9000 } },
  },
};

/** The upgrade the proxy answered for INFO's connection, with a credential to redact. */
export const HANDSHAKE: TappedHandshake = {
  method: 'GET',
  path: '/chat?token=REDACTED',
  upstream: { path: '/base/chat?token=REDACTED', host: '10.0.0.9:9000' },
  request: {
    host: '127.0.0.1:8080',
    upgrade: 'websocket',
    connection: 'Upgrade',
    authorization: 'Bearer abcdefghijklmnopqrstuvwxyz012345',
    'sec-websocket-key': KEY,
    'sec-websocket-version': '13',
  },
  status: 101,
  response: { upgrade: 'websocket', connection: 'Upgrade', 'sec-websocket-accept': computeAccept(KEY) },
};

/** The proxy's close event for INFO's connection, as the recorder's `end` hook gets it. */
export const CLOSE: CloseEvent = {
  v: 1,
  type: 'close',
  ts: '',
  conn: INFO.conn,
  duration_ms: 0,
  frames: { 'client->server': 0, 'server->client': 0 },
  bytes: { 'client->server': 0, 'server->client': 0 },
  violations: 0,
  suppressed: 0,
};

let tick = 0;
/** Packet times one microsecond apart. */
export const now = () => ({ sec: 1_700_000_000, nsec: ++tick * 1000 });

/** A text frame, masked as a client sends it when `mask` is true. */
export const text = (payload: string, mask = false) => encodeFrame({ opcode: 1, payload, ...(mask ? { mask: true as const } : {}) });

/**
 * Two connections through one recorder with the same addresses and ports on each leg, as when the system
 * reuses the ports of a connection in TIME_WAIT: each sends one text message and ends with FINs.
 */
export function recordedTwice(): Uint8Array {
  const output = new MemoryOutput();
  const addon = pcapRecorder({ output, now, clock: () => new Date(0) });
  for (const [conn, message] of [
    ['run-c1', 'first'],
    ['run-c2', 'second'],
  ] as const) {
    addon.handshake?.(conn, HANDSHAKE);
    const part = addon.connection?.({ ...INFO, conn });
    assert.ok(part);
    part.tap?.('client->server', text(message, true));
    part.sent?.('client->server', text(message, true));
    for (const dir of ['client->server', 'server->client'] as const) part.tapEnd?.(dir);
    part.end?.({ ...CLOSE, conn, how: 'fin' });
  }
  return output.bytes();
}
