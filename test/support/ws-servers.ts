/**
 * Real `ws` endpoints for the proxy tests: an echo server (text stays text, binary stays binary) and a
 * client that resolves once open.
 */
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer, type ClientOptions, type ServerOptions } from 'ws';
import { waitForEvent } from './wait.js';

export interface WsServer {
  wss: WebSocketServer;
  port: number;
  url: string;
  close(): Promise<void>;
}

/** A ws server on 127.0.0.1 (or `host`: '::1'); without `onConnection` it echoes every message. */
export async function startWsServer(
  options: Omit<ServerOptions, 'port' | 'server'> = {},
  onConnection?: (ws: WebSocket) => void,
): Promise<WsServer> {
  const wss = new WebSocketServer({ host: '127.0.0.1', ...options, port: 0 });
  await waitForEvent(wss, 'listening');
  wss.on('connection', (ws) => {
    ws.on('error', () => {});
    if (onConnection) onConnection(ws);
    else ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  });
  const port = (wss.address() as AddressInfo).port;
  return {
    wss,
    port,
    url: `ws://${wss.options.host?.includes(':') ? `[${wss.options.host}]` : (wss.options.host ?? '127.0.0.1')}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close(() => resolve());
      }),
  };
}

/** Opens a ws client and resolves once the handshake completed. */
export async function openWsClient(url: string, protocols?: string | string[], options: ClientOptions = {}): Promise<WebSocket> {
  const ws = new WebSocket(url, protocols, options);
  ws.on('error', () => {});
  await waitForEvent(ws, 'open', `the ws client to open ${url}`);
  return ws;
}

/** Resolves with the next `n` messages a ws endpoint receives. */
export function nextMessages(ws: WebSocket, n: number, ms = 5000): Promise<Array<{ data: Buffer; isBinary: boolean }>> {
  return new Promise((resolve, reject) => {
    const got: Array<{ data: Buffer; isBinary: boolean }> = [];
    const timer = setTimeout(() => {
      ws.off('message', onMessage);
      reject(new Error(`timed out waiting for ${n} messages (got ${got.length})`));
    }, ms);
    const onMessage = (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): void => {
      got.push({ data: Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data), isBinary });
      if (got.length === n) {
        clearTimeout(timer);
        ws.off('message', onMessage);
        resolve(got);
      }
    };
    ws.on('message', onMessage);
  });
}

/** Resolves with the code and reason a ws endpoint saw when the connection closed. */
export function closedWith(ws: WebSocket, ms = 5000): Promise<{ code: number; reason: string }> {
  return waitForEvent(ws, 'close', 'the ws endpoint to close', ms).then(([code, reason]) => ({
    code: code as number,
    reason: String(reason),
  }));
}
