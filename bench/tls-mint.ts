/**
 * The cost of minting leaf certificates for TLS interception, ECDSA P-256 and RSA 2048 CAs in one run:
 *
 * - mint: one new leaf (LeafCertificates.get for a host not cached; shared leaf key, so a signature and a
 *   small DER encoding), median and p90, and the event-loop time it takes (the rest runs on libuv's
 *   thread pool: WebCrypto signs there);
 * - first vs next: a full TLS handshake on 127.0.0.1 to a host never seen (mint included) and to one
 *   already cached (each a new TCP connection and a full handshake, no session resumption);
 * - burst: 50 clients to 50 new hosts at once, until all 50 handshakes have verified (goal < 2 s on
 *   this 2-core machine), with the worst event-loop delay seen meanwhile (how long other connections
 *   would have waited); then the same 50 hosts again, cached, so the handshakes' own share is visible.
 *
 * - through the proxy: wsdiag in forward mode (startProxy without a target, `resolve: {'*.test':
 *   '127.0.0.1'}`), ws clients through https-proxy-agent (CONNECT, TLS intercepted with a leaf from
 *   wsdiag's CA, wsdiag's own verified TLS to the upstream): the time to an open WebSocket for a host never
 *   seen and for the same host again, and 50 new hosts at once until all 50 are open. The upstream's own
 *   leaves are minted before the clock starts, so only wsdiag's minting is measured.
 *
 * Client and server share this process, as wsdiag's proxy shares its event loop with everything else.
 * Options: --quick (few repetitions, not saved), --reps N (burst rounds, default 10).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createServer as createNetServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { connect, TLSSocket } from 'node:tls';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { WebSocket, WebSocketServer } from 'ws';
import { startProxy } from '../src/proxy/index.js';
import { CertificateAuthority, LeafCertificates, type CaKeyType } from '../src/tls/index.js';
import { formatNumber, markdownTable } from './support/format.js';
import { describeMachine, machineInfo, warnIfBusy } from './support/machine.js';
import { writeResults } from './support/results.js';
import { median, percentileOfSorted } from './support/stats.js';

const BURST_HOSTS = 50;
const BURST_GOAL_MS = 2000;

interface Options {
  quick: boolean;
  reps: number;
}

interface KeyTypeResult {
  keyType: CaKeyType;
  keyLabel: string;
  /** cpuMsPerMint: process CPU time (all threads) per mint, which other work on the machine barely changes. */
  mint: { n: number; medianMs: number; p90Ms: number; eventLoopMsPerMint: number; cpuMsPerMint: number };
  firstConnection: { n: number; medianMs: number; p90Ms: number };
  nextConnection: { n: number; medianMs: number; p90Ms: number };
  /** cpuMs: process CPU time of one burst, server and the 50 clients together (median of rounds). */
  burst: {
    hosts: number;
    rounds: number;
    medianMs: number;
    maxMs: number;
    cpuMs: number;
    maxEventLoopDelayMs: number;
    goalMs: number;
    met: boolean;
  };
  /** The same burst to 50 hosts already cached: handshakes alone, so the difference is the minting. */
  cachedBurst: { medianMs: number; maxMs: number; cpuMs: number };
  /** Whole wss connections through wsdiag in forward mode, to an open WebSocket. */
  throughProxy: {
    firstConnection: { n: number; medianMs: number; p90Ms: number };
    nextConnection: { n: number; medianMs: number; p90Ms: number };
    burst: { hosts: number; rounds: number; medianMs: number; maxMs: number; goalMs: number; met: boolean };
  };
}

function parseOptions(argv: string[]): Options {
  const quick = argv.includes('--quick');
  const repsAt = argv.indexOf('--reps');
  const reps = repsAt >= 0 ? Number(argv[repsAt + 1]) : quick ? 2 : 10;
  if (!Number.isInteger(reps) || reps < 1) throw new Error('--reps expects a whole number ≥ 1');
  return { quick, reps };
}

function summary(samples: number[]): { n: number; medianMs: number; p90Ms: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { n: samples.length, medianMs: median(samples), p90Ms: percentileOfSorted(sorted, 90) };
}

/** A TLS server as the proxy will run one: TCP sockets turned into server-side TLSSockets with the SNI callback. */
async function startServer(leaves: LeafCertificates): Promise<{ server: Server; port: number }> {
  const server = createNetServer((raw) => {
    const socket = new TLSSocket(raw, { isServer: true, SNICallback: leaves.sniCallback });
    socket.on('error', () => socket.destroy());
    socket.on('secure', () => socket.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

/** Milliseconds from connect() to a verified handshake. */
function handshake(port: number, servername: string, ca: string): Promise<number> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, servername, ca });
    socket.on('secureConnect', () => {
      const ms = performance.now() - start;
      socket.destroy();
      if (socket.authorized) resolve(ms);
      else reject(new Error(`not verified: ${String(socket.authorizationError)}`));
    });
    socket.on('error', reject);
  });
}

