/**
 * 50 new hosts at once through forward mode (issue 15's "done when"): 50 made-up *.test names, all sent to
 * 127.0.0.1 by one `resolve` entry, each a CONNECT whose TLS wsdiag intercepts with a leaf minted for that
 * name. Every one of the 50 wss handshakes must complete, verified against wsdiag's CA, with its own name
 * in its `open` event. The goal is < 2 s on this machine (bench/tls-mint.ts measures it: see the README);
 * the bound here is ten times that, so a loaded run of the whole suite cannot make it flake, and the time
 * taken is reported as a diagnostic.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { WebSocket, WebSocketServer } from 'ws';
import { startProxy, type RunningProxy } from '../../src/proxy/index.js';
import { CertificateAuthority, LeafCertificates } from '../../src/tls/index.js';
import { EventLog } from '../support/event-log.js';
import { closeServer, listen } from '../support/net.js';
import { tempDir } from '../support/temp.js';
import { withTimeout } from '../support/wait.js';

const HOSTS = 50;
const BOUND_MS = 20_000;

describe('50 new hosts at once through forward mode', () => {
  const dir = tempDir('forward-burst');
  let server: Server;
  let port: number;
  let proxy: RunningProxy;
  let wsdiagCa: CertificateAuthority;
  const log = new EventLog();
  const names = Array.from({ length: HOSTS }, (_, i) => `host${i}.burst.test`);

  before(async () => {
    const upstreamCa = await CertificateAuthority.open({ dir: join(dir.path, 'upstream-ca') });
    wsdiagCa = await CertificateAuthority.open({ dir: join(dir.path, 'wsdiag-ca') });
    const upstreamLeaves = await LeafCertificates.create(upstreamCa);
    // The upstream's own leaves are ready before the clock starts: only wsdiag's minting is under test.
    await Promise.all(names.map((name) => upstreamLeaves.get(name)));
    server = createServer({ SNICallback: upstreamLeaves.sniCallback });
    const wss = new WebSocketServer({ server });
    wss.on('connection', (ws) => ws.on('error', () => undefined));
    port = await listen(server);
    proxy = await startProxy({
      listen: { host: '127.0.0.1', port: 0 },
      onEvent: log.push,
      forward: { certificates: await LeafCertificates.create(wsdiagCa) },
      resolve: { '*.burst.test': '127.0.0.1' },
      ca: upstreamCa.certPem,
    });
  });
  after(async () => {
    await proxy.close();
    server.closeAllConnections();
    await closeServer(server);
  });

  it(`opens all ${HOSTS} intercepted wss connections, each with its own leaf and open event`, async (t) => {
    const agent = new HttpsProxyAgent(`http://127.0.0.1:${proxy.port}`);
    const sockets: WebSocket[] = [];
    try {
      const start = performance.now();
      await withTimeout(
        Promise.all(
          names.map(
            (name) =>
              new Promise<void>((resolve, reject) => {
                const ws = new WebSocket(`wss://${name}:${port}/`, { agent, ca: wsdiagCa.certPem });
                sockets.push(ws);
                ws.once('open', () => resolve());
                ws.once('error', reject);
              }),
          ),
        ),
        `${HOSTS} wss handshakes through the proxy`,
        BOUND_MS,
      );
      const took = performance.now() - start;
      t.diagnostic(`${HOSTS} new hosts at once: ${Math.round(took)} ms`);
      await log.waitForCount('open', HOSTS);
      const targets = new Set(log.of('open').map((o) => o.target));
      assert.deepEqual(targets, new Set(names.map((name) => `wss://${name}:${port}`)));
      assert.deepEqual(log.of('violation'), []);
    } finally {
      for (const ws of sockets) ws.terminate();
      agent.destroy();
    }
  });
});
