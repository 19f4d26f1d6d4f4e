/**
 * How the proxy reaches its upstreams, declared once for every command that starts one (`proxy`, `ci`,
 * `chaos`): --resolve sends a name to a chosen address, --upstream-proxy goes through a corporate HTTP
 * proxy with CONNECT. The values are checked here (src/proxy/reach.ts), before anything listens.
 */
import { parseHttpProxy, parseResolveEntries, type ProxyOptions } from '../../proxy/index.js';
import type { Flag } from '../flags.js';

/** The reach flags as commander names their values. */
export interface ReachFlags {
  resolve?: string[];
  upstreamProxy?: string;
}

type Reach = Pick<ProxyOptions, 'resolve' | 'upstreamProxy'>;

export const REACH = {
  resolve: {
    flags: '--resolve <host:addr>',
    help: "send an upstream host name to this IP address instead of asking DNS, as curl's --resolve without the port (repeatable; IPv6 in brackets: host:[::1]; *.example for every name under example)",
    parse: (value: string, previous: unknown) => [...(Array.isArray(previous) ? (previous as string[]) : []), value],
    sets: ['resolve'],
  } satisfies Flag<Reach>,
  upstreamProxy: {
    flags: '--upstream-proxy <url>',
    help: 'reach every upstream through this HTTP proxy with CONNECT: http://[user:pass@]host:port (the credentials are sent as Proxy-Authorization and never shown)',
    sets: ['upstreamProxy'],
  } satisfies Flag<Reach>,
};

/** The reach flags as the library's options, checked now: a bad value is exit 2 before anything listens. */
export function reachOptions(flags: ReachFlags): Reach {
  if (flags.upstreamProxy !== undefined) parseHttpProxy(flags.upstreamProxy, 'upstreamProxy');
  return {
    ...(flags.resolve !== undefined && flags.resolve.length > 0 ? { resolve: parseResolveEntries(flags.resolve) } : {}),
    ...(flags.upstreamProxy !== undefined ? { upstreamProxy: flags.upstreamProxy } : {}),
  };
}
