/**
 * Forward mode with a real browser (issue 15's "done when"): Debian's headless Chromium set to use wsdiag as
 * its proxy (`--proxy-server`), the made-up name app.test mapped to 127.0.0.1 in Chromium's resolver and in
 * wsdiag's (`--resolve`), wsdiag's local CA trusted through `--ignore-certificate-errors-spki-list`. The
 * page comes from a local HTTPS server for app.test (its certificate from a test CA that wsdiag trusts with
 * --ca); it opens wss://app.test:PORT/ws, a ws echo with permessage-deflate, and a second socket to a raw
 * server that answers with a text frame with RSV1 set and no extension agreed. wsdiag must show the
 * connection (target app.test), its messages and the server's violation, and the page must receive every
 * byte. Skipped when chromium is not installed.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WebSocketServer } from 'ws';
import { encodeFrame } from '../../src/protocol/index.js';
import { CertificateAuthority, LeafCertificates } from '../../src/tls/index.js';
import { chromiumPath } from '../support/binaries.js';
import { startCli, type RunningChild } from '../support/cli.js';
import { closeServer, listen } from '../support/net.js';
import { tempDir } from '../support/temp.js';
import { launchChromium } from '../ui/support.js';

const chromium = chromiumPath();
const skip = 'skip' in chromium ? chromium.skip : false;

/** What the echo server greets each connection with: large and compressible, so deflate is used. */
const GREETING = `greeting ${'0123456789abcdef'.repeat(4096)}`;

const PAGE = `<!doctype html><title>app.test</title><p id="ready">ready</p>`;

/** A text frame with RSV1 set on a connection that agreed no extension: the server's fault (1002). */
const BAD_FRAME = encodeFrame({ fin: true, rsv1: true, opcode: 1, payload: Buffer.from('not deflated') });

interface PageResult {
  greeting: boolean;
  echoes: boolean[];
  badClose: number;
}

