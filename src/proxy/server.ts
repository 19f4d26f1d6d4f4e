/**
 * The listening side of the proxy: one port for plain HTTP (./web.ts) and WebSocket upgrades
 * (./upgrade.ts), the registry of what is in flight, and an orderly close().
 */
import { createServer as createHttpServer, type ServerOptions as HttpServerOptions, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { checkRunId, connId, httpConnPrefix, newRunId, tunnelConnPrefix } from '../conn-id.js';
import { ConfigError } from '../errors.js';
import { SCHEMA_VERSION, systemClock, type WsdiagEvent } from '../events/index.js';
import { checkBodyLimit } from '../messages/index.js';
import { redactorFor } from '../redact.js';
import { AddonHost } from './addon-host.js';
import { DEFAULT_ENFORCE_GRACE_MS } from './enforce.js';
import { enforcement } from './forwarding.js';
import { plainResponse } from './http-head.js';
import {
  ConnectionGate,
  DEFAULT_HEADER_TIMEOUT_MS,
  REFUSAL_HEADROOM,
  REFUSAL_REPORT_INTERVAL_MS,
  RETRY_AFTER_SECONDS,
  RefusalLog,
  defaultMaxConnections,
  serverTimeouts,
} from './limits.js';
import { messageEvents } from './messages.js';
import { DEFAULT_SHUTDOWN_GRACE_MS, type Relay } from './relay.js';
import { analyzerSettings, resolveSettings, type SettingValues } from './settings.js';
import { isLoopback, parseTarget } from './target.js';
import { hostPort } from '../text.js';
import { listenOn } from '../listen.js';
import type { ForwardOptions, ListenAddress, ProxyOptions, RunningProxy } from './types.js';
import { handleUpgrade, type UpgradeContext } from './upgrade.js';
import { parseAllowList, type ClientAllowList } from './allow.js';
import { createForwardPass, type ForwardPass } from './forward.js';
import { compileHostGlobs } from './host-glob.js';
import type { UpstreamTls } from './upstream.js';
import { createReach, reachConnector } from './reach.js';
import { dialUpstream } from './dial.js';
import { createWebPass } from './web.js';

export const DEFAULT_LISTEN = { host: '127.0.0.1', port: 8080 } as const;

/** The `listening` event's `target` in forward mode. */
export const FORWARD_TARGET = 'forward';

/**
 * Checks what startProxy would refuse about the mode and forward mode's options (the mode, a listen address
 * off loopback, the allowed ranges, the intercept globs), so a command can refuse them before anything opens.
 */
export function checkProxyMode(options: Pick<ProxyOptions, 'target' | 'mode' | 'listen' | 'forward'>): void {
  if (proxyMode(options) === 'reverse') return;
  checkForwardListen(options.listen ?? DEFAULT_LISTEN, options.forward ?? {});
  compileHostGlobs(options.forward?.intercept ?? ['*'], 'forward.intercept');
}

/** reverse (a target to relay to) or forward (an explicit proxy); a ConfigError when the options disagree. */
function proxyMode(options: Pick<ProxyOptions, 'target' | 'mode'>): 'reverse' | 'forward' {
  const mode = options.mode ?? (options.target === undefined ? 'forward' : 'reverse');
  if (mode === 'forward' && options.target !== undefined) {
    throw new ConfigError('target', (n) => `${n('mode')} forward relays to whatever each client asks for: leave out ${n('target')}`);
  }
  if (mode === 'reverse' && options.target === undefined) {
    throw new ConfigError('target', (n) => `${n('mode')} reverse needs ${n('target')} (the upstream to relay to)`);
  }
  return mode;
}

/**
 * Forward mode listens on loopback unless told otherwise: an open proxy is an abuse magnet. With
 * allowRemote it needs the client ranges it serves.
 */
function checkForwardListen(listen: ListenAddress, forward: ForwardOptions): ClientAllowList | null {
  if (forward.allowRemote !== true) {
    if (forward.allowFrom !== undefined && forward.allowFrom.length > 0) {
      throw new ConfigError('forward.allowFrom', (n) => `${n('forward.allowFrom')} applies only with ${n('forward.allowRemote')}`);
    }
    if (!isLoopback(listen.host)) {
      throw new ConfigError(
        'listen',
        (n) =>
          `${n('listen')} ${hostPort(listen.host, listen.port)} is reachable from the network, and an open forward proxy is an abuse magnet: ` +
          `listen on 127.0.0.1, or add ${n('forward.allowRemote')} with ${n('forward.allowFrom')} CIDR for the clients to serve`,
      );
    }
    return null;
  }
  if (forward.allowFrom === undefined || forward.allowFrom.length === 0) {
    throw new ConfigError(
      'forward.allowFrom',
      (n) => `${n('forward.allowRemote')} needs ${n('forward.allowFrom')} CIDR… (the client ranges to serve, e.g. 192.168.1.0/24)`,
    );
  }
  return parseAllowList(forward.allowFrom, 'forward.allowFrom');
}

/**
 * Starts the proxy. Rejects with a ConfigError for a bad target or addons that cannot go together, and
 * an OperationalError when the address cannot be bound; once it resolves, `listening` has been emitted.
 */
export async function startProxy(options: ProxyOptions): Promise<RunningProxy> {
  const target = proxyMode(options) === 'reverse' ? parseTarget(options.target ?? '') : null;
  const runId = options.runId !== undefined ? checkRunId(options.runId) : newRunId();
  const listen = options.listen ?? DEFAULT_LISTEN;
  const allow = target === null ? checkForwardListen(listen, options.forward ?? {}) : null;
  const intercept = target === null ? compileHostGlobs(options.forward?.intercept ?? ['*'], 'forward.intercept') : null;
  const clock = options.clock ?? systemClock;
  const emit = options.onEvent;
  const tls: UpstreamTls = { insecure: options.insecure ?? false, ...(options.ca !== undefined ? { ca: options.ca } : {}) };
  const reach = createReach(options);
  // One policy for everything this proxy writes: events, messages, previews.
  const redact = redactorFor(options.showSecrets, options.redact);
  const shownTarget = target !== null ? redact.url(target.href) : FORWARD_TARGET;
  const bodyLimit = checkBodyLimit(options.bodyLimit);

  const enforce = options.enforce ?? false;
  // --enforce is the built-in forwarding strategy: first, so it is named in a conflict with another.
  // --messages is an addon too, after the caller's: their `event` hooks see its events.
  const addons = new AddonHost(
    [
      ...(enforce ? [enforcement(options.enforceGraceMs ?? DEFAULT_ENFORCE_GRACE_MS)] : []),
      ...(options.addons ?? []),
      ...(options.messages === true ? [messageEvents({ bodyLimit, redact, clock })] : []),
    ],
    {
      emit,
      clock,
      redact,
    },
  );
  const proxySettings = proxySettingsOf(options);
  const baseSettings = resolveSettings(proxySettings, []);

  const maxConnections = options.maxConnections ?? defaultMaxConnections();
  const headerTimeoutMs = options.headerTimeoutMs ?? DEFAULT_HEADER_TIMEOUT_MS;
  const server = createServer(options.tls, serverTimeouts(headerTimeoutMs));
  const gate = new ConnectionGate(maxConnections);
  const refusals = new RefusalLog(emit, clock, addons.refused);
  const limits: Limits = { gate, refusals, headerTimeoutMs };
  const connPrefix = options.connPrefix ?? 'c';
  // WebSocket and plain HTTP connections are counted apart (c1, c2... and h1, h2...), both by the counter.
  const counter = connCounterOf(options.connCounter);
  let nextHttpId = counter.start - counter.step;
  const web = createWebPass({
    target,
    shownTarget,
    tls,
    reach,
    redact,
    emit,
    clock,
    nextConnId: () => connId(runId, httpConnPrefix(connPrefix), (nextHttpId += counter.step)),
  });
  const pending = new Set<() => void>();
  const relays = new Set<Relay>();
  let nextId = counter.start - counter.step;

  const upgradeBase: Omit<UpgradeContext, 'target' | 'shownTarget'> = {
    tls,
    ...(reach ? { connector: reachConnector(reach) } : {}),
    redact,
    clock,
    emit,
    enforce,
    ...(options.idleTimeoutMs !== undefined ? { idleTimeoutMs: options.idleTimeoutMs } : {}),
    addons,
    proxySettings,
    baseSettings,
    baseAnalyzer: {
      redact,
      ...analyzerSettings(baseSettings),
      ...(addons.suppressed ? { onSuppressed: addons.suppressed } : {}),
    },
    nextConnId: () => connId(runId, connPrefix, (nextId += counter.step)),
    trackPending: (abort) => {
      pending.add(abort);
      return () => pending.delete(abort);
    },
    trackRelay: (relay) => {
      relays.add(relay);
      void relay.done.then(() => relays.delete(relay));
    },
  };
  const ctx: UpgradeContext | null = target !== null ? { target, shownTarget, ...upgradeBase } : null;
  let forward: ForwardPass | null = null;
  if (target === null && intercept !== null) {
    const certificates = options.forward?.certificates;
    if (certificates === undefined) {
      throw new ConfigError(
        'forward.certificates',
        (n) => `forward mode needs ${n('forward.certificates')}: the leaf certificates of a local CA`,
      );
    }
    let nextTunnelId = counter.start - counter.step;
    forward = createForwardPass({
      server,
      upgrade: upgradeBase,
      web,
      leaves: certificates,
      intercept,
      allow,
      tls,
      dial: reach ? reach.dial : dialUpstream,
      emit,
      clock,
      nextTunnelId: () => connId(runId, tunnelConnPrefix(connPrefix), (nextTunnelId += counter.step)),
      trackPending: upgradeBase.trackPending,
    });
  }

  if (forward !== null) {
    const pass = forward;
    server.on('request', (req, res) => {
      if (gate.admit(req.socket)) pass.request(req, res);
      else refuseRequest(res, req.socket, limits);
    });
    server.on('upgrade', (req, socket: Socket, head: Buffer) => {
      if (gate.admit(socket)) pass.upgrade(req, socket, head);
      else refuseUpgrade(socket, limits);
    });
    server.on('connect', (req, socket: Socket, head: Buffer) => {
      if (gate.admit(socket)) pass.connect(req, socket, head);
      else refuseUpgrade(socket, limits);
    });
  } else if (ctx !== null) {
    const upgradeCtx = ctx;
    server.on('request', (req, res) => {
      if (gate.admit(req.socket)) web.handle(req, res);
      else refuseRequest(res, req.socket, limits);
    });
    server.on('upgrade', (req, socket: Socket, head: Buffer) => {
      if (gate.admit(socket)) handleUpgrade(upgradeCtx, req, socket, head);
      else refuseUpgrade(socket, limits);
    });
  }
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => answerClientError(err, socket, emit, clock, limits));
  if (maxConnections > 0) {
    // The backstop: sockets that never got as far as a request (silent, or sending slowly) do not count
    // against the limit, but their number is bounded too, and past it node drops new ones unanswered.
    server.maxConnections = maxConnections + REFUSAL_HEADROOM;
    server.on('drop', (data?: { remoteAddress?: string; remotePort?: number }) => {
      const who = hostPort(data?.remoteAddress ?? 'unknown', data?.remotePort ?? 0);
      refusals.refused(
        'max_connections',
        () =>
          `Client ${who} was dropped unanswered: --max-connections ${maxConnections} are served and ${REFUSAL_HEADROOM} more clients ` +
          `are being refused or are still sending their request. ${REPEAT_NOTE}`,
        (count, sinceMs) =>
          moreRefused(count, sinceMs, `at --max-connections ${maxConnections} (answered 503, or dropped when too many were waiting)`),
      );
    });
  }
  server.on('tlsClientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    // A client that hangs up mid-handshake (a port scan, a cancelled request) is not worth a log line.
    if (err.code === 'ECONNRESET') return;
    const who = hostPort(socket.remoteAddress ?? 'unknown', socket.remotePort ?? 0);
    emitError(emit, clock, `TLS handshake with client ${who} failed: ${err.message}.`);
  });

  await listenOn(server, listen.host, listen.port);
  const bound = server.address() as AddressInfo;
  server.on('error', (err) => emitError(emit, clock, `The listening socket failed: ${err.message}.`));
  if (!isLoopback(bound.address)) {
    const warn = options.onWarning ?? ((message: string) => process.stderr.write(`wsdiag: warning: ${message}\n`));
    warn(
      `listening on ${hostPort(bound.address, bound.port)}, which is reachable from the network: anyone who can reach it ` +
        'can relay through this proxy and read the traffic. Use --listen 127.0.0.1:PORT unless that is what you want.',
    );
  }
  emit({
    v: SCHEMA_VERSION,
    type: 'listening',
    ts: clock().toISOString(),
    address: bound.address,
    port: bound.port,
    target: shownTarget,
    run: runId,
  });

  const graceMs = options.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS;
  let closing: Promise<void> | null = null;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      for (const abort of [...pending]) abort();
      pending.clear();
      await Promise.all([...relays].map((relay) => relay.shutdown(graceMs)));
      forward?.close();
      server.closeAllConnections();
      await stopped;
      web.close();
      await addons.close();
    })());

  const dialHost = bound.address === '0.0.0.0' ? '127.0.0.1' : bound.address === '::' ? '::1' : bound.address;
  const secure = options.tls !== undefined;
  return {
    address: bound.address,
    port: bound.port,
    runId,
    url: `${secure ? 'wss' : 'ws'}://${hostPort(dialHost, bound.port)}`,
    httpUrl: `${secure ? 'https' : 'http'}://${hostPort(dialHost, bound.port)}`,
    close,
  };
}

