/**
 * Misbehaving endpoints built on raw sockets: a client and a server that speak exactly the bytes a test
 * gives them (valid handshakes by default, anything else on request), and record every byte they get.
 */
import { randomBytes } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { computeAccept } from '../../src/protocol/handshake.js';
import { ByteCollector, headEnd } from './byte-collector.js';
import { listen } from './net.js';

export interface ParsedHead {
  /** "HTTP/1.1 101 Switching Protocols" or "GET /path HTTP/1.1". */
  startLine: string;
  /** Lower-case names; repeated lines joined with ", ". */
  headers: Record<string, string>;
  /** The whole head as text, "\r\n\r\n" included. */
  raw: string;
}

export function parseHead(raw: string): ParsedHead {
  const [startLine = '', ...lines] = raw.replace(/\r\n\r\n$/, '').split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  return { startLine, headers, raw };
}

// -----------------------------------------------------------------------------------------------------
// Client

export interface RawClientOptions {
  path?: string;
  /** Header lines added to (or, same name, replacing) the default upgrade request; null removes one. */
  headers?: Record<string, string | null>;
  /** Bytes sent in the same write as the request head (the upgrade's "head" on the server side). */
  head?: Uint8Array;
  /** Connect with TLS, trusting this CA. */
  tls?: { ca: string | Buffer };
  /** Keep sending after the other side's FIN (default: answer a FIN with a FIN, as node does). */
  allowHalfOpen?: boolean;
}

export interface RawClient {
  socket: Socket;
  key: string;
  response: ParsedHead;
  statusCode: number;
  /** Everything received, head included. */
  collector: ByteCollector;
  /** Bytes received after the response head. */
  body(): Buffer;
  send(bytes: Uint8Array): void;
}

export function upgradeRequest(port: number, options: RawClientOptions, key: string): string {
  const headers: Record<string, string | null> = {
    Host: `127.0.0.1:${port}`,
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': key,
    'Sec-WebSocket-Version': '13',
  };
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    const existing = Object.keys(headers).find((h) => h.toLowerCase() === name.toLowerCase());
    if (existing) delete headers[existing];
    headers[name] = value;
  }
  const lines = Object.entries(headers)
    .filter((entry): entry is [string, string] => entry[1] !== null)
    .map(([name, value]) => `${name}: ${value}\r\n`);
  return `GET ${options.path ?? '/'} HTTP/1.1\r\n${lines.join('')}\r\n`;
}

/** Connects, sends an upgrade request (plus `head`), and resolves once the response head arrived. */
export async function connectRawClient(port: number, options: RawClientOptions = {}): Promise<RawClient> {
  const key = randomBytes(16).toString('base64');
  const socket = options.tls
    ? tlsConnect({ host: '127.0.0.1', port, ca: options.tls.ca, servername: 'localhost' })
    : connect({ host: '127.0.0.1', port, allowHalfOpen: options.allowHalfOpen ?? false });
  const collector = new ByteCollector(socket);
  const request = Buffer.from(upgradeRequest(port, options, key), 'latin1');
  socket.write(options.head ? Buffer.concat([request, options.head]) : request);
  const end = await collector.until(() => {
    const at = headEnd(collector.bytes);
    return at < 0 ? undefined : at;
  }, 'the response head');
  const response = parseHead(collector.bytes.subarray(0, end).toString('latin1'));
  return {
    socket,
    key,
    response,
    statusCode: Number(response.startLine.split(' ')[1]),
    collector,
    body: () => collector.bytes.subarray(end),
    send: (bytes) => void socket.write(bytes),
  };
}

// -----------------------------------------------------------------------------------------------------
// Server

export interface RawServerPeer {
  socket: Socket;
  request: ParsedHead;
  collector: ByteCollector;
  /** Bytes received after the request head (the WebSocket stream once accepted). */
  body(): Buffer;
  /** Answers 101 with a correct accept unless told otherwise; `then` is sent in the same write. */
  accept(options?: { headers?: Record<string, string | null>; then?: Uint8Array }): void;
  /** Writes anything. */
  send(bytes: Uint8Array | string): void;
}

export interface RawServer {
  port: number;
  url: string;
  peers: RawServerPeer[];
  /** Resolves with the n-th (0-based) peer once its request head arrived. */
  peer(index?: number): Promise<RawServerPeer>;
  close(): Promise<void>;
}

/** A TCP server whose peers are driven by `onPeer` (default: accept with a valid 101). */
export async function startRawServer(
  onPeer: (peer: RawServerPeer) => void = (p) => p.accept(),
  options: { allowHalfOpen?: boolean } = {},
): Promise<RawServer> {
  const peers: RawServerPeer[] = [];
  const sockets = new Set<Socket>();
  const waiters: Array<() => void> = [];
  const server: Server = createServer({ allowHalfOpen: options.allowHalfOpen ?? false }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    const collector = new ByteCollector(socket);
    void collector
      .until(
        () => {
          const at = headEnd(collector.bytes);
          return at < 0 ? undefined : at;
        },
        'the request head',
        10_000,
      )
      .then((end) => {
        const request = parseHead(collector.bytes.subarray(0, end).toString('latin1'));
        const peer: RawServerPeer = {
          socket,
          request,
          collector,
          body: () => collector.bytes.subarray(end),
          accept: (options = {}) => {
            const headers: Record<string, string | null> = {
              Upgrade: 'websocket',
              Connection: 'Upgrade',
              'Sec-WebSocket-Accept': computeAccept(request.headers['sec-websocket-key'] ?? ''),
              ...options.headers,
            };
            const lines = Object.entries(headers)
              .filter((entry): entry is [string, string] => entry[1] !== null)
              .map(([n, v]) => `${n}: ${v}\r\n`)
              .join('');
            const head = Buffer.from(`HTTP/1.1 101 Switching Protocols\r\n${lines}\r\n`, 'latin1');
            socket.write(options.then ? Buffer.concat([head, options.then]) : head);
          },
          send: (bytes) => void socket.write(bytes),
        };
        peers.push(peer);
        onPeer(peer);
        for (const wake of waiters.splice(0)) wake();
      })
      .catch(() => socket.destroy());
  });
  const port = await listen(server);
  return {
    port,
    url: `ws://127.0.0.1:${port}`,
    peers,
    peer: (index = 0) =>
      new Promise<RawServerPeer>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for raw server peer #${index}`)), 5000);
        const check = (): void => {
          if (peers[index]) {
            clearTimeout(timer);
            resolve(peers[index]!);
          } else waiters.push(check);
        };
        check();
      }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
