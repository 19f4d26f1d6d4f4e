/**
 * The page's model of what the feed delivered: every record in sequence order, grouped by connection, with
 * running totals. Pure (no DOM), so it can be tested in Node. Bounded: past MAX_RECORDS the oldest tenth is
 * trimmed (totals keep counting what was seen; the summary bar says how much was trimmed). While paused,
 * new records are held, not applied, so nothing on screen moves.
 */
import type { FeedRecord, FeedSource, HandshakeInfo } from './protocol.js';
import {
  connOf,
  isUsableEvent,
  type AnyEvent,
  type CloseEv,
  type HttpEv,
  type ListeningEv,
  type OpenEv,
  type PeerCloseEv,
} from './events.js';

export const MAX_RECORDS = 100_000;

export interface Rec {
  seq: number;
  /** Which log the event came from (view with several logs). */
  src: number | undefined;
  event: AnyEvent;
}

export interface ConnState {
  /** Unique in the page: the log's number and the connection id (logs of two runs both have c1). */
  key: string;
  conn: string;
  src: number | undefined;
  open?: OpenEv;
  handshake?: HandshakeInfo;
  peerCloses: PeerCloseEv[];
  close?: CloseEv;
  firstTs: string;
  lastTs: string;
  messages: number;
  frames: number;
  violations: number;
  errors: number;
  records: Rec[];
}

export interface Totals {
  events: number;
  messages: number;
  frames: number;
  violations: number;
  errors: number;
  http: number;
  byRule: Map<string, number>;
  byCode: Map<number, number>;
}

export interface Notices {
  /** Records the server had already dropped from its ring when this page connected. */
  evictedBeforeConnect: number;
  /** Records the server did not send to this page because it read too slowly. */
  droppedForPage: number;
  /** Records this page let go of to stay under MAX_RECORDS. */
  trimmed: number;
  /** Records that failed the page's checks. */
  malformed: number;
}

export function connKey(src: number | undefined, conn: string): string {
  return `${src ?? ''}/${conn}`;
}

export class Store {
  version = 0;
  mode: 'live' | 'view' = 'live';
  sources: FeedSource[] = [];
  capacity = 0;
  records: Rec[] = [];
  conns = new Map<string, ConnState>();
  /** Events of no connection: listening, summary, errors of the run. */
  global: Rec[] = [];
  http: Rec[] = [];
  listening: ListeningEv | undefined;
  totals: Totals = emptyTotals();
  notices: Notices = { evictedBeforeConnect: 0, droppedForPage: 0, trimmed: 0, malformed: 0 };
  paused = false;
  held: FeedRecord[] = [];
  /** The latest event time seen (a recorded log's "now"). */
  latestTs = '';
  /** Handshakes that arrived before their connection's first event. */
  #pendingHandshakes = new Map<string, HandshakeInfo>();
  readonly #max: number;

  constructor(max = MAX_RECORDS) {
    this.#max = max;
  }

  /** A (re)connected feed: start from its replay. */
  reset(hello: { mode: 'live' | 'view'; sources: FeedSource[]; capacity: number; evicted: number }): void {
    this.mode = hello.mode;
    this.sources = hello.sources;
    this.capacity = hello.capacity;
    this.records = [];
    this.conns = new Map();
    this.global = [];
    this.http = [];
    this.listening = undefined;
    this.totals = emptyTotals();
    this.notices = { evictedBeforeConnect: hello.evicted, droppedForPage: 0, trimmed: 0, malformed: 0 };
    this.held = [];
    this.latestTs = '';
    this.#pendingHandshakes.clear();
    this.version++;
  }

