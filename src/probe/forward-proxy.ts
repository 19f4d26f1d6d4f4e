/**
 * Reaching the intermediary through an HTTP forward proxy with CONNECT (RFC 9110 §9.3.6), as browsers
 * behind squid or a corporate proxy do: `--forward-proxy http://HOST:PORT`. After a 2xx answer the
 * socket is a byte tunnel to the target; TLS (wss:) and the WebSocket handshake run inside it.
 */
import { connect, type Socket } from 'node:net';
import { ConfigError } from '../errors.js';
import { formatHead, statusOf } from '../protocol/index.js';
import { readHead } from './http-head.js';
import { UnreachableError, connectError } from './unreachable.js';

export interface ForwardProxy {
  href: string;
  host: string;
  port: number;
  /** "Basic …" when the URL carries user:password. */
  authorization: string | null;
}

export function parseForwardProxy(text: string): ForwardProxy {
  const fail = (problem: string) => new ConfigError('forwardProxy', (n) => `${n('forwardProxy')} "${text}" ${problem}`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw fail('is not a URL; expected http://HOST:PORT');
  }
  if (url.protocol !== 'http:') throw fail('must be an http:// URL (the CONNECT request itself is not encrypted)');
  if (url.hostname === '') throw fail('has no host');
  const authorization =
    url.username !== ''
      ? `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`
      : null;
  // Credentials never appear in messages: keep the URL without them for display.
  const shown = new URL(url.href);
  shown.username = '';
  shown.password = '';
  return { href: shown.href, host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: url.port === '' ? 80 : Number(url.port), authorization };
}

/**
 * Opens a CONNECT tunnel to host:port. Rejects with UnreachableError when the proxy cannot be reached
 * or refuses the tunnel (the status and reason are in the message).
 */
export async function openTunnel(
  proxy: ForwardProxy,
  host: string,
  port: number,
  timeoutMs: number,
): Promise<{ socket: Socket; leftover: Buffer }> {
  const authority = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  const socket = connect({ host: proxy.host, port: proxy.port, allowHalfOpen: true });
  socket.setNoDelay(true);
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new UnreachableError(`cannot reach the forward proxy ${proxy.href}: no answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(connectError(`the forward proxy ${proxy.href}`, err));
      });
    });
    const headers: Array<[string, string]> = [['Host', authority]];
    if (proxy.authorization) headers.push(['Proxy-Authorization', proxy.authorization]);
    socket.write(formatHead(`CONNECT ${authority} HTTP/1.1`, headers));
    const { head, leftover } = await readHead(socket, timeoutMs, `the forward proxy's answer to CONNECT ${authority}`).catch(
      (err: Error) => {
        throw new UnreachableError(`cannot open a tunnel through ${proxy.href}: ${err.message}`);
      },
    );
    const status = statusOf(head);
    if (status === null || status < 200 || status > 299) {
      throw new UnreachableError(`the forward proxy ${proxy.href} refused CONNECT ${authority}: ${JSON.stringify(head.startLine)}`);
    }
    return { socket, leftover };
  } catch (err) {
    socket.destroy();
    throw err;
  }
}
