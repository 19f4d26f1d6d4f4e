/**
 * The proxy's own limits, so that a flood of clients cannot take it (and the traffic it relays) down:
 *
 * - `maxConnections`: client connections served at once. A connection counts from its first request or
 *   upgrade until it closes; beyond the limit the request is answered 503 and the connection closed.
 *   Each served WebSocket or relayed request holds two descriptors (the client's and the upstream's), so
 *   the default is sized from the process's open-file limit.
 * - `headerTimeoutMs`: a client that has not sent complete request headers by then is answered 408 and
 *   closed (the slowloris defence; node's own check runs only every 30 s, see serverTimeouts()).
 *
 * Every refusal is counted (the run's summary) and logged as an `error` event, at most once per
 * REFUSAL_REPORT_INTERVAL_MS per kind so an attack cannot flood the log.
 */
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { SCHEMA_VERSION, type Clock, type RefusalKind, type WsdiagEvent } from '../events/index.js';

/** Descriptors kept for the process itself: stdio, log files, listening sockets, the upstream HTTP pool. */
export const RESERVED_DESCRIPTORS = 64;
/**
 * Client sockets that may be open beyond `maxConnections`: those being answered 503 and those still
 * sending their request head. A socket beyond that is dropped at once, unanswered, so the descriptors
 * in use stay under 2 × maxConnections + REFUSAL_HEADROOM + RESERVED_DESCRIPTORS.
 */
export const REFUSAL_HEADROOM = 64;
/** The default where the open-file limit cannot be read (not Linux) or is unlimited. */
export const FALLBACK_MAX_CONNECTIONS = 1000;
export const DEFAULT_HEADER_TIMEOUT_MS = 10_000;
/** What a refused client is told to wait before trying again. */
export const RETRY_AFTER_SECONDS = 5;
/** A kind of refusal is logged at most once per this interval; the next message says how many more there were. */
export const REFUSAL_REPORT_INTERVAL_MS = 10_000;

/** The soft "Max open files" limit from the text of /proc/self/limits, or null if it is absent or unlimited. */
export function parseOpenFileLimit(limits: string): number | null {
  const match = /^Max open files\s+(\S+)/m.exec(limits);
  const value = match?.[1];
  if (value === undefined || !/^\d+$/.test(value)) return null;
  const soft = Number(value);
  return Number.isSafeInteger(soft) ? soft : null;
}

/** This process's open-file limit (node raises the soft limit to the hard one at start), or null where unknown. */
export function openFileLimit(): number | null {
  try {
    return parseOpenFileLimit(readFileSync('/proc/self/limits', 'utf8'));
  } catch {
    return null;
  }
}

/**
 * The default --max-connections: what the open-file limit leaves after the reserve and the refusal
 * headroom, two descriptors per connection, shared by the `proxies` listeners of the process (the
 * sandwich runs two, and each of its connections crosses both). FALLBACK_MAX_CONNECTIONS where unknown.
 */
export function defaultMaxConnections(proxies = 1, limit: number | null = openFileLimit()): number {
  if (limit === null) return Math.max(1, Math.floor(FALLBACK_MAX_CONNECTIONS / proxies));
  return Math.max(1, Math.floor((limit - RESERVED_DESCRIPTORS - REFUSAL_HEADROOM) / (2 * proxies)));
}

/**
 * Options for node's HTTP server that make `headerTimeoutMs` hold. Node compares each connection with
 * headersTimeout only every connectionsCheckingInterval (30 s by default: a 10 s limit would cut at up to
 * 40 s), so the check runs at a tenth of the timeout, at most once a second. requestTimeout (node's
 * limit on a whole request, 5 minutes) is switched off: a slow request body already holds one of the
 * counted connections, and the upstream has its own limits; it would otherwise be reported as a header
 * timeout, since node reports both the same way.
 */
export function serverTimeouts(headerTimeoutMs: number): {
  headersTimeout: number;
  requestTimeout: number;
  connectionsCheckingInterval?: number;
} {
  if (headerTimeoutMs === 0) return { headersTimeout: 0, requestTimeout: 0 };
  return {
    headersTimeout: headerTimeoutMs,
    requestTimeout: 0,
    connectionsCheckingInterval: Math.min(1000, Math.max(10, Math.ceil(headerTimeoutMs / 10))),
  };
}

/** Counts the client connections being served and says whether one more may be. */
export class ConnectionGate {
  readonly max: number;
  readonly #served = new Set<Socket>();

  /** `max` 0 = no limit. */
  constructor(max: number) {
    this.max = max;
  }

  get open(): number {
    return this.#served.size;
  }

  /**
   * True if the connection is (already, or from now on) served; false if it is over the limit. A served
   * connection stops counting when its socket closes.
   */
  admit(socket: Socket): boolean {
    if (this.#served.has(socket)) return true;
    if (this.max > 0 && this.#served.size >= this.max) return false;
    this.#served.add(socket);
    socket.once('close', () => this.#served.delete(socket));
    return true;
  }
}

/**
 * Counts refusals and logs them without flooding: the first of each kind at once, then at most one
 * `error` event per interval saying how many more there were since the previous one.
 */
export class RefusalLog {
  readonly #emit: (event: WsdiagEvent) => void;
  readonly #clock: Clock;
  readonly #onRefused: ((kind: RefusalKind) => void) | undefined;
  readonly #intervalMs: number;
  readonly #counts: Record<RefusalKind, number> = { max_connections: 0, header_timeout: 0 };
  readonly #unreported: Record<RefusalKind, number> = { max_connections: 0, header_timeout: 0 };
  readonly #lastReport: Partial<Record<RefusalKind, number>> = {};

  constructor(
    emit: (event: WsdiagEvent) => void,
    clock: Clock,
    onRefused?: (kind: RefusalKind) => void,
    intervalMs = REFUSAL_REPORT_INTERVAL_MS,
  ) {
    this.#emit = emit;
    this.#clock = clock;
    this.#onRefused = onRefused;
    this.#intervalMs = intervalMs;
  }

  /** Refusals so far, by kind. */
  get counts(): Readonly<Record<RefusalKind, number>> {
    return this.#counts;
  }

  /**
   * One refusal. `first` is the message when this is the first of its kind (or the first after a quiet
   * interval); `more(n, sinceMs)` the message when n refusals went unreported over the last sinceMs.
   */
  refused(kind: RefusalKind, first: () => string, more: (count: number, sinceMs: number) => string): void {
    this.#counts[kind]++;
    this.#onRefused?.(kind);
    const now = this.#clock();
    const last = this.#lastReport[kind];
    if (last !== undefined && now.getTime() - last < this.#intervalMs) {
      this.#unreported[kind]++;
      return;
    }
    const pending = this.#unreported[kind];
    const message = last === undefined || pending === 0 ? first() : more(pending + 1, now.getTime() - last);
    this.#unreported[kind] = 0;
    this.#lastReport[kind] = now.getTime();
    this.#emit({ v: SCHEMA_VERSION, type: 'error', ts: now.toISOString(), conn: null, message });
  }
}
