/**
 * `npm run bench:workers`: what `wsdiag proxy --workers N` buys, side by side in one run.
 *
 * A ws echo server, and ws clients in closed loops (one message in flight per connection), through: a bare
 * Node TCP relay (net + pipe), `wsdiag proxy` with 1 and with 2 workers (the built CLI, as users run it,
 * events as JSON Lines on a pipe this process reads), and nginx with 1 and 2 worker processes when nginx is
 * installed. The relay's CPU is read from /proc for its whole process tree (wsdiag's primary and workers,
 * nginx's master and workers), so "relay CPU µs/msg" counts everything a relay costs. Targets run in a
 * rotated order in each repetition.
 *
 * On a 2-core machine the load generator, the echo server and the relay share the two cores: read the
 * gain of a second worker as what that machine could give, not as what more cores would (docs/performance.md).
 *
 * Options: --quick (short windows, smoke test), --reps N, --window MS, --sizes 64,4096 (bytes).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { BenchChild } from './support/child.js';
import { formatNumber, formatRatio, formatSize, markdownTable } from './support/format.js';
import { textPayload } from './support/frames.js';
import { runLoad } from './support/load.js';
import { describeMachine, machineInfo, warnIfBusy } from './support/machine.js';
import { writeResults } from './support/results.js';
import { median, percentileOfSorted } from './support/stats.js';

const BIN = fileURLToPath(new URL('../../bin/wsdiag.js', import.meta.url));
const CONNECTIONS = 50;
const MAX_MESSAGES_PER_WINDOW = 2_000_000;
const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

interface Options {
  quick: boolean;
  reps: number;
  warmupMs: number;
  windowMs: number;
  sizes: number[];
}

/** A relay under test: where clients connect, and the CPU it has used so far (µs, its whole process tree). */
interface Target {
  name: string;
  port: number;
  cpuMicros(): Promise<number>;
  stop(): Promise<void>;
}

interface Sample {
  messagesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  cpuUsPerMessage: number;
}

interface Result {
  target: string;
  size: number;
  samples: Sample[];
  messagesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  cpuUsPerMessage: number;
}

function parseOptions(argv: readonly string[]): Options {
  const quick = argv.includes('--quick');
  const after = (flag: string): string | undefined => {
    const at = argv.indexOf(flag);
    return at < 0 ? undefined : argv[at + 1];
  };
  const positive = (flag: string, fallback: number): number => {
    const value = after(flag) === undefined ? fallback : Number(after(flag));
    if (!Number.isInteger(value) || value < 1) throw new Error(`${flag} takes a positive integer`);
    return value;
  };
  const sizes = (after('--sizes') ?? '64,4096,262144').split(',').map(Number);
  if (sizes.some((s) => !Number.isInteger(s) || s < 1)) throw new Error('--sizes takes sizes in bytes, e.g. 64,4096');
  return {
    quick,
    reps: positive('--reps', quick ? 1 : 3),
    warmupMs: quick ? 200 : 1000,
    windowMs: positive('--window', quick ? 500 : 3000),
    sizes,
  };
}

/** User + system CPU of `pid` and every descendant, in microseconds (/proc; Linux only). */
function treeCpuMicros(pid: number): number {
  const children = new Map<number, number[]>();
  const cpu = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // Fields after the command name (which may hold spaces): state ppid ... utime(14) stime(15).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ppid = Number(fields[1]);
    cpu.set(Number(entry), Number(fields[11]) + Number(fields[12]));
    children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
  }
  let ticks = 0;
  const stack = [pid];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    ticks += cpu.get(next) ?? 0;
    stack.push(...(children.get(next) ?? []));
  }
  return (ticks / CLOCK_TICKS) * 1e6;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/** `wsdiag proxy --workers N`, its events on a pipe (read and dropped), listening on a free port. */
async function startWsdiag(target: string, workers: number): Promise<Target> {
  const child = spawn(
    process.execPath,
    [BIN, 'proxy', '--target', target, '--listen', '127.0.0.1:0', '--json', '--workers', String(workers)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const lines = createInterface({ input: child.stdout });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`wsdiag --workers ${workers} did not listen within 60 s`)), 60_000);
    child.once('exit', (code) => reject(new Error(`wsdiag --workers ${workers} exited (${code}) before listening`)));
    lines.on('line', (line) => {
      if (!line.includes('"type":"listening"')) return;
      clearTimeout(timer);
      resolve((JSON.parse(line) as { port: number }).port);
    });
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('wsdiag did not start');
  return {
    name: workers === 1 ? 'wsdiag' : `wsdiag --workers ${workers}`,
    port,
    cpuMicros: () => Promise.resolve(treeCpuMicros(pid)),
    stop: () => stopChild(child),
  };
}

