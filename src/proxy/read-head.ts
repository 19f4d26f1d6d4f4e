/**
 * Reading an HTTP/1.1 message head on a raw socket: what the probe's client and reflector need to speak
 * the opening handshake themselves instead of through a library, so they see (and can send) exactly the
 * bytes on the wire, and what a CONNECT client (./connect-tunnel.ts) reads the proxy's answer with. Parsing the head is sans-IO and lives in src/protocol/http-head.ts.
 */
import type { Duplex } from 'node:stream';
import { parseHead, type ParsedHead } from '../protocol/index.js';

export interface HeadRead {
  head: ParsedHead;
  /** Bytes that came after the head in the same reads (the first frames, for an upgraded connection). */
  leftover: Buffer;
}

/** Largest head accepted; a peer that sends more is not speaking HTTP to us. */
export const MAX_HEAD_BYTES = 32 * 1024;

export class HeadError extends Error {
  override name = 'HeadError';
}

/**
 * Reads one head from `socket`. Rejects with a HeadError when the socket ends, fails or times out first,
 * or the head is too large. On success the socket is left paused, without listeners of ours, so no byte after the head is lost.
 */
export function readHead(socket: Duplex, timeoutMs: number, what: string): Promise<HeadRead> {
  return new Promise<HeadRead>((resolve, reject) => {
    let buffered: Buffer = Buffer.alloc(0);
    const timer = setTimeout(() => fail(`timed out after ${timeoutMs} ms waiting for ${what}`), timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('error', onError);
      socket.off('close', onEnd);
    };
    const fail = (message: string) => {
      cleanup();
      reject(new HeadError(message));
    };
    const onData = (chunk: Buffer) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) {
        if (buffered.length > MAX_HEAD_BYTES) fail(`${what} is larger than ${MAX_HEAD_BYTES} bytes`);
        return;
      }
      cleanup();
      // Stop the flow until the caller attaches its own 'data' listener, so no frame is lost between.
      socket.pause();
      resolve({ head: parseHead(buffered.subarray(0, end).toString('latin1')), leftover: buffered.subarray(end + 4) });
    };
    const onEnd = () =>
      fail(
        `the connection closed before ${what} arrived${buffered.length > 0 ? ` (got ${JSON.stringify(clip(buffered.toString('latin1')))})` : ''}`,
      );
    const onError = (err: Error) => fail(`${what}: ${err.message}`);
    socket.on('data', onData);
    socket.on('end', onEnd);
    socket.on('close', onEnd);
    socket.on('error', onError);
    socket.resume();
  });
}

function clip(text: string): string {
  const firstLine = text.split('\r\n')[0] ?? '';
  return firstLine.length > 80 ? `${firstLine.slice(0, 79)}…` : firstLine;
}