/** ProxyOptions.connCounter, checked: whole numbers, start ≥ 1, step ≥ 1. */
function connCounterOf(counter: ProxyOptions['connCounter']): { start: number; step: number } {
  if (counter === undefined) return { start: 1, step: 1 };
  const { start, step } = counter;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(step) || start < 1 || step < 1) {
    throw new ConfigError('connCounter', `the connection counter needs a whole start and step of at least 1 (got ${start} and ${step})`);
  }
  return { start, step };
}

/** The settings ProxyOptions give every connection (rank `proxy` in ./settings.ts). */
function proxySettingsOf(options: ProxyOptions): Partial<SettingValues> {
  const settings: Partial<SettingValues> = {};
  if (options.maxMessage !== undefined) settings.maxMessage = options.maxMessage;
  if (options.frames !== undefined) settings.frames = options.frames;
  if (options.preview !== undefined) settings.preview = options.preview;
  if (options.maxPerRule !== undefined) settings.maxPerRule = options.maxPerRule;
  if (options.pongTimeoutMs !== undefined) settings.pongTimeoutMs = options.pongTimeoutMs;
  return settings;
}

function createServer(tls: ProxyOptions['tls'], timeouts: HttpServerOptions): Server {
  if (!tls) return createHttpServer(timeouts);
  try {
    // allowHalfOpen as on plain HTTP servers, so a client's FIN is passed on instead of ending both ways.
    return createHttpsServer({ ...timeouts, cert: tls.cert, key: tls.key, allowHalfOpen: true });
  } catch (err) {
    throw new ConfigError(
      'tls',
      `cannot serve TLS with the given certificate and key: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
}

/** The limits a request meets before it is served, and where refusals are counted. */
interface Limits {
  gate: ConnectionGate;
  refusals: RefusalLog;
  headerTimeoutMs: number;
}

/** The first byte of a TLS handshake record (a ClientHello). */
const TLS_HANDSHAKE = 0x16;

const REPEAT_NOTE = `Refusals are counted in the summary; this message repeats at most every ${REFUSAL_REPORT_INTERVAL_MS / 1000} s.`;

function moreRefused(count: number, sinceMs: number, how: string): string {
  return `${count} more clients were refused ${how} in the last ${(sinceMs / 1000).toFixed(1)} s.`;
}

/** The 503 a client gets beyond --max-connections: one line saying why, and when to try again. */
function busyText(gate: ConnectionGate): string {
  return `wsdiag: too many connections (--max-connections ${gate.max}); try again in a few seconds.`;
}

function noteBusy(socket: Socket, limits: Limits): void {
  const who = hostPort(socket.remoteAddress ?? 'unknown', socket.remotePort ?? 0);
  const max = limits.gate.max;
  limits.refusals.refused(
    'max_connections',
    () =>
      `Client ${who} was answered 503 Service Unavailable: ${limits.gate.open} connections are open, the most --max-connections allows. ${REPEAT_NOTE}`,
    (count, sinceMs) => moreRefused(count, sinceMs, `at --max-connections ${max}`),
  );
}

function refuseRequest(res: ServerResponse, socket: Socket, limits: Limits): void {
  noteBusy(socket, limits);
  res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8', 'Retry-After': String(RETRY_AFTER_SECONDS), Connection: 'close' });
  res.end(`${busyText(limits.gate)}\n`);
}

function refuseUpgrade(socket: Socket, limits: Limits): void {
  // The socket left node's HTTP machinery with the upgrade: an error now must not crash the process.
  socket.on('error', () => socket.destroy());
  noteBusy(socket, limits);
  socket.end(plainResponse(503, busyText(limits.gate), { 'Retry-After': String(RETRY_AFTER_SECONDS) }));
}

/** A malformed request or a header timeout: answer as node would, and say so in the log. */
function answerClientError(
  err: NodeJS.ErrnoException,
  socket: Socket,
  emit: (event: WsdiagEvent) => void,
  clock: () => Date,
  limits: Limits,
): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const who = hostPort(socket.remoteAddress ?? 'unknown', socket.remotePort ?? 0);
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    const timeout = limits.headerTimeoutMs;
    limits.refusals.refused(
      'header_timeout',
      () =>
        `Client ${who} had not sent complete request headers after --header-timeout ${timeout} ms; it was answered 408 Request Timeout and closed. ${REPEAT_NOTE}`,
      (count, sinceMs) => moreRefused(count, sinceMs, `at --header-timeout ${timeout} ms (answered 408)`),
    );
    socket.end(plainResponse(408, `wsdiag: the request headers did not arrive within ${timeout} ms.`));
    return;
  }
  if ((err as { rawPacket?: Buffer }).rawPacket?.[0] === TLS_HANDSHAKE) {
    // A TLS ClientHello: a 400 in plain text would only be another TLS error on the client's side.
    emitError(
      emit,
      clock,
      `Client ${who} spoke TLS to this plain HTTP port; it was disconnected. Point it at http://, not https:// (as a proxy: ` +
        'http://HOST:PORT, which still carries https:// sites through CONNECT).',
    );
    socket.destroy();
    return;
  }
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
  emitError(emit, clock, `Client ${who} sent a request wsdiag could not parse (${err.code ?? err.message}); it was answered ${status}.`);
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);
}

function emitError(emit: (event: WsdiagEvent) => void, clock: () => Date, message: string): void {
  emit({ v: SCHEMA_VERSION, type: 'error', ts: clock().toISOString(), conn: null, message });
}
