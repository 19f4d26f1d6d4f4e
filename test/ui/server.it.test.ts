/**
 * The dashboard's server and feed, with real sockets on 127.0.0.1: what a page loads is served with a CSP
 * that forbids inline scripts; the token, Host and Origin checks refuse what they should (403) and let the
 * page through; a page opened late replays the ring (oldest dropped and counted); a page that stops
 * reading is dropped for, told how many it missed once it reads again, and never slows the writer.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { OperationalError } from '../../src/errors.js';
import { SCHEMA_VERSION, type WsdiagEvent } from '../../src/events/index.js';
import { REDACT_SECRETS } from '../../src/redact.js';
import { shownHeaders } from '../../src/proxy/http-head.js';
import { startDashboard, hostAllowed, needsToken, originAllowed, UiHub, type Dashboard } from '../../src/ui/index.js';
import type { FeedMessage } from '../../src/ui/web/protocol.js';
import { withTimeout } from '../support/wait.js';
import { messageText } from '../support/ws-servers.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { Host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A feed client that collects every message; `paused` stops reading from the socket. */
function feed(
  port: number,
  headers: Record<string, string> = {},
): { ws: WebSocket; messages: FeedMessage[]; next: (match: (m: FeedMessage) => boolean, what: string) => Promise<FeedMessage> } {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/feed`, { headers });
  const messages: FeedMessage[] = [];
  const waiters = new Set<() => void>();
  ws.on('message', (data) => {
    messages.push(JSON.parse(messageText(data)) as FeedMessage);
    for (const wake of waiters) wake();
  });
  ws.on('error', () => {});
  const next = (match: (m: FeedMessage) => boolean, what: string) =>
    withTimeout(
      new Promise<FeedMessage>((resolve) => {
        const check = () => {
          const found = messages.find(match);
          if (found) {
            waiters.delete(check);
            resolve(found);
          }
        };
        waiters.add(check);
        check();
      }),
      what,
      10_000,
    );
  return { ws, messages, next };
}

function violation(i: number, padding = 0): WsdiagEvent {
  return {
    v: SCHEMA_VERSION,
    type: 'violation',
    ts: new Date(1_800_000_000_000 + i).toISOString(),
    conn: 'c1',
    dir: 'client->server',
    code: 1002,
    rule: 'reserved-opcode',
    severity: 'error',
    blame: 'client',
    frame: { index: i, offset: 0, opcode: 3, length: 0 },
    message: `#${i}${'x'.repeat(padding)}`,
    hint: 'h',
    rfc: 'RFC 6455 §5.2',
  };
}

const recordsIn = (messages: FeedMessage[]) => messages.flatMap((m) => (m.kind === 'records' ? m.records : []));

describe('dashboard security checks (pure)', () => {
  it('requires a token off loopback only', () => {
    for (const host of ['127.0.0.1', '::1', 'localhost', '127.0.0.2']) assert.equal(needsToken(host), false, host);
    for (const host of ['0.0.0.0', '::', '192.168.1.2', 'example.com']) assert.equal(needsToken(host), true, host);
  });

  it('accepts only loopback Host names with our port unless a token protects the server', () => {
    for (const host of ['127.0.0.1:8081', 'localhost:8081', '[::1]:8081', 'app.localhost:8081'])
      assert.ok(hostAllowed(host, 8081, false), host);
    for (const host of ['evil.example:8081', '127.0.0.1:8082', 'localhost', '192.168.1.2:8081', undefined])
      assert.ok(!hostAllowed(host, 8081, false), String(host));
    assert.ok(hostAllowed('evil.example:8081', 8081, true));
  });

  it('accepts no Origin (a non-browser client) or exactly the page origin', () => {
    assert.ok(originAllowed(undefined, '127.0.0.1:8081'));
    assert.ok(originAllowed('http://127.0.0.1:8081', '127.0.0.1:8081'));
    for (const origin of ['http://evil.example', 'http://127.0.0.1:8082', 'https://127.0.0.1:8081', 'null'])
      assert.ok(!originAllowed(origin, '127.0.0.1:8081'), origin);
  });

  it('shows handshake headers redacted as every other output', () => {
    const shown = new Map(
      shownHeaders(
        {
          host: 'example.com',
          authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl',
          cookie: 'session=abc123',
          'x-api-key': 'k-1234567890',
          'sec-websocket-protocol': 'graphql-ws, bearer.eyJhbGciOiJIUzI1NiJ9.e30.c2ln',
          'sec-websocket-version': '13',
        },
        REDACT_SECRETS,
      ),
    );
    assert.equal(shown.get('authorization'), 'Bearer REDACTED');
    assert.equal(shown.get('cookie'), 'REDACTED');
    assert.equal(shown.get('x-api-key'), 'REDACTED');
    assert.equal(shown.get('sec-websocket-protocol'), 'graphql-ws, bearer.REDACTED');
    assert.equal(shown.get('sec-websocket-version'), '13');
    assert.equal(shown.get('host'), 'example.com');
  });
});

