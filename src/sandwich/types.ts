/**
 * The sandwich's vocabulary: the two legs of a connection, the two JSON Lines types it adds to the legs'
 * ordinary events (`sandwich-finding` per difference, `sandwich-summary` at the end), and its options.
 *
 *   client ──► front listener (k3f9x2-c1) ──► intermediary (--via) ──► return listener (k3f9x2-r1) ──► target
 *
 * The front leg sees what entered and left the intermediary on the client's side, the return leg what
 * entered and left it on the server's side; every difference between the two is the intermediary's.
 */
import type { Clock, Direction, SCHEMA_VERSION, WsdiagEvent } from '../events.js';
import type { CheckId, FindingSeverity } from '../observe/index.js';
import type { ListenAddress, ProxyOptions } from '../proxy/types.js';

/** `front`: between the client and the intermediary; `return`: between the intermediary and the target. */
export type LegName = 'front' | 'return';

/** How the two legs of a connection were paired (see ./matcher.ts). */
export type MatchedBy = 'key' | 'path-order' | 'order';

/** One leg's side of a finding's evidence. */
export interface LegEvidence {
  conn: string;
  /** The request path on this leg (on the front leg: as sent to the intermediary). */
  path: string;
  /** The Sec-WebSocket-Key of the request on this leg (an intermediary that terminates the handshake sends its own). */
  key: string | null;
  /** The status of the upgrade answer on this leg. */
  status: number | null;
  /** What the request offered on this leg (Sec-WebSocket-Protocol / -Extensions), null when absent. */
  offered: { subprotocols: string | null; extensions: string | null };
  /** What the 101 chose on this leg. */
  subprotocol: string | null;
  extensions: string | null;
  /** The finding's direction on this leg; absent for findings about the handshake or the whole connection. */
  stream?: StreamEvidence;
}

export interface StreamEvidence {
  dir: Direction;
  bytes: number;
  frames: number;
  messages: number;
  /** Close frames seen in this direction, in order. */
  closes: Array<{ code: number | null; reason: string }>;
  /** For a finding about a rule: where this leg's analyzer saw the rule broken (the leg's own violation events), up to 3. */
  violations?: Array<{ rule: string; frame: number | null; message: string }>;
}

export interface SandwichEvidence {
  matched_by: MatchedBy;
  /** A rule id of DESIGN §3 that the change breaks, when there is one. */
  rule?: string;
  rfc?: string;
  front: LegEvidence;
  return: LegEvidence;
  /** The pair was still open when wsdiag stopped: traffic may still have been inside the intermediary. */
  interrupted?: true;
}

/** One difference between the two legs of a connection. */
export interface SandwichFindingEvent {
  v: typeof SCHEMA_VERSION;
  type: 'sandwich-finding';
  ts: string;
  /** The front leg's connection id (the one the client sees). */
  conn: string;
  return_conn: string;
  /** Check id, the same vocabulary as `wsdiag probe` (src/observe/types.ts CheckId). */
  check: CheckId;
  /** `failure`: RFC 6455 forbids it; `warning`: suspicious; `info`: a legal change. */
  severity: FindingSeverity;
  blame: 'intermediary';
  /** The direction in which the change was seen; null for the whole connection. */
  dir: Direction | null;
  message: string;
  evidence: SandwichEvidence;
}

export interface SandwichSummaryEvent {
  v: typeof SCHEMA_VERSION;
  type: 'sandwich-summary';
  ts: string;
  /** Connections whose two legs were matched and compared. */
  pairs: number;
  /** Legs that never found their other half (the intermediary routed elsewhere, or answered itself). */
  unmatched: { front: number; return: number };
  /** Finding counts by severity and by check id (keys sorted). */
  failures: number;
  warnings: number;
  infos: number;
  by_check: Record<string, number>;
}

/** Everything the sandwich emits: both legs' ordinary events and its own two types. */
export type SandwichEvent = WsdiagEvent | SandwichFindingEvent | SandwichSummaryEvent;

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
  onEvent: (event: SandwichEvent) => void;
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
