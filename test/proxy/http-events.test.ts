/**
 * Plain HTTP through the proxy as `http` events, on real sockets: a page load and REST calls with the
 * exact body sizes and statuses each way, one id per keep-alive client connection, a 404, an unreachable
 * upstream (502 with its error first), a client that leaves before the answer, credentials in the query
 * redacted; and upgrades: one that becomes a WebSocket is `open` only, one refused is an `http` event.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { Agent, createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { WebSocketServer } from 'ws';
import type { HttpEvent } from '../../src/events/index.js';
import { parseEventLine } from '../../src/events/index.js';
import { startTestProxy, type TestProxy } from '../support/proxy.js';
import { connectRawClient } from '../support/raw-peers.js';
import { waitForEvent, withTimeout } from '../support/wait.js';
import { closedWith, openWsClient } from '../support/ws-servers.js';

const RUN = 'h77p';

interface Answer {
  status: number;
  body: Buffer;
  /** The client's local port, to find its event by `client`. */
  local: string;
}

/** One request on its own connection (or on `agent`'s), the whole answer read. */
function send(url: string, options: { method?: string; body?: Buffer | string; agent?: Agent } = {}): Promise<Answer> {
  return withTimeout(
    new Promise<Answer>((resolve, reject) => {
      const req = request(url, { method: options.method ?? 'GET', agent: options.agent ?? false }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (d: Buffer) => parts.push(d));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts), local: `127.0.0.1:${req.socket?.localPort}` }),
        );
      });
      req.on('error', reject);
      req.end(options.body);
    }),
    `${options.method ?? 'GET'} ${url}`,
  );
}

/** The page and the API the tests load through the proxy. */
const PAGE = Buffer.from(`<!doctype html><title>app</title>${'<p>hello</p>'.repeat(100)}\n`);
const CREATED = Buffer.from('{"id":42,"name":"wsdiag"}');

function app(req: IncomingMessage, res: ServerResponse): void {
  const parts: Buffer[] = [];
  req.on('data', (d: Buffer) => parts.push(d));
  req.on('end', () => {
    const url = req.url ?? '';
    if (url === '/base/index.html') {
      res.writeHead(200, { 'Content-Type': 'text/html', 'Content-Length': PAGE.length });
      res.end(PAGE);
    } else if (url === '/base/api/items' && req.method === 'POST') {
      res.writeHead(201, { 'Content-Type': 'application/json', 'Content-Length': CREATED.length });
      res.end(CREATED);
    } else if (url.startsWith('/base/api/items')) {
      // Chunked, in three writes: the count is of body bytes, not of chunk framing.
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('[');
      res.write('{"id":1},');
      res.end('{"id":2}]');
    } else if (url === '/base/slow') {
      slow.emit('request', res);
    } else {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found\n');
    }
  });
}
/** Emits 'request' with the response of each /slow request, which it leaves unanswered. */
const slow = new EventEmitter();

