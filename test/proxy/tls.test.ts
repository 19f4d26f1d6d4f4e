/**
 * TLS both ways, with a self-signed certificate made by openssl for this run: wss/https upstreams are
 * verified (refused without trust, accepted with `ca` or `insecure`), and clients can reach the proxy
 * over TLS with `tls: {cert, key}`.
 */
import assert from 'node:assert/strict';
import { get as httpGet, type IncomingMessage } from 'node:http';
import { createServer as createHttpsServer, get as httpsGet, type Server } from 'node:https';
import { after, before, describe, it } from 'node:test';
import { WebSocketServer } from 'ws';
import { makeCertificate, type TestCertificate } from '../support/certs.js';
import { startTestProxy, type TestProxy } from '../support/proxy.js';
import { connectRawClient } from '../support/raw-peers.js';
import { withTimeout } from '../support/wait.js';
import { closedWith, nextMessages, openWsClient, startWsServer, type WsServer } from '../support/ws-servers.js';
import { listen } from '../support/net.js';

function fetchText(url: string, ca?: Buffer): Promise<{ status: number; body: string }> {
  return withTimeout(
    new Promise((resolve, reject) => {
      const onResponse = (res: IncomingMessage): void => {
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      };
      const req = url.startsWith('https:') ? httpsGet(url, { ca }, onResponse) : httpGet(url, onResponse);
      req.on('error', reject);
    }),
    `GET ${url}`,
  );
}

async function echoRoundTrip(url: string, ca?: Buffer): Promise<void> {
  const ws = await openWsClient(url, undefined, ca ? { ca } : {});
  const echo = nextMessages(ws, 1);
  ws.send('over tls');
  assert.equal((await echo)[0]!.data.toString(), 'over tls');
  ws.close();
  await closedWith(ws);
}

describe('TLS', () => {
  let cert: TestCertificate;
  let https: Server;
  let wssUpstream: WebSocketServer;
  let upstreamUrl: string;

  before(async () => {
    cert = makeCertificate();
    https = createHttpsServer({ cert: cert.cert, key: cert.key }, (_req, res) => res.end('hello over https'));
    wssUpstream = new WebSocketServer({ server: https });
    wssUpstream.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
    upstreamUrl = `wss://127.0.0.1:${await listen(https)}`;
  });
  after(async () => {
    for (const client of wssUpstream.clients) client.terminate();
    https.closeAllConnections();
    await new Promise<void>((resolve) => https.close(() => resolve()));
    cert.remove();
  });

  describe('to a wss upstream with a self-signed certificate', () => {
    let harness: TestProxy;
    after(() => harness.proxy.close());

    it('is refused without trust: 502 with a way out, and an error event', async () => {
      harness = await startTestProxy(upstreamUrl);
      const client = await connectRawClient(harness.proxy.port);
      assert.equal(client.statusCode, 502);
      await client.collector.waitForEnd();
      assert.match(client.body().toString(), /TLS certificate is not trusted .*--ca FILE.*--insecure/);
      const error = await harness.log.waitFor('error');
      assert.match(error.message, /self-signed certificate/);
      await harness.proxy.close();
    });

    it('works with --insecure', async () => {
      harness = await startTestProxy(upstreamUrl, { insecure: true });
      await echoRoundTrip(harness.proxy.url);
      assert.deepEqual(harness.log.of('violation'), []);
      await harness.proxy.close();
    });

    it('works with --ca, for WebSockets and plain HTTPS', async () => {
      harness = await startTestProxy(upstreamUrl, { ca: cert.cert });
      await echoRoundTrip(harness.proxy.url);
      const page = await fetchText(`${harness.proxy.httpUrl}/`);
      assert.deepEqual(page, { status: 200, body: 'hello over https' });
      const close = await harness.log.waitFor('close');
      assert.equal(close.violations, 0);
    });
  });

  describe('for clients (wss:// to wsdiag)', () => {
    let upstream: WsServer;
    let harness: TestProxy;
    before(async () => {
      upstream = await startWsServer();
      harness = await startTestProxy(upstream.url, { tls: { cert: cert.cert, key: cert.key } });
    });
    after(async () => {
      await harness.proxy.close();
      await upstream.close();
    });

    it('serves wss:// with the given certificate', async () => {
      assert.match(harness.proxy.url, /^wss:\/\/127\.0\.0\.1:\d+$/);
      assert.match(harness.proxy.httpUrl, /^https:\/\//);
      await echoRoundTrip(harness.proxy.url, cert.cert);
      const close = await harness.log.waitFor('close');
      assert.equal(close.how, 'close-frame');
      assert.equal(close.violations, 0);
    });

    it('decodes the traffic inside the TLS tunnel', async () => {
      const client = await connectRawClient(harness.proxy.port, { tls: { ca: cert.cert } });
      assert.equal(client.statusCode, 101);
      const open = await harness.log.waitFor('open', (o) => o.client === `127.0.0.1:${client.socket.localPort}`);
      client.send(Buffer.from([0x81, 0x02, 0x68, 0x69])); // unmasked "hi"
      const violation = await harness.log.waitFor('violation', (v) => v.conn === open.conn);
      assert.equal(violation.rule, 'unmasked-client-frame');
      client.socket.destroy();
    });
  });
});
