/**
 * The proxy flags, declared once: where it relays (--target) and listens (--listen), --enforce, and the
 * message policies (--server-accepts, --client-accepts, --config, --no-learn). `proxyCommandFlags` is
 * the whole flag set of a command that starts one proxy (`proxy`, `ci`) in the order --help lists them,
 * and `proxyRunOptions` turns its values into the library's options, every file read and checked: a typo
 * is exit 2 before anything listens.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { AcceptedType } from '../../protocol/index.js';
import { type ListenAddress, type ProxyOptions, checkProxyMode, parseListen, parseTarget } from '../../proxy/index.js';
import { MessagePolicies, type PolicyOptions } from '../../policy/index.js';
import type { LiveOutputOptions, LiveProxyOptions } from '../../live/index.js';
import type { Flag } from '../flags.js';
import { LIMITS, limitOptions, type LimitFlags } from './limits.js';
import { MESSAGE_FLAGS, messageOptions, type MessageFlags } from './messages.js';
import { OUTPUT, liveOutputOptions, shownOptions, type OutputFlags } from './output.js';
import { TLS, servedTlsOptions, upstreamTlsOptions, type TlsFlags } from './tls.js';
import { REACH, reachOptions, type ReachFlags } from './reach.js';

const ACCEPTS = ['text', 'binary', 'any'];

/** The proxy flags as commander names their values. */
export interface ProxyFlags {
  /** Absent in forward mode (`proxy` without --target). */
  target?: string;
  mode?: 'reverse' | 'forward';
  intercept?: string[];
  caDir?: string;
  allowRemote?: boolean;
  allowFrom?: string[];
  listen: string;
  enforce?: boolean;
  serverAccepts?: AcceptedType;
  clientAccepts?: AcceptedType;
  config?: string;
  /** False with --no-learn. */
  learn: boolean;
}

/** What the proxy flags set: the relay's own options, and the message policies' (one addon). */
type Relay = Pick<ProxyOptions, 'target' | 'listen' | 'enforce' | 'mode' | 'forward'> & { policies: PolicyOptions };

const collect = (value: string, previous: unknown): string[] => [...(Array.isArray(previous) ? (previous as string[]) : []), value];

export const PROXY = {
  target: {
    flags: '--target <url>',
    help: 'the upstream: ws://, wss://, http:// or https:// URL (its path is a prefix of every request path)',
    required: true,
    sets: ['target'],
  } satisfies Flag<Relay>,
  /** `proxy`'s --target: without it, forward mode. */
  optionalTarget: {
    flags: '--target <url>',
    help: 'the upstream: ws://, wss://, http:// or https:// URL (its path is a prefix of every request path); without it, an explicit (forward) proxy',
    sets: ['target'],
  } satisfies Flag<Relay>,
  mode: {
    flags: '--mode <mode>',
    help: 'reverse (relay to --target) or forward (an explicit HTTP proxy: absolute URIs and CONNECT); default: forward without --target',
    choices: ['reverse', 'forward'],
    sets: ['mode'],
  } satisfies Flag<Relay>,
  intercept: {
    flags: '--intercept <glob...>',
    help: 'forward mode: CONNECT hosts whose TLS wsdiag terminates with its CA (* and ? wildcards; default every host); others are tunnelled blind',
    parse: collect,
    sets: ['forward.intercept'],
  } satisfies Flag<Relay>,
  caDir: {
    flags: '--ca-dir <dir>',
    help: 'forward mode: the local CA directory (default ~/.wsdiag; see wsdiag ca)',
    sets: ['forward.caDir'],
  } satisfies Flag<Relay>,
  allowRemote: {
    flags: '--allow-remote',
    help: 'forward mode: allow a --listen address other than loopback (with --allow-from)',
    sets: ['forward.allowRemote'],
  } satisfies Flag<Relay>,
  allowFrom: {
    flags: '--allow-from <cidr...>',
    help: 'forward mode with --allow-remote: the client ranges served (e.g. 192.168.1.0/24); others get 403',
    parse: collect,
    sets: ['forward.allowFrom'],
  } satisfies Flag<Relay>,
  listen(defaultAddress: string): Flag<Relay> {
    return {
      flags: '--listen <host:port>',
      help: 'where clients connect; port 0 = any free port',
      default: defaultAddress,
      sets: ['listen'],
    };
  },
  enforce: {
    flags: '--enforce',
    help: 'fail a connection on its first violation: drop the offending frame, Close the sender with its code, Close 1001 the other side',
    sets: ['enforce'],
  } satisfies Flag<Relay>,
  serverAccepts: {
    flags: '--server-accepts <type>',
    help: 'message types the server accepts: checks what the client sends (1003)',
    choices: ACCEPTS,
    sets: ['policies.serverAccepts'],
  } satisfies Flag<Relay>,
  clientAccepts: {
    flags: '--client-accepts <type>',
    help: 'message types the client accepts: checks what the server sends (1003)',
    choices: ACCEPTS,
    sets: ['policies.clientAccepts'],
  } satisfies Flag<Relay>,
  config: {
    flags: '--config <file>',
    help: 'per-route policies (JSON): server-accepts, client-accepts, max-message by path glob and/or subprotocol',
    sets: ['policies.configFile'],
  } satisfies Flag<Relay>,
  learn: {
    flags: '--no-learn',
    help: "do not learn an endpoint's accepted message type from its 1003 closes",
    sets: ['policies.learn'],
  } satisfies Flag<Relay>,
};

