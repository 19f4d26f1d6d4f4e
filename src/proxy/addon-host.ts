/**
 * How the proxy calls its addons (./addon.ts): what is needed is worked out once per run and once per
 * connection, so the relay's hot path holds no loop over an empty addon list and no closure for a hook
 * nobody defined; and every call is guarded, so an addon that throws is reported and switched off
 * without disturbing the relay, the decoder or the other addons.
 */
import {
  SCHEMA_VERSION,
  type Clock,
  type CloseEvent,
  type Direction,
  type RefusalKind,
  type ViolationEvent,
  type WsdiagEvent,
} from '../events/index.js';
import { ConfigError } from '../errors.js';
import { SINK_METHOD_NAMES, type DecoderSink } from '../protocol/index.js';
import type { Redactor } from '../redact.js';
import type { ConnectionAddon, OpenConnection, ProxyAddon } from './addon.js';
import type { Forwarding, RelayControl } from './forwarding.js';
import type { SettingsLayer } from './settings.js';
import type { ConnectionInfo, TappedHandshake } from './types.js';

type Emit = (event: WsdiagEvent) => void;

/** One addon of the run; `off` once one of its run-level hooks threw. */
interface RunEntry {
  readonly addon: ProxyAddon;
  off: boolean;
}

/** One addon's part in one connection; `off` once one of its hooks threw. */
interface Part {
  readonly name: string;
  readonly part: ConnectionAddon;
  off: boolean;
}

export interface AddonHostOptions {
  /** The run's event stream (the sinks). */
  emit: Emit;
  clock: Clock;
  /** What an addon's error message may show (it could quote a path or a header). */
  redact: Redactor;
}

/** What one connection needs from its addons, resolved when it opens. */
export interface ConnectionAddons {
  /** Every part's settings layers, in addon order. */
  readonly layers: readonly SettingsLayer[];
  /** Decoder observers per direction (guarded), or undefined when no part observes. */
  readonly observers: Partial<Record<Direction, Partial<DecoderSink>[]>> | undefined;
  readonly tap: ((dir: Direction, chunk: Uint8Array) => void) | undefined;
  readonly tapEnd: ((dir: Direction) => void) | undefined;
  readonly sent: ((dir: Direction, chunk: Uint8Array) => void) | undefined;
  /** The connection's events go here: the parts' `event` hooks, then the sinks. */
  readonly emit: Emit;
  /** Tells the parts the connection is open. */
  opened(connection: OpenConnection): void;
  /** Tells the parts the `close` event went out; undefined when no part listens. */
  readonly ended: ((close: CloseEvent) => void) | undefined;
}

export class AddonHost {
  /** The forwarding strategy of the one addon that has one (./forwarding.ts), or undefined: transparent. */
  readonly forwarding: { addon: string; create(relay: RelayControl): Forwarding } | undefined;
  /** For the analyzers' onSuppressed, or undefined when no addon counts suppressed violations. */
  readonly suppressed: ((violation: ViolationEvent) => void) | undefined;
  /** For the refusal log, or undefined when no addon counts refusals. */
  readonly refused: ((kind: RefusalKind) => void) | undefined;

  readonly #entries: RunEntry[];
  readonly #options: AddonHostOptions;
  /** The shared answer for connections no addon takes part in. */
  readonly #none: ConnectionAddons;

