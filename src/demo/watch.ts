/**
 * Watches the proxy's events during one demo scenario: it keeps what that scenario caused (its
 * violations and Close frames) and tells when every connection the scenario opened has its `close`
 * event, so the demo moves on when the log is complete instead of after a guessed delay.
 */
import type { PeerCloseEvent, Side, WsdiagEvent } from '../events/index.js';

/** A Close frame an endpoint sent, as wsdiag reported it. */
export interface PeerCloseSeen {
  by: Side;
  code: number | null;
  reason: string;
  /** The rule wsdiag linked the Close to, or null. */
  cause: string | null;
}

export class ScenarioWatch {
  readonly events: WsdiagEvent[] = [];
  readonly #open = new Set<string>();
  readonly #closed = new Set<string>();
  readonly #conns: string[] = [];
  #wake: (() => void) | null = null;

  observe(event: WsdiagEvent): void {
    this.events.push(event);
    if (event.type === 'open') {
      this.#open.add(event.conn);
      this.#conns.push(event.conn);
    } else if (event.type === 'close') {
      this.#closed.add(event.conn);
      if (this.#allClosed()) this.#wake?.();
    }
  }

  /** Resolves once at least one connection opened and every opened connection has closed. */
  connectionsClosed(): Promise<void> {
    if (this.#allClosed()) return Promise.resolve();
    return new Promise((resolve) => (this.#wake = resolve));
  }

  /** Connection ids opened during the scenario, in order. */
  get conns(): readonly string[] {
    return this.#conns;
  }

  /** Rule ids of the violations logged during the scenario, in order. */
  get violations(): string[] {
    return this.events.flatMap((e) => (e.type === 'violation' ? [e.rule] : []));
  }

  get peerCloses(): PeerCloseSeen[] {
    return this.events
      .filter((e): e is PeerCloseEvent => e.type === 'peer-close')
      .map((e) => ({ by: e.by, code: e.code, reason: e.reason, cause: e.cause?.rule ?? null }));
  }

  /** Messages of `error` events during the scenario (operational problems). */
  get errors(): string[] {
    return this.events.flatMap((e) => (e.type === 'error' ? [e.message] : []));
  }

  #allClosed(): boolean {
    return this.#open.size > 0 && [...this.#open].every((conn) => this.#closed.has(conn));
  }
}