/**
 * Every flag of a command that starts one proxy, in --help order; only the default listen address differs,
 * and `forward` (the `proxy` command) makes --target optional and adds forward mode's flags.
 */
export function proxyCommandFlags(defaultListen: string, forward = false): Flag[] {
  return [
    ...(forward ? [PROXY.optionalTarget, PROXY.mode] : [PROXY.target]),
    PROXY.listen(defaultListen),
    ...(forward ? [PROXY.intercept, PROXY.caDir, PROXY.allowRemote, PROXY.allowFrom] : []),
    OUTPUT.json,
    OUTPUT.log,
    OUTPUT.instance,
    OUTPUT.frames,
    OUTPUT.quiet,
    ...MESSAGE_FLAGS,
    LIMITS.maxMessage,
    LIMITS.maxPerRule,
    LIMITS.pongTimeout,
    PROXY.enforce,
    OUTPUT.preview,
    OUTPUT.showSecrets,
    TLS.insecure,
    TLS.ca,
    TLS.tlsCert,
    TLS.tlsKey,
    REACH.resolve,
    REACH.upstreamProxy,
    PROXY.serverAccepts,
    PROXY.clientAccepts,
    PROXY.config,
    PROXY.learn,
    LIMITS.maxConnections(1),
    LIMITS.headerTimeout,
    LIMITS.grace,
    OUTPUT.color,
  ];
}

export type ProxyCommandFlags = ProxyFlags & OutputFlags & LimitFlags & TlsFlags & ReachFlags & MessageFlags;

/** The values of proxyCommandFlags as the library's options: the proxy's own, and how its events are shown. */
export function proxyRunOptions(flags: ProxyCommandFlags): LiveOutputOptions & { proxy: LiveProxyOptions } {
  const target = flags.target !== undefined ? parseTarget(flags.target).href : undefined;
  const listen: ListenAddress = parseListen(flags.listen);
  const forward = forwardOptions(flags);
  // Forward mode's refusals (a non-loopback --listen without --allow-remote…) come before anything opens.
  checkProxyMode({
    ...(target !== undefined ? { target } : {}),
    ...(flags.mode !== undefined ? { mode: flags.mode } : {}),
    listen,
    ...forward,
  });
  const limits = limitOptions(flags);
  // Reads and checks --config now: a bad file is exit 2 before anything listens. --max-message goes
  // there too, as a flag layer, which beats a config route's max-message (src/proxy/settings.ts).
  const policies = MessagePolicies.load({
    ...(flags.serverAccepts ? { serverAccepts: flags.serverAccepts } : {}),
    ...(flags.clientAccepts ? { clientAccepts: flags.clientAccepts } : {}),
    ...(limits.maxMessage !== undefined ? { maxMessage: limits.maxMessage } : {}),
    ...(flags.config !== undefined ? { configFile: flags.config } : {}),
    learn: flags.learn,
  });
  return {
    ...liveOutputOptions(flags),
    proxy: {
      ...(target !== undefined ? { target } : {}),
      ...(flags.mode !== undefined ? { mode: flags.mode } : {}),
      ...forward,
      listen,
      enforce: flags.enforce === true,
      ...shownOptions(flags),
      ...messageOptions(flags),
      ...limits,
      addons: [policies],
      ...upstreamTlsOptions(flags),
      ...reachOptions(flags),
      ...servedTlsOptions(flags),
    },
  };
}

/** Forward mode's flags as ProxyOptions.forward (absent when none is given). */
function forwardOptions(flags: ProxyFlags): Pick<ProxyOptions, 'forward'> {
  const forward: NonNullable<ProxyOptions['forward']> = {
    ...(flags.intercept !== undefined ? { intercept: flags.intercept } : {}),
    ...(flags.caDir !== undefined ? { caDir: expandHome(flags.caDir) } : {}),
    ...(flags.allowRemote === true ? { allowRemote: true } : {}),
    ...(flags.allowFrom !== undefined ? { allowFrom: flags.allowFrom } : {}),
  };
  return Object.keys(forward).length > 0 ? { forward } : {};
}

/** `~` and `~/…` as the shell would have expanded them. */
function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : path;
}
