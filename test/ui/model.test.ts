/**
 * The page's model, tested in Node on the compiled front-end modules (they touch no DOM): the store groups
 * the feed by connection and holds records while paused; rows put each violation at what it concerns; the
 * filters select exactly what they say; the exports give back the events (JSON Lines) and a HAR whose
 * WebSocket entries carry exactly the logged text and binary messages.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { FIXTURE_LOG, webModule } from './support.js';

interface Rec {
  seq: number;
  src: number | undefined;
  event: Record<string, unknown> & { type: string; ts: string };
}
interface ConnState {
  key: string;
  conn: string;
  records: Rec[];
  messages: number;
  violations: number;
  peerCloses: unknown[];
  handshake?: unknown;
  close?: unknown;
}
interface StoreLike {
  version: number;
  records: Rec[];
  conns: Map<string, ConnState>;
  http: Rec[];
  held: unknown[];
  listening: unknown;
  totals: { messages: number; violations: number; byRule: Map<string, number>; byCode: Map<number, number> };
  notices: { trimmed: number; malformed: number };
  reset(hello: unknown): void;
  receive(records: unknown[]): void;
  setPaused(paused: boolean): void;
  connections(): ConnState[];
}
interface Row {
  rec: Rec;
  kind: string;
  dir: string | null;
  type: string;
  rule: string | null;
  code: number | null;
  fault: boolean;
  summary: string;
}
interface Filters {
  type: string;
  dir: string;
  rule: string;
  code: string;
  text: string;
}
interface HarMessage {
  type: string;
  time: number;
  opcode: number;
  data: string;
}
interface HarEntry {
  startedDateTime: string;
  time: number;
  request: {
    method: string;
    url: string;
    httpVersion: string;
    headers: Array<{ name: string; value: string }>;
    queryString: unknown[];
    cookies: unknown[];
    headersSize: number;
    bodySize: number;
  };
  response: {
    status: number;
    statusText: string;
    httpVersion: string;
    headers: Array<{ name: string; value: string }>;
    cookies: unknown[];
    content: { size: number; mimeType: string };
    redirectURL: string;
    headersSize: number;
    bodySize: number;
  };
  cache: object;
  timings: Record<string, number>;
  _resourceType?: string;
  _webSocketMessages?: HarMessage[];
  _webSocketClose?: { code: number | null; reason: string } | 'aborted';
  _wsdiag?: { conn: string; violations: Array<{ rule: string }> };
}

const { Store } = await webModule<{ Store: new (max?: number) => StoreLike }>('store');
const rowsModule = await webModule<{
  rowsFor(records: Rec[], view: 'messages' | 'frames'): Row[];
  applyFilters(rows: Row[], filters: Filters): Row[];
  NO_FILTERS: Filters;
}>('rows');
const exportModule = await webModule<{
  toJsonLines(records: Rec[]): string;
  toHar(input: { connections: ConnState[]; http: Rec[]; listening: unknown; version: string }): {
    log: { version: string; creator: { name: string }; entries: HarEntry[] };
  };
}>('export');

const fixtureLines = readFileSync(FIXTURE_LOG, 'utf8')
  .split('\n')
  .filter((l) => l !== '');
const fixtureEvents = fixtureLines.map((l) => JSON.parse(l) as Record<string, unknown>);

function loadedStore(events = fixtureEvents, max?: number): StoreLike {
  const store = new Store(max);
  store.reset({ mode: 'view', sources: [{ id: 0, label: 'log' }], capacity: 100, evicted: 0 });
  store.receive(events.map((event, i) => ({ seq: i + 1, src: 0, event })));
  return store;
}

const ev = (type: string, fields: Record<string, unknown>) => ({ v: 1, type, ts: '2026-11-24T10:00:00.000Z', ...fields });

describe('dashboard store', () => {
  it('groups events by connection, counts them, and keeps conn-less events apart', () => {
    const store = loadedStore();
    assert.deepEqual(
      store.connections().map((c) => c.conn),
      ['c1', 'c2'],
    );
    const c1 = store.conns.get('0/c1')!;
    assert.equal(c1.messages, fixtureEvents.filter((e) => e['conn'] === 'c1' && e['type'] === 'message').length);
    assert.equal(c1.violations, 1);
    assert.equal(c1.peerCloses.length, 1);
    assert.ok(c1.close);
    assert.equal(store.http.length, 1);
    assert.equal(store.totals.byRule.get('invalid-utf8-text'), 1);
    assert.equal(store.totals.byCode.get(1007), 1);
    assert.ok(store.listening);
  });

  it('holds records while paused and applies them, in order, on resume', () => {
    const store = loadedStore(fixtureEvents.slice(0, 3));
    store.setPaused(true);
    store.receive(fixtureEvents.slice(3).map((event, i) => ({ seq: i + 4, src: 0, event })));
    assert.equal(store.records.length, 3, 'nothing applied while paused');
    assert.equal(store.held.length, fixtureEvents.length - 3);
    store.setPaused(false);
    assert.equal(store.held.length, 0);
    assert.deepEqual(
      store.records.map((r) => r.seq),
      fixtureEvents.map((_, i) => i + 1),
    );
  });

  it('keeps at most its limit, trimming the oldest and saying how many, while totals keep counting', () => {
    const many = Array.from({ length: 50 }, (_, i) =>
      ev('violation', { conn: 'c1', dir: 'client->server', code: 1002, rule: 'reserved-opcode', message: `#${i}`, frame: null }),
    );
    const store = loadedStore(many, 20);
    assert.ok(store.records.length <= 20, `kept ${store.records.length}`);
    assert.equal(store.notices.trimmed + store.records.length, 50);
    assert.equal(store.totals.violations, 50);
    assert.equal(store.records.at(-1)!.event['message'], '#49');
  });

  it('counts and leaves out records that are not usable events', () => {
    const store = new Store();
    store.reset({ mode: 'live', sources: [], capacity: 10, evicted: 0 });
    store.receive([
      { seq: 1, event: { type: 'violation', ts: 'x', conn: 'c1' } },
      { seq: 2, event: 'nonsense' },
      { seq: 3, event: ev('open', { conn: 'c1', path: '/' }) },
    ]);
    assert.equal(store.notices.malformed, 2);
    assert.equal(store.records.length, 1);
  });

  it('attaches the handshake headers that arrive before the open event', () => {
    const store = new Store();
    store.reset({ mode: 'live', sources: [], capacity: 10, evicted: 0 });
    const handshake = { conn: 'c1', ts: '2026-11-24T10:00:00.000Z', path: '/x', status: 101, request: [['host', 'h']], response: [] };
    store.receive([
      { seq: 1, handshake },
      { seq: 2, event: ev('open', { conn: 'c1', path: '/x', client: 'a', subprotocol: null, extensions: null }) },
    ]);
    assert.deepEqual(store.conns.get('/c1')!.handshake, handshake);
  });
});

describe('dashboard rows and filters', () => {
  const c1 = () => loadedStore().conns.get('0/c1')!;

  it('puts a violation right after the message that holds its frame, and marks both', () => {
    const rows = rowsModule.rowsFor(c1().records, 'messages');
    const at = rows.findIndex((r) => r.kind === 'violation');
    assert.ok(at > 0);
    const before = rows[at - 1]!;
    assert.equal(before.kind, 'message');
    assert.equal(before.rec.event['first_frame'], 2);
    assert.equal(before.dir, 'client->server');
    assert.ok(before.fault && rows[at]!.fault);
    assert.equal(rows.filter((r) => r.fault).length, 2);
  });

  it('in the frames view puts a violation after its frame', () => {
    const events = [
      ev('frame', {
        conn: 'c1',
        dir: 'client->server',
        index: 0,
        offset: 0,
        fin: true,
        rsv1: false,
        rsv2: false,
        rsv3: false,
        opcode: 1,
        masked: true,
        length: 2,
      }),
      ev('frame', {
        conn: 'c1',
        dir: 'client->server',
        index: 1,
        offset: 8,
        fin: true,
        rsv1: false,
        rsv2: false,
        rsv3: false,
        opcode: 3,
        masked: true,
        length: 0,
      }),
      ev('frame', {
        conn: 'c1',
        dir: 'server->client',
        index: 0,
        offset: 0,
        fin: true,
        rsv1: false,
        rsv2: false,
        rsv3: false,
        opcode: 1,
        masked: false,
        length: 2,
      }),
      ev('violation', {
        conn: 'c1',
        dir: 'client->server',
        code: 1002,
        rule: 'reserved-opcode',
        message: 'm',
        frame: { index: 1, offset: 8, opcode: 3, length: 0 },
      }),
    ];
    const store = loadedStore(events);
    const rows = rowsModule.rowsFor(store.conns.get('0/c1')!.records, 'frames');
    assert.deepEqual(
      rows.map((r) => `${r.kind}:${r.type}`),
      ['frame:text', 'frame:reserved 0x3', 'violation:reserved-opcode', 'frame:text'],
    );
    assert.ok(rows[1]!.fault);
  });

  it('filters by type, direction, rule, code and text, and each selects exactly its rows', () => {
    const rows = rowsModule.rowsFor(c1().records, 'messages');
    const only = (patch: Partial<Filters>) => rowsModule.applyFilters(rows, { ...rowsModule.NO_FILTERS, ...patch });
    assert.equal(only({}).length, rows.length);
    assert.deepEqual(
      only({ dir: 'server->client' }).map((r) => r.dir),
      rows.filter((r) => r.dir === 'server->client').map(() => 'server->client'),
    );
    assert.ok(only({ dir: 'server->client' }).length < rows.length);
    assert.deepEqual(
      only({ type: 'violation' }).map((r) => r.kind),
      ['violation'],
    );
    assert.deepEqual(
      only({ type: 'binary' }).map((r) => r.type),
      ['binary'],
    );
    assert.deepEqual(
      only({ rule: 'invalid-utf8-text' })
        .map((r) => r.kind)
        .sort(),
      ['peer-close', 'violation'],
    );
    assert.ok(only({ code: '1007' }).every((r) => r.code === 1007));
    assert.deepEqual(
      only({ text: 'CONNECTION_ACK' }).map((r) => r.rec.event['data']),
      ['{"type":"connection_ack"}'],
    );
    assert.equal(only({ text: 'no such thing anywhere' }).length, 0);
  });
});

describe('dashboard exports', () => {
  it('JSON Lines gives back the events as they were logged', () => {
    const store = loadedStore();
    assert.equal(exportModule.toJsonLines(store.records), fixtureLines.map((l) => `${JSON.stringify(JSON.parse(l))}\n`).join(''));
  });

  it('HAR: a valid 1.2 log, a websocket entry per connection whose messages are exactly the text and binary ones', () => {
    const store = loadedStore();
    const har = exportModule.toHar({ connections: store.connections(), http: store.http, listening: store.listening, version: '9.9.9' });
    assert.equal(har.log.version, '1.2');
    assert.equal(har.log.creator.name, 'wsdiag');
    const ws = har.log.entries.filter((e) => e._resourceType === 'websocket');
    assert.equal(ws.length, 2);
    for (const entry of har.log.entries) {
      assert.match(entry.startedDateTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.ok(entry.time >= 0);
      assert.ok(entry.request.url.startsWith('ws://') || entry.request.url.startsWith('http://'));
      assert.deepEqual(Object.keys(entry.timings).sort(), ['blocked', 'connect', 'dns', 'receive', 'send', 'ssl', 'wait']);
      for (const field of ['headers', 'queryString', 'cookies'] as const) assert.ok(Array.isArray(entry.request[field]));
      assert.equal(typeof entry.response.content.mimeType, 'string');
    }
    const c1 = ws.find((e) => e._wsdiag!.conn === 'c1')!;
    assert.equal(c1.request.url, 'ws://127.0.0.1:8080/graphql');
    assert.equal(c1.response.status, 101);
    assert.ok(c1.response.headers.some((h) => h.name === 'Sec-WebSocket-Protocol' && h.value === 'graphql-transport-ws'));
    const expected = fixtureEvents
      .filter((e) => e['type'] === 'message' && e['conn'] === 'c1' && (e['kind'] === 'text' || e['kind'] === 'binary'))
      .map((e) => ({
        type: e['dir'] === 'client->server' ? 'send' : 'receive',
        time: Date.parse(e['ts'] as string) / 1000,
        opcode: e['kind'] === 'text' ? 1 : 2,
        data: e['data'],
      }));
    assert.deepEqual(c1._webSocketMessages, expected);
    assert.deepEqual(c1._webSocketClose, { code: 1007, reason: 'invalid UTF-8', timestamp: Date.parse('2026-11-24T10:00:07.100Z') / 1000 });
    assert.deepEqual(
      c1._wsdiag!.violations.map((v) => v.rule),
      ['invalid-utf8-text'],
    );
    const http = har.log.entries.find((e) => e._resourceType === undefined)!;
    assert.equal(http.request.url, 'http://127.0.0.1:8080/app.js');
    assert.equal(http.response.status, 200);
    assert.equal(http.response.bodySize, 5120);
  });
});
