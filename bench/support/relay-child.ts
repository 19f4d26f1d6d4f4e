/**
 * The relay benchmark's child processes, one role each, so each one's CPU time is its own:
 *
 *   echo: a ws echo server (port) and a raw WebSocket sink for the 1 GiB message (sinkPort)
 *   bare TARGET-PORT: a bare TCP relay (net + pipe), the floor any proxy is compared with
 *   wsdiag TARGET-URL [MAX-MESSAGE] [--messages]: wsdiag's proxy from the library API, its events written
 *     as JSON Lines to a temporary file; --messages also reports every message (`message` events, default
 *     body limit). (The chaos and dashboard benches run the `wsdiag` program itself: relays.ts.)
 *   http-echo: a plain HTTP server answering every request, after reading its body, with
 *     `GET /bytes/N` → N bytes (Content-Length)
 *   http-bare TARGET-URL: http-proxy alone, set up as wsdiag's plain HTTP pass is (keep-alive agent,
 *     changeOrigin, no X-Forwarded-*), the floor wsdiag's plain HTTP relaying is compared with
 *
 * It talks to the parent over IPC (see child.ts): `ready` once listening, `stats` on request, and it
 * exits on `stop`. Everything listens on 127.0.0.1 only.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildReady, ChildStats } from './child.js';
import { peakRssBytes } from './peak-rss.js';

const HOST = '127.0.0.1';
const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

const events: Record<string, number> = {};

/** Read on request only: a sampling timer would add its own CPU time to the relay's. */
function stats(): ChildStats {
  const rss = process.memoryUsage.rss();
  return { cpu: process.cpuUsage(), rss, maxRss: peakRssBytes() ?? rss, events: { ...events } };
}

function listen(server: Server | HttpServer): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, () => resolve((server.address() as AddressInfo).port));
  });
}

/** ws echo server: each message goes back as it came (text stays text). */
async function startEcho(): Promise<{ ready: ChildReady; close: () => Promise<void> }> {
  // Imported here so the relay processes carry only what a relay loads (their RSS is measured).
  const { WebSocketServer } = await import('ws');
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 0 });
  const httpServer = createHttpServer();
  httpServer.on('upgrade', (req, socket, head) => {
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('message', (data, isBinary) => ws.send(data as Buffer, { binary: isBinary }));
      ws.on('error', () => ws.terminate());
    });
  });
  const port = await listen(httpServer);
  const sink = createServer((socket) => sinkConnection(socket));
  const sinkPort = await listen(sink);
  return {
    ready: { port, sinkPort },
    close: async () => {
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      await new Promise<void>((resolve) => sink.close(() => resolve()));
    },
  };
}

/**
 * A minimal WebSocket server that accepts the handshake, then only counts bytes: when the number the
 * client asked for (GET /sink?bytes=N) has arrived, it sends one unmasked text frame "done" and ends.
 * Nothing is buffered, so the memory measured is the relay's, not the server's.
 */
