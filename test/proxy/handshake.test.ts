/**
 * The opening handshake through the proxy: handshake rules checked on the live request and response,
 * bytes that travel with the handshake analysed and relayed, answers other than 101 relayed as they
 * came, an unreachable upstream answered with a readable 502, and credentials kept out of every event.
 */
import assert from 'node:assert/strict';
import { get as httpGet } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { concatBytes, encodeFrame } from '../../src/protocol/encoder.js';
import { startTestProxy, type TestProxy } from '../support/proxy.js';
import { connectRawClient, startRawServer, type RawClientOptions, type RawServer, type RawServerPeer } from '../support/raw-peers.js';
import { withTimeout } from '../support/wait.js';
import { freePort } from '../support/net.js';

describe('handshake through the proxy', () => {
  let server: RawServer;
  let harness: TestProxy;
  /** How the raw server answers the next connection. */
  let answer: (peer: RawServerPeer) => void = (p) => p.accept();

  before(async () => {
    server = await startRawServer((peer) => answer(peer));
    harness = await startTestProxy(`${server.url}/api`, { frames: true });
  });
  after(async () => {
    await harness.proxy.close();
    await server.close();
  });

  async function connect(options: RawClientOptions = {}) {
    const index = server.peers.length;
    const client = await connectRawClient(harness.proxy.port, options);
    const local = `127.0.0.1:${client.socket.localPort}`;
    return { client, local, peer: () => server.peer(index) };
  }

  async function openedConn(local: string): Promise<string> {
    return (await harness.log.waitFor('open', (o) => o.client === local)).conn;
  }

  it('keeps the target path as a prefix and sets Host to the target', async () => {
    answer = (p) => p.accept();
    const { client, peer } = await connect({ path: '/chat?room=7' });
    const upstream = await peer();
    assert.equal(upstream.request.startLine, 'GET /api/chat?room=7 HTTP/1.1');
    assert.equal(upstream.request.headers['host'], `127.0.0.1:${server.port}`);
    assert.equal(upstream.request.headers['upgrade'], 'websocket');
    assert.equal(upstream.request.headers['sec-websocket-key'], client.key);
    client.socket.destroy();
  });

  const responseCases: Array<{
    rule: string;
    headers: Record<string, string>;
    check?: (open: { subprotocol: string | null; extensions: string | null }) => void;
  }> = [
    { rule: 'handshake-bad-accept', headers: { 'Sec-WebSocket-Accept': 'dGhlIHNhbXBsZSBub25jZQ==' } },
    {
      rule: 'handshake-unrequested-subprotocol',
      headers: { 'Sec-WebSocket-Protocol': 'chat' },
      check: (open) => assert.equal(open.subprotocol, 'chat'),
    },
    {
      rule: 'handshake-unrequested-extension',
      headers: { 'Sec-WebSocket-Extensions': 'permessage-deflate' },
      check: (open) => assert.equal(open.extensions, 'permessage-deflate'),
    },
  ];
  for (const c of responseCases) {
    it(`${c.rule}: a raw server's 101 is relayed and reported`, async () => {
      answer = (p) => p.accept({ headers: c.headers });
      const { client, local } = await connect();
      assert.equal(client.statusCode, 101, 'the 101 is relayed even when it is wrong');
      for (const [name, value] of Object.entries(c.headers)) assert.equal(client.response.headers[name.toLowerCase()], value);
      const conn = await openedConn(local);
      const violation = await harness.log.waitFor('violation', (v) => v.conn === conn);
      assert.equal(violation.rule, c.rule);
      assert.equal(violation.dir, 'server->client');
      assert.equal(violation.blame, 'server');
      assert.equal(violation.frame, null);
      c.check?.(harness.log.of('open', conn)[0]!);
      client.socket.destroy();
    });
  }

  const requestCases: Array<{ name: string; headers: Record<string, string | null> }> = [
    { name: 'a key that is not base64', headers: { 'Sec-WebSocket-Key': 'not base64!' } },
    { name: 'version 8', headers: { 'Sec-WebSocket-Version': '8' } },
    { name: 'no key', headers: { 'Sec-WebSocket-Key': null } },
  ];
  for (const c of requestCases) {
    it(`handshake-invalid-request: a raw client with ${c.name}`, async () => {
      answer = (p) => p.accept();
      const { client, local } = await connect({ headers: c.headers });
      assert.equal(client.statusCode, 101);
      const conn = await openedConn(local);
      const violation = await harness.log.waitFor('violation', (v) => v.conn === conn);
      assert.equal(violation.rule, 'handshake-invalid-request');
      assert.equal(violation.dir, 'client->server');
      assert.equal(violation.blame, 'client');
      assert.equal(violation.frame, null);
      client.socket.destroy();
    });
  }

  it('analyses and relays client bytes sent together with the upgrade request', async () => {
    answer = (p) => p.accept();
    const valid = encodeFrame({ opcode: 0x1, payload: 'early', mask: true });
    const unmasked = encodeFrame({ opcode: 0x2, payload: Uint8Array.of(1, 2, 3) });
    const head = concatBytes([valid, unmasked]);
    const { client, local, peer } = await connect({ head });
    const conn = await openedConn(local);
    const upstream = await peer();
    const got = await upstream.collector.until(
      () => (upstream.body().length >= head.length ? upstream.body() : undefined),
      'the head bytes upstream',
    );
    assert.deepEqual(Buffer.from(got), Buffer.from(head));
    const violation = await harness.log.waitFor('violation', (v) => v.conn === conn);
    assert.equal(violation.rule, 'unmasked-client-frame');
    assert.deepEqual(violation.frame, { index: 1, offset: valid.length, opcode: 0x2, length: 3 });
    const frames = harness.log.of('frame', conn).filter((f) => f.dir === 'client->server');
    assert.deepEqual(
      frames.map((f) => [f.index, f.offset]),
      [
        [0, 0],
        [1, valid.length],
      ],
    );
    client.socket.destroy();
  });

  it('analyses and relays frames that arrive in the same packet as the 101', async () => {
    const text = encodeFrame({ opcode: 0x1, payload: 'welcome' });
    const masked = encodeFrame({ opcode: 0x1, payload: 'oops', mask: true });
    const then = concatBytes([text, masked]);
    answer = (p) => p.accept({ then });
    const { client, local } = await connect();
    const conn = await openedConn(local);
    const got = await client.collector.until(
      () => (client.body().length >= then.length ? client.body() : undefined),
      'the frames after the 101',
    );
    assert.deepEqual(Buffer.from(got), Buffer.from(then));
    const violation = await harness.log.waitFor('violation', (v) => v.conn === conn);
    assert.equal(violation.rule, 'masked-server-frame');
    assert.deepEqual(violation.frame, { index: 1, offset: text.length, opcode: 0x1, length: 4 });
    client.socket.destroy();
  });

  it('relays a 401 with its headers and body, and reports it as an error with the status', async () => {
    const body = 'no entry without a token\n';
    answer = (p) => {
      p.send(
        'HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer realm="api"\r\nX-Trace: abc123\r\n' +
          `Content-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
      );
      p.socket.end();
    };
    const { client, local } = await connect();
    assert.equal(client.response.startLine, 'HTTP/1.1 401 Unauthorized');
    assert.equal(client.response.headers['www-authenticate'], 'Bearer realm="api"');
    assert.equal(client.response.headers['x-trace'], 'abc123');
    await client.collector.waitForEnd();
    assert.equal(client.body().toString(), body);
    const error = await harness.log.waitFor('error', (e) => e.status === 401);
    assert.ok(error.conn);
    assert.match(error.message, /401 Unauthorized instead of 101/);
    assert.equal(harness.log.of('open').filter((o) => o.client === local).length, 0, 'no open event for a refused upgrade');
  });

  it('relays a chunked 403 body intact', async () => {
    answer = (p) => {
      p.send('HTTP/1.1 403 Forbidden\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n');
      p.socket.end();
    };
    const { client } = await connect();
    assert.equal(client.statusCode, 403);
    await client.collector.waitForEnd();
    const decoded = client
      .body()
      .toString()
      .split('\r\n')
      .filter((_, i) => i % 2 === 1)
      .join('');
    assert.equal(decoded, 'hello, world');
    await harness.log.waitFor('error', (e) => e.status === 403);
  });

  it('never writes Authorization, Cookie or Set-Cookie values to an event', async () => {
    answer = (p) => p.accept({ headers: { 'Set-Cookie': 'session=SECRET-SET-COOKIE; HttpOnly', 'Sec-WebSocket-Protocol': 'unoffered' } });
    const { client, local } = await connect({
      headers: {
        Authorization: 'Bearer SECRET-AUTHORIZATION',
        'Proxy-Authorization': 'Basic SECRET-PROXY-AUTH',
        Cookie: 'sid=SECRET-COOKIE',
        'Sec-WebSocket-Key': 'SECRET-in-a-bad-key', // a checked header: quoted, but it is not a credential
      },
    });
    assert.match(client.response.headers['set-cookie'] ?? '', /SECRET-SET-COOKIE/, 'the client still gets its cookie');
    const conn = await openedConn(local);
    await harness.log.waitForCount('violation', 2, (v) => v.conn === conn);
    client.socket.destroy();
    await harness.log.closed(conn);
    const everything = JSON.stringify(harness.log.events);
    for (const secret of ['SECRET-SET-COOKIE', 'SECRET-AUTHORIZATION', 'SECRET-PROXY-AUTH', 'SECRET-COOKIE']) {
      assert.ok(!everything.includes(secret), `${secret} leaked into an event`);
    }
  });
});

describe('unreachable upstream', () => {
  let harness: TestProxy;
  let port: number;
  before(async () => {
    port = await freePort();
    harness = await startTestProxy(`ws://127.0.0.1:${port}`);
  });
  after(() => harness.proxy.close());

  it('answers the upgrade with a readable 502, emits an error event, and keeps serving', async () => {
    for (let attempt = 1; attempt <= 2; attempt++) {
      const client = await connectRawClient(harness.proxy.port);
      assert.equal(client.statusCode, 502);
      await client.collector.waitForEnd();
      assert.match(client.body().toString(), /cannot reach upstream ws:\/\/127\.0\.0\.1:\d+\/: connection refused/);
      const errors = await harness.log.waitForCount('error', attempt);
      assert.match(errors[attempt - 1]!.message, /ECONNREFUSED/);
      assert.ok(errors[attempt - 1]!.conn, 'the error names the connection');
      assert.equal(errors[attempt - 1]!.status, undefined, 'a 502 of our own is not an upstream status');
    }
  });

  it('answers plain HTTP with a readable 502 too', async () => {
    const res = await withTimeout(
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        httpGet(`${harness.proxy.httpUrl}/index.html`, (r) => {
          let body = '';
          r.setEncoding('utf8').on('data', (d: string) => (body += d));
          r.on('end', () => resolve({ status: r.statusCode ?? 0, body }));
        }).on('error', reject);
      }),
      'the plain HTTP answer',
    );
    assert.equal(res.status, 502);
    assert.match(res.body, /^wsdiag: cannot reach upstream .*connection refused/);
    const error = await harness.log.waitFor('error', (e) => e.conn === null);
    assert.match(error.message, /^GET \/index\.html: cannot reach upstream/);
  });
});
