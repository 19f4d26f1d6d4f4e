/**
 * A faulty server endpoint for the demo: it answers the upgrade itself (a correct 101), then sends a
 * text frame with a mask, which only clients may do (RFC 6455 §5.1) — the mistake of server code built
 * on a client-side framing library. No server library would send it, hence the raw socket.
 *
 * It then behaves: it answers the client's Close with an unmasked Close and ends the connection, so the
 * demo shows exactly one fault for this scenario.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { Opcode, FrameDecoder, closeBody, encodeFrame, computeAccept } from '../protocol/index.js';
import { randomMask } from './raw-client.js';

export const MASKED_GREETING = 'hello from a server that masks its frames';

/** Handles an upgrade request on the masked-frame path (an http.Server 'upgrade' listener). */
export function serveMaskedFrames(req: IncomingMessage, socket: Duplex, head: Buffer): void {
  // Errors first: a client reset must not become an uncaught exception in the demo.
  socket.on('error', () => socket.destroy());
  const key = req.headers['sec-websocket-key'];
  if (typeof key !== 'string' || key.trim() === '') {
    socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    return;
  }
  socket.write(
    'HTTP/1.1 101 Switching Protocols\r\n' +
      'Upgrade: websocket\r\n' +
      'Connection: Upgrade\r\n' +
      `Sec-WebSocket-Accept: ${computeAccept(key.trim())}\r\n` +
      '\r\n',
  );
  socket.write(encodeFrame({ opcode: Opcode.Text, payload: MASKED_GREETING, mask: randomMask() }));

  let answered = false;
  const decoder = new FrameDecoder(
    {
      // The client's frames are not this endpoint's concern: it only waits for the Close.
      finding: () => {},
      close: (close) => {
        if (answered) return;
        answered = true;
        socket.end(encodeFrame({ opcode: Opcode.Close, payload: close.code === null ? undefined : closeBody(close.code) }));
      },
    },
    { from: 'client' },
  );
  socket.on('data', (chunk: Buffer) => decoder.push(chunk));
  socket.on('end', () => socket.end());
  if (head.length > 0) decoder.push(head);
}
