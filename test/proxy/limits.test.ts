/**
 * The proxy's own limits, with real sockets: --max-connections answers 503 (Retry-After, a one-line body)
 * beyond N connections, to upgrades and to plain HTTP requests alike; --header-timeout answers 408 and
 * closes clients whose request headers never complete (slowloris), by the deadline rather than node's
 * 30-second check. Both are counted for the summary and logged without flooding. Plus the pure parts:
 * the default sized from the open-file limit, node's timeout settings, the rate-limited log.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { after, afterEach, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import type { RefusalKind, WsdiagEvent } from '../../src/events/index.js';
import {
  DEFAULT_HEADER_TIMEOUT_MS,
  FALLBACK_MAX_CONNECTIONS,
  REFUSAL_HEADROOM,
  RefusalLog,
  defaultMaxConnections,
  parseOpenFileLimit,
  serverTimeouts,
} from '../../src/proxy/limits.js';
import type { ProxyAddon } from '../../src/proxy/index.js';
import { parseEventLine } from '../../src/events/index.js';
import { formatEvent } from '../../src/reporters/format/index.js';
import { createPalette } from '../../src/reporters/color.js';
import { SummaryCollector } from '../../src/reporters/summary.js';
import { ByteCollector } from '../support/byte-collector.js';
import { startTestProxy, type TestProxy } from '../support/proxy.js';
import { withTimeout } from '../support/wait.js';
import { closedWith, openWsClient, startWsServer, type WsServer } from '../support/ws-servers.js';

/** A clock that never moves: every refusal falls in the same rate-limit interval, whatever the machine's load. */
const FROZEN = new Date('2026-11-24T05:25:10.000Z');
const frozenClock = () => FROZEN;

type UpgradeResult = { opened: WebSocket } | { status: number; retryAfter: string | undefined; body: string };

/** An upgrade that may be refused: resolves with the open client, or with the refusal's status and body. */
function tryUpgrade(url: string): Promise<UpgradeResult> {
  return withTimeout(
    new Promise<UpgradeResult>((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.on('open', () => resolve({ opened: ws }));
      ws.on('unexpected-response', (_req, res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'], body }));
      });
      ws.on('error', (err) => reject(err));
    }),
    `the upgrade at ${url} to open or be refused`,
    10_000,
  );
}

function httpGet(port: number): Promise<{ status: number; retryAfter: string | undefined; body: string }> {
  return withTimeout(
    new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/page', agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'], body }));
      });
      req.on('error', reject);
      req.end();
    }),
    'a plain HTTP answer',
    10_000,
  );
}

/** Counts refusals as a run summary would: through the addons' `refused` hook. */
function refusedCounter(): { counts: Record<RefusalKind, number>; addon: ProxyAddon } {
  const counts: Record<RefusalKind, number> = { max_connections: 0, header_timeout: 0 };
  return { counts, addon: { name: 'refusal counter', refused: (kind) => counts[kind]++ } };
}

