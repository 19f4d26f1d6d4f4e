/**
 * A CONNECT client (RFC 9110 §9.3.6): a byte tunnel to host:port through an HTTP proxy, as browsers behind
 * squid or a corporate proxy open one. The probe reaches the intermediary this way (`--forward-proxy`) and
 * the proxy reaches its upstreams (`--upstream-proxy`, src/proxy/reach.ts). After a 2xx answer the socket
 * is the tunnel; TLS, when wanted, is started on it by the caller.
 */
import { connect, type Socket } from 'node:net';
import { ConfigError, OperationalError } from '../errors.js';
import { formatHead, statusOf } from '../protocol/index.js';
import { readHead } from './read-head.js';

export interface HttpProxy {
  /** The proxy's URL without its credentials: the only form any message shows. */
  href: string;
  host: string;
  port: number;
  /** "Basic …" when the URL carries user:password; sent as Proxy-Authorization, never shown. */
  authorization: string | null;
}

/**
 * Parses `http://[user:pass@]host:port`. `option`: the library option it comes from, named in the
 * ConfigError a bad URL gives.
 */
export function parseHttpProxy(text: string, option: string): HttpProxy {
  let url: URL | null = null;
  try {
    url = new URL(text);
  } catch {
    // shown below without the text's credentials, if it has any
  }
  const shown = url === null ? text.replace(/\/\/[^/@]*@/, '//') : withoutCredentials(url);
  const fail = (problem: string) => new ConfigError(option, (n) => `${n(option)} "${shown}" ${problem}`);
  if (url === null) throw fail('is not a URL; expected http://HOST:PORT');
  if (url.protocol !== 'http:') throw fail('must be an http:// URL (the CONNECT request itself is not encrypted)');
  if (url.hostname === '') throw fail('has no host');
  if (url.pathname !== '/' || url.search !== '') throw fail('must not have a path; expected http://HOST:PORT');
  const authorization =
    url.username !== ''
      ? `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`
      : null;
  return { href: shown, host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: url.port === '' ? 80 : Number(url.port), authorization };
}

function withoutCredentials(url: URL): string {
  const shown = new URL(url.href);
  shown.username = '';
  shown.password = '';
  return shown.href;
}

/**
 * The proxy could not be reached, or it refused the tunnel. The message names the proxy (without
 * credentials) and, for a refusal, its status line; `status` is the refusal's status code.
 */
export class ProxyTunnelError extends OperationalError {
  readonly proxy: string;
  readonly status: number | null;
  constructor(message: string, proxy: string, status: number | null, options?: { cause?: unknown }) {
    super(message, options);
    this.proxy = proxy;
    this.status = status;
  }
}

export interface TunnelOptions {
  /** How messages call the proxy: "the forward proxy", "the upstream proxy". */
  label: string;
  /** Gives up on connecting, and on the proxy's answer, after this long. */
  timeoutMs: number;
}

/**
 * Opens a CONNECT tunnel to host:port (a name, or an IP address without brackets). Rejects with a
 * ProxyTunnelError when the proxy cannot be reached, fails or refuses the tunnel. `leftover`: bytes of
 * the target's stream that came with the proxy's answer (a caller puts them back with `unshift`).
 */
export async function openConnectTunnel(
  proxy: HttpProxy,
  host: string,
  port: number,
  { label, timeoutMs }: TunnelOptions,
): Promise<{ socket: Socket; leftover: Buffer }> {
  const authority = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  const where = `${label} ${proxy.href}`;
  const socket = connect({ host: proxy.host, port: proxy.port, allowHalfOpen: true });
  socket.setNoDelay(true);
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new ProxyTunnelError(`cannot reach ${where}: no answer within ${timeoutMs} ms`, proxy.href, null)),
        timeoutMs,
      );
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(new ProxyTunnelError(`cannot reach ${where}: ${plainReason(err)}`, proxy.href, null, { cause: err }));
      });
    });
    const headers: Array<[string, string]> = [['Host', authority]];
    if (proxy.authorization) headers.push(['Proxy-Authorization', proxy.authorization]);
    socket.write(formatHead(`CONNECT ${authority} HTTP/1.1`, headers));
    const { head, leftover } = await readHead(socket, timeoutMs, `${label}'s answer to CONNECT ${authority}`).catch((err: unknown) => {
      const why = err instanceof Error ? err.message : String(err);
      throw new ProxyTunnelError(`cannot open a tunnel through ${where}: ${why}`, proxy.href, null, { cause: err });
    });
    const status = statusOf(head);
    if (status === null || status < 200 || status > 299) {
      throw new ProxyTunnelError(`${where} refused CONNECT ${authority}: ${JSON.stringify(head.startLine)}`, proxy.href, status);
    }
    return { socket, leftover };
  } catch (err) {
    socket.destroy();
    throw err;
  }
}

function plainReason(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ECONNREFUSED':
      return 'connection refused (is it running and listening there?)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'the host name does not resolve';
    case 'ETIMEDOUT':
      return 'the connection timed out';
    case 'ECONNRESET':
      return 'the connection was reset';
    default:
      return err.message;
  }
}