  /** Throws a ConfigError (option `addons`) when more than one addon wants to decide how bytes are forwarded. */
  constructor(addons: readonly ProxyAddon[], options: AddonHostOptions) {
    this.#options = options;
    this.#entries = addons.map((addon) => ({ addon, off: false }));
    const forwarders = addons.filter((addon) => addon.forwarding !== undefined);
    if (forwarders.length > 1) {
      const names = forwarders.map((addon) => `"${addon.name}"`).join(' and ');
      throw new ConfigError('addons', `addons ${names} both decide how bytes are forwarded; a proxy can have only one`);
    }
    const forwarder = forwarders[0];
    this.forwarding = forwarder?.forwarding ? { addon: forwarder.name, create: forwarder.forwarding.bind(forwarder) } : undefined;
    this.suppressed = this.#runHook(
      'suppressed',
      (addon) => addon.suppressed !== undefined,
      (addon, violation: ViolationEvent) => addon.suppressed?.(violation),
      (violation) => violation.conn,
    );
    this.refused = this.#runHook(
      'refused',
      (addon) => addon.refused !== undefined,
      (addon, refusal: Parameters<NonNullable<ProxyAddon['refused']>>[0]) => addon.refused?.(refusal),
      () => null,
    );
    this.#none = {
      layers: [],
      observers: undefined,
      tap: undefined,
      tapEnd: undefined,
      sent: undefined,
      emit: options.emit,
      opened: () => {},
      ended: undefined,
    };
  }

  /** An upgrade answered with something other than a 101: only the handshake hooks hear of it. */
  answered(conn: string, handshake: TappedHandshake): void {
    for (const entry of this.#entries) this.#handshake(entry, conn, handshake);
  }

  /** A 101 accepted: the handshake hooks, then each addon's part in the connection. */
  open(info: ConnectionInfo, handshake: TappedHandshake): ConnectionAddons {
    let parts: Part[] | undefined;
    for (const entry of this.#entries) {
      if (entry.off) continue;
      // An addon whose handshake hook failed stays out of this connection.
      if (!this.#handshake(entry, info.conn, handshake) || entry.addon.connection === undefined) continue;
      try {
        const part = entry.addon.connection(info);
        if (part) (parts ??= []).push({ name: entry.addon.name, part, off: false });
      } catch (err) {
        this.#report(info.conn, entry.addon.name, 'connection()', err, 'this connection');
      }
    }
    return parts ? this.#connection(info.conn, parts) : this.#none;
  }

  /** The proxy stopped: each addon's close(), in order. */
  async close(): Promise<void> {
    for (const entry of this.#entries) {
      if (entry.off || entry.addon.close === undefined) continue;
      try {
        await entry.addon.close();
      } catch (err) {
        this.#report(null, entry.addon.name, 'close()', err, 'the rest of the run');
      }
    }
  }

  /** Calls an addon's handshake hook; false when it threw. */
  #handshake(entry: RunEntry, conn: string, handshake: TappedHandshake): boolean {
    if (entry.off || entry.addon.handshake === undefined) return true;
    try {
      entry.addon.handshake(conn, handshake);
      return true;
    } catch (err) {
      this.#report(conn, entry.addon.name, 'handshake()', err, 'this connection');
      return false;
    }
  }

  /** One function calling a run-level hook of every addon that has it, or undefined when none has. */
  #runHook<A>(
    name: string,
    has: (addon: ProxyAddon) => boolean,
    call: (addon: ProxyAddon, arg: A) => void,
    connOf: (arg: A) => string | null,
  ): ((arg: A) => void) | undefined {
    return guardedEach(
      this.#entries.filter((entry) => has(entry.addon)),
      (entry, arg: A) => call(entry.addon, arg),
      (entry, arg, err) => {
        entry.off = true;
        this.#report(connOf(arg), entry.addon.name, `${name}()`, err, 'the rest of the run');
      },
    );
  }

  #connection(conn: string, parts: Part[]): ConnectionAddons {
    const fail = (part: Part, hook: string, err: unknown): void => {
      part.off = true;
      this.#report(conn, part.name, hook, err, 'this connection');
    };
    const having = (key: keyof ConnectionAddon): Part[] => parts.filter((part) => part.part[key] !== undefined);
    const layers = parts.flatMap((part) => part.part.settings ?? []);

    let observers: Partial<Record<Direction, Partial<DecoderSink>[]>> | undefined;
    for (const part of having('observers')) {
      for (const [dir, sink] of Object.entries(part.part.observers ?? {}) as [Direction, Partial<DecoderSink> | undefined][]) {
        if (sink) ((observers ??= {})[dir] ??= []).push(guardSink(sink, part, dir, fail));
      }
    }

    const tap = chunkHook(having('tap'), 'tap', fail);
    const sent = chunkHook(having('sent'), 'sent', fail);
    const tapEnd = this.#each(having('tapEnd'), 'tapEnd()', fail, (part, dir: Direction) => part.tapEnd?.(dir));
    const opened =
      this.#each(having('opened'), 'opened()', fail, (part, connection: OpenConnection) => part.opened?.(connection)) ?? (() => {});
    const ended = this.#each(having('end'), 'end()', fail, (part, close: CloseEvent) => part.end?.(close));

    const sink = this.#options.emit;
    const rewriters = having('event');
    const emit: Emit =
      rewriters.length === 0
        ? sink
        : (event) => {
            let current = event;
            for (const part of rewriters) {
              if (part.off) continue;
              try {
                current = part.part.event?.(current) ?? current;
              } catch (err) {
                fail(part, 'event()', err);
              }
            }
            sink(current);
          };
    return { layers, observers, tap, tapEnd, sent, emit, opened, ended };
  }

  /** One function calling `call` on each part (guarded), or undefined when `parts` is empty. */
  #each<A>(
    parts: Part[],
    hook: string,
    fail: (part: Part, hook: string, err: unknown) => void,
    call: (part: ConnectionAddon, arg: A) => void,
  ): ((arg: A) => void) | undefined {
    return guardedEach(
      parts,
      (part, arg: A) => call(part.part, arg),
      (part, _arg, err) => fail(part, hook, err),
    );
  }

  #report(conn: string | null, name: string, hook: string, err: unknown, scope: 'this connection' | 'the rest of the run'): void {
    const why = err instanceof Error ? err.message : String(err);
    const message = `The ${name} addon failed in ${hook}: ${this.#options.redact.text(why)}. It is switched off for ${scope}; relaying goes on.`;
    this.#options.emit({ v: SCHEMA_VERSION, type: 'error', ts: this.#options.clock().toISOString(), conn, message });
  }
}

