/**
 * The reflector: the upstream the intermediary under test forwards to. It answers the WebSocket
 * handshake like an ordinary server (choosing a subprotocol or permessage-deflate only when they arrive
 * among the offers), then hands the connection to an Endpoint the runner scripts: it records what
 * arrives and sends the case's frames.
 *
 * Cases run one at a time; the runner announces each with `expect()` before the client dials. A request
 * is matched to the announced case by its X-Wsdiag-Probe header (when the intermediary kept it), or else
 * taken as the announced case's. Requests that match nothing are refused (409) and counted, and plain
 * HTTP requests (health checks) get a 200, so the reflector can sit behind any load balancer.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { OperationalError } from '../errors.js';
import { extensionList, type ObservedHandshake } from '../observe/index.js';
import { type FrameSpec, computeAccept, formatHead } from '../protocol/index.js';
import type { HandshakeScript } from './cases.js';
import { Endpoint, type CloseReply } from './endpoint.js';
import { readHead } from '../proxy/index.js';

export const PROBE_HEADER = 'X-Wsdiag-Probe';

export interface ReflectorScript {
  /** The value the client sends in X-Wsdiag-Probe for this case. */
  label: string;
  handshake?: HandshakeScript | undefined;
  /** Frames sent in the same write as the 101 (the server speaks first). */
  firstFrames?: readonly FrameSpec[] | undefined;
  closeReply?: CloseReply | undefined;
}

export interface ReflectorSession {
  endpoint: Endpoint;
  /** The request as it arrived and the response the reflector sent. */
  handshake: ObservedHandshake;
}

export interface Expectation {
  /** Resolves with the matched connection, or null once cancelled. */
  readonly session: Promise<ReflectorSession | null>;
  /** True once a request was matched to this case. */
  readonly arrived: boolean;
  cancel(): void;
}

export interface Reflector {
  host: string;
  port: number;
  /** Upgrade requests that matched no announced case. */
  readonly strays: number;
  expect(script: ReflectorScript): Expectation;
  close(): Promise<void>;
}

const HEAD_TIMEOUT_MS = 10_000;

export async function startReflector(host: string, port: number): Promise<Reflector> {
  const sockets = new Set<Socket>();
  let pending: { script: ReflectorScript; resolve: (s: ReflectorSession | null) => void; arrived: boolean } | null = null;
  let strays = 0;

  const server: Server = createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.setNoDelay(true);
    readHead(socket, HEAD_TIMEOUT_MS, 'the upgrade request')
      .then(({ head, leftover }) => {
        const [method = '', target = '/'] = head.startLine.split(' ');
        const headers = head.headers;
        const isUpgrade = /\bwebsocket\b/i.test(headers['upgrade'] ?? '');
        if (!isUpgrade) return refuse(socket, '200 OK', 'wsdiag probe reflector: waiting for WebSocket upgrades\n');
        const key = headers['sec-websocket-key'];
        if (method !== 'GET' || key === undefined) return refuse(socket, '400 Bad Request', 'not a WebSocket upgrade request\n');
        const label = headers[PROBE_HEADER.toLowerCase()];
        const current = pending;
        if (!current || current.arrived || (label !== undefined && label !== current.script.label)) {
          strays++;
          return refuse(socket, '409 Conflict', 'no wsdiag probe case is waiting for this connection\n');
        }
        current.arrived = true;
        current.resolve(accept(socket, target, headers, key, leftover, current.script));
      })
      .catch(() => socket.destroy());
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new OperationalError(
          `cannot start the reflector on ${host}:${port}: ${err.code === 'EADDRINUSE' ? 'the address is already in use' : err.message}`,
        ),
      ),
    );
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;

  return {
    host,
    port: address.port,
    get strays() {
      return strays;
    },
    expect(script) {
      pending?.resolve(null);
      let resolve!: (s: ReflectorSession | null) => void;
      const session = new Promise<ReflectorSession | null>((r) => (resolve = r));
      const entry = { script, resolve, arrived: false };
      pending = entry;
      return {
        session,
        get arrived() {
          return entry.arrived;
        },
        cancel() {
          if (pending === entry) pending = null;
          resolve(null);
        },
      };
    },
    close: () =>
      new Promise<void>((resolve) => {
        pending?.resolve(null);
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function refuse(socket: Socket, status: string, body: string): void {
  socket.end(
    formatHead(`HTTP/1.1 ${status}`, [
      ['Content-Type', 'text/plain'],
      ['Content-Length', String(Buffer.byteLength(body))],
      ['Connection', 'close'],
    ]) + body,
  );
}

/** Answers 101 the way an ordinary server would, given what actually arrived. */
function accept(
  socket: Socket,
  target: string,
  request: Record<string, string>,
  key: string,
  leftover: Buffer,
  script: ReflectorScript,
): ReflectorSession {
  const response: Array<[string, string]> = [
    ['Upgrade', 'websocket'],
    ['Connection', 'Upgrade'],
    ['Sec-WebSocket-Accept', computeAccept(key.trim())],
  ];
  const offered = (request['sec-websocket-protocol'] ?? '').split(',').map((t) => t.trim());
  const protocol = script.handshake?.serverProtocol;
  if (protocol !== undefined && offered.includes(protocol)) response.push(['Sec-WebSocket-Protocol', protocol]);
  const deflateOffered = extensionList(request['sec-websocket-extensions']).some((e) => e.startsWith('permessage-deflate'));
  const answer = script.handshake?.serverExtensions;
  if (answer !== undefined && deflateOffered) response.push(['Sec-WebSocket-Extensions', answer]);

  const responseHeaders: Record<string, string> = {};
  for (const [name, value] of response) responseHeaders[name.toLowerCase()] = value;
  const endpoint = new Endpoint(socket, {
    side: 'server',
    extensions: responseHeaders['sec-websocket-extensions'] ?? null,
    closeReply: script.closeReply,
  });
  const head = Buffer.from(formatHead('HTTP/1.1 101 Switching Protocols', response), 'latin1');
  // The 101 and the first frames leave in one write: a server that speaks first does exactly this.
  endpoint.send(script.firstFrames ?? [], false, head);
  endpoint.start(leftover);
  return { endpoint, handshake: { path: target, request, status: 101, response: responseHeaders } };
}
