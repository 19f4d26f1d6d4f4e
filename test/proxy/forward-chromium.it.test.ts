/**
 * A real browser through the forward proxy: headless Chromium with --proxy-server pointing at wsdiag and
 * wsdiag's CA trusted only through --ignore-certificate-errors-spki-list loads https://localhost:PORT/
 * from a local TLS server (its certificate from a test CA that wsdiag trusts with `ca`); the page opens
 * wss://localhost:PORT/ws and shows the echo. wsdiag sees the page as an `http` event and the WebSocket
 * as `open`, with its messages, and no violations. Skipped when chromium is not installed.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WebSocketServer } from 'ws';
import { startProxy, type RunningProxy } from '../../src/proxy/index.js';
import { CertificateAuthority, LeafCertificates } from '../../src/tls/index.js';
import { chromiumPath } from '../support/binaries.js';
import { makeCertificate, type TestCertificate } from '../support/certs.js';
import { EventLog } from '../support/event-log.js';
import { listen } from '../support/net.js';
import { tempDir } from '../support/temp.js';

const chromium = chromiumPath();
const skip = 'skip' in chromium ? chromium.skip : false;

const PAGE = `<!doctype html><title>t</title><p id="m">waiting</p>
<script>
const ws = new WebSocket('wss://' + location.host + '/ws');
ws.onopen = () => ws.send('from-the-browser');
ws.onmessage = (e) => { document.getElementById('m').textContent = 'echo:' + e.data; ws.close(1000); };
ws.onerror = () => { document.getElementById('m').textContent = 'websocket-error'; };
</script>`;

describe('Chromium through the forward proxy, TLS intercepted', { skip }, () => {
  const root = tempDir('forward-chromium');
  let cert: TestCertificate;
  let server: Server;
  let wss: WebSocketServer;
  let port: number;
  let ca: CertificateAuthority;
  let proxy: RunningProxy;
  const log = new EventLog();

  before(async () => {
    cert = makeCertificate();
    server = createServer({ cert: cert.cert, key: cert.key }, (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(PAGE);
    });
    wss = new WebSocketServer({ server, path: '/ws' });
    wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
    port = await listen(server);
    ca = await CertificateAuthority.open({ dir: join(root.path, 'ca') });
    proxy = await startProxy({
      listen: { host: '127.0.0.1', port: 0 },
      onEvent: log.push,
      ca: cert.cert,
      messages: true,
      forward: { certificates: await LeafCertificates.create(ca) },
    });
  });
  after(async () => {
    await proxy.close();
    for (const client of wss.clients) client.terminate();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    cert.remove();
  });

  it('loads the page and its wss:// WebSocket through wsdiag, every message seen', { timeout: 120_000 }, async () => {
    const { chromium: launcher } = await import('playwright-core');
    const browser = await launcher.launch({
      executablePath: 'path' in chromium ? chromium.path : 'chromium',
      headless: true,
      timeout: 60_000,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--disable-background-networking',
        '--disable-component-update',
        `--proxy-server=http://127.0.0.1:${proxy.port}`,
        // Chromium never proxies loopback names unless told to.
        '--proxy-bypass-list=<-loopback>',
        `--ignore-certificate-errors-spki-list=${ca.spkiSha256}`,
      ],
    });
    try {
      const page = await browser.newPage();
      await page.goto(`https://localhost:${port}/`, { timeout: 30_000 });
      await page.waitForFunction("document.getElementById('m').textContent !== 'waiting'", undefined, { timeout: 30_000 });
      assert.equal(await page.textContent('#m'), 'echo:from-the-browser');
    } finally {
      await browser.close();
    }
    const served = await log.waitFor('http', (e) => e.path === '/');
    assert.equal(served.target, `https://localhost:${port}`);
    const open = await log.waitFor('open', (e) => e.path === '/ws');
    assert.equal(open.target, `wss://localhost:${port}`);
    const sent = await log.waitFor('message', (e) => e.conn === open.conn && e.dir === 'client->server' && e.kind === 'text');
    assert.equal(sent.data, 'from-the-browser');
    await log.waitFor('close', (e) => e.conn === open.conn);
    assert.deepEqual(log.of('violation'), []);
  });
});
