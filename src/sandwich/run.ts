/**
 * `wsdiag sandwich` as a library: two ordinary proxies around the intermediary under test, each with its
 * own analyzer (so every frame rule runs on both legs), and on each a recording addon: a recorder per
 * direction that listens to the analyzer's own decode (the bytes are parsed once), the tap for when bytes
 * arrived and each direction ended, and the connection's end.
 *
 *   client ─► front proxy (k3f9x2-c1, -c2…) ─► intermediary (--via) ─► return proxy (k3f9x2-r1, -r2…) ─► target
 *
 * Both proxies share one run id, so the legs of a run are told apart by c/r and from other runs by the id.
 * Each front leg is paired with its return leg (./matcher.ts); once both legs of a pair have closed (or
 * one closed and the other outlived `lingerMs`), the pair is compared (./diff.ts) and each difference is
 * emitted as a `sandwich-finding`. Legs that never find their other half are reported as `error` events.
 */
import { SCHEMA_VERSION, systemClock } from '../events/index.js';
import { checkRunId, newRunId } from '../conn-id.js';
import { ConfigError } from '../errors.js';
import {
  startProxy,
  type ProxyAddon,
  type RunningProxy,
  defaultMaxConnections,
  parseTarget,
  upstreamPath,
  type Target,
  type ConnectionInfo,
  type TappedHandshake,
} from '../proxy/index.js';
import { hostPort } from '../text.js';
import { redactorFor } from '../redact.js';
import { comparePair, type PairToCompare } from './diff.js';
import { LegRecord } from './leg.js';
import { LegMatcher } from './matcher.js';
import { SandwichTally } from './tally.js';
import type { LegName, SandwichOptions, SandwichSummaryEvent } from './types.js';

export const DEFAULT_LINGER_MS = 5000;
export const DEFAULT_SANDWICH_KEEP_BYTES = 4096;

export interface RunningSandwich {
  /** The front proxy: clients dial `front.url` instead of the intermediary. */
  front: RunningProxy;
  /** The return proxy: the intermediary forwards to `back.url`. */
  back: RunningProxy;
  /** The run id both proxies put in their `listening` events and connection ids. */
  runId: string;
  /** Whether a failure (a change RFC 6455 forbids) was found so far. */
  readonly failed: boolean;
  /**
   * Stops both listeners, ends every connection, compares what is left (pairs still open are marked
   * `interrupted`), reports unmatched legs, and resolves with the `sandwich-summary` (not emitted).
   */
  close(): Promise<SandwichSummaryEvent>;
}

interface Pair extends PairToCompare {
  timer: NodeJS.Timeout | null;
  done: boolean;
}

