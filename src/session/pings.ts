/**
 * Pings waiting for their pong, per direction (RFC 6455 §5.5.2, §5.5.3). Sans-IO: times are the caller's
 * clock readings, and the caller that owns timers (the relay) arms a single one for `deadline()` and calls
 * `overdue()` when it fires; nothing here schedules anything.
 *
 * - A Pong answers every earlier Ping of the other direction: RFC 6455 §5.5.3 lets an endpoint answer only
 *   the most recent one. A Pong that answers nothing (an unsolicited heartbeat) is valid and changes nothing.
 * - Memory is bounded: per direction, the first Ping of the current unanswered run and a count of the later
 *   ones. The run is reported once, whatever its length.
 * - Once either side sent a Close, the closing handshake takes over: no new Ping is awaited, and the ones
 *   still waiting are excused (an endpoint that is closing need not answer).
 */
import { DIRECTIONS, type Direction, type FrameRef } from '../events/index.js';

export interface PendingPing {
  /** The first unanswered Ping of the run. */
  frame: FrameRef;
  /** Clock time (ms) it was seen. */
  at: number;
  /** Pings of the same direction seen after it, unanswered too. */
  later: number;
  /** Reported as `ping-unanswered` already. */
  reported: boolean;
}

export class PingTracker {
  /** How long a Ping may wait for its Pong; 0 = no deadline (checked only when the connection ends). */
  readonly timeoutMs: number;
  /**
   * Per direction, its unanswered run: two fields rather than a record keyed by direction, because the
   * relay reads `deadline()` after every chunk and a keyed object that runs are deleted from goes slow.
   */
  private clientToServer: PendingPing | undefined = undefined;
  private serverToClient: PendingPing | undefined = undefined;
  private closing = false;

  constructor(timeoutMs: number) {
    this.timeoutMs = timeoutMs;
  }

  ping(dir: Direction, frame: FrameRef, at: number): void {
    if (this.closing) return;
    const run = this.run(dir);
    if (run) run.later++;
    else this.set(dir, { frame, at, later: 0, reported: false });
  }

  /** A Pong travelling in `dir`: it answers the other direction's pings. */
  pong(dir: Direction): void {
    this.set(dir === 'client->server' ? 'server->client' : 'client->server', undefined);
  }

  /** A Close was seen: from now on no Ping is awaited. Pings already reported stay, for linking. */
  close(): void {
    this.closing = true;
  }

  /** The unanswered run of a direction, reported or not. */
  run(dir: Direction): PendingPing | undefined {
    return dir === 'client->server' ? this.clientToServer : this.serverToClient;
  }

  /** The unanswered run of a direction that still waits to be reported (none once closing). */
  waiting(dir: Direction): PendingPing | undefined {
    const run = this.run(dir);
    return run && !run.reported && !this.closing ? run : undefined;
  }

  /** The clock time at which the earliest waiting Ping becomes overdue, or null. */
  deadline(): number | null {
    // The common case, checked first: no Ping is waiting at all.
    if (this.timeoutMs <= 0 || (this.clientToServer === undefined && this.serverToClient === undefined)) return null;
    let earliest: number | null = null;
    for (const dir of DIRECTIONS) {
      const run = this.waiting(dir);
      if (run && (earliest === null || run.at < earliest)) earliest = run.at;
    }
    return earliest === null ? null : earliest + this.timeoutMs;
  }

  /** Directions whose waiting Ping is overdue at `now`. */
  overdue(now: number): Direction[] {
    if (this.timeoutMs <= 0) return [];
    return DIRECTIONS.filter((dir) => {
      const run = this.waiting(dir);
      return run !== undefined && now - run.at >= this.timeoutMs;
    });
  }

  private set(dir: Direction, run: PendingPing | undefined): void {
    if (dir === 'client->server') this.clientToServer = run;
    else this.serverToClient = run;
  }
}
