/**
 * How bytes cross the relay: the one seam between reading a chunk from a sender and writing to its
 * receiver. The relay (./relay.ts) owns the sockets, backpressure, endings and wsdiag's own closing
 * handshake; a forwarding strategy only decides, chunk by chunk, what to decode and what to pass on.
 *
 * - transparent (the default, inlined in the relay): forward each chunk as it came, then decode it, so
 *   the decoder never delays a byte;
 * - enforce (`--enforce`, below): decode first, hold back what cannot be judged yet, pass on only what is
 *   valid, and close the connection at the first error (DESIGN §4);
 * - fault injection (`wsdiag chaos`, src/chaos/forwarding.ts): rewrites, drops, holds and injects frames,
 *   forwards what the receiver should get and decodes that, so the analyzer judges what each endpoint
 *   received; it passes a sender's FIN on itself (`end`) after what it holds, and may end or reset the
 *   connection as a fault of its own.
 *
 * A strategy comes from an addon's `forwarding` hook (./addon.ts): one per connection, at most one addon
 * per proxy.
 */
import type { Direction, Side, WsdiagEvent } from '../events/index.js';
import type { ConnectionAnalyzer } from '../session/index.js';
import type { ClosingPlan } from './closing.js';
import { enforcementFor, enforcementPlan, forwardableBytes } from './enforce.js';
import type { ProxyAddon } from './addon.js';

/** One direction of the relay, as a strategy sees it. */
export interface RelayLeg {
  readonly dir: Direction;
  /** How far (bytes) the sender's stream has been passed on to the receiver. */
  readonly forwarded: number;
}

/** A receiver wsdiag cannot send a clean Close: it is in the middle of a frame that will not be completed. */
export interface ClosingCut {
  side: Side;
  /** True when none of the refused frame reached `side`: it can still get a Close. */
  clean: boolean;
  /** Ends the sentence "the <side> was in the middle of receiving a frame ..." (e.g. "when X was found in client->server"). */
  why: string;
}

/** What a strategy may do with its connection. */
export interface RelayControl {
  readonly conn: string;
  /** The connection's analyzer: where each decoder stands (`decoder(dir).judgedOffset`), its first error. */
  readonly analyzer: ConnectionAnalyzer;
  /**
   * Decodes bytes the leg's sender sent (and shows them to the addons' taps). Every byte of a direction
   * must go through here exactly once, in stream order.
   */
  analyze(leg: RelayLeg, bytes: Uint8Array): void;
  /**
   * Sends bytes to the leg's receiver (backpressure is the relay's business). `through` is how far in
   * the sender's stream these bytes take the receiver: by default `leg.forwarded + bytes.length`, i.e. the
   * bytes are the sender's own; a strategy that rewrites a frame passes the end of the frame it replaced.
   */
  forward(leg: RelayLeg, bytes: Uint8Array, through?: number): void;
  /** Runs `fn` with the leg's receiver corked: the pieces `fn` forwards leave in one writev, not one write each. */
  corked(leg: RelayLeg, fn: () => void): void;
  /**
   * wsdiag ends the connection itself (./closing.ts): from now on the relay no longer asks the strategy
   * about new chunks (only `frameRest`), each side gets the plan's Close at a frame boundary, and `cut`
   * names a receiver that may be in the middle of a frame the strategy refused.
   */
  close(plan: ClosingPlan, cut?: ClosingCut): void;
  /** Adds an event to the connection's stream (through the addons' `event` hooks, then the sinks). */
  emit(event: WsdiagEvent): void;
  /**
   * Ends the leg's stream: its decoder's end, then a FIN to the receiver once what was forwarded is written.
   * After the sender's own FIN (a strategy whose `end` returned true) that is the sender's ending; before
   * it, the strategy cut the stream itself (wsdiag's doing: a frame cut short is not blamed on the sender).
   */
  end(leg: RelayLeg): void;
  /** Resets both sockets (TCP RST where possible): the connection ends as wsdiag's doing (`proxy`, `reset`). */
  reset(): void;
}