async function measure(keyType: CaKeyType, options: Options, dir: string): Promise<KeyTypeResult> {
  const ca = await CertificateAuthority.open({ dir: join(dir, keyType), keyType });
  const leaves = await LeafCertificates.create(ca, { maxEntries: 100_000 });
  const mints = options.quick ? 20 : keyType === 'rsa' ? 200 : 400;
  const connections = options.quick ? 10 : 100;
  let host = 0;
  const next = (): string => `h${host++}.${keyType}.bench.test`;

  for (let i = 0; i < 20; i++) await leaves.get(next()); // warm-up: JIT, thread pool
  const mintTimes: number[] = [];
  const cpu0 = process.cpuUsage();
  const elu0 = performance.eventLoopUtilization();
  for (let i = 0; i < mints; i++) {
    const start = performance.now();
    await leaves.get(next());
    mintTimes.push(performance.now() - start);
  }
  const elu = performance.eventLoopUtilization(elu0);
  const mintCpu = process.cpuUsage(cpu0);

  const { server, port } = await startServer(leaves);
  const firsts: number[] = [];
  const nexts: number[] = [];
  for (let i = 0; i < connections; i++) {
    const name = next();
    firsts.push(await handshake(port, name, ca.certPem));
    nexts.push(await handshake(port, name, ca.certPem));
  }

  const bursts: number[] = [];
  const cachedBursts: number[] = [];
  const burstCpu: number[] = [];
  const cachedBurstCpu: number[] = [];
  let worstDelay = 0;
  const burst = async (names: string[], wall: number[], cpu: number[]): Promise<void> => {
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    await Promise.all(names.map((name) => handshake(port, name, ca.certPem)));
    wall.push(performance.now() - start);
    const used = process.cpuUsage(cpuStart);
    cpu.push((used.user + used.system) / 1000);
  };
  for (let round = 0; round < options.reps; round++) {
    const names = Array.from({ length: BURST_HOSTS }, () => next());
    const delay = monitorEventLoopDelay({ resolution: 1 });
    delay.enable();
    await burst(names, bursts, burstCpu);
    delay.disable();
    worstDelay = Math.max(worstDelay, delay.max / 1e6);
    await burst(names, cachedBursts, cachedBurstCpu); // the same names again: now every leaf is cached
  }
  await new Promise<void>((resolve) => server.close(() => resolve()));

  const burstMedian = median(bursts);
  return {
    keyType,
    keyLabel: ca.keyLabel,
    mint: { ...summary(mintTimes), eventLoopMsPerMint: elu.active / mints, cpuMsPerMint: (mintCpu.user + mintCpu.system) / 1000 / mints },
    firstConnection: summary(firsts),
    nextConnection: summary(nexts),
    burst: {
      hosts: BURST_HOSTS,
      rounds: bursts.length,
      medianMs: burstMedian,
      maxMs: Math.max(...bursts),
      cpuMs: median(burstCpu),
      maxEventLoopDelayMs: worstDelay,
      goalMs: BURST_GOAL_MS,
      met: Math.max(...bursts) < BURST_GOAL_MS,
    },
    cachedBurst: { medianMs: median(cachedBursts), maxMs: Math.max(...cachedBursts), cpuMs: median(cachedBurstCpu) },
    throughProxy: await measureThroughProxy(ca, keyType, options, dir),
  };
}

