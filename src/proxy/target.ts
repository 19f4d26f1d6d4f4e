/**
 * The upstream URL and the listen address: parsed and checked once, up front, so a typo is a usage error
 * (exit 2) before anything listens, and the relay code works with plain, already-valid values.
 */
import { isIP } from 'node:net';
import { ConfigError } from '../errors.js';

export interface Target {
  /** The URL as given, for messages and the `listening` event. */
  href: string;
  /** TLS to the upstream (wss: or https:). */
  secure: boolean;
  /** Host name or IP, without IPv6 brackets, for connecting. */
  host: string;
  port: number;
  /** The Host header the upstream expects ("example.com", "example.com:8443", "[::1]:9000"). */
  hostHeader: string;
  /** Path prefix kept in front of every relayed path; "" when the target has no path. */
  basePath: string;
  /** The same target as http:/https:, for http-proxy's plain HTTP path. */
  httpUrl: string;
}

const SCHEMES: Record<string, { secure: boolean; http: string }> = {
  'ws:': { secure: false, http: 'http:' },
  'wss:': { secure: true, http: 'https:' },
  'http:': { secure: false, http: 'http:' },
  'https:': { secure: true, http: 'https:' },
};

/**
 * Parses an upstream URL. `option` is the library option it came from (`target`; the sandwich's `via`),
 * which a ConfigError names.
 */
export function parseTarget(text: string, option = 'target'): Target {
  const fail = (problem: string) => new ConfigError(option, (name) => `${name(option)} ${problem}`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw fail(`"${text}" is not a URL; expected e.g. ws://127.0.0.1:9000 or https://example.com/app`);
  }
  const scheme = SCHEMES[url.protocol];
  if (!scheme) {
    throw fail(`"${text}" has scheme ${url.protocol.replace(/:$/, '')}; wsdiag relays ws, wss, http and https`);
  }
  if (url.hostname === '') throw fail(`"${text}" has no host`);
  if (url.username !== '' || url.password !== '') {
    // Credentials in the URL would end up in the `listening` event and every log.
    throw fail('must not carry credentials (user:password@); send them from the client instead');
  }
  if (url.search !== '' || url.hash !== '') {
    // Each request brings its own query; a target query would have to be merged with it, ambiguously.
    throw fail(`"${text}" has a query or fragment; give only scheme, host, port and an optional path prefix`);
  }
  const secure = scheme.secure;
  const port = url.port === '' ? (secure ? 443 : 80) : Number(url.port);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const basePath = url.pathname === '/' ? '' : url.pathname.replace(/\/+$/, '');
  const httpUrl = new URL(url.href);
  httpUrl.protocol = scheme.http;
  return {
    href: url.href,
    secure,
    host,
    port,
    // URL.host omits a default port and keeps IPv6 brackets: exactly the Host header form.
    hostHeader: url.host,
    basePath,
    httpUrl: httpUrl.href,
  };
}

/**
 * The upstream path of a request: the target's path prefix followed by the path the client asked for
 * (as http-proxy does for plain HTTP, so both kinds of request land in the same place).
 */
export function upstreamPath(target: Target, requestUrl: string): string {
  const path = requestUrl.startsWith('/') ? requestUrl : `/${requestUrl}`;
  return target.basePath + path;
}

/**
 * Parses a listen address, HOST:PORT (`[::1]:8080` for IPv6; `:8080` means the default host). `option`
 * is the library option it came from (`listen`; the sandwich's `returnListen`), which a ConfigError names.
 */
export function parseListen(text: string, option = 'listen', defaultHost = '127.0.0.1'): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text.trim());
  const bad = () =>
    new ConfigError(option, (name) => `${name(option)} "${text}" is not HOST:PORT (e.g. 127.0.0.1:8080, [::1]:8080, 0.0.0.0:0)`);
  if (!match) throw bad();
  const port = Number(match[3]);
  if (port > 65535) throw new ConfigError(option, (name) => `${name(option)} "${text}": port ${port} is above 65535`);
  const host = match[1] ?? match[2] ?? '';
  if (match[1] !== undefined && isIP(host) !== 6) throw bad();
  return { host: host === '' ? defaultHost : host, port };
}

/** True for addresses only this machine can reach. */
export function isLoopback(address: string): boolean {
  const plain = address.replace(/^::ffff:/i, '');
  return plain === '::1' || plain === 'localhost' || /^127\.\d+\.\d+\.\d+$/.test(plain);
}

/** Host names that mean this machine over loopback. */
function isLocalName(hostname: string): boolean {
  const plain = hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return plain === 'localhost' || plain.endsWith('.localhost') || isLoopback(plain);
}

/**
 * The DNS-rebinding check of our own HTTP endpoints on loopback (the dashboard, the chaos API, the admin
 * port): the Host header must be a loopback name with our port, which a page whose name an attacker
 * points at 127.0.0.1 cannot send.
 */
export function isLocalHostHeader(hostHeader: string | undefined, port: number): boolean {
  if (hostHeader === undefined) return false;
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(hostHeader.trim());
  if (!match) return false;
  const hostPort = match[2] === undefined ? 80 : Number(match[2]);
  const [, name = ''] = match;
  return hostPort === port && isLocalName(name);
}