/**
 * One function calling `call` on each item not yet switched off, in order, where one that throws goes to
 * `fail` (which switches it off); undefined when there is no item, so a hook nobody defined costs nothing.
 */
function guardedEach<T extends { off: boolean }, A>(
  items: readonly T[],
  call: (item: T, arg: A) => void,
  fail: (item: T, arg: A, err: unknown) => void,
): ((arg: A) => void) | undefined {
  if (items.length === 0) return undefined;
  return (arg) => {
    for (const item of items) {
      if (item.off) continue;
      try {
        call(item, arg);
      } catch (err) {
        fail(item, arg, err);
      }
    }
  };
}

type SinkMethod = (a?: unknown, b?: unknown, c?: unknown) => void;

/**
 * The same decoder listener with each method guarded: once one throws, the part is off and its
 * listeners return at once, so the decoder (which calls them mid-parse) never sees an exception.
 */
function guardSink(
  sink: Partial<DecoderSink>,
  part: Part,
  dir: Direction,
  fail: (part: Part, hook: string, err: unknown) => void,
): Partial<DecoderSink> {
  const guarded: Partial<Record<keyof DecoderSink, SinkMethod>> = {};
  for (const name of SINK_METHOD_NAMES) {
    const method = sink[name] as SinkMethod | undefined;
    if (method === undefined) continue;
    // Every sink method takes at most three arguments: no rest array per call.
    guarded[name] = (a, b, c) => {
      if (part.off) return;
      try {
        method.call(sink, a, b, c);
      } catch (err) {
        fail(part, `its ${dir} observer's ${name}()`, err);
      }
    };
  }
  return guarded;
}

/**
 * One function calling the `tap` or `sent` hook of each part, or undefined when no part has it. Written
 * out rather than through guardedEach: it runs for every chunk of the relay.
 */
function chunkHook(
  parts: Part[],
  hook: 'tap' | 'sent',
  fail: (part: Part, hook: string, err: unknown) => void,
): ((dir: Direction, chunk: Uint8Array) => void) | undefined {
  if (parts.length === 0) return undefined;
  return (dir, chunk) => {
    for (const part of parts) {
      if (part.off) continue;
      try {
        part.part[hook]?.(dir, chunk);
      } catch (err) {
        fail(part, `${hook}()`, err);
      }
    }
  };
}
