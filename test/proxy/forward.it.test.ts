/**
 * Forward mode end to end, on real sockets: `ws` clients through https-proxy-agent (CONNECT, as Node apps
 * do with HTTPS_PROXY) to a wss:// server whose certificate comes from a test CA, TLS intercepted with a
 * leaf from a local CA in a temp directory; ws:// through CONNECT without TLS; absolute-URI upgrades; curl;
 * blind tunnels; a refused upstream certificate; the allow-list; and the bad input a proxy port meets.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer, request as httpsRequest, type Server as HttpsServer } from 'node:https';
import { connect as netConnect, type Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect, createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { WebSocket, WebSocketServer } from 'ws';
import { ConfigError } from '../../src/errors.js';
import { encodeFrame } from '../../src/protocol/index.js';
import { startProxy, type ProxyOptions } from '../../src/proxy/index.js';
import { CertificateAuthority, LeafCertificates } from '../../src/tls/index.js';
import { findBinary } from '../support/binaries.js';
import { makeCertificate, type TestCertificate } from '../support/certs.js';
import { runCli, startCli } from '../support/cli.js';
import { EventLog } from '../support/event-log.js';
import { listen } from '../support/net.js';
import { tempDir } from '../support/temp.js';
import { withTimeout } from '../support/wait.js';
import { closedWith, nextMessages, startWsServer, type WsServer } from '../support/ws-servers.js';

const caDir = tempDir('forward-ca');
let leaves: LeafCertificates;
let caPem: string;

async function startForward(options: Partial<ProxyOptions> = {}): Promise<{ port: number; log: EventLog; close: () => Promise<void> }> {
  const log = new EventLog();
  const proxy = await startProxy({
    listen: { host: '127.0.0.1', port: 0 },
    onEvent: log.push,
    ...options,
    forward: { certificates: leaves, ...options.forward },
  });
  return { port: proxy.port, log, close: () => proxy.close() };
}

function agentFor(proxyPort: number): HttpsProxyAgent<string> {
  return new HttpsProxyAgent(`http://127.0.0.1:${proxyPort}`);
}

function openThrough(url: string, proxyPort: number, ca?: string | Buffer): Promise<WebSocket> {
  const ws = new WebSocket(url, { agent: agentFor(proxyPort), ...(ca !== undefined ? { ca } : {}) });
  return withTimeout(
    new Promise((resolve, reject) => {
      ws.once('open', () => resolve(ws));
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`status ${res.statusCode}`)));
    }),
    `open ${url} through the proxy`,
  );
}

/** A raw exchange on a fresh connection to the proxy: what it answers to `bytes`, up to its close. */
function rawExchange(port: number, bytes: string | Buffer): Promise<string> {
  return withTimeout(
    new Promise((resolve) => {
      const socket = netConnect(port, '127.0.0.1', () => socket.write(bytes));
      let got = '';
      socket.on('data', (d: Buffer) => (got += d.toString('latin1')));
      socket.on('error', () => undefined);
      socket.on('close', () => resolve(got));
    }),
    'the proxy to answer and close',
  );
}

