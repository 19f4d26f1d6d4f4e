/**
 * A byte recorder: a plain TCP forwarder that keeps every byte crossing it in each direction. Put one in
 * front of the proxy and one behind it to compare what each endpoint sent with what the other received.
 */
import { createServer, connect, type Socket } from 'node:net';
import { listen } from './net.js';

export interface Recording {
  /** Bytes from the connecting side toward the target. */
  up: Buffer[];
  /** Bytes from the target back. */
  down: Buffer[];
}

export interface Recorder {
  port: number;
  recordings: Recording[];
  close(): Promise<void>;
}

export async function startRecorder(targetPort: number): Promise<Recorder> {
  const recordings: Recording[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((inbound) => {
    const recording: Recording = { up: [], down: [] };
    recordings.push(recording);
    const outbound = connect({ host: '127.0.0.1', port: targetPort });
    for (const socket of [inbound, outbound]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        inbound.destroy();
        outbound.destroy();
      });
    }
    inbound.on('data', (chunk: Buffer) => recording.up.push(Buffer.from(chunk)));
    outbound.on('data', (chunk: Buffer) => recording.down.push(Buffer.from(chunk)));
    inbound.pipe(outbound);
    outbound.pipe(inbound);
  });
  return {
    port: await listen(server),
    recordings,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The bytes of one direction after the HTTP head (the WebSocket stream). */
export function afterHead(chunks: Buffer[]): Buffer {
  const all = Buffer.concat(chunks);
  const at = all.indexOf('\r\n\r\n');
  return at < 0 ? Buffer.alloc(0) : all.subarray(at + 4);
}
