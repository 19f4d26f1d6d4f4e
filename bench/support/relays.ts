/**
 * Relays the relay benchmarks start as separate programs, on 127.0.0.1 only: wsdiag's own CLI (as a user
 * runs it) and nginx, when installed, from a generated configuration (one worker by default: comparable to
 * one Node process; the settings behind the reference figures). Each is stopped by the pid it was
 * started with.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HOST = '127.0.0.1';
const WSDIAG_BIN = fileURLToPath(new URL('../../../bin/wsdiag.js', import.meta.url));

export interface ExternalRelay {
  name: string;
  pid: number;
  port: number;
  /** What the relay printed on stdout and stderr so far. */
  output(): string;
  stop(): Promise<void>;
}

/** A port nobody listens on right now (the kernel's choice for port 0). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, HOST);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

/**
 * Resolves once something accepts connections on `port`; rejects when `child` exits first or after 30 s (a
 * generous bound: `wsdiag proxy --workers N` starts N + 1 processes on a loaded machine).
 */
async function waitForPort(port: number, child: ChildProcess, name: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${name} exited before listening`);
    const up = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: HOST, port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (up) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${name} did not listen on ${HOST}:${port} within 30 s`);
}

function track(name: string, child: ChildProcess, port: number, cleanup: () => void = () => {}): ExternalRelay {
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (output += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (output += d));
  return {
    name,
    pid: child.pid ?? -1,
    port,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      cleanup();
    },
  };
}

/** `wsdiag COMMAND --listen 127.0.0.1:PORT --target ws://127.0.0.1:ECHO --quiet EXTRA…`, as users run it. */
function spawnWsdiag(command: 'proxy' | 'chaos', port: number, echoPort: number, extra: readonly string[]): ChildProcess {
  return spawn(
    process.execPath,
    [WSDIAG_BIN, command, '--listen', `${HOST}:${port}`, '--target', `ws://${HOST}:${echoPort}`, '--quiet', ...extra],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } },
  );
}

/** `wsdiag proxy` on a port that was free a moment ago, once something accepts connections there. */
export async function startWsdiagCli(echoPort: number, extra: readonly string[] = []): Promise<ExternalRelay> {
  const port = await freePort();
  const child = spawnWsdiag('proxy', port, echoPort, extra);
  const relay = track('wsdiag', child, port);
  try {
    await waitForPort(port, child, 'wsdiag');
  } catch (err) {
    await relay.stop();
    throw new Error(`${err instanceof Error ? err.message : String(err)}: ${relay.output().slice(0, 500)}`, { cause: err });
  }
  return relay;
}

/** A `wsdiag proxy` or `wsdiag chaos` started by startWsdiagRelay: its port, and its dashboard's address with --ui. */
export interface WsdiagRelay extends ExternalRelay {
  ui: string | null;
}

/** The line `wsdiag proxy` and `wsdiag chaos` print on start, even with --quiet: `listening on HOST:PORT … dashboard URL`. */
const LISTENING_LINE = /listening on \S+:(\d+)\b[^\n]*/;

/**
 * `wsdiag COMMAND --listen 127.0.0.1:0 --target ws://127.0.0.1:ECHO --quiet EXTRA…` (proxy or chaos), as users
 * run it, on the port the system gives it (nothing to race for): resolves once the listening line names the
 * port, and the dashboard's address when EXTRA has `--ui`; rejects when the process exits first or after 30 s.
 */
export async function startWsdiagRelay(command: 'proxy' | 'chaos', echoPort: number, extra: readonly string[] = []): Promise<WsdiagRelay> {
  const child = spawnWsdiag(command, 0, echoPort, extra);
  const relay = track(`wsdiag ${command}`, child, 0);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const line = LISTENING_LINE.exec(relay.output());
    if (line) return { ...relay, port: Number(line[1]), ui: /dashboard (http:\S+)/.exec(line[0])?.[1] ?? null };
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      await relay.stop();
      throw new Error(`wsdiag ${command} did not say where it listens: ${relay.output().slice(0, 500)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The nginx version line, or null when nginx is not installed. */
export function nginxVersion(): string | null {
  const probe = spawnSync('nginx', ['-v'], { encoding: 'utf8' });
  if (probe.error) return null;
  return (probe.stderr || probe.stdout).trim().split('\n')[0] ?? 'nginx';
}

function nginxConfig(dir: string, port: number, echoPort: number, workers: number): string {
  return `daemon off;
master_process on;
worker_processes ${workers};
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy_temp;
  fastcgi_temp_path ${dir}/fastcgi_temp;
  uwsgi_temp_path ${dir}/uwsgi_temp;
  scgi_temp_path ${dir}/scgi_temp;
  map $http_upgrade $connection_upgrade { default upgrade; '' close; }
  upstream echo { server ${HOST}:${echoPort}; }
  server {
    listen ${HOST}:${port};
    location / {
      proxy_pass http://echo;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Host $host;
      proxy_read_timeout 300s;
      proxy_send_timeout 300s;
      proxy_buffer_size 64k;
      proxy_buffers 4 64k;
      proxy_busy_buffers_size 128k;
      tcp_nodelay on;
    }
  }
}
`;
}

/**
 * nginx in front of the echo server, with `workers` worker processes, from a configuration in a temporary
 * directory (removed on stop).
 */
export async function startNginx(echoPort: number, workers = 1): Promise<ExternalRelay> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'wsdiag-bench-nginx-'));
  mkdirSync(join(dir, 'logs'));
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, nginxConfig(dir, port, echoPort, workers));
  const child = spawn('nginx', ['-p', `${dir}/`, '-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  const name = workers === 1 ? 'nginx' : `nginx ${workers} workers`;
  const relay = track(name, child, port, () => rmSync(dir, { recursive: true, force: true }));
  try {
    await waitForPort(port, child, name);
  } catch (err) {
    await relay.stop();
    throw new Error(`${err instanceof Error ? err.message : String(err)}: ${relay.output().slice(0, 500)}`, { cause: err });
  }
  return relay;
}
