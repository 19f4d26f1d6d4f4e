/**
 * The limit flags, declared once: how big a message may be, how many violations are logged one by one,
 * how long a Ping may wait, and what keeps a running proxy within bounds (connections served at once,
 * the time a client gets to send its headers, the shutdown grace).
 */
import {
  DEFAULT_SHUTDOWN_GRACE_MS,
  DEFAULT_HEADER_TIMEOUT_MS,
  FALLBACK_MAX_CONNECTIONS,
  REFUSAL_HEADROOM,
  RESERVED_DESCRIPTORS,
  defaultMaxConnections,
  type ProxyOptions,
} from '../../proxy/index.js';
import { DEFAULT_PONG_TIMEOUT_MS } from '../../session/index.js';
import { wholeNumber, type Flag } from '../flags.js';

/** The limit flags as commander names their values. */
export interface LimitFlags {
  maxMessage?: number;
  maxPerRule?: number;
  pongTimeout: number;
  maxConnections?: number;
  headerTimeout: number;
  grace: number;
}

export type LimitOptions = Pick<
  ProxyOptions,
  'maxMessage' | 'maxPerRule' | 'pongTimeoutMs' | 'maxConnections' | 'headerTimeoutMs' | 'shutdownGraceMs'
>;

export const LIMITS = {
  maxMessage: {
    flags: '--max-message <bytes>',
    help: 'report messages larger than this (after inflation); 0 = no limit (default 104857600)',
    parse: wholeNumber,
    sets: ['maxMessage'],
  } satisfies Flag<LimitOptions>,
  maxPerRule: {
    flags: '--max-per-rule <n>',
    help: 'violations logged individually per rule and connection; the rest are counted (default 20)',
    parse: wholeNumber,
    sets: ['maxPerRule'],
  } satisfies Flag<LimitOptions>,
  pongTimeout: {
    flags: '--pong-timeout <ms>',
    help: 'report a ping left this long without a pong (ping-unanswered); 0 = only when the connection ends',
    parse: wholeNumber,
    default: DEFAULT_PONG_TIMEOUT_MS,
    sets: ['pongTimeoutMs'],
  } satisfies Flag<LimitOptions>,
  /**
   * --max-connections for a command running `proxies` listeners in one process (the sandwich runs two,
   * and each of its connections crosses both: each gets half the default).
   */
  maxConnections(proxies: number): Flag<LimitOptions> {
    const served = proxies === 1 ? 'client connections served at once' : 'client connections each listener serves at once';
    return {
      flags: '--max-connections <n>',
      help:
        `${served}; beyond it requests and upgrades are answered 503; 0 = no limit ` +
        `(default: (open-file limit - ${RESERVED_DESCRIPTORS + REFUSAL_HEADROOM}) / ${2 * proxies}, two descriptors per connection; ` +
        `${Math.floor(FALLBACK_MAX_CONNECTIONS / proxies)} where the limit is unknown; here ${defaultMaxConnections(proxies)})`,
      parse: wholeNumber,
      sets: ['maxConnections'],
    };
  },
  headerTimeout: {
    flags: '--header-timeout <ms>',
    help: 'answer 408 and close a client whose request headers are not complete after this long; 0 = no limit',
    parse: wholeNumber,
    default: DEFAULT_HEADER_TIMEOUT_MS,
    sets: ['headerTimeoutMs'],
  } satisfies Flag<LimitOptions>,
  grace: {
    flags: '--grace <ms>',
    help: "on Ctrl-C/SIGTERM, how long open WebSockets get to answer wsdiag's Close 1001 before they are cut",
    parse: wholeNumber,
    default: DEFAULT_SHUTDOWN_GRACE_MS,
    sets: ['shutdownGraceMs'],
  } satisfies Flag<LimitOptions>,
};

/** The limit flags as proxy options (an unset flag leaves the library's default). */
export function limitOptions(flags: LimitFlags): LimitOptions {
  return {
    ...(flags.maxMessage !== undefined ? { maxMessage: flags.maxMessage } : {}),
    ...(flags.maxPerRule !== undefined ? { maxPerRule: flags.maxPerRule } : {}),
    pongTimeoutMs: flags.pongTimeout,
    ...(flags.maxConnections !== undefined ? { maxConnections: flags.maxConnections } : {}),
    headerTimeoutMs: flags.headerTimeout,
    shutdownGraceMs: flags.grace,
  };
}
