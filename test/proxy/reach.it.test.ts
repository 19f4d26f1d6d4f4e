/**
 * Reverse mode reaching its upstream through --upstream-proxy and --resolve (src/proxy/reach.ts): through
 * a CONNECT proxy written here that records what it is asked (the CONNECT authority, Proxy-Authorization),
 * through Debian's tinyproxy, and straight to a made-up name; a refusing or absent proxy is one clear error
 * naming the proxy without its credentials. WebSocket upgrades and plain HTTP both take that road, in
 * forward mode too (every CONNECT dialled through the upstream proxy).
 */
import assert from 'node:assert/strict';
import { get as httpGet, createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, type Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { WebSocket, WebSocketServer } from 'ws';
import { startProxy } from '../../src/proxy/index.js';
import { CertificateAuthority, LeafCertificates } from '../../src/tls/index.js';
import { EventLog } from '../support/event-log.js';
import { tempDir } from '../support/temp.js';
import { findBinary, skipWithout } from '../support/binaries.js';
import { makeCertificate, type TestCertificate } from '../support/certs.js';
import { startCli } from '../support/cli.js';
import { closeServer, freePort, listen } from '../support/net.js';
import { startTestProxy, type TestProxy } from '../support/proxy.js';
import { withTimeout } from '../support/wait.js';
import { closedWith, nextMessages, openWsClient, startWsServer, type WsServer } from '../support/ws-servers.js';
import { exampleConfig, startIntermediary, writeFile } from '../probe/support.js';

const USER = 'alice';
const PASSWORD = 'pr0xy-s3cret';
const BASIC = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;

interface RecordingProxy {
  port: number;
  /** Each CONNECT: its authority and its Proxy-Authorization header (null when absent). */
  asked: Array<{ authority: string; authorization: string | null }>;
  close(): Promise<void>;
}

/**
 * A CONNECT proxy that records what it is asked and sends every tunnel to 127.0.0.1 at the asked port
 * (so made-up names work); `refuse`: answer with this status line instead.
 */
async function startRecordingProxy(refuse?: string): Promise<RecordingProxy> {
  const asked: RecordingProxy['asked'] = [];
  const sockets = new Set<Socket>();
  const server: Server = createHttpServer();
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    asked.push({ authority: req.url ?? '', authorization: req.headers['proxy-authorization'] ?? null });
    sockets.add(client);
    client.on('error', () => client.destroy());
    if (refuse !== undefined) {
      client.end(`HTTP/1.1 ${refuse}\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    const port = Number(/:(\d+)$/.exec(req.url ?? '')?.[1] ?? 0);
    const upstream = connect(port, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client).pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('error', () => client.destroy());
  });
  const port = await listen(server);
  return {
    port,
    asked,
    close: async () => {
      for (const s of sockets) s.destroy();
      await closeServer(server);
    },
  };
}

async function echoRoundTrip(url: string, text = 'through the upstream proxy'): Promise<void> {
  const ws = await openWsClient(url);
  const echo = nextMessages(ws, 1);
  ws.send(text);
  assert.equal((await echo)[0]!.data.toString(), text);
  ws.close();
  await closedWith(ws);
}

function fetchText(url: string): Promise<{ status: number; body: string }> {
  return withTimeout(
    new Promise((resolve, reject) => {
      httpGet(url, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      }).on('error', reject);
    }),
    `GET ${url}`,
  );
}

function proxyUrl(t: TestProxy): string {
  return `ws://127.0.0.1:${t.proxy.port}`;
}

describe('--upstream-proxy and --resolve in reverse mode', () => {
  let upstream: WsServer;
  let recording: RecordingProxy;
  const started: TestProxy[] = [];
  const start = async (...args: Parameters<typeof startTestProxy>): Promise<TestProxy> => {
    const t = await startTestProxy(...args);
    started.push(t);
    return t;
  };

  before(async () => {
    upstream = await startWsServer();
    recording = await startRecordingProxy();
  });
  after(async () => {
    for (const t of started) await t.proxy.close();
    await recording.close();
    await upstream.close();
  });

  it('asks the proxy for the target by name, with the credentials in Proxy-Authorization and in no event', async () => {
    recording.asked.length = 0;
    const t = await start(`ws://app.test:${upstream.port}/`, { upstreamProxy: `http://${USER}:${PASSWORD}@127.0.0.1:${recording.port}` });
    await echoRoundTrip(proxyUrl(t));
    await t.log.waitFor('close');
    assert.deepEqual(recording.asked, [{ authority: `app.test:${upstream.port}`, authorization: BASIC }]);
    const open = t.log.of('open')[0];
    assert.ok(open);
    const all = JSON.stringify(t.log.events);
    assert.ok(!all.includes(PASSWORD) && !all.includes(BASIC.slice(6)), 'no event holds the password');
  });

  it('asks for the --resolve address when the name has one', async () => {
    recording.asked.length = 0;
    const t = await start(`ws://app.test:${upstream.port}/`, {
      upstreamProxy: `http://127.0.0.1:${recording.port}`,
      resolve: { 'app.test': '127.0.0.1' },
    });
    await echoRoundTrip(proxyUrl(t));
    assert.deepEqual(recording.asked, [{ authority: `127.0.0.1:${upstream.port}`, authorization: null }]);
  });

  it('sends a made-up name to its --resolve address without a proxy', async () => {
    const t = await start(`ws://app.test:${upstream.port}/`, { resolve: { 'app.test': '127.0.0.1' } });
    await echoRoundTrip(proxyUrl(t));
    const open = await t.log.waitFor('open');
    assert.equal(open.type, 'open');
  });

  it('names the proxy (without credentials) and its status when it refuses the tunnel: 502 and an error event', async () => {
    const refusing = await startRecordingProxy('407 Proxy Authentication Required');
    try {
      const t = await start(`ws://app.test:${upstream.port}/`, { upstreamProxy: `http://${USER}:${PASSWORD}@127.0.0.1:${refusing.port}` });
      const res = await upgradeStatus(t.proxy.port);
      assert.equal(res, 502);
      const error = await t.log.waitFor('error');
      assert.match(
        error.message,
        new RegExp(
          `the upstream proxy http://127\\.0\\.0\\.1:${refusing.port}/ refused CONNECT app\\.test:${upstream.port}: "HTTP/1\\.1 407 Proxy Authentication Required"`,
        ),
      );
      assert.ok(!JSON.stringify(t.log.events).includes(PASSWORD));
    } finally {
      await refusing.close();
    }
  });

  it('says the proxy cannot be reached when nothing listens there', async () => {
    const port = await freePort();
    const t = await start(`ws://app.test:${upstream.port}/`, { upstreamProxy: `http://${USER}:${PASSWORD}@127.0.0.1:${port}` });
    assert.equal(await upgradeStatus(t.proxy.port), 502);
    const error = await t.log.waitFor('error');
    assert.match(error.message, new RegExp(`cannot reach the upstream proxy http://127\\.0\\.0\\.1:${port}/: connection refused`));
    assert.ok(!error.message.includes(PASSWORD));
  });
});

describe('wss and plain HTTP through --upstream-proxy', () => {
  let cert: TestCertificate;
  let https: ReturnType<typeof createHttpsServer>;
  let wss: WebSocketServer;
  let port: number;
  let recording: RecordingProxy;
  const servernames: Array<string | false | null> = [];
  let t: TestProxy;

  before(async () => {
    cert = makeCertificate();
    https = createHttpsServer({ cert: cert.cert, key: cert.key }, (_req, res) => res.end('page over https'));
    https.on('secureConnection', (s: TLSSocket) => servernames.push(s.servername));
    wss = new WebSocketServer({ server: https });
    wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
    port = await listen(https);
    recording = await startRecordingProxy();
    // The certificate is for localhost: verified against the name, sent as SNI, over the tunnel.
    t = await startTestProxy(`wss://localhost:${port}/`, { upstreamProxy: `http://127.0.0.1:${recording.port}`, ca: cert.cert });
  });
  after(async () => {
    await t.proxy.close();
    for (const c of wss.clients) c.terminate();
    https.closeAllConnections();
    await closeServer(https);
    await recording.close();
    cert.remove();
  });

  it('verifies the upstream certificate for the name, sent as SNI through the tunnel', async () => {
    await echoRoundTrip(proxyUrl(t), 'wss through a tunnel');
    assert.ok(servernames.includes('localhost'), `SNI ${JSON.stringify(servernames)}`);
    assert.ok(recording.asked.some((a) => a.authority === `localhost:${port}`));
  });

  it('relays plain HTTP through the same proxy', async () => {
    const before = recording.asked.length;
    const res = await fetchText(`http://127.0.0.1:${t.proxy.port}/`);
    assert.deepEqual(res, { status: 200, body: 'page over https' });
    assert.ok(recording.asked.length > before, 'the page request went through a CONNECT');
  });
});

describe('forward mode through --upstream-proxy', () => {
  const dir = tempDir('reach-forward');
  it('dials the host a client CONNECTs to through the upstream proxy, credentials included', async () => {
    const upstream = await startWsServer();
    const recording = await startRecordingProxy();
    const log = new EventLog();
    const ca = await CertificateAuthority.open({ dir: dir.path });
    const proxy = await startProxy({
      listen: { host: '127.0.0.1', port: 0 },
      onEvent: log.push,
      forward: { certificates: await LeafCertificates.create(ca) },
      upstreamProxy: `http://${USER}:${PASSWORD}@127.0.0.1:${recording.port}`,
    });
    const agent = new HttpsProxyAgent(`http://127.0.0.1:${proxy.port}`);
    try {
      const ws = new WebSocket(`ws://app.test:${upstream.port}/chained`, { agent });
      ws.on('error', () => undefined);
      await withTimeout(new Promise((resolve) => ws.once('open', resolve)), 'the ws client to open through both proxies');
      const echo = nextMessages(ws, 1);
      ws.send('chained');
      assert.equal((await echo)[0]!.data.toString(), 'chained');
      ws.close();
      await closedWith(ws);
      const open = await log.waitFor('open');
      assert.equal(open.target, `ws://app.test:${upstream.port}`);
      assert.deepEqual(recording.asked, [{ authority: `app.test:${upstream.port}`, authorization: BASIC }]);
      assert.ok(!JSON.stringify(log.events).includes(PASSWORD));
    } finally {
      agent.destroy();
      await proxy.close();
      await recording.close();
      await upstream.close();
    }
  });
});

describe('tinyproxy as the upstream proxy', { skip: skipWithout('tinyproxy') }, () => {
  it('relays a WebSocket through Debian tinyproxy (examples/tinyproxy/tinyproxy.conf) with CONNECT', async () => {
    const tinyproxy = findBinary('tinyproxy')!;
    const upstream = await startWsServer();
    const port = await freePort();
    const conf = exampleConfig('tinyproxy/tinyproxy.conf', [['Port 8888', `Port ${port}`]]);
    const running = await startIntermediary(
      tinyproxy,
      () => ['-d', '-c', 'tinyproxy.conf'],
      (dir) => writeFile(dir, 'tinyproxy.conf', conf),
      port,
    );
    const t = await startTestProxy(`ws://app.test:${upstream.port}/`, {
      upstreamProxy: `http://127.0.0.1:${port}`,
      resolve: { 'app.test': '127.0.0.1' },
    });
    try {
      await echoRoundTrip(proxyUrl(t), 'through tinyproxy');
      const close = await t.log.waitFor('close');
      assert.equal(t.log.of('violation').length, 0, 'no violation');
      assert.ok(close);
    } finally {
      await t.proxy.close();
      await running.stop();
      await upstream.close();
    }
  });
});

describe('the CLI', () => {
  it('wsdiag proxy --resolve --upstream-proxy: relays, and no output line holds the password', async () => {
    const upstream = await startWsServer();
    const recording = await startRecordingProxy();
    const child = startCli([
      'proxy',
      '--target',
      `ws://app.test:${upstream.port}/`,
      '--listen',
      '127.0.0.1:0',
      '--json',
      '--resolve',
      'app.test:127.0.0.1',
      '--upstream-proxy',
      `http://${USER}:${PASSWORD}@127.0.0.1:${recording.port}`,
    ]);
    try {
      const port = await child.port();
      await echoRoundTrip(`ws://127.0.0.1:${port}`, 'from the cli');
      await child.waitForLine((l) => l.includes('"type":"close"'), 'the close event');
      assert.deepEqual(recording.asked, [{ authority: `127.0.0.1:${upstream.port}`, authorization: BASIC }]);
      const exit = await child.stop();
      assert.equal(exit.code, 0);
      assert.ok(!(exit.stdout + exit.stderr).includes(PASSWORD), 'no output holds the password');
    } finally {
      child.kill('SIGKILL');
      await recording.close();
      await upstream.close();
    }
  });

  it('refuses a bad --resolve with one line and exit 2', async () => {
    const child = startCli(['proxy', '--target', 'ws://app.test:1/', '--resolve', 'app.test:443:127.0.0.1']);
    const exit = await child.exited();
    assert.equal(exit.code, 2);
    assert.equal(
      exit.stderr.trim(),
      'wsdiag: --resolve "app.test:443:127.0.0.1" takes no port: HOST:ADDR (curl\'s HOST:PORT:ADDR without the port)',
    );
  });
});

/** The status wsdiag answers an upgrade with (a raw request: ws clients hide non-101 answers). */
function upgradeStatus(port: number): Promise<number> {
  return withTimeout(
    new Promise<number>((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => {
        s.write(
          'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
            'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
        );
      });
      let text = '';
      s.setEncoding('latin1').on('data', (d: string) => {
        text += d;
        const m = /^HTTP\/1\.1 (\d+)/.exec(text);
        if (m) {
          s.destroy();
          resolve(Number(m[1]));
        }
      });
      s.on('error', reject);
    }),
    'the answer to an upgrade',
  );
}