function sinkConnection(socket: Socket): void {
  socket.on('error', () => socket.destroy());
  let head = Buffer.alloc(0);
  let expected = -1;
  let received = 0;
  socket.on('data', (chunk: Buffer) => {
    if (expected < 0) {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      const request = head.subarray(0, end).toString('latin1');
      const key = /^sec-websocket-key:\s*(\S+)/im.exec(request)?.[1];
      const bytes = /^GET \/sink\?bytes=(\d+) /.exec(request)?.[1];
      if (!key || !bytes) {
        socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      const accept = createHash('sha1')
        .update(key + WS_GUID)
        .digest('base64');
      socket.write(
        `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
      );
      expected = Number(bytes);
      chunk = head.subarray(end + 4);
    }
    received += chunk.length;
    if (received >= expected) {
      expected = Number.POSITIVE_INFINITY;
      socket.end(Buffer.from([0x81, 0x04, 0x64, 0x6f, 0x6e, 0x65]));
    }
  });
}

/** The floor: a TCP relay with nothing in the path but two pipes. */
async function startBare(targetPort: number): Promise<{ ready: ChildReady; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  // Nagle off on both legs, as any relay of interactive traffic does (ws and Node's http server do too).
  const server = createServer({ noDelay: true }, (client) => {
    const upstream = connect({ port: targetPort, host: HOST, noDelay: true });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
      s.on('close', () => sockets.delete(s));
    }
    client.pipe(upstream).pipe(client);
  });
  const port = await listen(server);
  return {
    ready: { port },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** wsdiag's proxy with the JSON Lines reporter writing to a temporary file, as `wsdiag proxy --log` would. */
async function startWsdiag(
  target: string,
  maxMessage: number | undefined,
  flags: readonly string[],
): Promise<{ ready: ChildReady; close: () => Promise<void> }> {
  // The heap and malloc tuning every relaying command sets (src/cli/heap.ts), so the bench measures the relay
  // users run: without it one relay of a pair could settle into page-faulting reads and its twin not.
  (await import('../../src/cli/heap.js')).tuneHeapForRelaying();
  const { openJsonlLog } = await import('../../src/reporters/jsonl.js');
  const dir = mkdtempSync(join(tmpdir(), 'wsdiag-bench-'));
  const log = join(dir, 'events.jsonl');
  const reporter = openJsonlLog(log);
  const { startProxy } = await import('../../src/proxy/index.js');
  const proxy = await startProxy({
    target,
    listen: { host: HOST, port: 0 },
    messages: flags.includes('--messages'),
    ...(maxMessage !== undefined ? { maxMessage } : {}),
    onEvent: (event) => {
      events[event.type] = (events[event.type] ?? 0) + 1;
      reporter.write(event);
    },
    onWarning: () => {},
  });
  return {
    ready: { port: proxy.port, log },
    close: async () => {
      await proxy.close();
      await reporter.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A plain HTTP server: each answer, once the request body is read, is the number of bytes the path asks for. */
async function startHttpEcho(): Promise<{ ready: ChildReady; close: () => Promise<void> }> {
  const bodies = new Map<number, Buffer>();
  const server = createHttpServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    req.resume();
    req.on('end', () => {
      const size = Number(/\/bytes\/(\d+)/.exec(req.url ?? '')?.[1] ?? 0);
      let body = bodies.get(size);
      if (!body) bodies.set(size, (body = Buffer.alloc(size, 0x61)));
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': body.length });
      res.end(body);
    });
  });
  const port = await listen(server);
  return {
    ready: { port },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** http-proxy with nothing else: the settings of src/proxy/web.ts, no events. */
async function startHttpBare(target: string): Promise<{ ready: ChildReady; close: () => Promise<void> }> {
  const { Agent } = await import('node:http');
  const httpProxy = (await import('http-proxy')).default;
  const agent = new Agent({ keepAlive: true });
  const proxy = httpProxy.createProxyServer({ target, changeOrigin: true, agent, xfwd: false, ws: false });
  proxy.on('error', (_err, _req, res) => {
    if ('writeHead' in res && !res.headersSent) res.writeHead(502).end();
  });
  const server = createHttpServer((req, res) => proxy.web(req, res));
  const port = await listen(server);
  return {
    ready: { port },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      proxy.close();
      agent.destroy();
    },
  };
}

async function main(): Promise<void> {
  const send = process.send?.bind(process);
  if (!send) throw new Error('relay-child runs under a benchmark, with an IPC channel to it');
  const [role, arg, ...rest] = process.argv.slice(2);
  const flags = rest.filter((a) => a.startsWith('--'));
  const maxMessage = rest.find((a) => !a.startsWith('--'));
  const started =
    role === 'echo'
      ? await startEcho()
      : role === 'bare'
        ? await startBare(Number(arg))
        : role === 'wsdiag'
          ? await startWsdiag(String(arg), maxMessage === undefined ? undefined : Number(maxMessage), flags)
          : role === 'http-echo'
            ? await startHttpEcho()
            : role === 'http-bare'
              ? await startHttpBare(String(arg))
              : null;
  if (!started) throw new Error(`unknown role ${role}`);
  process.on('message', (message: { type: string }) => {
    if (message.type === 'stats') {
      send({ type: 'stats', stats: stats() });
    } else if (message.type === 'stop') {
      void started.close().finally(() => process.exit(0));
    }
  });
  // The parent went away: do not linger.
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready', ready: started.ready });
}

main().catch((err: unknown) => {
  process.send?.({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  process.exit(1);
});
