/**
 * A WebSocket client on a bare `net` socket, for clients that must send bytes no library would: it does a
 * real opening handshake (RFC 6455 §4.1, key and accept checked), then writes whatever frames it is
 * given, byte for byte. What the server sends back is read with wsdiag's own decoder, so the client
 * can await the server's Close and notice what the server itself got wrong (a masked frame).
 *
 * It plays the polite end of a failed connection: when the server sends a Close, it answers with a
 * masked Close carrying the same code (RFC 6455 §5.5.1) and ends its side of the TCP connection.
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { closeBody, encodeFrame, Opcode, FrameDecoder, computeAccept, type Finding } from '../protocol/index.js';

/** The status code and reason of a Close frame. */
export interface CloseReceived {
  code: number | null;
  reason: string;
}

export interface RawConnection {
  /** Writes bytes to the socket exactly as given (frames built with `encodeFrame`). */
  send(bytes: Uint8Array): void;
  /** Sends a masked Close frame (once); later calls do nothing. */
  sendClose(code: number, reason?: string): void;
  /** Resolves with the server's Close, or null if the connection ended without one. */
  readonly serverClose: Promise<CloseReceived | null>;
  /** Resolves with the first rule the server's frames broke (seen by the client), or null at the end. */
  readonly serverFault: Promise<Finding | null>;
  /** Resolves once the socket is fully closed. */
  readonly ended: Promise<void>;
  /** Destroys the socket (clean-up after a failure). */
  destroy(): void;
}

/** A handshake that did not end in a valid 101: our demo's own failure, not a peer fault to report. */
export class HandshakeFailed extends Error {
  override name = 'HandshakeFailed';
}

/** Largest response head we accept before giving up on a handshake. */
const MAX_HEAD_BYTES = 16 * 1024;

/**
 * Opens `url` (ws://host:port/path) with a hand-written handshake. Resolves once the server answered
 * 101 with the right Sec-WebSocket-Accept; bytes that arrived with the 101 are decoded as frames.
 */
export function openRawConnection(url: string): Promise<RawConnection> {
  const target = new URL(url);
  if (target.protocol !== 'ws:') return Promise.reject(new HandshakeFailed(`raw connections speak ws: only, not ${target.protocol}`));
  const key = randomBytes(16).toString('base64');
  const socket = connect({ host: target.hostname, port: Number(target.port || 80) });
  socket.setNoDelay(true);

  return new Promise<RawConnection>((resolve, reject) => {
    let head = Buffer.alloc(0);
    // Errors before the handshake completes reject; after it, the connection's promises settle instead.
    const onEarlyError = (err: Error) => reject(new HandshakeFailed(`cannot open ${url}: ${err.message}`, { cause: err }));
    const onEarlyClose = () => reject(new HandshakeFailed(`${url} closed the connection during the handshake`));
    const onHead = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) {
        if (head.length > MAX_HEAD_BYTES) fail(`${url} sent a response head larger than ${MAX_HEAD_BYTES} bytes`);
        return;
      }
      const problem = handshakeProblem(head.subarray(0, end).toString('latin1'), key);
      if (problem !== null) return fail(`${url} refused the WebSocket handshake: ${problem}`);
      socket.off('data', onHead);
      socket.off('error', onEarlyError);
      socket.off('close', onEarlyClose);
      resolve(attach(socket, head.subarray(end + 4)));
    };
    const fail = (message: string) => {
      socket.destroy();
      reject(new HandshakeFailed(message));
    };
    socket.on('error', onEarlyError);
    socket.on('close', onEarlyClose);
    socket.on('data', onHead);
    socket.once('connect', () => {
      socket.write(
        `GET ${target.pathname}${target.search} HTTP/1.1\r\n` +
          `Host: ${target.host}\r\n` +
          'Upgrade: websocket\r\n' +
          'Connection: Upgrade\r\n' +
          `Sec-WebSocket-Key: ${key}\r\n` +
          'Sec-WebSocket-Version: 13\r\n' +
          '\r\n',
      );
    });
  });
}

/** Why a response head is not a valid 101 for `key`, or null when it is. */
function handshakeProblem(head: string, key: string): string | null {
  const [statusLine = '', ...lines] = head.split('\r\n');
  if (!/^HTTP\/1\.1 101\b/.test(statusLine)) return `expected "HTTP/1.1 101", got ${JSON.stringify(statusLine)}`;
  const accept = lines.map((line) => /^sec-websocket-accept:\s*(.*?)\s*$/i.exec(line)?.[1]).find((value) => value !== undefined);
  if (accept !== computeAccept(key)) return `Sec-WebSocket-Accept ${JSON.stringify(accept ?? null)} does not match the key`;
  return null;
}

/** Wires the upgraded socket: server frames into a decoder, the Close dance, and the promises. */
function attach(socket: Socket, leftover: Buffer): RawConnection {
  let closeSent = false;
  let settleClose!: (close: CloseReceived | null) => void;
  let settleFault!: (finding: Finding | null) => void;
  const serverClose = new Promise<CloseReceived | null>((resolve) => (settleClose = resolve));
  const serverFault = new Promise<Finding | null>((resolve) => (settleFault = resolve));
  const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));

  const sendClose = (code: number, reason = '') => {
    if (closeSent || socket.destroyed) return;
    closeSent = true;
    socket.write(encodeFrame({ opcode: Opcode.Close, payload: closeBody(code, reason), mask: randomMask() }));
  };

  const decoder = new FrameDecoder(
    {
      finding: (finding) => settleFault(finding),
      close: (close) => {
        settleClose({ code: close.code, reason: close.reason });
        // Echo the status code, as RFC 6455 §5.5.1 asks, then end our side: the server ends the TCP
        // connection once it has both Close frames (or our FIN).
        sendClose(close.code ?? 1000);
        socket.end();
      },
    },
    { from: 'server' },
  );

  // A reset after the handshake is the end of the connection, not a crash of the demo.
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk: Buffer) => decoder.push(chunk));
  socket.once('close', () => {
    decoder.end();
    settleClose(null);
    settleFault(null);
  });
  if (leftover.length > 0) decoder.push(leftover);

  return {
    send: (bytes) => {
      if (!socket.destroyed) socket.write(bytes);
    },
    sendClose,
    serverClose,
    serverFault,
    ended,
    destroy: () => socket.destroy(),
  };
}

/** A fresh masking key per frame, as RFC 6455 §5.3 asks of clients. */
export function randomMask(): Uint8Array {
  return new Uint8Array(randomBytes(4));
}
