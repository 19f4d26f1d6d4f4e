/**
 * Sends one 1 GiB masked text frame through a relay to the echo child's sink, the way a client streams a
 * large upload: a raw socket, the handshake by hand, then the payload in 64 KiB writes that wait for
 * 'drain'. The payload is never allocated whole: one masked block is written again and again.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { connect } from 'node:net';
import { unmask } from '../../src/protocol/mask.js';
import { Prng, textPayload } from './frames.js';

const BLOCK = 64 * 1024;

export interface HugeSendResult {
  bytes: number;
  seconds: number;
}

/** Resolves when the sink has confirmed every byte ("done"), rejects after `timeoutMs`. */
export async function sendHugeMessage(port: number, bytes: number, timeoutMs: number): Promise<HugeSendResult> {
  const socket = connect(port, '127.0.0.1');
  const timer = setTimeout(() => socket.destroy(new Error(`1 GiB message not confirmed within ${timeoutMs / 1000} s`)), timeoutMs);
  try {
    await once(socket, 'connect');
    const key = randomBytes(16).toString('base64');
    const header = Buffer.alloc(14);
    const mask = new Prng(11).maskKey();
    header[0] = 0x81;
    header[1] = 0x80 | 127;
    header.writeBigUInt64BE(BigInt(bytes), 2);
    header.set(mask, 10);
    socket.write(
      `GET /sink?bytes=${header.length + bytes} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    let answer = '';
    const done = new Promise<void>((resolve, reject) => {
      socket.on('data', (chunk: Buffer) => {
        answer += chunk.toString('latin1');
        const body = answer.indexOf('\r\n\r\n');
        if (body >= 0 && answer.indexOf('done', body) >= 0) resolve();
      });
      socket.on('error', reject);
      socket.on('close', () =>
        reject(new Error(`the relay closed the connection before the sink confirmed: ${JSON.stringify(answer.slice(0, 200))}`)),
      );
    });
    done.catch(() => {}); // awaited below; an early failure surfaces there, not as an unhandled rejection
    while (!answer.includes('\r\n\r\n')) await once(socket, 'data');
    if (!answer.startsWith('HTTP/1.1 101')) throw new Error(`handshake refused: ${answer.split('\r\n')[0]}`);

    const block = Buffer.allocUnsafe(BLOCK);
    unmask(block, 0, textPayload(BLOCK), 0, BLOCK, mask, 0); // BLOCK is a multiple of 4: every block starts at mask position 0
    const start = process.hrtime.bigint();
    socket.write(header);
    for (let sent = 0; sent < bytes; sent += BLOCK) {
      const n = Math.min(BLOCK, bytes - sent);
      if (!socket.write(n === BLOCK ? block : block.subarray(0, n))) await once(socket, 'drain');
    }
    await done;
    return { bytes, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
  } finally {
    clearTimeout(timer);
    socket.destroy();
  }
}
