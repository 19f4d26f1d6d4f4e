/**
 * The sandwich's vocabulary: the two legs of a connection and its options. The two event types it adds to
 * the legs' ordinary events (`sandwich-finding` per difference, `sandwich-summary` at the end) are in the
 * one schema (src/events/sandwich.ts).
 *
 *   client ──► front listener (k3f9x2-c1) ──► intermediary (--via) ──► return listener (k3f9x2-r1) ──► target
 *
 * The front leg sees what entered and left the intermediary on the client's side, the return leg what
 * entered and left it on the server's side; every difference between the two is the intermediary's.
 */
import type { Clock, WsdiagEvent } from '../events/index.js';
import type { ListenAddress, ProxyOptions } from '../proxy/index.js';

export type {
  LegEvidence,
  MatchedBy,
  SandwichEvidence,
  SandwichFindingEvent,
  SandwichSummaryEvent,
  StreamEvidence,
} from '../events/index.js';

/** `front`: between the client and the intermediary; `return`: between the intermediary and the target. */
export type LegName = 'front' | 'return';

/**
 * Proxy options shared by both legs (never the ones the sandwich sets itself). `addons` join both legs'
 * proxies (a run summary's counts, say), before each leg's own recording addon.
 */
export type LegProxyOptions = Omit<ProxyOptions, 'target' | 'listen' | 'onEvent' | 'runId' | 'connPrefix' | 'clock' | 'enforce' | 'tls'>;

export interface SandwichOptions {
  /** Where clients connect (the front listener). */
  listen: ListenAddress;
  /** The intermediary's URL (ws:, wss:, http:, https:); the front leg forwards there. */
  via: string;
  /** The return listener, which the intermediary is configured to forward to. */
  returnListen: ListenAddress;
  /** The real upstream; the return leg forwards there. */
  target: string;
  /** Every event of both legs, every finding, in order (the summary is returned by close()). */
  onEvent: (event: WsdiagEvent) => void;
  /** Options applied to both legs' proxies (frames, preview, max message, upstream TLS trust...). */
  proxy?: LegProxyOptions;
  /** The run id both legs' connection ids start with (see ProxyOptions.runId); default a fresh random one. */
  runId?: string;
  /** A small message or control frame slower than this through the intermediary is a failure; null = no bound. */
  maxLatencyMs?: number | null;
  /**
   * After one leg of a pair closed, how long to wait for the other before comparing anyway (and how long
   * an unmatched leg may wait for its other half). Default 5000 ms.
   */
  lingerMs?: number;
  /** Messages up to this size are kept whole so a finding can name the first changed byte (default 4 KiB). */
  keepBytes?: number;
  clock?: Clock;
  /** Monotonic milliseconds for the recorders (performance.now() by default). */
  monotonic?: () => number;
  /** Where operator warnings go (default: one line on stderr). */
  onWarning?: (message: string) => void;
}