/** Rejects with a ConfigError for bad or looping addresses and an OperationalError when a port cannot be bound. */
export async function startSandwich(options: SandwichOptions): Promise<RunningSandwich> {
  const via = parseTarget(options.via, 'via');
  const target = parseTarget(options.target, 'target');
  checkNoLoop(options, via, target);
  const runId = options.runId !== undefined ? checkRunId(options.runId) : newRunId();
  const clock = options.clock ?? systemClock;
  const monotonic = options.monotonic ?? (() => performance.now());
  const lingerMs = options.lingerMs ?? DEFAULT_LINGER_MS;
  const keepBytes = options.keepBytes ?? DEFAULT_SANDWICH_KEEP_BYTES;
  const emit = options.onEvent;
  // The policy both legs' proxies apply (from the same option), for what the sandwich writes itself.
  const redact = redactorFor(options.proxy?.showSecrets, options.proxy?.redact);

  const legs: Record<LegName, Map<string, LegRecord>> = { front: new Map(), return: new Map() };
  const legOptions = { keepBytes, clock: monotonic };
  const matcher = new LegMatcher<LegRecord>();
  const pairOf = new Map<LegRecord, Pair>();
  const waitTimers = new Map<LegRecord, NodeJS.Timeout>();
  const tally = new SandwichTally();
  let stopping = false;

  const finishPair = (pair: Pair): void => {
    if (pair.done) return;
    pair.done = true;
    if (pair.timer) clearTimeout(pair.timer);
    for (const leg of [pair.front, pair.return]) {
      pairOf.delete(leg);
      legs[leg.leg].delete(leg.conn);
    }
    tally.pairCompared();
    for (const finding of comparePair(pair, { maxLatencyMs: options.maxLatencyMs ?? null, clock, redact })) {
      tally.finding(finding);
      emit(finding);
    }
  };

  const reportUnmatched = (leg: LegRecord): void => {
    legs[leg.leg].delete(leg.conn);
    // A refused upgrade has its own `error` event from the proxy; only WebSockets that got through count.
    if (!leg.upgraded) return;
    tally.legUnmatched(leg.leg);
    const message =
      leg.leg === 'front'
        ? `${leg.conn} was not compared: no connection for it reached the return listener. Check that the intermediary at ${redact.url(via.href)} forwards ${leg.handshake.path} to ${backUrl()}.`
        : `${leg.conn} was not compared: it reached the return listener, but no connection from the front listener matches it (something else connects through the intermediary, or it answered the client itself).`;
    emit({ v: SCHEMA_VERSION, type: 'error', ts: clock().toISOString(), conn: leg.conn, message });
  };

  /** A leg is done: compare its pair once both are, or wait (bounded) for the other half. */
  const legClosed = (leg: LegRecord): void => {
    const pair = pairOf.get(leg);
    if (pair) {
      if (pair.front.closed && pair.return.closed) finishPair(pair);
      else if (!stopping) pair.timer ??= unref(setTimeout(() => finishPair(pair), lingerMs));
      return;
    }
    if (stopping || waitTimers.has(leg)) return;
    waitTimers.set(
      leg,
      unref(
        setTimeout(() => {
          waitTimers.delete(leg);
          if (matcher.remove(leg.leg, leg.conn)) reportUnmatched(leg);
        }, lingerMs),
      ),
    );
  };

  /** Each leg's recording addon: the record is made from the handshake, its streams fed by the connection. */
  const recording = (leg: LegName): ProxyAddon => ({
    name: `sandwich ${leg}`,
    handshake: (conn: string, tapped: TappedHandshake) => {
      // The front leg's path as the intermediary received it (the --via path is a prefix).
      const path = leg === 'front' ? upstreamPath(via, tapped.path) : tapped.path;
      const record = new LegRecord(leg, conn, path, tapped, legOptions);
      legs[leg].set(conn, record);
      const match = matcher.add(leg, record);
      if (match) {
        const pair: Pair = { front: match.front, return: match.return, by: match.by, timer: null, done: false };
        for (const l of [match.front, match.return]) {
          pairOf.set(l, pair);
          const waiting = waitTimers.get(l);
          if (waiting) clearTimeout(waiting);
          waitTimers.delete(l);
        }
        // A leg may have closed while it waited (or never opened: a refused upgrade).
        for (const l of [match.front, match.return]) if (l.closed) legClosed(l);
      } else if (record.closed) {
        legClosed(record);
      }
    },
    connection: (info: ConnectionInfo) => {
      const record = legs[leg].get(info.conn);
      if (!record) return undefined;
      return {
        // The recorders listen to the leg's own decode; the tap only says when bytes arrived.
        observers: {
          'client->server': record.streams['client->server'].listeners,
          'server->client': record.streams['server->client'].listeners,
        },
        tap: (dir, chunk) => record.seen(dir, chunk.length),
        tapEnd: (dir) => record.end(dir),
        end: () => {
          record.closed = true;
          legClosed(record);
        },
      };
    },
  });

  const shared = {
    ...options.proxy,
    runId,
    // Both listeners live in this process and each connection crosses both: they share the descriptors.
    maxConnections: options.proxy?.maxConnections ?? defaultMaxConnections(2),
    clock,
    onEvent: emit,
    ...(options.onWarning ? { onWarning: options.onWarning } : {}),
  };
  const addons = options.proxy?.addons ?? [];
  // The return listener first: the intermediary must find it up as soon as a client connects.
  const back = await startProxy({
    ...shared,
    target: target.href,
    listen: options.returnListen,
    connPrefix: 'r',
    addons: [...addons, recording('return')],
  });
  const backUrl = () => back.url;
  let front: RunningProxy;
  try {
    front = await startProxy({
      ...shared,
      target: via.href,
      listen: options.listen,
      connPrefix: 'c',
      addons: [...addons, recording('front')],
    });
  } catch (err) {
    await back.close();
    throw err;
  }

  let closing: Promise<SandwichSummaryEvent> | null = null;
  const close = (): Promise<SandwichSummaryEvent> =>
    (closing ??= (async () => {
      stopping = true;
      // Whatever is still open now is cut by us, not by the intermediary; what crosses from here on is
      // wsdiag's own closing (its Close 1001 reaches the other leg through the intermediary): not recorded.
      for (const pair of new Set(pairOf.values())) pair.interrupted = true;
      for (const record of [...legs.front.values(), ...legs.return.values()]) {
        for (const stream of Object.values(record.streams)) stream.freeze();
      }
      await Promise.all([front.close(), back.close()]);
      for (const pair of new Set(pairOf.values())) finishPair(pair);
      for (const timer of waitTimers.values()) clearTimeout(timer);
      waitTimers.clear();
      for (const leg of ['front', 'return'] as const) {
        for (const record of [...matcher.pending(leg)]) {
          matcher.remove(leg, record.conn);
          reportUnmatched(record);
        }
      }
      return tally.summary(clock);
    })());

  return {
    front,
    back,
    runId,
    get failed() {
      return tally.failed;
    },
    close,
  };
}

/** Addresses that would make the sandwich talk to itself instead of to the intermediary and the target. */
function checkNoLoop(options: SandwichOptions, via: Target, target: Target): void {
  const same = (a: { host: string; port: number }, b: { host: string; port: number }) =>
    a.port !== 0 && a.port === b.port && sameHost(a.host, b.host);
  if (same(options.listen, options.returnListen)) {
    const address = hostPort(options.listen.host, options.listen.port);
    throw new ConfigError(
      'returnListen',
      (n) => `${n('listen')} and ${n('returnListen')} are both ${address}: the front and the return listener need two ports`,
    );
  }
  if (same(options.listen, via)) {
    throw new ConfigError('via', (n) => `${n('via')} ${via.href} is wsdiag's own ${n('listen')} address: point it at the intermediary`);
  }
  if (same(options.returnListen, target)) {
    throw new ConfigError(
      'target',
      (n) => `${n('target')} ${target.href} is wsdiag's own ${n('returnListen')} address: point it at the real upstream`,
    );
  }
  if (same(options.returnListen, via)) {
    throw new ConfigError(
      'via',
      (n) =>
        `${n('via')} ${via.href} is wsdiag's own ${n('returnListen')} address: ${n('via')} is the intermediary, which forwards to ${n('returnListen')}`,
    );
  }
}

function sameHost(a: string, b: string): boolean {
  const norm = (h: string) => (h === 'localhost' ? '127.0.0.1' : h.replace(/^\[|\]$/g, ''));
  return norm(a) === norm(b);
}

function unref(timer: NodeJS.Timeout): NodeJS.Timeout {
  timer.unref();
  return timer;
}