describe('message view adapter (until src/views is wired)', () => {
  it('gives JSON, text or hex, and never throws', async () => {
    const { describeForUi } = await import('../../src/ui/message-view.js');
    const of = (bytes: Uint8Array, truncated = false) => describeForUi({ subprotocol: null, kind: 'text', bytes, truncated });
    const json = of(Buffer.from('{"type":"next","id":"1"}'));
    assert.equal(json.protocol, 'json');
    assert.deepEqual(json.detail, { type: 'next', id: '1' });
    assert.equal(json.text, JSON.stringify({ type: 'next', id: '1' }, null, 2));
    assert.equal(of(Buffer.from('{"cut": "sho'), true).protocol, 'text');
    assert.equal(of(Buffer.from('hello')).text, 'hello');
    const hex = of(new Uint8Array([0x00, 0xff, 0x41]));
    assert.equal(hex.protocol, 'hex');
    assert.equal(hex.text, '00000000  00 ff 41' + ' '.repeat(39) + '  ..A');
    for (let i = 0; i < 200; i++) {
      const random = new Uint8Array(i);
      for (let j = 0; j < i; j++) random[j] = (i * 31 + j * 17) & 0xff;
      assert.doesNotThrow(() => of(random));
    }
  });
});

describe('dashboard server', () => {
  const running: Dashboard[] = [];
  after(async () => {
    await Promise.all(running.map((d) => d.close()));
  });
  const start = async (options: Partial<Parameters<typeof startDashboard>[0]> = {}): Promise<Dashboard> => {
    const d = await startDashboard({ mode: 'live', host: '127.0.0.1', port: 0, ...options });
    running.push(d);
    return d;
  };

  it('serves the page with a CSP that forbids inline scripts, its modules, and nothing else', async () => {
    const d = await start();
    const page = await get(d.port, '/');
    assert.equal(page.status, 200);
    const csp = String(page.headers['content-security-policy']);
    assert.match(csp, /script-src 'self' 'sha256-[A-Za-z0-9+/=]+'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.match(csp, /default-src 'none'/);
    assert.equal(page.headers['x-content-type-options'], 'nosniff');
    // The only inline script is the import map, allowed by its hash.
    assert.equal([...page.body.matchAll(/<script(?![^>]*\bsrc=)[^>]*>/g)].length, 1);
    const map = /<script type="importmap">(.*?)<\/script>/.exec(page.body)![1]!;
    const { createHash } = await import('node:crypto');
    assert.ok(csp.includes(`'sha256-${createHash('sha256').update(map).digest('base64')}'`));
    for (const path of Object.values((JSON.parse(map) as { imports: Record<string, string> }).imports)) {
      const mod = await get(d.port, path);
      assert.equal(mod.status, 200, path);
      assert.match(String(mod.headers['content-type']), /javascript/);
    }
    assert.equal((await get(d.port, '/app/main.js')).status, 200);
    assert.equal((await get(d.port, '/app.css')).status, 200);
    for (const path of ['/app/../../package.json', '/vendor/../package.json', '/app/nothing.js', '/etc/passwd'])
      assert.equal((await get(d.port, path)).status, 404, path);
  });

  it('answers explain texts in English and French, and 404 for an unknown topic', async () => {
    const d = await start();
    const en = JSON.parse((await get(d.port, '/api/explain?topic=reserved-bits&lang=en')).body) as {
      kind: string;
      meaning: string;
      lang: string;
    };
    const fr = JSON.parse((await get(d.port, '/api/explain?topic=reserved-bits&lang=fr')).body) as { meaning: string; lang: string };
    const { explain } = await import('../../src/explain/index.js');
    assert.equal(en.meaning, explain(['reserved-bits'], 'en')[0]!.meaning);
    assert.equal(fr.meaning, explain(['reserved-bits'], 'fr')[0]!.meaning);
    assert.notEqual(en.meaning, fr.meaning);
    assert.equal((await get(d.port, '/api/explain?topic=1007&lang=fr')).status, 200);
    assert.equal((await get(d.port, '/api/explain?topic=no-such-rule&lang=en')).status, 404);
    assert.equal((await get(d.port, '/api/explain?topic=1007&lang=de')).status, 400);
  });

  it('refuses a request whose Host is not this machine (DNS rebinding), and a feed from another Origin', async () => {
    const d = await start();
    const rebound = await get(d.port, '/', { Host: `attacker.example:${d.port}` });
    assert.equal(rebound.status, 403);
    assert.match(rebound.body, /DNS rebinding/);
    const foreign = feed(d.port, { Origin: 'http://attacker.example' });
    const status = await withTimeout(
      new Promise<number>((resolve) => foreign.ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))),
      'the refusal',
    );
    assert.equal(status, 403);
    const own = feed(d.port, { Origin: `http://127.0.0.1:${d.port}` });
    assert.equal((await own.next((m) => m.kind === 'hello', 'hello')).kind, 'hello');
    own.ws.close();
  });

  it('with a token: 403 without it or with a wrong one; the right one becomes a cookie that opens the page and the feed', async () => {
    const d = await start({ token: true });
    assert.ok(d.token && d.token.length >= 32);
    assert.ok(d.openUrl.endsWith(`?token=${d.token}`));
    assert.ok(!d.url.includes(d.token));
    assert.equal((await get(d.port, '/')).status, 403);
    const wrong = await get(d.port, '/?token=wrong');
    assert.equal(wrong.status, 403);
    assert.match(wrong.body, /missing or wrong token/);
    assert.equal((await get(d.port, '/app/main.js')).status, 403);
    // A token-protected server accepts any Host name (the token is the proof), so the remote name works.
    const right = await get(d.port, `/?token=${d.token}`, { Host: `wsdiag.example:${d.port}` });
    assert.equal(right.status, 303);
    const cookie = String(right.headers['set-cookie']).split(';')[0]!;
    assert.match(String(right.headers['set-cookie']), /HttpOnly; SameSite=Strict/);
    assert.equal((await get(d.port, '/', { Cookie: cookie })).status, 200);
    const refused = feed(d.port);
    assert.equal(
      await withTimeout(
        new Promise<number>((resolve) => refused.ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))),
        'the refusal',
      ),
      403,
    );
    const allowed = feed(d.port, { Cookie: cookie });
    await allowed.next((m) => m.kind === 'hello', 'hello with the cookie');
    allowed.ws.close();
  });

  it('a page opened late replays the last N events; older ones are dropped and counted', async () => {
    const d = await start({ capacity: 5 });
    for (let i = 0; i < 12; i++) d.hub.write(violation(i));
    const late = feed(d.port);
    const hello = await late.next((m) => m.kind === 'hello', 'hello');
    assert.deepEqual(hello.kind === 'hello' && { capacity: hello.capacity, evicted: hello.evicted, mode: hello.mode }, {
      capacity: 5,
      evicted: 7,
      mode: 'live',
    });
    await late.next((m) => m.kind === 'live', 'the end of the replay');
    assert.deepEqual(
      recordsIn(late.messages).map((r) => r.seq),
      [8, 9, 10, 11, 12],
    );
    d.hub.write(violation(12));
    await late.next((m) => m.kind === 'records' && m.records.some((r) => r.seq === 13), 'a live record');
    late.ws.close();
  });

  it('a page that stops reading is dropped for, never slows the writer, and is told what it missed', async () => {
    const hub = new UiHub({
      mode: 'live',
      version: 't',
      capacity: 10,
      clientOptions: { maxBufferedBytes: 256 * 1024, resumeBelowBytes: 16 * 1024, pollMs: 20 },
    });
    const { startUiServer } = await import('../../src/ui/server.js');
    const server = await startUiServer({ hub, host: '127.0.0.1', port: 0 });
    try {
      const slow = feed(server.port);
      await slow.next((m) => m.kind === 'live', 'the replay');
      const socket = (slow.ws as unknown as { _socket: import('node:net').Socket })._socket;
      socket.pause();
      let written = 0;
      let slowest = 0;
      const write = (): void => {
        const t0 = process.hrtime.bigint();
        hub.write(violation(written++, 1024));
        slowest = Math.max(slowest, Number(process.hrtime.bigint() - t0) / 1e6);
      };
      // Small batches, each sent before the next, until the stuck page's socket buffer is full and it is dropped for.
      // (Bounded: 64 MiB, far more than any socket buffers on loopback.)
      for (let batch = 0; batch < 6000 && hub.droppedForPages === 0; batch++) {
        for (let i = 0; i < 10; i++) write();
        await new Promise((resolve) => setImmediate(resolve));
      }
      assert.ok(hub.droppedForPages > 0, 'the stuck page was dropped for');
      // Generous bound: write() only serialises and queues, it never waits for the page.
      assert.ok(slowest < 250, `one write took ${slowest} ms`);
      socket.resume();
      await slow.next((m) => m.kind === 'dropped', 'the dropped notice');
      // Keep writing until a record reaches the page again: it is being fed once more.
      let marker = 0;
      for (let attempt = 0; attempt < 200 && marker === 0; attempt++) {
        write();
        const seq = written;
        await new Promise((resolve) => setTimeout(resolve, 20));
        if (recordsIn(slow.messages).some((r) => r.seq === seq)) marker = seq;
      }
      assert.ok(marker > 0, 'the page is fed again after its notice');
      const notices = slow.messages.filter((m): m is Extract<FeedMessage, { kind: 'dropped' }> => m.kind === 'dropped');
      const dropped = notices.reduce((sum, m) => sum + m.count, 0);
      assert.ok(dropped > 0);
      // Every record up to the marker was either received or counted in a notice whose range holds it.
      const seqs = new Set(recordsIn(slow.messages).map((r) => r.seq));
      const missing = Array.from({ length: marker }, (_, i) => i + 1).filter((s) => !seqs.has(s));
      assert.equal(missing.length, dropped);
      assert.ok(missing.every((s) => notices.some((m) => m.first_seq <= s && s <= m.last_seq)));
      slow.ws.close();
    } finally {
      await server.close();
    }
  });

  it('port in use: an OperationalError naming the option and the address', async () => {
    const d = await start();
    await assert.rejects(startDashboard({ mode: 'live', host: '127.0.0.1', port: d.port }), (err: Error) => {
      assert.ok(err instanceof OperationalError, `an OperationalError, not ${err.name}`);
      assert.equal(err.option, 'ui');
      assert.match(err.message, new RegExp(`^ui: cannot listen on 127\\.0\\.0\\.1:${d.port}: the address is already in use`));
      return true;
    });
  });
});
