/**
 * The probe's scripted client: it dials the intermediary (directly, or through a CONNECT tunnel; with
 * TLS for wss:), writes its own upgrade request, and once the 101 arrives hands the socket to an
 * Endpoint that writes exact frames. The handshake is written by hand so that what was sent is known
 * byte for byte, for comparing with what the reflector received.
 */
import { randomBytes } from 'node:crypto';
import { connect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { Duplex } from 'node:stream';
import { ConfigError, type OptionNamer } from '../errors.js';
import type { ObservedHandshake } from '../observe/index.js';
import { Endpoint, type CloseReply } from './endpoint.js';
import { openTunnel, type ForwardProxy } from './forward-proxy.js';
import { formatHead, statusOf, type ParsedHead } from '../protocol/index.js';
import { readHead } from '../proxy/index.js';
import { UnreachableError, connectError } from './unreachable.js';

export interface ThroughTarget {
  href: string;
  secure: boolean;
  host: string;
  port: number;
  /** The Host header ("example.com:8443"). */
  hostHeader: string;
  /** "/path?query" */
  path: string;
}

export function parseThrough(text: string): ThroughTarget {
  const fail = (problem: string) => new ConfigError('through', (n) => `${n('through')} ${problem}`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw fail(`"${text}" is not a URL; expected e.g. ws://127.0.0.1:8080/ws`);
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw fail(`"${text}" must be a ws:// or wss:// URL (the address the intermediary serves WebSockets on)`);
  }
  if (url.hostname === '') throw fail(`"${text}" has no host`);
  if (url.username !== '' || url.password !== '') throw fail('must not carry credentials (user:password@)');
  const secure = url.protocol === 'wss:';
  return {
    href: url.href,
    secure,
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port === '' ? (secure ? 443 : 80) : Number(url.port),
    hostHeader: url.host,
    path: `${url.pathname}${url.search}`,
  };
}

export interface ClientOptions {
  target: ThroughTarget;
  forwardProxy: ForwardProxy | null;
  /** For wss: — skip certificate verification, or trust this CA. */
  insecure: boolean;
  ca: Buffer | null;
  timeoutMs: number;
  protocols?: readonly string[] | undefined;
  extensions?: string | undefined;
  /** Extra request headers (the probe's case label). */
  headers?: ReadonlyArray<readonly [string, string]> | undefined;
  closeReply?: CloseReply | undefined;
}

export type ClientOutcome =
  | { upgraded: true; endpoint: Endpoint; handshake: ObservedHandshake }
  | { upgraded: false; handshake: ObservedHandshake; statusLine: string };

/**
 * Dials and performs the opening handshake. Resolves with the Endpoint after a 101, or with the answer
 * when the intermediary (or the reflector behind it) refused the upgrade. Rejects with UnreachableError
 * when TCP, TLS or the CONNECT tunnel fails.
 */
export async function openClient(options: ClientOptions): Promise<ClientOutcome> {
  const { target } = options;
  const socket = await dial(options);
  // Errors after this point end the connection; the Endpoint (or the head reader) records them.
  socket.on('error', () => {});
  const key = randomBytes(16).toString('base64');
  const headers: Array<readonly [string, string]> = [
    ['Host', target.hostHeader],
    ['Upgrade', 'websocket'],
    ['Connection', 'Upgrade'],
    ['Sec-WebSocket-Key', key],
    ['Sec-WebSocket-Version', '13'],
  ];
  if (options.protocols && options.protocols.length > 0) headers.push(['Sec-WebSocket-Protocol', options.protocols.join(', ')]);
  if (options.extensions) headers.push(['Sec-WebSocket-Extensions', options.extensions]);
  headers.push(['User-Agent', 'wsdiag-probe'], ...(options.headers ?? []));
  const request: Record<string, string> = {};
  for (const [name, value] of headers) request[name.toLowerCase()] = value;

  socket.write(formatHead(`GET ${target.path} HTTP/1.1`, headers));
  let answer: { head: ParsedHead; leftover: Buffer };
  try {
    answer = await readHead(socket, options.timeoutMs, `the answer to the upgrade request from ${target.href}`);
  } catch (err) {
    socket.destroy();
    return { upgraded: false, handshake: { path: target.path, request, status: null, response: null }, statusLine: (err as Error).message };
  }
  const status = statusOf(answer.head);
  const handshake: ObservedHandshake = { path: target.path, request, status, response: answer.head.headers };
  if (status !== 101) {
    socket.destroy();
    return { upgraded: false, handshake, statusLine: answer.head.startLine };
  }
  const endpoint = new Endpoint(socket, {
    side: 'client',
    extensions: answer.head.headers['sec-websocket-extensions'] ?? null,
    ...(options.closeReply !== undefined ? { closeReply: options.closeReply } : {}),
  });
  endpoint.start(answer.leftover);
  return { upgraded: true, endpoint, handshake };
}

/** TCP (or a CONNECT tunnel), then TLS for wss:. */
async function dial(options: ClientOptions): Promise<Duplex> {
  const { target } = options;
  let raw: Socket;
  if (options.forwardProxy) {
    const tunnel = await openTunnel(options.forwardProxy, target.host, target.port, options.timeoutMs);
    raw = tunnel.socket;
    // A proxy that already sent bytes of the target's stream would be odd; keep them in front anyway.
    if (tunnel.leftover.length > 0) raw.unshift(tunnel.leftover);
  } else {
    raw = await tcpConnect(target, options.timeoutMs);
  }
  raw.setNoDelay(true);
  raw.on('error', () => {});
  if (!target.secure) return raw;
  return tlsHandshake(raw, options);
}

function tcpConnect(target: ThroughTarget, timeoutMs: number): Promise<Socket> {
  return new Promise<Socket>((resolve, reject) => {
    const socket = connect({ host: target.host, port: target.port, allowHalfOpen: true });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new UnreachableError(`cannot reach ${target.href}: no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(connectError(target.href, err));
    });
  });
}

function tlsHandshake(raw: Socket, options: ClientOptions): Promise<TLSSocket> {
  const { target } = options;
  return new Promise<TLSSocket>((resolve, reject) => {
    const socket = tlsConnect({
      socket: raw,
      // SNI takes a host name, never an IP address (RFC 6066 §3).
      servername: isIP(target.host) === 0 ? target.host : undefined,
      rejectUnauthorized: !options.insecure,
      ca: options.ca ?? undefined,
      ALPNProtocols: ['http/1.1'],
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new UnreachableError(`TLS handshake with ${target.href} did not finish within ${options.timeoutMs} ms`));
    }, options.timeoutMs);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (err: Error) => {
      clearTimeout(timer);
      raw.destroy();
      const untrusted = /self[- ]signed|unable to verify|certificate/i.test(err.message);
      const hint = (n: OptionNamer) => (untrusted ? ` (use ${n('ca')} FILE to trust its certificate, or ${n('insecure')})` : '');
      reject(new UnreachableError((n) => `TLS handshake with ${target.href} failed: ${err.message}${hint(n)}`, { cause: err }));
    });
  });
}
