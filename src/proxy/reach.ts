/**
 * How the proxy reaches its upstreams: straight, or with a name sent to a chosen address (`--resolve
 * HOST:ADDR`, as curl's without the port), or through an HTTP proxy with CONNECT (`--upstream-proxy
 * http://[user:pass@]host:port`, where corporate users sit). Every upstream TCP connection is opened by
 * `Reach.dial`; TLS, when wanted, is started by the caller on the socket it gives, with the name (not the
 * address) as SNI and as the name the certificate is checked against.
 */
import type { Agent as HttpAgent } from 'node:http';
import { isIP, type Socket } from 'node:net';
import { ConfigError } from '../errors.js';
import { openConnectTunnel, parseHttpProxy, type HttpProxy } from './connect-tunnel.js';
import { connectOver, dialUpstream, poolingAgent, type Dial } from './dial.js';
import type { UpstreamConnector, UpstreamTls } from './upstream.js';

export { ProxyTunnelError } from './connect-tunnel.js';

/** How long the upstream proxy has to accept the connection and answer the CONNECT. */
export const DEFAULT_UPSTREAM_PROXY_TIMEOUT_MS = 10_000;

export interface ReachOptions {
  /**
   * Names sent to chosen addresses: `{ 'app.test': '127.0.0.1' }`. A key `*.example` covers every name
   * under example (an exact name wins over it). Addresses are IP literals, IPv6 without brackets.
   */
  resolve?: Readonly<Record<string, string>>;
  /** `http://[user:pass@]host:port`: every upstream connection is a CONNECT tunnel through it. */
  upstreamProxy?: string;
  /** How long the upstream proxy has to connect and answer (default 10 s). */
  upstreamProxyTimeoutMs?: number;
}

/**
 * `--resolve` values (`HOST:ADDR`, `HOST:[IPv6]`) as the library's `resolve` map. A ConfigError (option
 * `resolve`) names the first bad entry.
 */
export function parseResolveEntries(entries: readonly string[]): Record<string, string> {
  const map: Record<string, string> = {};
  for (const entry of entries) {
    const fail = (problem: string) => new ConfigError('resolve', (n) => `${n('resolve')} "${entry}" ${problem}`);
    const colon = entry.indexOf(':');
    if (colon <= 0) throw fail('is not HOST:ADDR (e.g. app.test:127.0.0.1)');
    const host = entry.slice(0, colon);
    let address = entry.slice(colon + 1);
    if (/^\d+:/.test(address)) throw fail("takes no port: HOST:ADDR (curl's HOST:PORT:ADDR without the port)");
    const bracketed = /^\[(.*)\]$/.exec(address);
    if (bracketed) {
      address = bracketed[1] ?? '';
      if (isIP(address) !== 6) throw fail('has no IPv6 address in its brackets');
    } else if (isIP(address) === 6) {
      throw fail('needs its IPv6 address in brackets: HOST:[ADDR]');
    }
    map[host] = address;
  }
  return checkResolve(map);
}

/** The map checked: host names (or `*.suffix`) to IP addresses; keys lower-cased. */
function checkResolve(resolve: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [host, address] of Object.entries(resolve)) {
    const fail = (problem: string) => new ConfigError('resolve', (n) => `${n('resolve')} ${host} → ${address}: ${problem}`);
    if (!/^(\*\.)?[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?$/.test(host) || isIP(host) !== 0) {
      throw fail('the name is not a host name (letters, digits, - and ., or *.suffix)');
    }
    if (isIP(address) === 0) throw fail('the address is not an IP address');
    out[host.toLowerCase()] = address;
  }
  return out;
}

/** Opens the TCP connections to upstreams. */
export interface Reach {
  /**
   * A connected socket to `host`:`port` (a name, or an IP address without brackets), half-open allowed.
   * Rejects with the socket's error (ENOTFOUND, ECONNREFUSED… as node names them) on the direct path,
   * with a ProxyTunnelError naming the proxy when the upstream proxy is unreachable or refuses.
   */
  dial: Dial;
  /** The address a name is sent to, when --resolve names it. */
  addressOf(host: string): string | undefined;
}

/** Null when neither option is given: callers keep their plain path. */
export function createReach(options: ReachOptions): Reach | null {
  const resolve = options.resolve !== undefined ? checkResolve(options.resolve) : {};
  const proxy = options.upstreamProxy !== undefined ? parseHttpProxy(options.upstreamProxy, 'upstreamProxy') : null;
  if (proxy === null && Object.keys(resolve).length === 0) return null;
  const timeoutMs = options.upstreamProxyTimeoutMs ?? DEFAULT_UPSTREAM_PROXY_TIMEOUT_MS;
  const addressOf = (host: string): string | undefined => lookup(resolve, host);
  return {
    addressOf,
    dial: (host, port) => {
      const address = addressOf(host) ?? host;
      return proxy ? tunnel(proxy, address, port, timeoutMs) : dialUpstream(address, port);
    },
  };
}

function lookup(resolve: Readonly<Record<string, string>>, host: string): string | undefined {
  const name = host.toLowerCase().replace(/\.$/, '');
  const exact = resolve[name];
  if (exact !== undefined) return exact;
  // The longest *.suffix that covers the name.
  for (let dot = name.indexOf('.'); dot >= 0; dot = name.indexOf('.', dot + 1)) {
    const wild = resolve[`*${name.slice(dot)}`];
    if (wild !== undefined) return wild;
  }
  return undefined;
}

async function tunnel(proxy: HttpProxy, host: string, port: number, timeoutMs: number): Promise<Socket> {
  const { socket, leftover } = await openConnectTunnel(proxy, host, port, { label: 'the upstream proxy', timeoutMs });
  // readHead left the socket paused. The upstream speaks only after we do (HTTP, TLS), so nothing can come
  // before the caller's listeners; bytes a proxy sent early anyway are put back in front.
  if (leftover.length > 0) socket.unshift(leftover);
  socket.resume();
  return socket;
}

/** requestUpstream's connector over `reach`: TLS started on the socket for a secure target. */
export function reachConnector(reach: Reach): UpstreamConnector {
  return (target, tls, done) => connectOver(() => reach.dial(target.host, target.port), target.secure, target.host, tls, done);
}

/** A keep-alive agent for plain HTTP upstream requests (http-proxy's web pass) whose connections `reach` opens. */
export function reachAgent(reach: Reach, secure: boolean, tls: UpstreamTls): HttpAgent {
  return poolingAgent(secure, (options, done) =>
    connectOver(() => reach.dial(options.host, options.port), secure, options.host, tls, done),
  );
}