describe('--max-connections', () => {
  let server: WsServer;
  let harness: TestProxy | undefined;
  const clients: WebSocket[] = [];
  before(async () => {
    server = await startWsServer();
  });
  afterEach(async () => {
    for (const ws of clients.splice(0)) ws.terminate();
    await harness?.proxy.close();
    harness = undefined;
  });
  after(() => server.close());

  it('N+k concurrent upgrades: N are relayed, exactly k get 503 with Retry-After and one line; one error event says so', async () => {
    const n = 4;
    const k = 3;
    const refused = refusedCounter();
    harness = await startTestProxy(server.url, { maxConnections: n, addons: [refused.addon], clock: frozenClock });
    const results = await Promise.all(Array.from({ length: n + k }, () => tryUpgrade(harness!.proxy.url)));
    const opened = results.flatMap((r) => ('opened' in r ? [r.opened] : []));
    clients.push(...opened);
    const refusals = results.flatMap((r) => ('status' in r ? [r] : []));
    assert.equal(opened.length, n);
    assert.equal(refusals.length, k);
    for (const r of refusals) {
      assert.equal(r.status, 503);
      assert.equal(r.retryAfter, '5');
      assert.equal(r.body, 'wsdiag: too many connections (--max-connections 4); try again in a few seconds.\n');
    }
    assert.deepEqual(refused.counts, { max_connections: k, header_timeout: 0 });
    const errors = harness.log.of('error');
    assert.equal(errors.length, 1, 'one error event, not one per refusal');
    assert.match(
      errors[0]!.message,
      /^Client 127\.0\.0\.1:\d+ was answered 503 Service Unavailable: 4 connections are open, the most --max-connections allows\. Refusals are counted in the summary; this message repeats at most every 10 s\.$/,
    );
    assert.equal(harness.log.of('open').length, n);

    // The connections served still work, and a closed one frees its place.
    const closing = closedWith(opened[0]!);
    const conn = harness.log.of('open')[0]!.conn;
    opened[0]!.close(1000);
    await closing;
    await harness.log.closed(conn);
    const again = await tryUpgrade(harness.proxy.url);
    assert.ok('opened' in again, 'a place was free again');
    clients.push(again.opened);
  });

  it('plain HTTP requests beyond the limit get the same 503; below it they reach the upstream', async () => {
    const refused = refusedCounter();
    harness = await startTestProxy(server.url, { maxConnections: 1, addons: [refused.addon] });
    // The upstream (a ws server) answers plain HTTP with 426: proof the request went through.
    assert.equal((await httpGet(harness.proxy.port)).status, 426);
    clients.push(await openWsClient(harness.proxy.url));
    const busy = await httpGet(harness.proxy.port);
    assert.equal(busy.status, 503);
    assert.equal(busy.retryAfter, '5');
    assert.match(busy.body, /^wsdiag: too many connections \(--max-connections 1\); try again in a few seconds\.\n$/);
    assert.deepEqual(refused.counts, { max_connections: 1, header_timeout: 0 });
  });

  it('sockets beyond the limit and its headroom are dropped unanswered, and counted', async () => {
    const refused = refusedCounter();
    harness = await startTestProxy(server.url, { maxConnections: 1, addons: [refused.addon], clock: frozenClock });
    clients.push(await openWsClient(harness.proxy.url));
    // Silent sockets fill the headroom (they never send a request, so they do not count against the limit).
    const silent: Socket[] = [];
    try {
      for (let i = 0; i < REFUSAL_HEADROOM; i++) {
        const socket = connect({ host: '127.0.0.1', port: harness.proxy.port });
        socket.on('error', () => {});
        silent.push(socket);
        await new Promise((resolve) => socket.once('connect', resolve));
      }
      const last = connect({ host: '127.0.0.1', port: harness.proxy.port });
      last.on('error', () => {});
      const collector = new ByteCollector(last);
      await collector.waitForClose();
      assert.equal(collector.length, 0, 'dropped without an answer');
      assert.deepEqual(refused.counts, { max_connections: 1, header_timeout: 0 });
      assert.match(
        harness.log.of('error')[0]!.message,
        /^Client 127\.0\.0\.1:\d+ was dropped unanswered: --max-connections 1 are served and 64 more clients are being refused/,
      );
    } finally {
      for (const socket of silent) socket.destroy();
    }
  });
});

describe('--header-timeout', () => {
  let server: WsServer;
  let harness: TestProxy | undefined;
  before(async () => {
    server = await startWsServer();
  });
  afterEach(async () => {
    await harness?.proxy.close();
    harness = undefined;
  });
  after(() => server.close());

  /**
   * A slowloris client: an upgrade request head that never ends, one byte every 100 ms. Resolves when
   * wsdiag closes it, with what it received and how long it was connected.
   */
  function slowClient(port: number): Promise<{ received: string; connectedMs: number }> {
    const head = `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nX-Pad: `;
    const socket = connect({ host: '127.0.0.1', port });
    socket.on('error', () => {});
    const collector = new ByteCollector(socket);
    let sent = 0;
    let connectedAt = 0;
    let timer: NodeJS.Timeout | undefined;
    socket.once('connect', () => {
      connectedAt = performance.now();
      timer = setInterval(() => socket.write(sent < head.length ? head[sent++]! : 'a'), 100);
    });
    return collector
      .waitForClose(20_000)
      .then(() => ({ received: collector.bytes.toString('latin1'), connectedMs: performance.now() - connectedAt }))
      .finally(() => {
        // Also when the wait failed: a client left writing would keep the test process alive.
        clearInterval(timer);
        socket.destroy();
      });
  }

  it("slow header clients are answered 408 and closed by the deadline, not node's 30-second check; one error event", async () => {
    const refused = refusedCounter();
    const timeout = 500;
    harness = await startTestProxy(server.url, { headerTimeoutMs: timeout, addons: [refused.addon], clock: frozenClock });
    const m = 20;
    const results = await Promise.all(Array.from({ length: m }, () => slowClient(harness!.proxy.port)));
    for (const { received, connectedMs } of results) {
      assert.match(received, /^HTTP\/1\.1 408 Request Timeout\r\n/);
      assert.match(received, /\r\n\r\nwsdiag: the request headers did not arrive within 500 ms\.\n$/);
      // Not before the deadline (a little slack for timer granularity)...
      assert.ok(connectedMs >= timeout - 50, `closed after ${connectedMs} ms, before the ${timeout} ms deadline`);
      // ...and long before node's own check would have run (30 s): a generous bound for a loaded machine.
      assert.ok(connectedMs < 10_000, `closed only after ${connectedMs} ms`);
    }
    assert.deepEqual(refused.counts, { max_connections: 0, header_timeout: m });
    const errors = harness.log.of('error');
    assert.equal(errors.length, 1, 'one error event, not one per client');
    assert.match(
      errors[0]!.message,
      /had not sent complete request headers after --header-timeout 500 ms; it was answered 408 Request Timeout and closed\./,
    );
    assert.deepEqual(harness.log.of('open'), []);
  });

  it('a client that sends its headers in time is not affected', async () => {
    harness = await startTestProxy(server.url, { headerTimeoutMs: 500 });
    const ws = await openWsClient(harness.proxy.url);
    ws.close();
    await closedWith(ws);
  });
});