/** wss connections through wsdiag in forward mode, its leaves minted from `ca` (see the header). */
async function measureThroughProxy(
  ca: CertificateAuthority,
  keyType: CaKeyType,
  options: Options,
  dir: string,
): Promise<KeyTypeResult['throughProxy']> {
  const upstreamCa = await CertificateAuthority.open({ dir: join(dir, `upstream-${keyType}`) });
  const upstreamLeaves = await LeafCertificates.create(upstreamCa, { maxEntries: 100_000 });
  const https = createHttpsServer({ SNICallback: upstreamLeaves.sniCallback });
  const wss = new WebSocketServer({ server: https });
  wss.on('connection', (ws) => ws.on('error', () => undefined));
  await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
  const port = (https.address() as AddressInfo).port;
  const proxy = await startProxy({
    listen: { host: '127.0.0.1', port: 0 },
    onEvent: () => undefined,
    forward: { certificates: await LeafCertificates.create(ca, { maxEntries: 100_000 }) },
    resolve: { '*.test': '127.0.0.1' },
    ca: upstreamCa.certPem,
  });
  const agent = new HttpsProxyAgent(`http://127.0.0.1:${proxy.port}`);
  let host = 0;
  const names = async (n: number): Promise<string[]> => {
    const list = Array.from({ length: n }, () => `p${host++}.${keyType}.proxy.test`);
    // The upstream's leaves are minted now, off the clock.
    await Promise.all(list.map((name) => upstreamLeaves.get(name)));
    return list;
  };
  /** Milliseconds from the client's first byte to an open WebSocket (CONNECT, both TLS legs, upgrade). */
  const open = (name: string): Promise<number> =>
    new Promise((resolve, reject) => {
      const start = performance.now();
      const ws = new WebSocket(`wss://${name}:${port}/`, { agent, ca: ca.certPem });
      ws.once('open', () => {
        resolve(performance.now() - start);
        ws.terminate();
      });
      ws.once('error', reject);
    });
  try {
    for (const name of await names(10)) await open(name); // warm-up
    const connections = options.quick ? 10 : 50;
    const firsts: number[] = [];
    const nexts: number[] = [];
    for (const name of await names(connections)) {
      firsts.push(await open(name));
      nexts.push(await open(name));
    }
    const bursts: number[] = [];
    for (let round = 0; round < options.reps; round++) {
      const list = await names(BURST_HOSTS);
      const start = performance.now();
      await Promise.all(list.map(open));
      bursts.push(performance.now() - start);
    }
    const maxMs = Math.max(...bursts);
    return {
      firstConnection: summary(firsts),
      nextConnection: summary(nexts),
      burst: {
        hosts: BURST_HOSTS,
        rounds: bursts.length,
        medianMs: median(bursts),
        maxMs,
        goalMs: BURST_GOAL_MS,
        met: maxMs < BURST_GOAL_MS,
      },
    };
  } finally {
    agent.destroy();
    await proxy.close();
    for (const client of wss.clients) client.terminate();
    https.closeAllConnections();
    await new Promise<void>((resolve) => https.close(() => resolve()));
  }
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const machine = machineInfo();
  warnIfBusy(machine);
  process.stdout.write(`TLS leaf minting — ${describeMachine(machine)}\n\n`);
  const dir = mkdtempSync(join(tmpdir(), 'wsdiag-bench-tls-'));
  const results: KeyTypeResult[] = [];
  try {
    for (const keyType of ['ecdsa', 'rsa'] as const) results.push(await measure(keyType, options, dir));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const ms = (v: number): string => formatNumber(v, 2);
  const rows = results.map((r) => [
    r.keyLabel,
    `${ms(r.mint.medianMs)} / ${ms(r.mint.p90Ms)}`,
    `${ms(r.mint.eventLoopMsPerMint)} / ${ms(r.mint.cpuMsPerMint)}`,
    `${ms(r.firstConnection.medianMs)} / ${ms(r.firstConnection.p90Ms)}`,
    `${ms(r.nextConnection.medianMs)} / ${ms(r.nextConnection.p90Ms)}`,
    `${formatNumber(r.burst.medianMs)} / ${formatNumber(r.burst.maxMs)}${r.burst.met ? '' : ' (goal missed)'}`,
    `${formatNumber(r.burst.cpuMs)} / ${formatNumber(r.cachedBurst.cpuMs)}`,
    `${formatNumber(r.cachedBurst.medianMs)} / ${formatNumber(r.cachedBurst.maxMs)}`,
    formatNumber(r.burst.maxEventLoopDelayMs, 1),
  ]);
  process.stdout.write(
    `${markdownTable(
      [
        'CA key',
        'mint ms (median / p90)',
        'mint: event-loop / CPU ms',
        'first connection ms (median / p90)',
        'next connection ms (median / p90)',
        `${BURST_HOSTS} new hosts at once ms (median / max)`,
        'burst CPU ms: new / cached',
        'same 50 cached ms (median / max)',
        'worst event-loop delay ms',
      ],
      rows,
      ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
    )}\n\nGoal: ${BURST_HOSTS} new hosts' handshakes all done in < ${BURST_GOAL_MS} ms (${results.every((r) => r.burst.met) ? 'met' : 'missed'}). ` +
      'CPU times count every thread of this process, server and clients together.\n',
  );
  const proxyRows = results.map((r) => [
    r.keyLabel,
    `${ms(r.throughProxy.firstConnection.medianMs)} / ${ms(r.throughProxy.firstConnection.p90Ms)}`,
    `${ms(r.throughProxy.nextConnection.medianMs)} / ${ms(r.throughProxy.nextConnection.p90Ms)}`,
    `${formatNumber(r.throughProxy.burst.medianMs)} / ${formatNumber(r.throughProxy.burst.maxMs)}${r.throughProxy.burst.met ? '' : ' (goal missed)'}`,
  ]);
  process.stdout.write(
    `\nThrough wsdiag in forward mode (CONNECT, TLS intercepted, verified upstream TLS, upgrade), to an open WebSocket:\n\n${markdownTable(
      ['CA key', 'new host ms (median / p90)', 'same host again ms (median / p90)', `${BURST_HOSTS} new hosts at once ms (median / max)`],
      proxyRows,
      ['left', 'right', 'right', 'right'],
    )}\n`,
  );
  if (!options.quick) process.stdout.write(`saved ${writeResults('tls-mint', { machine, results })}\n`);
}

await main();