  receive(records: readonly FeedRecord[]): void {
    if (this.paused) {
      this.held.push(...records);
      if (this.held.length > this.#max) {
        const excess = this.held.length - this.#max;
        this.held.splice(0, excess);
        this.notices.trimmed += excess;
      }
      this.version++;
      return;
    }
    for (const record of records) this.#apply(record);
    if (this.records.length > this.#max) this.#trim();
    this.version++;
  }

  dropped(count: number): void {
    this.notices.droppedForPage += count;
    this.version++;
  }

  setPaused(paused: boolean): void {
    if (this.paused === paused) return;
    this.paused = paused;
    if (!paused) {
      const held = this.held;
      this.held = [];
      this.receive(held);
    }
    this.version++;
  }

  /** Connections in the order they appeared. */
  connections(): ConnState[] {
    return [...this.conns.values()];
  }

  findRecord(seq: number): Rec | undefined {
    // Records are in sequence order: binary search.
    let lo = 0;
    let hi = this.records.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const at = this.records[mid];
      if (at === undefined || at.seq === seq) return at;
      if (at.seq < seq) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }

  #apply(record: FeedRecord): void {
    if ('handshake' in record) {
      const info = record.handshake;
      if (typeof info !== 'object' || info === null || typeof info.conn !== 'string') return void this.notices.malformed++;
      const state = this.conns.get(connKey(undefined, info.conn));
      if (state) state.handshake = info;
      else {
        this.#pendingHandshakes.set(info.conn, info);
        // Bounded: an upgrade that never became a connection leaves its headers here.
        if (this.#pendingHandshakes.size > 1000) {
          const [oldest] = this.#pendingHandshakes.keys();
          if (oldest !== undefined) this.#pendingHandshakes.delete(oldest);
        }
      }
      return;
    }
    if (!isUsableEvent(record.event)) return void this.notices.malformed++;
    const rec: Rec = { seq: record.seq, src: typeof record.src === 'number' ? record.src : undefined, event: record.event };
    this.records.push(rec);
    this.totals.events++;
    if (rec.event.ts > this.latestTs) this.latestTs = rec.event.ts;
    const event = rec.event;
    this.#count(event);
    if (event.type === 'listening' && this.listening === undefined) this.listening = event as ListeningEv;
    if (event.type === 'http') {
      this.http.push(rec);
      return;
    }
    const conn = connOf(event);
    if (conn === null) {
      this.global.push(rec);
      return;
    }
    const state = this.#conn(rec.src, conn, event.ts);
    state.records.push(rec);
    state.lastTs = event.ts;
    switch (event.type) {
      case 'open':
        state.open = event as OpenEv;
        break;
      case 'message':
        state.messages++;
        break;
      case 'frame':
        state.frames++;
        break;
      case 'violation':
        state.violations++;
        break;
      case 'error':
        state.errors++;
        break;
      case 'peer-close':
        state.peerCloses.push(event as PeerCloseEv);
        break;
      case 'close':
        state.close = event as CloseEv;
        break;
    }
  }

  #count(event: AnyEvent): void {
    const t = this.totals;
    switch (event.type) {
      case 'message':
        t.messages++;
        break;
      case 'frame':
        t.frames++;
        break;
      case 'violation': {
        t.violations++;
        const rule = String(event['rule']);
        const code = Number(event['code']);
        t.byRule.set(rule, (t.byRule.get(rule) ?? 0) + 1);
        t.byCode.set(code, (t.byCode.get(code) ?? 0) + 1);
        break;
      }
      case 'error':
        t.errors++;
        break;
      case 'http':
        t.http++;
        break;
    }
  }

  #conn(src: number | undefined, conn: string, ts: string): ConnState {
    const key = connKey(src, conn);
    let state = this.conns.get(key);
    if (!state) {
      state = { key, conn, src, peerCloses: [], firstTs: ts, lastTs: ts, messages: 0, frames: 0, violations: 0, errors: 0, records: [] };
      const handshake = src === undefined ? this.#pendingHandshakes.get(conn) : undefined;
      if (handshake) {
        state.handshake = handshake;
        this.#pendingHandshakes.delete(conn);
      }
      this.conns.set(key, state);
    }
    return state;
  }

  #trim(): void {
    const drop = this.records.length - Math.floor(this.#max * 0.9);
    const oldestKept = this.records[drop];
    if (oldestKept === undefined) return;
    const cutoff = oldestKept.seq;
    this.records = this.records.slice(drop);
    this.notices.trimmed += drop;
    const keep = (rec: Rec) => rec.seq >= cutoff;
    this.global = this.global.filter(keep);
    this.http = this.http.filter(keep);
    for (const [key, state] of this.conns) {
      state.records = state.records.filter(keep);
      // A finished connection with nothing left to show goes; its counts stay in the totals.
      if (state.records.length === 0 && state.close) this.conns.delete(key);
    }
  }
}

function emptyTotals(): Totals {
  return { events: 0, messages: 0, frames: 0, violations: 0, errors: 0, http: 0, byRule: new Map(), byCode: new Map() };
}

/** A connection's state as the list shows it. */
export function connPhase(state: ConnState): 'handshake' | 'open' | 'closing' | 'closed' {
  if (state.close) return 'closed';
  if (!state.open) return 'handshake';
  return state.peerCloses.length > 0 ? 'closing' : 'open';
}

export type { HttpEv };