describe('limit defaults and settings', () => {
  it('reads the soft open-file limit from /proc/self/limits text', () => {
    const text =
      'Limit                     Soft Limit           Hard Limit           Units     \n' +
      'Max processes             127431               127431               processes \n' +
      'Max open files            1024                 524288               files     \n';
    assert.equal(parseOpenFileLimit(text), 1024);
    assert.equal(parseOpenFileLimit(text.replace('1024  ', 'unlimited')), null);
    assert.equal(parseOpenFileLimit('nothing here'), null);
  });

  it('sizes --max-connections at two descriptors per connection after the reserve, per listener', () => {
    assert.equal(defaultMaxConnections(1, 1024), 448);
    assert.equal(defaultMaxConnections(2, 1024), 224);
    assert.equal(defaultMaxConnections(1, null), FALLBACK_MAX_CONNECTIONS);
    assert.equal(defaultMaxConnections(2, null), FALLBACK_MAX_CONNECTIONS / 2);
    assert.equal(defaultMaxConnections(1, 100), 1, 'never below one');
  });

  it('makes node check header deadlines at a tenth of the timeout, at most once a second', () => {
    assert.deepEqual(serverTimeouts(DEFAULT_HEADER_TIMEOUT_MS), {
      headersTimeout: 10_000,
      requestTimeout: 0,
      connectionsCheckingInterval: 1000,
    });
    assert.deepEqual(serverTimeouts(300), { headersTimeout: 300, requestTimeout: 0, connectionsCheckingInterval: 30 });
    assert.deepEqual(serverTimeouts(60_000), { headersTimeout: 60_000, requestTimeout: 0, connectionsCheckingInterval: 1000 });
    assert.deepEqual(serverTimeouts(0), { headersTimeout: 0, requestTimeout: 0 });
  });

  it('logs the first refusal at once, then at most one line per interval counting the rest', () => {
    const events: WsdiagEvent[] = [];
    let now = 0;
    const kinds: RefusalKind[] = [];
    const log = new RefusalLog(
      (e) => events.push(e),
      () => new Date(now),
      (kind) => kinds.push(kind),
      10_000,
    );
    const first = () => 'first';
    const more = (count: number, sinceMs: number) => `${count} more in ${sinceMs} ms`;
    log.refused('max_connections', first, more);
    now = 4000;
    log.refused('max_connections', first, more);
    log.refused('header_timeout', first, more);
    now = 9999;
    log.refused('max_connections', first, more);
    now = 12_000;
    log.refused('max_connections', first, more);
    now = 40_000;
    log.refused('max_connections', first, more);
    assert.deepEqual(
      events.map((e) => e.type === 'error' && e.message),
      ['first', 'first', '3 more in 12000 ms', 'first'],
    );
    assert.deepEqual(log.counts, { max_connections: 5, header_timeout: 1 });
    assert.equal(kinds.length, 6);
  });
});

describe('refusals in the summary', () => {
  it('the summary carries `refused` only when a client was refused; the pretty summary and log reader agree', () => {
    const summary = new SummaryCollector();
    assert.equal('refused' in summary.summary(frozenClock), false);
    summary.countRefused('max_connections');
    summary.countRefused('max_connections');
    summary.countRefused('header_timeout');
    const event = summary.summary(frozenClock);
    assert.deepEqual(event.refused, { max_connections: 2, header_timeout: 1 });
    const text = formatEvent(event, { palette: createPalette(false) });
    assert.match(
      text,
      /summary {2}0 connections {2}no violations\n\s+refused 3 clients: 2 at --max-connections \(503\), 1 at --header-timeout \(408\)\n$/,
    );
    const line = JSON.stringify(event);
    assert.deepEqual(parseEventLine(line), { ok: true, event });
    assert.equal(parseEventLine(line.replace('"header_timeout":1', '"header_timeout":"1"')).ok, false);
  });
});
