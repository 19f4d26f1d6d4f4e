/**
 * Reaching the intermediary through an HTTP forward proxy with CONNECT, as browsers behind squid or a
 * corporate proxy do: `--forward-proxy http://HOST:PORT`. The CONNECT client itself is shared with the
 * proxy's `--upstream-proxy` (src/proxy/connect-tunnel.ts); here its failures become UnreachableError.
 */
import type { Socket } from 'node:net';
import { openConnectTunnel, parseHttpProxy, ProxyTunnelError, type HttpProxy } from '../proxy/index.js';
import { UnreachableError } from './unreachable.js';

export type ForwardProxy = HttpProxy;

export function parseForwardProxy(text: string): ForwardProxy {
  return parseHttpProxy(text, 'forwardProxy');
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
  try {
    return await openConnectTunnel(proxy, host, port, { label: 'the forward proxy', timeoutMs });
  } catch (err) {
    if (err instanceof ProxyTunnelError) throw new UnreachableError(err.message, { cause: err });
    throw err;
  }
}