describe('Chromium through wsdiag in forward mode, TLS intercepted', { skip, timeout: 180_000 }, () => {
  const dir = tempDir('forward-chromium-app');
  let upstreamCa: CertificateAuthority;
  let wsdiagCa: CertificateAuthority;
  let server: Server;
  let port: number;
  let wsdiag: RunningChild;
  let proxyPort: number;
  const raw = new Set<Socket>();

  before(async () => {
    [upstreamCa, wsdiagCa] = await Promise.all([
      CertificateAuthority.open({ dir: join(dir.path, 'upstream-ca') }),
      CertificateAuthority.open({ dir: join(dir.path, 'wsdiag-ca') }),
    ]);
    const leaves = await LeafCertificates.create(upstreamCa);
    server = createServer({ SNICallback: leaves.sniCallback }, (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(PAGE);
    });
    const echo = new WebSocketServer({ noServer: true, perMessageDeflate: { threshold: 0 } });
    echo.on('connection', (ws) => {
      ws.on('error', () => undefined);
      ws.send(GREETING);
      ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
    });
    server.on('upgrade', (req, socket: Socket, head: Buffer) => {
      socket.on('error', () => undefined);
      if (req.url === '/ws') {
        echo.handleUpgrade(req, socket, head, (ws) => echo.emit('connection', ws, req));
        return;
      }
      // The raw server: a correct 101 without extensions, then the bad frame.
      raw.add(socket);
      const accept = createHash('sha1')
        .update(`${req.headers['sec-websocket-key'] ?? ''}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
        .digest('base64');
      socket.write(
        `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
      );
      socket.write(BAD_FRAME);
    });
    port = await listen(server);

    wsdiag = startCli([
      'proxy',
      '--listen',
      '127.0.0.1:0',
      '--resolve',
      'app.test:127.0.0.1',
      '--ca',
      upstreamCa.certPath,
      '--ca-dir',
      join(dir.path, 'wsdiag-ca'),
      '--json',
      '--messages',
    ]);
    proxyPort = await wsdiag.port();
  });
  // before() may have stopped half way: close what it got to.
  after(async () => {
    const started = { wsdiag: wsdiag as RunningChild | undefined, server: server as Server | undefined };
    await started.wsdiag?.stop();
    for (const s of raw) s.destroy();
    started.server?.closeAllConnections();
    if (started.server) await closeServer(started.server);
  });

  it('shows the page’s WebSockets to app.test, their messages and the raw server’s violation; the page gets every byte', async () => {
    const own = await launchChromium('path' in chromium ? chromium.path : 'chromium', [
      `--proxy-server=http://127.0.0.1:${proxyPort}`,
      // app.test is never looked up by Chromium (the proxy resolves it); the rule keeps it off real DNS anyway.
      // The proxy's own address is an IP literal, which no rule touches; <-loopback> would be needed only for
      // a loopback target, and app.test is not one.
      '--host-resolver-rules=MAP app.test 127.0.0.1',
      `--ignore-certificate-errors-spki-list=${wsdiagCa.spkiSha256}`,
    ]);
    try {
      const page = await own.newPage();
      page.setDefaultTimeout(30_000);
      await page.goto(`https://app.test:${port}/`);
      await page.waitForSelector('#ready');
      const sent = ['hello', 'é'.repeat(5000), 'z'.repeat(70_000)];
      const result = await page.evaluate(
        async ({ port, sent, greeting }): Promise<PageResult> => {
          const echoes: boolean[] = [];
          let greeted = false;
          await new Promise<void>((resolve, reject) => {
            const ws = new WebSocket(`wss://app.test:${port}/ws`);
            let i = 0;
            ws.onerror = () => reject(new Error('the echo socket failed'));
            ws.onmessage = (e: { data: unknown }) => {
              if (!greeted) {
                greeted = e.data === greeting;
                for (const s of sent) ws.send(s);
                return;
              }
              echoes.push(e.data === sent[i++]);
              if (i === sent.length) ws.close(1000, 'done');
            };
            ws.onclose = () => resolve();
          });
          const badClose = await new Promise<number>((resolve) => {
            const ws = new WebSocket(`wss://app.test:${port}/bad`);
            ws.onclose = (e) => resolve(e.code);
          });
          return { greeting: greeted, echoes, badClose };
        },
        { port, sent, greeting: GREETING },
      );
      assert.deepEqual(result, { greeting: true, echoes: [true, true, true], badClose: 1006 });
    } finally {
      await own.close();
    }

    type Line = Record<string, unknown>;
    const events = (): Line[] => wsdiag.lines().map((l) => JSON.parse(l) as Line);
    // The page itself, plain HTTPS through the same interception, is an `http` event.
    const served = await wsdiag.until(() => events().find((e) => e['type'] === 'http' && e['path'] === '/'), 'the http event of the page');
    assert.equal(served['target'], `https://app.test:${port}`);
    assert.equal(served['status'], 200);
    const open = await wsdiag.until(() => events().find((e) => e['type'] === 'open' && e['path'] === '/ws'), 'the open event of /ws');
    assert.equal(open['target'], `wss://app.test:${port}`);
    const conn = open['conn'];
    await wsdiag.until(() => events().find((e) => e['type'] === 'close' && e['conn'] === conn), 'the close of /ws');
    const messages = events().filter((e) => e['type'] === 'message' && e['conn'] === conn && e['kind'] === 'text');
    assert.ok(
      messages.every((m) => m['compressed'] === true),
      'permessage-deflate was agreed and used through the interception',
    );
    const sizes = (dir: string): unknown[] => messages.filter((m) => m['dir'] === dir).map((m) => m['size']);
    assert.deepEqual(sizes('client->server'), [5, 10_000, 70_000]);
    assert.deepEqual(sizes('server->client'), [GREETING.length, 5, 10_000, 70_000]);
    assert.deepEqual(
      events().filter((e) => e['type'] === 'violation' && e['conn'] === conn),
      [],
      'no violation on the valid connection',
    );
    const bad = await wsdiag.until(() => events().find((e) => e['type'] === 'open' && e['path'] === '/bad'), 'the open event of /bad');
    assert.equal(bad['target'], `wss://app.test:${port}`);
    const violation = await wsdiag.until(
      () => events().find((e) => e['type'] === 'violation' && e['conn'] === bad['conn']),
      'the violation on /bad',
    );
    assert.equal(violation['rule'], 'reserved-bits');
    assert.equal(violation['blame'], 'server');
  });
});