/** nginx as a WebSocket reverse proxy with `workers` worker processes, or null when nginx is not installed. */
async function startNginx(echoPort: number, workers: number): Promise<Target | null> {
  if (spawnSync('nginx', ['-v']).error) return null;
  const dir = mkdtempSync(join(tmpdir(), 'wsdiag-bench-nginx-'));
  const port = await freePort();
  writeFileSync(
    join(dir, 'nginx.conf'),
    `daemon off; master_process on; worker_processes ${workers}; pid ${dir}/nginx.pid; error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://127.0.0.1:${echoPort};
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection "upgrade";
      proxy_read_timeout 300s;
      proxy_buffer_size 64k;
      proxy_buffers 4 64k;
      proxy_busy_buffers_size 128k;
      tcp_nodelay on;
    }
  }
}
`,
  );
  const child = spawn('nginx', ['-p', `${dir}/`, '-c', join(dir, 'nginx.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const pid = child.pid;
  if (pid === undefined) throw new Error('nginx did not start');
  // nginx has no "ready" line: connect until it accepts (bounded).
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) break;
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`nginx did not start: ${stderr.trim() || 'not listening after 10 s'}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    name: `nginx ${workers} worker${workers === 1 ? '' : 's'}`,
    port,
    cpuMicros: () => Promise.resolve(treeCpuMicros(pid)),
    stop: async () => {
      await stopChild(child, 'SIGQUIT');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function measure(target: Target, size: number, options: Options): Promise<Sample> {
  let before = 0;
  let after = 0;
  const result = await runLoad({
    url: `ws://127.0.0.1:${target.port}/echo`,
    connections: CONNECTIONS,
    payload: textPayload(size),
    warmupMs: options.warmupMs,
    measureMs: options.windowMs,
    maxMessages: MAX_MESSAGES_PER_WINDOW,
    onWindow: async (edge) => {
      if (edge === 'start') before = await target.cpuMicros();
      else after = await target.cpuMicros();
    },
  });
  if (result.messages === 0) throw new Error(`${target.name}: no message completed a round trip`);
  return {
    messagesPerSecond: result.messages / result.seconds,
    p50Ms: percentileOfSorted(result.latenciesMs, 50),
    p99Ms: percentileOfSorted(result.latenciesMs, 99),
    cpuUsPerMessage: (after - before) / result.messages,
  };
}

function summarise(target: string, size: number, samples: Sample[]): Result {
  return {
    target,
    size,
    samples,
    messagesPerSecond: median(samples.map((s) => s.messagesPerSecond)),
    p50Ms: median(samples.map((s) => s.p50Ms)),
    p99Ms: median(samples.map((s) => s.p99Ms)),
    cpuUsPerMessage: median(samples.map((s) => s.cpuUsPerMessage)),
  };
}

function table(results: readonly Result[]): string {
  const bareOf = (size: number): Result => {
    const bare = results.find((r) => r.size === size && r.target === 'bare relay');
    if (!bare) throw new Error(`no bare relay result at ${size} B`);
    return bare;
  };
  const oneOf = (size: number): Result | undefined => results.find((r) => r.size === size && r.target === 'wsdiag');
  return markdownTable(
    ['Message', 'Relay', 'msgs/s', '× bare', '× wsdiag 1 worker', 'p50 ms', 'p99 ms', 'relay CPU µs/msg', 'CPU × bare'],
    results.map((r) => {
      const bare = bareOf(r.size);
      const one = oneOf(r.size);
      return [
        formatSize(r.size),
        r.target,
        formatNumber(r.messagesPerSecond),
        formatRatio(r.messagesPerSecond / bare.messagesPerSecond),
        r.target.startsWith('wsdiag') && one ? formatRatio(r.messagesPerSecond / one.messagesPerSecond) : '',
        r.p50Ms.toFixed(2),
        r.p99Ms.toFixed(2),
        formatNumber(r.cpuUsPerMessage, 1),
        formatRatio(r.cpuUsPerMessage / bare.cpuUsPerMessage),
      ];
    }),
    ['left', 'left'],
  );
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const machine = machineInfo();
  warnIfBusy(machine);
  const started = process.hrtime.bigint();
  const echo = await BenchChild.start('echo');
  const bare = await BenchChild.start('bare', [String(echo.ready.port)]);
  const bareCpu = async (): Promise<number> => {
    const { cpu } = await bare.stats();
    return cpu.user + cpu.system;
  };
  const targets: Target[] = [{ name: 'bare relay', port: bare.ready.port, cpuMicros: bareCpu, stop: () => bare.stop() }];
  const results: Result[] = [];
  try {
    const echoUrl = `ws://127.0.0.1:${echo.ready.port}`;
    targets.push(await startWsdiag(echoUrl, 1), await startWsdiag(echoUrl, 2));
    for (const workers of [1, 2]) {
      const nginx = await startNginx(echo.ready.port, workers);
      if (nginx) targets.push(nginx);
    }
    for (const size of options.sizes) {
      const samples = targets.map((): Sample[] => []);
      for (let rep = 0; rep < options.reps; rep++) {
        // Rotated: no relay always runs first, or right after another's garbage.
        for (let i = 0; i < targets.length; i++) {
          const at = (rep + i) % targets.length;
          samples[at]?.push(await measure(targets[at] as Target, size, options));
        }
      }
      targets.forEach((target, at) => results.push(summarise(target.name, size, samples[at] ?? [])));
      process.stderr.write(
        `  ${formatSize(size)}: ${results
          .slice(-targets.length)
          .map((r) => `${r.target} ${formatNumber(r.messagesPerSecond)}`)
          .join(', ')} msgs/s\n`,
      );
    }
  } finally {
    await Promise.all([...targets.map((t) => t.stop()), echo.stop()]);
  }
  const totalSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const lines = [
    '',
    `### Relay workers (${machine.date.slice(0, 10)})`,
    '',
    `Machine: ${describeMachine(machine)}.`,
    `ws echo server and ${CONNECTIONS} ws clients on 127.0.0.1, text messages, one message in flight per connection (closed loop).`,
    `Medians of ${options.reps} windows of ${options.windowMs} ms after ${options.warmupMs} ms warm-up, targets in rotated order.`,
    `"relay CPU µs/msg" is the CPU of the relay's whole process tree (wsdiag's primary and workers, nginx's master and workers) per round trip.`,
    '',
    table(results),
    '',
    `(bench took ${totalSeconds.toFixed(1)} s)`,
    '',
  ];
  process.stdout.write(lines.join('\n'));
  if (options.quick) {
    process.stdout.write('Quick run: results not saved.\n');
  } else {
    const path = writeResults('workers', { machine, options, results, totalSeconds });
    process.stdout.write(`Results: ${path}\n`);
  }
}

await main();
