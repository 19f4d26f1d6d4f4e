/**
 * Shared pieces of the probe's integration tests: a TLS terminator and a CONNECT proxy
 * written in a few lines of node, and a runner for real intermediaries (nginx, haproxy, tinyproxy) that
 * is skipped with a clear reason when the binary is not installed.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { startProcess, type RunningChild } from '../support/cli.js';
import { listen } from '../support/net.js';

export interface Closable {
  port: number;
  close(): Promise<void>;
}

function closer(server: Server | HttpServer, sockets: Set<Socket>): () => Promise<void> {
  return () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
}

/** Terminates TLS and relays the plain bytes to 127.0.0.1:targetPort (a wss:// front end). */
export async function startTlsTerminator(cert: Buffer, key: Buffer, targetPort: number): Promise<Closable> {
  const sockets = new Set<Socket>();
  const server = createTlsServer({ cert, key }, (tls) => {
    const plain = connect(targetPort, '127.0.0.1');
    for (const s of [tls, plain] as Socket[]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        tls.destroy();
        plain.destroy();
      });
    }
    tls.pipe(plain).pipe(tls);
  });
  return { port: await listen(server), close: closer(server, sockets) };
}

/** A minimal HTTP CONNECT proxy; `refuse` answers 403 instead. Records the authorities asked for. */
export async function startConnectProxy(options: { refuse?: boolean } = {}): Promise<Closable & { requests: string[] }> {
  const sockets = new Set<Socket>();
  const requests: string[] = [];
  const server = createHttpServer();
  server.on('connect', (req, client: Socket, head: Buffer) => {
    requests.push(req.url ?? '');
    sockets.add(client);
    client.on('error', () => client.destroy());
    if (options.refuse) {
      client.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const [host = '', port = '0'] = (req.url ?? '').split(/:(?=\d+$)/);
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client).pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('error', () => client.destroy());
  });
  return { port: await listen(server), requests, close: closer(server, sockets) };
}

// -------------------------------------------------------------------------------------------------
// Real intermediaries

/** The examples/ directory of the repository (tests run from dist/test/probe). */
export const EXAMPLES = fileURLToPath(new URL('../../../examples/', import.meta.url));

export interface RunningIntermediary {
  stop(): Promise<void>;
  output(): string;
}

/**
 * Starts `binary` with `args` (a config written into a fresh temp directory by `writeConfig`), waits
 * until `port` accepts connections (bounded), and returns a handle that stops it.
 */
export async function startIntermediary(
  binary: string,
  args: (dir: string) => string[],
  writeConfig: (dir: string) => void,
  port: number,
): Promise<RunningIntermediary> {
  const dir = mkdtempSync(join(tmpdir(), 'wsdiag-probe-'));
  writeConfig(dir);
  const running = startProcess(binary, args(dir), { cwd: dir });
  const output = (): string => running.stdout() + running.stderr();
  const stop = async (): Promise<void> => {
    // SIGTERM first, for a clean exit; SIGKILL if it is still there after a generous grace.
    await running.stop('SIGTERM', 10_000).catch(() => running.stop('SIGKILL'));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await acceptsConnections(port, running);
  } catch (err) {
    await stop();
    throw new Error(`${binary} did not start listening on ${port}: ${(err as Error).message}\n${output()}`);
  }
  return { stop, output };
}

/**
 * Resolves once 127.0.0.1:port accepts a connection. These programs print nothing when they are ready, so
 * this is the one wait that polls: a refused attempt is retried after 50 ms, until the program exits or
 * the bound passes.
 */
async function acceptsConnections(port: number, running: RunningChild, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  let exited = false;
  void running.exited(ms + 5000).then(
    () => (exited = true),
    () => {},
  );
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (exited) throw new Error('the process exited');
    if (Date.now() > deadline) throw new Error(`nothing listened within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** An example config with its loopback ports replaced. */
export function exampleConfig(relative: string, replacements: ReadonlyArray<readonly [string, string]>): string {
  let text = readFileSync(join(EXAMPLES, relative), 'utf8');
  for (const [from, to] of replacements) {
    if (!text.includes(from)) throw new Error(`${relative} no longer contains ${from}`);
    text = text.split(from).join(to);
  }
  return text;
}

export function writeFile(dir: string, name: string, text: string): void {
  writeFileSync(join(dir, name), text);
}
