/**
 * Fault injection as the proxy's forwarding strategy (src/proxy/forwarding.ts): the chaos engine of each
 * direction (engine.ts, sans-IO) decides what the receiver gets, and an ActionRunner (runner.ts) performs
 * that on the relay, in order and on time.
 *
 *   sender ──chunk──► ChaosDirection.pushInto ──actions──► ActionRunner ──► forward + analyze ──► receiver
 *
 * - A chunk of a direction no toxic acts on costs its frame headers: the engine follows them
 *   (pushUnchanged) and the chunk goes out as it came, straight to the relay. Otherwise a chunk no toxic
 *   changes costs one write action, which the runner performs at once (nothing queued or allocated).
 * - The analyzer decodes what the receiver gets, not what the sender sent: the connection's violations
 *   are the ones the toxics cause, each right after the `fault` event that says what was changed.
 * - A sender's FIN is passed on by the engine, after whatever it still holds (a delayed frame, a message
 *   being coalesced); a `truncate` ends the stream itself and a `reset` resets both sockets, both as
 *   wsdiag's own doing (the sender is not blamed for a frame cut short).
 * - The toxics are read at every frame from their source (the registry the HTTP API changes).
 * - While wsdiag closes the connection (shutdown), the rest of a frame a receiver is in the middle of still
 *   goes through the engine; a frame the engine holds (a delay) is dropped with what follows.
 */
import { splitConnId } from '../conn-id.js';
import { systemClock, type Clock, type Direction } from '../events/index.js';
import type { ConnectionAddon, Forwarding, ProxyAddon, RelayControl, RelayLeg } from '../proxy/index.js';
import { createChaosConnection, type ChaosDirection, type ToxicSource } from './engine.js';
import { faultEvent } from './events.js';
import { ActionRunner, systemTimers, type ChaosTimers } from './runner.js';

export interface ChaosAddonOptions {
  /** Where each engine reads its direction's toxics (a ToxicRegistry, or staticToxics). */
  toxics: ToxicSource;
  /** The run seed (random.ts newSeed): the same seed on the same traffic gives the same faults. */
  seed: string;
  /** The `fault` events' clock (the proxy's). */
  clock?: Clock;
  /** Delays' timers (tests drive them by hand). */
  timers?: ChaosTimers;
}

/** The name the addon goes by in `error` events and conflict messages. */
export const CHAOS_ADDON_NAME = 'chaos';

/**
 * The addon that makes a proxy inject faults. It takes part in every connection (to learn the negotiated
 * extensions and to stop its timers at the end) and is the proxy's forwarding strategy, so it cannot go
 * with --enforce or another strategy (startProxy refuses the combination).
 */
export function chaosAddon(options: ChaosAddonOptions): ProxyAddon {
  // The upstream's Sec-WebSocket-Extensions as sent (the engine frames permessage-deflate by it), between
  // the handshake hook and the connection's parts, which run one after the other.
  const extensions = new Map<string, string | null>();
  const connections = new Map<string, ChaosForwarding>();
  return {
    name: CHAOS_ADDON_NAME,
    handshake(conn, handshake) {
      if (handshake.status !== 101) return;
      const value = handshake.response['sec-websocket-extensions'];
      extensions.set(conn, Array.isArray(value) ? value.join(', ') : (value ?? null));
    },
    connection(info): ConnectionAddon {
      const forwarding = new ChaosForwarding(info.conn, extensions.get(info.conn) ?? null, options);
      extensions.delete(info.conn);
      connections.set(info.conn, forwarding);
      return {
        end: () => {
          forwarding.close();
          connections.delete(info.conn);
        },
      };
    },
    forwarding(relay) {
      const forwarding = connections.get(relay.conn);
      // connection() runs first for every connection the relay carries: anything else is a bug of ours.
      if (!forwarding) throw new Error(`no chaos engine was prepared for connection ${relay.conn}`);
      return forwarding.attach(relay);
    },
  };
}

/** One direction's engine and runner, and the relay leg its bytes come from (handed over with the first). */
interface Side {
  readonly engine: ChaosDirection;
  readonly runner: ActionRunner;
  leg: RelayLeg | null;
}

/** One connection's engines and runners, attached to its relay. */
class ChaosForwarding implements Forwarding {
  readonly #conn: string;
  readonly #clock: Clock;
  readonly #timers: ChaosTimers;
  // Two fields picked by a comparison, not a record indexed by direction: `data` runs for every chunk, and
  // a keyed lookup by the direction's name was a third of what chaos cost over the proxy with no toxic on.
  readonly #toServer: Side;
  readonly #toClient: Side;
  #relay: RelayControl | null = null;

  constructor(conn: string, extensions: string | null, options: ChaosAddonOptions) {
    this.#conn = conn;
    this.#clock = options.clock ?? systemClock;
    this.#timers = options.timers ?? systemTimers;
    const engines = createChaosConnection({
      toxics: options.toxics,
      seed: options.seed,
      // The run part of the id changes every run; `c1` is the same connection of the next run.
      connection: splitConnId(conn).local,
      extensions,
    });
    this.#toServer = this.#sideOf('client->server', engines['client->server']);
    this.#toClient = this.#sideOf('server->client', engines['server->client']);
  }

  attach(relay: RelayControl): this {
    this.#relay = relay;
    return this;
  }

  data(leg: RelayLeg, chunk: Uint8Array): void {
    const side = this.#sideFor(leg.dir);
    side.leg = leg;
    // Nothing waits behind a delay (which the chunk must not overtake) and no toxic acts on the direction.
    if (side.runner.isFree() && side.engine.pushUnchanged(chunk)) {
      const relay = this.#attached();
      relay.forward(leg, chunk);
      relay.analyze(leg, chunk);
      return;
    }
    side.engine.pushInto(side.runner, chunk, this.#timers.now());
  }

  frameRest(leg: RelayLeg, piece: Uint8Array): string | null {
    this.data(leg, piece);
    return null;
  }

  end(leg: RelayLeg): boolean {
    const side = this.#sideFor(leg.dir);
    side.leg = leg;
    // What the engine still holds goes out, then the FIN (RelayControl.end), on time after any delay.
    side.engine.endInto(side.runner, this.#timers.now());
    return true;
  }

  /** The connection is over: delayed actions have nowhere to go. */
  close(): void {
    this.#toServer.runner.close();
    this.#toClient.runner.close();
  }

  #sideFor(dir: Direction): Side {
    return dir === 'client->server' ? this.#toServer : this.#toClient;
  }

  #attached(): RelayControl {
    if (!this.#relay) throw new Error(`the chaos engine of ${this.#conn} ran before its relay was attached`);
    return this.#relay;
  }

  #sideOf(dir: Direction, engine: ChaosDirection): Side {
    const relay = (): RelayControl => this.#attached();
    const leg = (): RelayLeg => {
      // Actions only come from a push or an end, which hand the leg over first.
      if (!side.leg) throw new Error(`the chaos engine of ${this.#conn} acted on ${dir} before the relay handed it over`);
      return side.leg;
    };
    const runner = new ActionRunner(
      {
        write: (bytes) => {
          relay().forward(leg(), bytes);
          relay().analyze(leg(), bytes);
        },
        end: () => relay().end(leg()),
        reset: () => relay().reset(),
        fault: (record) => relay().emit(faultEvent(record, this.#conn, this.#clock)),
      },
      this.#timers,
    );
    const side: Side = { engine, runner, leg: null };
    return side;
  }
}
