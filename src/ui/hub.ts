/**
 * The dashboard's side of the event stream: a Reporter like the pretty log and the JSON Lines file, so the
 * proxy command only adds it to its MultiReporter. Each event is serialised once into a feed record, kept
 * in a bounded ring (pages opened late replay it) and queued to every connected page (./feed-client.ts).
 * `write` never waits and never throws: the relay's pace is never the pages' pace.
 */
import type { WebSocket } from 'ws';
import type { WsdiagEvent } from '../events/index.js';
import type { ProxyAddon, TappedHandshake } from '../proxy/index.js';
import { REDACT_SECRETS, type Redactor } from '../redact.js';
import type { Reporter } from '../reporters/index.js';
import { DEFAULT_FEED_CLIENT_OPTIONS, FeedClient, type FeedClientOptions } from './feed-client.js';
import { handshakeInfo } from './handshake.js';
import { Ring, type RingEntry } from './ring.js';
import type { FeedMessage, FeedSource } from './web/protocol.js';

/** Records kept for pages opened late, unless --ui-buffer says otherwise. */
export const DEFAULT_UI_BUFFER = 10_000;

export interface UiHubOptions {
  mode: 'live' | 'view';
  /** Ring size (records). */
  capacity?: number;
  /** The logs `view` reads, in command-line order (their index is each record's `src`). */
  sources?: FeedSource[];
  version: string;
  /** How handshake headers are shown (the proxy's --show-secrets). */
  redact?: Redactor;
  clientOptions?: FeedClientOptions;
  clock?: () => Date;
}

/** What the feed carries: events of the one schema (a live run's, or a log's as `parseEventLine` read them). */
export type FeedEvent = WsdiagEvent;

export class UiHub implements Reporter {
  readonly mode: 'live' | 'view';
  readonly #ring: Ring;
  readonly #clients = new Set<FeedClient>();
  readonly #sources: FeedSource[];
  readonly #version: string;
  readonly #redact: Redactor;
  readonly #clientOptions: FeedClientOptions;
  readonly #clock: () => Date;
  #seq = 0;
  #closed = false;

  constructor(options: UiHubOptions) {
    this.mode = options.mode;
    this.#ring = new Ring(options.capacity ?? DEFAULT_UI_BUFFER);
    this.#sources = options.sources ?? [];
    this.#version = options.version;
    this.#redact = options.redact ?? REDACT_SECRETS;
    this.#clientOptions = options.clientOptions ?? DEFAULT_FEED_CLIENT_OPTIONS;
    this.#clock = options.clock ?? (() => new Date());
  }

  get capacity(): number {
    return this.#ring.capacity;
  }

  /** Records dropped from the ring so far. */
  get evicted(): number {
    return this.#ring.evicted;
  }

  get pages(): number {
    return this.#clients.size;
  }

  /** Records not sent to the connected pages because they read too slowly, summed over them. */
  get droppedForPages(): number {
    let total = 0;
    for (const client of this.#clients) total += client.dropped;
    return total;
  }

  /** Reporter: one event of the run. */
  write(event: WsdiagEvent): void {
    this.publish(event);
  }

  /** One event, optionally from log number `src` (view). */
  publish(event: FeedEvent, src?: number): void {
    if (this.#closed) return;
    const seq = ++this.#seq;
    const json =
      src === undefined
        ? `{"seq":${seq},"event":${JSON.stringify(event)}}`
        : `{"seq":${seq},"src":${src},"event":${JSON.stringify(event)}}`;
    this.#add({ seq, json });
  }

  /**
   * The dashboard's addon for the proxy it shows: each answered upgrade's headers. (Not the hub itself:
   * the proxy would close it on stopping, before the run's summary reached the pages.)
   */
  proxyAddon(): ProxyAddon {
    return { name: 'dashboard', handshake: (conn, tapped) => this.handshake(conn, tapped) };
  }

  /** The headers of an upgrade the proxy answered (via proxyAddon), shown redacted. */
  handshake(conn: string, tapped: TappedHandshake): void {
    if (this.#closed) return;
    const seq = ++this.#seq;
    const info = handshakeInfo(conn, this.#clock().toISOString(), tapped, this.#redact);
    this.#add({ seq, json: `{"seq":${seq},"handshake":${JSON.stringify(info)}}` });
  }

  /** The record with this sequence number, parsed, while the ring still holds it. */
  record(seq: number): { event?: Record<string, unknown>; src?: number } | undefined {
    const entry = this.#ring.find(seq);
    return entry ? (JSON.parse(entry.json) as { event?: Record<string, unknown>; src?: number }) : undefined;
  }

  /** A page's feed connected: it gets hello, the ring, then every new record. */
  attach(ws: WebSocket): FeedClient {
    const client = new FeedClient(ws, this.#clientOptions);
    if (this.#closed) {
      client.close();
      return client;
    }
    this.#clients.add(client);
    ws.on('close', () => this.#clients.delete(client));
    const hello: FeedMessage = {
      kind: 'hello',
      mode: this.mode,
      version: this.#version,
      capacity: this.#ring.capacity,
      evicted: this.#ring.evicted,
      sources: this.#sources,
    };
    void client.start(JSON.stringify(hello), this.#ring.snapshot());
    return client;
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  /** Says goodbye to every page (1001); later events are ignored. */
  close(): Promise<void> {
    this.#closed = true;
    for (const client of this.#clients) client.close();
    this.#clients.clear();
    return Promise.resolve();
  }

  #add(entry: RingEntry): void {
    this.#ring.push(entry);
    for (const client of this.#clients) client.push(entry.seq, entry.json);
  }
}
