/**
 * One port for both kinds of traffic: plain HTTP requests (pages, REST, long-polling) go through
 * http-proxy with the target's path prefix and Host, and WebSocket upgrades on the same port are tapped.
 */
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { WebSocketServer } from 'ws';
import { startTestProxy, type TestProxy } from '../support/proxy.js';
import { withTimeout } from '../support/wait.js';
import { closedWith, nextMessages, openWsClient } from '../support/ws-servers.js';
import { listen } from '../support/net.js';

function send(url: string, method: string, body?: string): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return withTimeout(
    new Promise((resolve, reject) => {
      const req = request(url, { method }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, headers: res.headers }));
      });
      req.on('error', reject);
      req.end(body);
    }),
    `${method} ${url}`,
  );
}

describe('plain HTTP and WebSockets on one port', () => {
  let upstream: Server;
  let port: number;
  let harness: TestProxy;

  before(async () => {
    upstream = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8').on('data', (d: string) => (body += d));
      req.on('end', () => {
        res.setHeader('X-Upstream', 'yes');
        res.end(JSON.stringify({ method: req.method, url: req.url, host: req.headers.host, body }));
      });
    });
    const wss = new WebSocketServer({ server: upstream });
    wss.on('connection', (ws) => ws.on('message', (data) => ws.send(`echo: ${String(data)}`)));
    port = await listen(upstream);
    harness = await startTestProxy(`http://127.0.0.1:${port}/base`);
  });
  after(async () => {
    await harness.proxy.close();
    upstream.closeAllConnections();
    await new Promise<void>((resolve) => upstream.close(() => resolve()));
  });

  it('relays a GET with the target path prefix and Host', async () => {
    const res = await send(`${harness.proxy.httpUrl}/items?page=2`, 'GET');
    assert.equal(res.status, 200);
    assert.equal(res.headers['x-upstream'], 'yes');
    assert.deepEqual(JSON.parse(res.body), { method: 'GET', url: '/base/items?page=2', host: `127.0.0.1:${port}`, body: '' });
  });

  it('relays a POST body', async () => {
    const res = await send(`${harness.proxy.httpUrl}/items`, 'POST', 'name=wsdiag');
    assert.deepEqual(JSON.parse(res.body), { method: 'POST', url: '/base/items', host: `127.0.0.1:${port}`, body: 'name=wsdiag' });
  });

  it('taps a WebSocket upgrade on the same port', async () => {
    const ws = await openWsClient(`${harness.proxy.url}/socket`);
    const reply = nextMessages(ws, 1);
    ws.send('hi');
    assert.equal((await reply)[0]!.data.toString(), 'echo: hi');
    ws.close();
    await closedWith(ws);
    const open = await harness.log.waitFor('open');
    assert.equal(open.path, '/socket');
    const close = await harness.log.closed(open.conn);
    assert.equal(close.frames['client->server'], 2);
    assert.deepEqual(harness.log.of('violation'), []);
    const listening = harness.log.of('listening')[0]!;
    assert.equal(listening.target, `http://127.0.0.1:${port}/base`);
    assert.equal(listening.port, harness.proxy.port);
  });
});