describe('forward mode', () => {
  let cert: TestCertificate;
  let https: HttpsServer;
  let wss: WebSocketServer;
  let securePort: number;
  let plain: WsServer;

  before(async () => {
    const ca = await CertificateAuthority.open({ dir: caDir.path });
    leaves = await LeafCertificates.create(ca);
    caPem = readFileSync(join(caDir.path, 'ca-cert.pem'), 'utf8');
    cert = makeCertificate();
    https = createHttpsServer({ cert: cert.cert, key: cert.key }, (_req, res) => res.end('hello over https'));
    wss = new WebSocketServer({ server: https });
    wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
    securePort = await listen(https);
    plain = await startWsServer();
  });
  after(async () => {
    for (const client of wss.clients) client.terminate();
    https.closeAllConnections();
    await new Promise<void>((resolve) => https.close(() => resolve()));
    await plain.close();
    cert.remove();
  });

  it('relays wss:// through CONNECT with TLS intercepted: messages exact, no violations, the target in open', async () => {
    const fwd = await startForward({ ca: cert.cert });
    try {
      const ws = await openThrough(`wss://localhost:${securePort}/chat`, fwd.port, caPem);
      const payloads = ['hello', 'x'.repeat(70_000), Buffer.from([0, 1, 2, 255])];
      const echoes = nextMessages(ws, payloads.length);
      for (const p of payloads) ws.send(p);
      const got = await echoes;
      assert.deepEqual(
        got.map((m) => m.data),
        payloads.map((p) => Buffer.from(p)),
      );
      ws.close(1000, 'done');
      await closedWith(ws);
      const open = await fwd.log.waitFor('open');
      assert.equal(open.target, `wss://localhost:${securePort}`);
      assert.equal(open.path, '/chat');
      const close = await fwd.log.waitFor('close');
      assert.equal(close.violations, 0);
      assert.equal(fwd.log.of('violation').length, 0);
    } finally {
      await fwd.close();
    }
  });

  it('intercepts a CONNECT to an address (no SNI) with a leaf for that address', async () => {
    const fwd = await startForward({ ca: cert.cert });
    try {
      const socket = netConnect(fwd.port, '127.0.0.1');
      socket.on('error', () => undefined);
      socket.write(`CONNECT 127.0.0.1:${securePort} HTTP/1.1\r\nHost: 127.0.0.1:${securePort}\r\n\r\n`);
      await withTimeout(
        new Promise<void>((resolve) => {
          let head = '';
          const onData = (d: Buffer): void => {
            head += d.toString('latin1');
            if (!head.includes('\r\n\r\n')) return;
            socket.off('data', onData);
            assert.match(head, /^HTTP\/1\.1 200/);
            resolve();
          };
          socket.on('data', onData);
        }),
        'the 200 to CONNECT',
      );
      // No servername: node sends no SNI and checks the certificate against the address (an IP SAN).
      const secure = tlsConnect({ socket, host: '127.0.0.1', ca: caPem });
      const answer = await withTimeout(
        new Promise<string>((resolve, reject) => {
          let text = '';
          secure.on('error', reject);
          secure.on('secureConnect', () => secure.write(`GET /by-address HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`));
          secure.on('data', (d: Buffer) => (text += d.toString('latin1')));
          secure.on('end', () => resolve(text));
        }),
        'the answer over the intercepted tunnel',
      );
      assert.match(answer, /^HTTP\/1\.1 200[\s\S]*hello over https$/);
      const http = await fwd.log.waitFor('http', (e) => e.path === '/by-address');
      assert.equal(http.target, `https://127.0.0.1:${securePort}`);
    } finally {
      await fwd.close();
    }
  });

  it('judges an intercepted stream: a frame with RSV1 and no extension is blamed on the server', async () => {
    const raw: TlsServer = createTlsServer({ cert: cert.cert, key: cert.key }, (socket) => {
      socket.on('error', () => undefined);
      let head = '';
      socket.on('data', (d: Buffer) => {
        head += d.toString('latin1');
        const key = /sec-websocket-key: *(\S+)/i.exec(head)?.[1];
        if (!head.includes('\r\n\r\n') || key === undefined) return;
        const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
        socket.write(
          `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
        );
        socket.write(encodeFrame({ opcode: 1, rsv1: true, payload: 'bad' }));
        head = '';
      });
    });
    const rawPort = await listen(raw);
    const fwd = await startForward({ ca: cert.cert });
    try {
      const ws = await openThrough(`wss://localhost:${rawPort}/`, fwd.port, caPem);
      ws.on('error', () => undefined);
      const violation = await fwd.log.waitFor('violation');
      assert.equal(violation.blame, 'server');
      assert.equal(violation.dir, 'server->client');
      assert.equal(violation.code, 1002);
      ws.terminate();
    } finally {
      await fwd.close();
      raw.close();
    }
  });

  it('serves ws:// through CONNECT without TLS (as Chromium sends it)', async () => {
    const fwd = await startForward();
    try {
      const ws = await openThrough(`ws://127.0.0.1:${plain.port}/plain`, fwd.port);
      const echo = nextMessages(ws, 1);
      ws.send('in the clear');
      assert.equal((await echo)[0]!.data.toString(), 'in the clear');
      ws.close();
      await closedWith(ws);
      const open = await fwd.log.waitFor('open');
      assert.equal(open.target, `ws://127.0.0.1:${plain.port}`);
      assert.equal(fwd.log.of('violation').length, 0);
    } finally {
      await fwd.close();
    }
  });

  it('relays an absolute-URI ws:// upgrade', async () => {
    const fwd = await startForward();
    try {
      const key = Buffer.from('0123456789abcdef').toString('base64');
      const socket: Socket = netConnect(fwd.port, '127.0.0.1');
      socket.on('error', () => undefined);
      let got = Buffer.alloc(0);
      socket.on('data', (d: Buffer) => (got = Buffer.concat([got, d])));
      socket.write(
        `GET ws://127.0.0.1:${plain.port}/abs?q=1 HTTP/1.1\r\nHost: 127.0.0.1:${plain.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
      await withTimeout(
        new Promise<void>((resolve) => {
          const check = (): void => {
            if (got.includes('\r\n\r\n')) resolve();
            else socket.once('data', check);
          };
          check();
        }),
        'the 101',
      );
      assert.match(got.toString('latin1'), /^HTTP\/1\.1 101/);
      const headEnd = got.indexOf('\r\n\r\n') + 4;
      socket.write(encodeFrame({ opcode: 1, mask: true, payload: 'abs' }));
      const echo = Buffer.from(encodeFrame({ opcode: 1, payload: 'abs' }));
      await withTimeout(
        new Promise<void>((resolve) => {
          const check = (): void => {
            if (got.length >= headEnd + echo.length) resolve();
            else socket.once('data', check);
          };
          check();
        }),
        'the echo',
      );
      assert.deepEqual(got.subarray(headEnd, headEnd + echo.length), echo);
      const open = await fwd.log.waitFor('open');
      assert.equal(open.path, '/abs?q=1');
      assert.equal(open.target, `ws://127.0.0.1:${plain.port}`);
      socket.destroy();
    } finally {
      await fwd.close();
    }
  });

  it('tunnels a host --intercept leaves out blind, with a tunnel event and its byte counts', async () => {
    const fwd = await startForward({ forward: { intercept: ['*.example.com'] } });
    try {
      const body = await withTimeout(
        new Promise<string>((resolve, reject) => {
          const req = httpsRequest({ host: 'localhost', port: securePort, path: '/', agent: agentFor(fwd.port), ca: cert.cert }, (res) => {
            let text = '';
            res.setEncoding('utf8').on('data', (d: string) => (text += d));
            res.on('end', () => resolve(text));
          });
          req.on('error', reject);
          req.end();
        }),
        'GET through a blind tunnel',
      );
      assert.equal(body, 'hello over https');
      const tunnel = await fwd.log.waitFor('tunnel');
      assert.equal(tunnel.host, 'localhost');
      assert.equal(tunnel.port, securePort);
      assert.ok(tunnel.client_bytes > 100, `client bytes ${tunnel.client_bytes}`);
      assert.ok(tunnel.server_bytes > 100, `server bytes ${tunnel.server_bytes}`);
      assert.match(tunnel.conn, /-t1$/);
      assert.equal(fwd.log.of('open').length + fwd.log.of('http').length, 0);
    } finally {
      await fwd.close();
    }
  });

  it('refuses an upstream whose certificate fails verification, and names the host', async () => {
    const fwd = await startForward();
    try {
      await assert.rejects(openThrough(`wss://localhost:${securePort}/`, fwd.port, caPem), /status 502/);
      const error = await fwd.log.waitFor('error', (e) => e.message.includes(`localhost:${securePort}`));
      assert.match(error.message, /not trusted/);
    } finally {
      await fwd.close();
    }
  });

  it('curl --proxy: plain HTTP and intercepted https become http events', async (t) => {
    const curl = findBinary('curl');
    if (curl === null) return t.skip('curl is not installed');
    const fwd = await startForward({ ca: cert.cert });
    const caFile = join(caDir.path, 'ca-cert.pem');
    try {
      const run = (args: string[]): Promise<string> =>
        new Promise((resolve, reject) =>
          execFile(curl, ['-sS', '--max-time', '20', '--proxy', `http://127.0.0.1:${fwd.port}`, ...args], (err, stdout) =>
            err ? reject(new Error(`curl failed: ${err.message}`)) : resolve(stdout),
          ),
        );
      const httpServer = await startWsServer();
      try {
        await run([`http://127.0.0.1:${httpServer.port}/page`]);
      } finally {
        await httpServer.close();
      }
      assert.equal(await run(['--cacert', caFile, `https://localhost:${securePort}/secure`]), 'hello over https');
      const plainEvent = await fwd.log.waitFor('http', (e) => e.path === '/page');
      assert.equal(plainEvent.target, `http://127.0.0.1:${httpServer.port}`);
      const secureEvent = await fwd.log.waitFor('http', (e) => e.path === '/secure');
      assert.equal(secureEvent.status, 200);
      assert.equal(secureEvent.target, `https://localhost:${securePort}`);
    } finally {
      await fwd.close();
    }
  });

  it('answers bad input with one clear error and a clean close, and keeps serving', async () => {
    const fwd = await startForward();
    try {
      assert.match(await rawExchange(fwd.port, 'CONNECT nonsense HTTP/1.1\r\n\r\n'), /^HTTP\/1\.1 400/);
      await fwd.log.waitFor('error', (e) => /malformed CONNECT/.test(e.message));
      const unresolvable = await rawExchange(
        fwd.port,
        'CONNECT no-such-host.invalid:443 HTTP/1.1\r\nHost: no-such-host.invalid:443\r\n\r\n',
      );
      assert.match(unresolvable, /^HTTP\/1\.1 502/);
      await fwd.log.waitFor('error', (e) => /no-such-host\.invalid:443.*not found/.test(e.message));
      await withTimeout(
        new Promise<void>((resolve) => {
          const socket = tlsConnect({ host: '127.0.0.1', port: fwd.port, rejectUnauthorized: false });
          socket.on('error', () => undefined);
          socket.on('close', () => resolve());
        }),
        'the TLS client to be closed',
      );
      await fwd.log.waitFor('error', (e) => /spoke TLS to this plain HTTP port/.test(e.message));
      const ws = await openThrough(`ws://127.0.0.1:${plain.port}/still`, fwd.port);
      ws.close();
      await closedWith(ws);
    } finally {
      await fwd.close();
    }
  });

  it('listens on loopback only unless allowRemote, and then serves only allowFrom', async (t) => {
    await assert.rejects(startForward({ listen: { host: '0.0.0.0', port: 0 } }), (err: unknown) => err instanceof ConfigError);
    await assert.rejects(
      startForward({ listen: { host: '0.0.0.0', port: 0 }, forward: { allowRemote: true } }),
      (err: unknown) => err instanceof ConfigError,
    );
    const address = Object.values(networkInterfaces())
      .flat()
      .find((i) => i !== undefined && i.family === 'IPv4' && !i.internal)?.address;
    if (address === undefined) return t.skip('no non-loopback IPv4 address to connect from');
    const fwd = await startForward({
      listen: { host: '0.0.0.0', port: 0 },
      forward: { allowRemote: true, allowFrom: ['203.0.113.0/24'] },
      onWarning: () => undefined,
    });
    try {
      const answer = await withTimeout(
        new Promise<string>((resolve) => {
          const socket = netConnect({ host: address, port: fwd.port, localAddress: address }, () =>
            socket.write(`GET http://127.0.0.1:${plain.port}/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`),
          );
          let got = '';
          socket.on('data', (d: Buffer) => (got += d.toString('latin1')));
          socket.on('error', () => undefined);
          socket.on('close', () => resolve(got));
        }),
        'the 403',
      );
      assert.match(answer, /^HTTP\/1\.1 403/);
      await fwd.log.waitFor('error', (e) => e.message.includes('not in the allowed client ranges'));
      // Loopback is always served.
      const ws = await openThrough(`ws://127.0.0.1:${plain.port}/`, fwd.port);
      ws.close();
      await closedWith(ws);
    } finally {
      await fwd.close();
    }
  });

  it('shuts down with tunnels open: the WebSocket gets its Close 1001, the blind tunnel its tunnel event', async () => {
    const fwd = await startForward({ ca: cert.cert, forward: { intercept: ['localhost'] }, shutdownGraceMs: 2000 });
    const ws = await openThrough(`wss://localhost:${securePort}/stay`, fwd.port, caPem);
    const blind = await openThrough(`ws://127.0.0.1:${plain.port}/blind`, fwd.port);
    await fwd.log.waitFor('open');
    const wsClosed = closedWith(ws);
    const blindClosed = closedWith(blind);
    await withTimeout(fwd.close(), 'close()');
    assert.equal((await wsClosed).code, 1001);
    await blindClosed;
    const close = await fwd.log.waitFor('close');
    assert.equal(close.ended_by, 'proxy');
    const tunnel = await fwd.log.waitFor('tunnel');
    assert.equal(tunnel.how, 'shutdown');
    assert.equal(tunnel.ended_by, 'proxy');
  });

  it('wsdiag proxy without --target prints a listening event and relays, and never prints the CA key', async () => {
    const child = startCli(['proxy', '--listen', '127.0.0.1:0', '--ca-dir', caDir.path, '--ca', cert.certPath, '--json']);
    try {
      const line = await child.waitForLine(/"type":"listening"/);
      const listening = JSON.parse(line) as { port: number; target: string };
      assert.equal(listening.target, 'forward');
      const ws = await openThrough(`wss://localhost:${securePort}/cli`, listening.port, caPem);
      const echo = nextMessages(ws, 1);
      ws.send('via the CLI');
      assert.equal((await echo)[0]!.data.toString(), 'via the CLI');
      ws.close();
      await closedWith(ws);
      await child.waitForLine(/"type":"open".*"target":"wss:\/\/localhost:/);
    } finally {
      await child.stop();
    }
    // The CA key signed the leaf this connection used; nothing wsdiag printed holds any of it.
    const keyBody = readFileSync(join(caDir.path, 'ca-key.pem'), 'utf8')
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('-----'));
    const printed = child.stdout() + child.stderr();
    assert.ok(!printed.includes('PRIVATE KEY'), 'no PEM key block in the output');
    for (const line of keyBody) assert.ok(!printed.includes(line), 'no line of the CA key in the output');
  });

  it('wsdiag proxy refuses a non-loopback --listen without --allow-remote: one line, exit 2', async () => {
    const exit = await runCli(['proxy', '--listen', '0.0.0.0:0', '--ca-dir', caDir.path]);
    assert.equal(exit.code, 2);
    assert.match(exit.stderr, /^wsdiag: --listen 0\.0\.0\.0:0 is reachable from the network.*--allow-remote with --allow-from CIDR.*\n$/);
    const noRanges = await runCli(['proxy', '--listen', '0.0.0.0:0', '--allow-remote', '--ca-dir', caDir.path]);
    assert.equal(noRanges.code, 2);
    assert.match(noRanges.stderr, /^wsdiag: --allow-remote needs --allow-from/);
  });
});