/** A port nothing listens on (bound, then released). */
async function deadPort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('http events: plain HTTP through the proxy', () => {
  let upstream: Server;
  let harness: TestProxy;
  let base: string;

  before(async () => {
    upstream = createServer(app);
    const wss = new WebSocketServer({ noServer: true });
    upstream.on('upgrade', (req, socket, head) => {
      if (req.url === '/base/socket') wss.handleUpgrade(req, socket, head, (ws) => ws.on('message', (d) => ws.send(d)));
      else
        socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Type: text/plain\r\nContent-Length: 13\r\nConnection: close\r\n\r\nno token here');
    });
    upstream.listen(0, '127.0.0.1');
    await waitForEvent(upstream, 'listening');
    harness = await startTestProxy(`http://127.0.0.1:${(upstream.address() as AddressInfo).port}/base`, { runId: RUN });
    base = harness.proxy.httpUrl;
  });
  after(async () => {
    await harness.proxy.close();
    upstream.closeAllConnections();
    await new Promise<void>((resolve) => upstream.close(() => resolve()));
  });

  const eventOf = (local: string, match: (e: HttpEvent) => boolean = () => true) =>
    harness.log.waitFor('http', (e) => e.client === local && match(e));

  it('a page load: method, path, status, exact sizes, its client, not an upgrade', async () => {
    const started = Date.now();
    const res = await send(`${base}/index.html`);
    const elapsed = Date.now() - started;
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, PAGE);
    const event = await eventOf(res.local);
    const { ts, duration_ms, conn, ...rest } = event;
    assert.deepEqual(rest, {
      v: 1,
      type: 'http',
      client: res.local,
      method: 'GET',
      path: '/index.html',
      status: 200,
      request_bytes: 0,
      response_bytes: PAGE.length,
      upgrade: false,
    });
    assert.match(conn ?? '', new RegExp(`^${RUN}-h\\d+$`));
    assert.ok(
      Number.isInteger(duration_ms) && duration_ms >= 0 && duration_ms <= elapsed + 1,
      `duration ${duration_ms} within ${elapsed} ms`,
    );
    assert.ok(!Number.isNaN(Date.parse(ts)));
    assert.deepEqual(parseEventLine(JSON.stringify(event)), { ok: true, event });
  });

  it('a REST call: a POST with a JSON body and a chunked GET, each counted in body bytes', async () => {
    const body = Buffer.from(JSON.stringify({ name: 'wsdiag', tags: ['proxy', 'websocket'], note: 'é'.repeat(10) }));
    const posted = await send(`${base}/api/items`, { method: 'POST', body });
    assert.equal(posted.status, 201);
    const post = await eventOf(posted.local);
    assert.deepEqual(
      [post.method, post.path, post.status, post.request_bytes, post.response_bytes],
      ['POST', '/api/items', 201, body.length, CREATED.length],
    );

    const listed = await send(`${base}/api/items?page=2`);
    assert.equal(listed.body.toString(), '[{"id":1},{"id":2}]');
    const get = await eventOf(listed.local);
    assert.deepEqual(
      [get.method, get.path, get.status, get.request_bytes, get.response_bytes, get.aborted],
      ['GET', '/api/items?page=2', 200, 0, listed.body.length, undefined],
    );
  });

  it('keep-alive: two requests on one connection are two events with one id; another connection gets another', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await send(`${base}/index.html`, { agent });
      const second = await send(`${base}/api/items`, { agent, method: 'POST', body: 'x' });
      assert.equal(first.local, second.local, 'the agent reused its connection');
      const events = await harness.log.waitForCount('http', 2, (e) => e.client === first.local);
      assert.deepEqual(
        events.map((e) => [e.method, e.status]),
        [
          ['GET', 200],
          ['POST', 201],
        ],
      );
      assert.equal(events[0]!.conn, events[1]!.conn);
      const other = await send(`${base}/index.html`);
      assert.notEqual((await eventOf(other.local)).conn, events[0]!.conn);
    } finally {
      agent.destroy();
    }
  });

  it('a 404 is an exchange like any other', async () => {
    const res = await send(`${base}/missing.png`);
    assert.equal(res.status, 404);
    const event = await eventOf(res.local);
    assert.deepEqual([event.status, event.response_bytes, event.upgrade], [404, 'not found\n'.length, false]);
  });

  it('credentials in the query are redacted; the upstream still gets them', async () => {
    const token = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ3c2RpYWcifQ.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg';
    const res = await send(`${base}/api/items?access_token=${token}&page=3&api_key=s3cr3tK3yV4lu3`);
    assert.equal(res.status, 200);
    const event = await eventOf(res.local);
    assert.equal(event.path, '/api/items?access_token=REDACTED&page=3&api_key=REDACTED');
    const everything = JSON.stringify(harness.log.events);
    assert.ok(!everything.includes(token) && !everything.includes('s3cr3tK3yV4lu3'), 'a credential leaked into an event');
  });

  it('a client that leaves before the answer: status 0, cut short', async () => {
    const arrived = waitForEvent(slow, 'request', 'the upstream to get the slow request');
    const req = request(`${base}/slow`, { agent: false });
    req.on('error', () => {});
    req.end();
    const [pending] = (await arrived) as [ServerResponse];
    const local = `127.0.0.1:${req.socket!.localPort}`;
    req.destroy();
    const event = await eventOf(local);
    assert.deepEqual([event.path, event.status, event.response_bytes, event.aborted], ['/slow', 0, 0, true]);
    pending.end();
  });

  it('an upgrade that becomes a WebSocket is told by open alone, under its own id', async () => {
    const ws = await openWsClient(`${harness.proxy.url}/socket`);
    const local = `127.0.0.1:${(ws as unknown as { _socket: { localPort: number } })._socket.localPort}`;
    const open = await harness.log.waitFor('open', (e) => e.client === local);
    assert.match(open.conn, new RegExp(`^${RUN}-c\\d+$`));
    ws.close();
    await closedWith(ws);
    await harness.log.closed(open.conn);
    assert.deepEqual(harness.log.of('http', open.conn), []);
    assert.ok(!harness.log.of('http').some((e) => e.client === local));
  });

  it('an upgrade answered 401: an error with the status, then an http event marked upgrade, under the same id', async () => {
    const client = await connectRawClient(harness.proxy.port, { path: '/private?token=abc' });
    const local = `127.0.0.1:${client.socket.localPort}`;
    assert.equal(client.statusCode, 401);
    await client.collector.waitForEnd();
    const event = await eventOf(local);
    const error = await harness.log.waitFor('error', (e) => e.status === 401 && e.conn === event.conn);
    assert.ok(harness.log.events.indexOf(error) < harness.log.events.indexOf(event), 'the error comes first');
    assert.match(event.conn ?? '', new RegExp(`^${RUN}-c\\d+$`));
    assert.deepEqual(
      [event.method, event.path, event.status, event.request_bytes, event.response_bytes, event.upgrade],
      ['GET', '/private?token=REDACTED', 401, 0, 'no token here'.length, true],
    );
  });
});

