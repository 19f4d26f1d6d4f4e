/**
 * Collects the events a proxy (or a sandwich, or any event source) emits and lets a test wait for one: "the
 * close event of c1", "a violation of rule X". A wait resolves on the event itself, bounded by a timeout.
 */
import { EventEmitter } from 'node:events';
import type { WsdiagEvent } from '../../src/events/index.js';
import { waitUntil } from './wait.js';

export type EventOf<T extends WsdiagEvent['type']> = Extract<WsdiagEvent, { type: T }>;

export class EventLog {
  readonly events: WsdiagEvent[] = [];
  readonly suppressed: WsdiagEvent[] = [];
  private readonly emitter = new EventEmitter();

  /** Pass as ProxyOptions.onEvent. */
  readonly push = (event: WsdiagEvent): void => {
    // A round trip through JSON: what a log would hold, and proof that every event serialises.
    this.events.push(JSON.parse(JSON.stringify(event)) as WsdiagEvent);
    this.emitter.emit('event');
  };

  of<T extends WsdiagEvent['type']>(type: T, conn?: string): EventOf<T>[] {
    return this.events.filter((e): e is EventOf<T> => e.type === type && (conn === undefined || ('conn' in e && e.conn === conn)));
  }

  /** The first event of `type` (already seen or still to come) that satisfies `match`. */
  waitFor<T extends WsdiagEvent['type']>(type: T, match: (e: EventOf<T>) => boolean = () => true, ms?: number): Promise<EventOf<T>> {
    return waitUntil(this.emitter, ['event'], () => this.of(type).find(match), `a ${type} event${describe(match)}`, ms);
  }

  /** The first event (already seen or still to come) that `match` accepts, whatever its type. */
  waitForMatch<T extends WsdiagEvent>(match: (e: WsdiagEvent) => e is T, what: string, ms?: number): Promise<T>;
  waitForMatch(match: (e: WsdiagEvent) => boolean, what: string, ms?: number): Promise<WsdiagEvent>;
  waitForMatch(match: (e: WsdiagEvent) => boolean, what: string, ms?: number): Promise<WsdiagEvent> {
    return waitUntil(this.emitter, ['event'], () => this.events.find(match), what, ms);
  }

  /** Resolves once `count` events of `type` matching `match` were seen. */
  waitForCount<T extends WsdiagEvent['type']>(
    type: T,
    count: number,
    match: (e: EventOf<T>) => boolean = () => true,
    ms?: number,
  ): Promise<EventOf<T>[]> {
    return waitUntil(
      this.emitter,
      ['event'],
      () => {
        const found = this.of(type).filter(match);
        return found.length >= count ? found : undefined;
      },
      `${count} ${type} events${describe(match)}`,
      ms,
    );
  }

  /** The close event of a connection. */
  closed(conn: string, ms?: number): Promise<EventOf<'close'>> {
    return this.waitFor('close', (e) => e.conn === conn, ms);
  }

  /** Violations as [rule, dir, blame] triples, for compact assertions. */
  violations(conn?: string): Array<[string, string, string]> {
    return this.of('violation', conn).map((v) => [v.rule, v.dir, v.blame]);
  }
}

function describe(match: (e: never) => boolean): string {
  const text = match.toString();
  return text === '() => true' ? '' : ` matching ${text}`;
}
