/**
 * The demo's built-in upstream: a text-only echo server made with `ws`, as strict as a real endpoint.
 * It echoes text messages, closes with 1003 (unsupported data) when it receives a binary message, and —
 * being `ws` — fails connections that break the protocol with 1002 or 1007 on its own. One path,
 * MASKED_SERVER_PATH, is served by a raw handler that sends a masked frame (a faulty server).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { serveMaskedFrames } from './masked-server.js';

/** The path where the upstream plays a server that masks its frames. */
export const MASKED_SERVER_PATH = '/faulty-server/masked';

/** The reason of the upstream's 1003 Close, as a strict text-only endpoint would word it. */
export const TEXT_ONLY_REASON = 'this endpoint accepts text messages only';

export interface DemoUpstream {
  /** ws://127.0.0.1:port */
  url: string;
  port: number;
  /** Ends every connection and stops listening. */
  close(): Promise<void>;
}

/** Starts the upstream on 127.0.0.1 and a free port. */
export async function startDemoUpstream(): Promise<DemoUpstream> {
  const wss = new WebSocketServer({ noServer: true });
  wss.on('connection', echoTextOnly);
  const rawSockets = new Set<Duplex>();

  const server: Server = createServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain; charset=utf-8', upgrade: 'websocket' });
    res.end('wsdiag demo upstream: connect with a WebSocket client\n');
  });
  server.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', 'ws://demo').pathname;
    if (path === MASKED_SERVER_PATH) {
      rawSockets.add(socket);
      socket.once('close', () => rawSockets.delete(socket));
      serveMaskedFrames(req, socket, head);
      return;
    }
    socket.on('error', () => socket.destroy());
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `ws://127.0.0.1:${port}`,
    port,
    close: async () => {
      for (const ws of wss.clients) ws.terminate();
      for (const socket of rawSockets) socket.destroy();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** One connection of the text-only echo endpoint. */
function echoTextOnly(ws: WebSocket): void {
  // ws reports a peer's protocol error here after it has already sent the matching Close (1002, 1007):
  // that Close is the reaction the demo wants to show, so there is nothing more to do.
  ws.on('error', () => {});
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (isBinary) {
      ws.close(1003, TEXT_ONLY_REASON);
      return;
    }
    ws.send(data, { binary: false });
  });
}