describe('http events: unreachable upstream', () => {
  let harness: TestProxy;
  before(async () => {
    harness = await startTestProxy(`http://127.0.0.1:${await deadPort()}`, { runId: RUN });
  });
  after(() => harness.proxy.close());

  it('plain HTTP: the error event, then an http event with the 502 the client got and its body size', async () => {
    const res = await send(`${harness.proxy.httpUrl}/api/items`, { method: 'POST', body: 'abc' });
    assert.equal(res.status, 502);
    const event = await harness.log.waitFor('http', (e) => e.client === res.local);
    assert.deepEqual([event.status, event.request_bytes, event.response_bytes, event.upgrade], [502, 3, res.body.length, false]);
    const error = harness.log.of('error').find((e) => e.message.startsWith('POST /api/items: cannot reach upstream'));
    assert.ok(error, 'an error event says why');
    assert.ok(harness.log.events.indexOf(error) < harness.log.events.indexOf(event), 'the error comes first');
  });

  it('an upgrade: a 502 of ours, marked upgrade, with the id of its error', async () => {
    const client = await connectRawClient(harness.proxy.port, { path: '/socket' });
    const local = `127.0.0.1:${client.socket.localPort}`;
    assert.equal(client.statusCode, 502);
    await client.collector.waitForEnd();
    const event = await harness.log.waitFor('http', (e) => e.client === local);
    assert.deepEqual([event.status, event.response_bytes, event.upgrade], [502, client.body().length, true]);
    assert.ok(harness.log.of('error').some((e) => e.conn === event.conn && /ECONNREFUSED/.test(e.message)));
  });
});
