/**
 * The proxy's one extension point, in the spirit of mitmproxy's addons and toxiproxy's toxics: everything
 * that joins the relay (message policies, the sandwich's recorders, the dashboard, run summaries, the
 * --enforce strategy) is a ProxyAddon passed in ProxyOptions.addons. Events still leave the proxy through
 * one stream, ProxyOptions.onEvent; addons are how code reaches *into* a connection.
 *
 * The life of a connection, as addons see it (each hook optional, addons called in the order given):
 *
 *   upgrade answered ─► handshake()                       every answer: 101 or not
 *   101 accepted     ─► connection(info) → ConnectionAddon each addon's part, or undefined
 *                       part.settings                      resolved once for the connection (./settings.ts)
 *                       part.observers                     attached to the one decoder per direction
 *                       `open` event ─► part.opened(connection)
 *   bytes            ─► part.tap(dir, chunk) … part.tapEnd(dir)    what each side sent wsdiag
 *                       part.sent(dir, chunk)                what wsdiag wrote to the other side
 *   every event      ─► part.event(event) → event          may replace it before the sinks see it
 *   `close` event    ─► part.end(close)
 *   proxy stopped    ─► close()
 *
 * Hooks run synchronously on the relay's path: keep them short, never block, never mutate the chunks or
 * headers they are shown. An addon that throws is wsdiag's fault, not the peers': it gets one `error`
 * event naming the addon and the hook, and is switched off (its part in that connection when the hook
 * belongs to one, otherwise the addon for the rest of the run) while relaying goes on untouched. A
 * decoder observer that throws does not disturb the decoder or the other listeners.
 */
import type { CloseEvent, Direction, RefusalKind, ViolationEvent, WsdiagEvent } from '../events/index.js';
import type { TypePolicy, DecoderSink } from '../protocol/index.js';
import type { Forwarding, RelayControl } from './forwarding.js';
import type { ConnectionSettings, SettingsLayer } from './settings.js';
import type { ConnectionInfo, TappedHandshake } from './types.js';

export interface ProxyAddon {
  /** Names the addon in `error` events and conflict messages (e.g. "policies", "sandwich front"). */
  readonly name: string;

  /**
   * An upgrade the upstream answered, with both heads (read them, never change them). For a 101: once
   * its handshake passed the checks, before `connection` and before the client gets the 101. For any
   * other status: before that answer is relayed to the client; no connection follows. Not called when
   * the upstream gave no answer or --enforce refused the handshake.
   */
  handshake?(conn: string, handshake: TappedHandshake): void;

  /**
   * A WebSocket connection is opening: the 101 is in hand, nothing is relayed yet. Return this addon's
   * part in the connection, or undefined to stay out of it.
   */
  connection?(info: ConnectionInfo): ConnectionAddon | undefined;

  /**
   * Takes over how bytes cross the relay (./forwarding.ts): called once per connection, after the
   * analyzer is built. At most one addon of a proxy may have it, and not together with `enforce`, which
   * is such a strategy (startProxy refuses the combination). A strategy cannot be switched off halfway
   * (it may hold bytes back): if it throws, its connection is cut, with an `error` event saying why.
   */
  forwarding?(relay: RelayControl): Forwarding;

  /** A violation counted but not logged (more than maxPerRule of one rule); it carries no preview. */
  suppressed?(violation: ViolationEvent): void;

  /** A client refused at a limit (maxConnections, headerTimeoutMs); unlike the `error` events about refusals, never rate-limited. */
  refused?(kind: RefusalKind): void;

  /** The proxy stopped: every connection has emitted its `close`. RunningProxy.close() waits for it. */
  close?(): void | Promise<void>;
}

/** An addon's part in one connection. Every member is optional; its hooks concern this connection only. */
export interface ConnectionAddon {
  /**
   * Settings for this connection, each layer with a rank and a source (./settings.ts has the
   * precedence). Read once, before the analyzer is built; the `open` event names the sources that won.
   */
  readonly settings?: readonly SettingsLayer[];

  /**
   * Listeners on each direction's decoder: they get the decoder's events right after the analyzer, so
   * the bytes are decoded once for everyone, and only the events someone listens to cost anything.
   */
  readonly observers?: Partial<Record<Direction, Partial<DecoderSink>>>;

  /** The connection is open: settings resolved, analyzer built, `open` emitted; no byte relayed yet. */
  opened?(connection: OpenConnection): void;

  /**
   * Every chunk of a direction, in order, as the analyzer gets it (handshake head bytes first). Read it,
   * never keep or change it: the relay forwards the very same buffer.
   */
  tap?(dir: Direction, chunk: Uint8Array): void;

  /** A direction ended: its sender's FIN, or its socket closed without one. Once per direction. */
  tapEnd?(dir: Direction): void;

  /**
   * What wsdiag wrote to the receiver of `dir`, in order: the relayed chunks (the very buffers `tap` saw,
   * in the transparent relay), and with --enforce or at shutdown what a forwarding strategy released and
   * wsdiag's own Close frames. Read it, never keep or change it.
   */
  sent?(dir: Direction, chunk: Uint8Array): void;

  /**
   * Every event of the connection, from `open` to `close`, before the sinks (and the `event` hooks of
   * the addons after this one) see it. Return it, or a replacement (a copy: never mutate the original).
   */
  event?(event: WsdiagEvent): WsdiagEvent;

  /** The `close` event has reached the sinks (as the analyzer made it): the connection is over. */
  end?(close: CloseEvent): void;
}

/** What an addon can do with an open connection. */
export interface OpenConnection {
  readonly conn: string;
  /** The settings the connection was opened with (values and where each came from). */
  readonly settings: ConnectionSettings;
  /** Changes the message types a direction's receiver accepts, from its next message on (learned policies). */
  setTypePolicy(dir: Direction, policy: TypePolicy | null): void;
  /**
   * Adds an event of the addon's own to the connection's stream (e.g. `message` events from its decoder
   * observers): it goes through the `event` hooks of the addons, then to the sinks, in order with the
   * connection's other events.
   */
  emit(event: WsdiagEvent): void;
  /** The connection's traffic so far: cheap, but meant for occasional reads (a metrics scrape), not per chunk. */
  stats(): ConnectionStats;
  /**
   * Calls `done(true)` once what wsdiag has written so far towards the receiver of `dir` has left its
   * write buffer for the kernel, `done(false)` if that socket is gone first. For sampled latency only.
   */
  afterWrites(dir: Direction, done: (flushed: boolean) => void): void;
}

/** A connection's traffic so far, per direction (OpenConnection.stats). */
export interface ConnectionStats {
  /** Frames each direction's sender sent wsdiag (the `close` event's `frames`, so far). */
  readonly frames: Readonly<Record<Direction, number>>;
  /** Bytes each direction's sender sent wsdiag (the `close` event's `bytes`, so far). */
  readonly bytes: Readonly<Record<Direction, number>>;
  /** Bytes written towards each direction's receiver that still wait in wsdiag's socket buffer. */
  readonly queued: Readonly<Record<Direction, number>>;
}

/** Where a run summary counts what the event stream does not carry (SummaryCollector has both). */
export interface RunCounts {
  countSuppressed(rule: string, code: number): void;
  countRefused(kind: RefusalKind): void;
}

/** An addon that counts suppressed violations and refused clients into a run summary. */
export function summaryCounts(summary: RunCounts): ProxyAddon {
  return {
    name: 'summary',
    suppressed: (violation) => summary.countSuppressed(violation.rule, violation.code),
    refused: (kind) => summary.countRefused(kind),
  };
}