export interface Forwarding {
  /**
   * A chunk from the leg's sender while the connection is open. Analyze every byte once, in order, and
   * forward what the receiver should get, now or later.
   */
  data(leg: RelayLeg, chunk: Uint8Array): void;
  /**
   * While wsdiag closes the connection, a piece of the frame the leg's receiver is in the middle of
   * (never past that frame's end): analyze it and forward it, and return null; or return why it must
   * not be completed (the sentence ending of ClosingCut.why), and the relay resets the receiver instead.
   */
  frameRest(leg: RelayLeg, piece: Uint8Array): string | null;
  /**
   * The leg's sender ended its stream (FIN) while the connection is open. Return true to pass the FIN on
   * yourself, with `RelayControl.end(leg)`, once what you hold back of that direction is forwarded;
   * absent or false, the relay passes it on at once.
   */
  end?(leg: RelayLeg): boolean;
}

/**
 * `--enforce` as an addon: its strategy judges every byte before forwarding it. The handshake part of
 * --enforce (refusing a bad upgrade request or 101) stays in ./upgrade.ts, where the handshake is.
 */
export function enforcement(graceMs: number): ProxyAddon {
  return { name: 'enforce', forwarding: (relay) => new EnforceForwarding(relay, graceMs) };
}

class EnforceForwarding implements Forwarding {
  readonly #relay: RelayControl;
  readonly #graceMs: number;
  /** Per direction, bytes received but not yet judged (an incomplete header or control frame), in order. */
  readonly #held: Record<Direction, Uint8Array[]> = { 'client->server': [], 'server->client': [] };

  constructor(relay: RelayControl, graceMs: number) {
    this.#relay = relay;
    this.#graceMs = graceMs;
  }

  data(leg: RelayLeg, chunk: Uint8Array): void {
    // Judge the bytes before they go out, and hold back what cannot be judged yet (a header split across
    // reads, a control frame still arriving) so a refused frame is never partly sent.
    const relay = this.#relay;
    relay.analyze(leg, chunk);
    this.#held[leg.dir].push(chunk);
    const finding = relay.analyzer.firstError(leg.dir);
    this.#forwardHeld(leg, finding?.frame ? finding.frame.offset : relay.analyzer.decoder(leg.dir).judgedOffset);
    if (!finding) return;
    const enforcement = enforcementFor(leg.dir, finding);
    // The offending frame is never completed, so its receiver can get a Close only if none of it went out.
    relay.close(enforcementPlan(enforcement, this.#graceMs), {
      side: enforcement.other,
      clean: forwardableBytes(finding, leg.forwarded, 0) >= 0,
      why: `when ${finding.rule} was found in ${leg.dir}`,
    });
  }

  frameRest(leg: RelayLeg, piece: Uint8Array): string | null {
    // Still a strict endpoint: a fault in the rest of the frame means it cannot be completed.
    this.#relay.analyze(leg, piece);
    const finding = this.#relay.analyzer.firstError(leg.dir);
    if (finding) return `when ${finding.rule} was found in ${leg.dir}`;
    this.#relay.forward(leg, piece);
    return null;
  }

  /** Forwards held bytes of a direction up to stream offset `limit`. */
  #forwardHeld(leg: RelayLeg, limit: number): void {
    const held = this.#held[leg.dir];
    // Bytes held back from an earlier read (a header split across reads) go out with the new ones, in one writev.
    if (held.length > 1) this.#relay.corked(leg, () => this.#forwardHeldUpTo(held, leg, limit));
    else this.#forwardHeldUpTo(held, leg, limit);
  }

  #forwardHeldUpTo(held: Uint8Array[], leg: RelayLeg, limit: number): void {
    for (let first = held[0]; first !== undefined && leg.forwarded < limit; first = held[0]) {
      const take = Math.min(first.length, limit - leg.forwarded);
      if (take === first.length) held.shift();
      else held[0] = first.subarray(take);
      this.#relay.forward(leg, take === first.length ? first : first.subarray(0, take));
    }
  }
}
