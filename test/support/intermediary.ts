/**
 * A broken intermediary for the probe and sandwich tests: `wsdiag chaos` (startChaos) with the toxics of
 * the fault under test, or, for the faults toxics do not commit since they act on the frames after the
 * handshake, a small relay of its own here: it edits the opening handshake (Sec-WebSocket-Extensions
 * stripped from the request or the response, a Sec-WebSocket-Key of its own upstream) or answers pings
 * itself instead of passing them on.
 *
 * That relay passes the bytes after the handshake untouched, unless it answers pings: then it re-encodes
 * every frame as it came (same key, same length form) and answers each ping with a pong of its own.
 */
import { randomBytes } from 'node:crypto';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { Opcode } from '../../src/protocol/constants.js';
import { FrameDecoder } from '../../src/protocol/decoder.js';
import { encodeFrame } from '../../src/protocol/encoder.js';
import { computeAccept } from '../../src/protocol/handshake.js';
import type { FrameHeader } from '../../src/protocol/types.js';
import { readHead } from '../../src/proxy/read-head.js';
import { startChaos } from '../../src/chaos/index.js';

export interface HandshakeFaults {
  /** Remove Sec-WebSocket-Extensions from the upgrade request or from the 101. */
  stripExtensions?: 'request' | 'response';
  /** Send a Sec-WebSocket-Key of its own upstream (the client still gets the accept for its own key): legal. */
  replaceKey?: boolean;
  /** Answer every ping with a pong itself instead of forwarding it: legal. */
  answerPings?: boolean;
}

export interface Intermediary {
  port: number;
  /** `ws://127.0.0.1:PORT` (no trailing slash). */
  url: string;
  close(): Promise<void>;
}

/** What the intermediary does: chaos toxics (none: an honest relay), or a handshake fault. */
export type IntermediaryFaults = { toxics: readonly unknown[] } | { handshake: HandshakeFaults };

/** The same toxic toward the server and toward the client. */
export function bothWays(type: string, attributes: Record<string, unknown> = {}): Array<Record<string, unknown>> {
  return [
    { type, stream: 'client->server', attributes },
    { type, stream: 'server->client', attributes },
  ];
}

/** Starts the intermediary in front of `target`, on `port` (default: any free one) of 127.0.0.1. */
export async function startIntermediary(target: string, faults: IntermediaryFaults = { toxics: [] }, port = 0): Promise<Intermediary> {
  if ('handshake' in faults) return startHandshakeIntermediary({ target, faults: faults.handshake, port });
  return startChaos({ target, listen: { host: '127.0.0.1', port }, onEvent: () => {}, toxics: faults.toxics, seed: 'intermediary' });
}

export async function startHandshakeIntermediary(options: {
  target: string;
  faults: HandshakeFaults;
  port?: number;
}): Promise<Intermediary> {
  const target = new URL(options.target);
  const sockets = new Set<Socket>();
  const track = (socket: Socket): Socket => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.setNoDelay(true);
    return socket;
  };
  const server: Server = createServer({ allowHalfOpen: true }, (client) => {
    track(client);
    void relay(client, target, options.faults, track).catch(() => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `ws://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

async function relay(client: Socket, target: URL, faults: HandshakeFaults, track: (s: Socket) => Socket): Promise<void> {
  const request = await readHead(client, 10_000, 'the upgrade request');
  const upstream = track(connect({ host: target.hostname, port: Number(target.port || 80), allowHalfOpen: true }));
  upstream.on('error', () => client.destroy());
  client.on('error', () => upstream.destroy());
  const clientKey = request.head.headers['sec-websocket-key'];
  const replaceKey = faults.replaceKey === true && clientKey !== undefined;
  const requestHeaders = replaceKey
    ? { ...request.head.headers, 'sec-websocket-key': randomBytes(16).toString('base64') }
    : request.head.headers;
  upstream.write(head(request.head.startLine, requestHeaders, faults.stripExtensions === 'request'));
  if (request.leftover.length > 0) upstream.write(request.leftover);
  const response = await readHead(upstream, 10_000, 'the upgrade response');
  const responseHeaders =
    replaceKey && response.head.headers['sec-websocket-accept'] !== undefined
      ? { ...response.head.headers, 'sec-websocket-accept': computeAccept(clientKey) }
      : response.head.headers;
  client.write(head(response.head.startLine, responseHeaders, faults.stripExtensions === 'response'));
  if (faults.answerPings && /^HTTP\/1\.1 101/.test(response.head.startLine)) {
    answeringPings(client, upstream, 'client', Buffer.alloc(0));
    answeringPings(upstream, client, 'server', response.leftover);
    return;
  }
  client.write(response.leftover);
  upstream.pipe(client);
  client.pipe(upstream);
}

/** A head rebuilt from its parsed lines (node's lower-case names are fine on the wire). */
function head(startLine: string, headers: Record<string, string>, stripExtensions: boolean): string {
  const lines = Object.entries(headers)
    .filter(([name]) => !(stripExtensions && name === 'sec-websocket-extensions'))
    .map(([name, value]) => `${name}: ${value}\r\n`);
  return `${startLine}\r\n${lines.join('')}\r\n`;
}

/** Frames from `from` go to `to` as they came, except pings, which `from` gets a pong for. */
function answeringPings(from: Socket, to: Socket, sender: 'client' | 'server', leftover: Buffer): void {
  let header: FrameHeader | null = null;
  let pieces: Uint8Array[] = [];
  const decoder = new FrameDecoder(
    {
      finding: () => {},
      frame: (h) => {
        header = h;
        pieces = [];
      },
      payload: (data) => {
        pieces.push(data.slice());
      },
      frameEnd: () => {
        const h = header;
        if (h === null) return;
        const payload = Buffer.concat(pieces);
        if (h.opcode === Opcode.Ping) {
          // Back to the sender: masked only toward the server.
          from.write(encodeFrame({ opcode: Opcode.Pong, payload, ...(sender === 'server' ? { mask: randomBytes(4) } : {}) }));
          return;
        }
        to.write(
          encodeFrame({
            opcode: h.opcode,
            fin: h.fin,
            rsv1: h.rsv1,
            rsv2: h.rsv2,
            rsv3: h.rsv3,
            payload,
            lengthForm: h.lengthForm,
            ...(h.maskKey ? { mask: h.maskKey } : {}),
          }),
        );
      },
    },
    { from: sender, maxMessage: 0 },
  );
  from.on('data', (chunk: Buffer) => decoder.push(chunk));
  from.on('end', () => to.end());
  if (leftover.length > 0) decoder.push(leftover);
  from.resume();
}
