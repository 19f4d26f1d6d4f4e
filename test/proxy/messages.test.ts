/**
 * `--messages` through the proxy, between real `ws` endpoints on 127.0.0.1: a `message` event for every
 * message, ping, pong and Close of both directions, compressed and not, with exact sizes (the wire size
 * checked against the frames' own lengths, from `frame` events), frames, payloads, the body limit (a
 * 10 MiB message cut at 4096 bytes) and redaction in every field a peer fills.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { WebSocket } from 'ws';
import { parseEventLine, type MessageEvent } from '../../src/events/index.js';
import { encodeFrame } from '../../src/protocol/encoder.js';
import type { EventLog } from '../support/event-log.js';
import { startTestProxy, type TestProxy } from '../support/proxy.js';
import { connectRawClient } from '../support/raw-peers.js';
import { closedWith, nextMessages, openWsClient, startWsServer, type WsServer } from '../support/ws-servers.js';

const TEN_MIB = 10 * 1024 * 1024;

/** The message events of a connection in one direction, as [kind, size, data] rows. */
function rows(log: EventLog, conn: string, dir: MessageEvent['dir']): Array<[string, number | null, string | null]> {
  return log
    .of('message', conn)
    .filter((m) => m.dir === dir)
    .map((m) => [m.kind, m.size, m.data]);
}

/** Every message event agrees with the frames that carried it: indexes, count, wire size, RSV1. */
function assertMatchesFrames(log: EventLog, conn: string): void {
  for (const m of log.of('message', conn)) {
    const frames = log.of('frame', conn).filter((f) => f.dir === m.dir && f.index >= m.first_frame && f.index <= m.last_frame);
    const carrying = m.kind === 'ping' || m.kind === 'pong' || m.kind === 'close' ? frames : frames.filter((f) => f.opcode < 8);
    assert.equal(carrying.length, m.frames, `frames of ${JSON.stringify(m)}`);
    assert.equal(
      carrying.reduce((n, f) => n + f.length, 0),
      m.wire_size,
      `wire size of ${m.kind} #${m.first_frame}`,
    );
    const [first] = carrying;
    assert.ok(first !== undefined);
    assert.equal(first.index, m.first_frame);
    assert.equal(carrying.at(-1)?.index, m.last_frame);
    assert.equal(first.rsv1, m.compressed, `compressed of ${m.kind} #${m.first_frame}`);
    assert.ok(m.first_ts <= m.last_ts && m.ts === m.last_ts);
    const parsed = parseEventLine(JSON.stringify(m));
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.reason);
  }
}

/** Sends a mix of messages, waits for every echo and the pong, then closes normally. */
async function converse(ws: WebSocket): Promise<void> {
  const echoes = nextMessages(ws, 4);
  const pong = new Promise<void>((resolve) => ws.once('pong', () => resolve()));
  ws.send('hello, proxy');
  ws.send(Buffer.from([0, 1, 2, 3, 254, 255]));
  // A text message in three frames, a code point split across the first two.
  const euro = Buffer.from('€', 'utf8');
  ws.send(Buffer.concat([Buffer.from('price: '), euro.subarray(0, 1)]), { binary: false, fin: false });
  ws.send(Buffer.concat([euro.subarray(1), Buffer.from('12')]), { binary: false, fin: false });
  ws.send(Buffer.from(' each'), { binary: false, fin: true });
  ws.ping(Buffer.from('are you there'));
  ws.send('');
  await Promise.all([echoes, pong]);
  ws.close(1000, 'done');
  await closedWith(ws);
}

for (const deflate of [false, true]) {
  describe(`message events through the proxy (${deflate ? 'permessage-deflate' : 'uncompressed'})`, () => {
    let server: WsServer;
    let harness: TestProxy;
    before(async () => {
      server = await startWsServer({ perMessageDeflate: deflate ? { threshold: 0 } : false, maxPayload: 0 });
      harness = await startTestProxy(server.url, { messages: true, frames: true, maxMessage: 0, runId: deflate ? 'mz' : 'mp' });
    });
    after(async () => {
      await harness.proxy.close();
      await server.close();
    });

    it('each message, ping, pong and Close of both directions, with its sizes, frames and payload', async () => {
      const ws = await openWsClient(`${harness.proxy.url}/chat`, undefined, { perMessageDeflate: deflate ? { threshold: 0 } : false });
      const conn = (await harness.log.waitFor('open')).conn;
      await converse(ws);
      await harness.log.closed(conn);
      const { log } = harness;
      const sent: Array<[string, number | null, string | null]> = [
        ['text', 12, 'hello, proxy'],
        ['binary', 6, 'AAECA/7/'],
        ['text', 17, 'price: €12 each'],
        ['ping', 13, 'are you there'],
        ['text', 0, ''],
        ['close', 6, 'done'],
      ];
      assert.deepEqual(rows(log, conn, 'client->server'), sent);
      assert.deepEqual(rows(log, conn, 'server->client'), [
        ['text', 12, 'hello, proxy'],
        ['binary', 6, 'AAECA/7/'],
        ['text', 17, 'price: €12 each'],
        ['pong', 13, 'are you there'],
        ['text', 0, ''],
        ['close', 6, 'done'],
      ]);
      const fragmented = log.of('message', conn).find((m) => m.dir === 'client->server' && m.frames > 1);
      assert.deepEqual([fragmented?.frames, fragmented?.last_frame === (fragmented?.first_frame ?? 0) + 2], [3, true]);
      for (const m of log.of('message', conn)) {
        const control = m.kind === 'ping' || m.kind === 'pong' || m.kind === 'close';
        // ws compresses every data message here (threshold 0), even the empty one.
        assert.equal(m.compressed, deflate && !control, `compressed: ${m.kind}`);
        if (!deflate) assert.equal(m.wire_size, m.size);
        assert.equal(m.truncated, false);
        assert.equal(m.encoding, m.kind === 'binary' ? 'base64' : 'text');
      }
      assert.deepEqual(log.of('message', conn).at(-1)?.close, { code: 1000, reason: 'done' });
      assertMatchesFrames(log, conn);
      assert.deepEqual(log.violations(conn), []);
    });

    it('a 10 MiB message each way: exact sizes, data cut at 4096 bytes, truncated', async () => {
      const ws = await openWsClient(`${harness.proxy.url}/big`, undefined, { perMessageDeflate: deflate ? { threshold: 0 } : false });
      const conn = (await harness.log.waitFor('open', (e) => e.path === '/big')).conn;
      const payload = Buffer.alloc(TEN_MIB);
      for (let i = 0; i < payload.length; i++) payload[i] = 0x61 + ((i * 7) % 26);
      const echo = nextMessages(ws, 1, 30_000);
      ws.send(payload, { binary: true });
      const [back] = await echo;
      assert.equal(back?.data.length, TEN_MIB);
      ws.close(1000);
      await closedWith(ws);
      await harness.log.closed(conn);
      const big = harness.log.of('message', conn).filter((m) => m.kind === 'binary');
      assert.equal(big.length, 2);
      for (const m of big) {
        assert.equal(m.size, TEN_MIB);
        assert.equal(m.truncated, true);
        assert.deepEqual(Buffer.from(m.data ?? '', 'base64'), payload.subarray(0, 4096));
        if (!deflate) assert.equal(m.wire_size, TEN_MIB);
        else assert.ok(m.wire_size < TEN_MIB, 'compressed on the wire');
        // The event carries the limit's worth, not the message.
        assert.ok(JSON.stringify(m).length < 8192);
      }
      assertMatchesFrames(harness.log, conn);
    });
  });
}

describe('message events: options', () => {
  let server: WsServer;
  before(async () => {
    server = await startWsServer();
  });
  after(() => server.close());

  const SECRET_TEXT = '{"user":"ann","card":"4111-1111-1111-1111","password":"hunter22"}';
  const SECRET_BINARY = Buffer.concat([Buffer.from([0x82]), Buffer.from('card 4111-1111-1111-1111')]);

  async function conversation(
    options: Parameters<typeof startTestProxy>[1],
    path = '/',
  ): Promise<{ log: EventLog; conn: string; echoes: Buffer[] }> {
    const { proxy, log } = await startTestProxy(server.url, options);
    try {
      const ws = await openWsClient(`${proxy.url}${path}`);
      const conn = (await log.waitFor('open')).conn;
      const echoes = nextMessages(ws, 2);
      ws.send(SECRET_TEXT);
      ws.send(SECRET_BINARY);
      const echoed = await echoes;
      ws.close(4000, 'card 4111-1111-1111-1111 refused');
      await closedWith(ws);
      await log.closed(conn);
      return { log, conn, echoes: echoed.map((m) => m.data) };
    } finally {
      await proxy.close();
    }
  }

  it('without --messages there are none', async () => {
    const { log } = await conversation({});
    assert.deepEqual(log.of('message'), []);
  });

  it('--body-limit 0: sizes only', async () => {
    const { log, conn } = await conversation({ messages: true, bodyLimit: 0 });
    const events = log.of('message', conn);
    assert.equal(events.length, 6);
    for (const m of events) {
      assert.deepEqual([m.encoding, m.data, m.truncated], [null, null, true], JSON.stringify(m));
      assert.ok(m.size !== null && m.size > 0);
    }
    assert.deepEqual(events.at(-1)?.close, { code: 4000, reason: 'card 4111-1111-1111-1111 refused' });
  });

  it('credentials and --redact matches are masked in payloads, Close reasons and paths; the bytes relayed are not', async () => {
    const { log, conn, echoes } = await conversation(
      { messages: true, redact: ['\\d{4}(-\\d{4}){3}', '/ANN/i'] },
      '/u/ann/4111-1111-1111-1111',
    );
    assert.deepEqual(echoes, [Buffer.from(SECRET_TEXT), SECRET_BINARY], 'relayed as sent');
    assert.equal(log.of('open', conn)[0]?.path, '/u/REDACTED/REDACTED');
    const texts = log.of('message', conn).filter((m) => m.kind === 'text');
    assert.deepEqual(
      texts.map((m) => m.data),
      Array(2).fill('{"user":"REDACTED","card":"REDACTED","password":"REDACTED"}'),
    );
    for (const m of log.of('message', conn).filter((e) => e.kind === 'binary')) {
      assert.deepEqual(Buffer.from(m.data ?? '', 'base64'), Buffer.concat([Buffer.from([0x82]), Buffer.from('card REDACTED')]));
      assert.equal(m.size, 25, 'the size is the message’s, not the redacted data’s');
    }
    const closes = log.of('message', conn).filter((m) => m.kind === 'close');
    assert.deepEqual(
      closes.map((m) => [m.data, m.close?.reason]),
      Array(2).fill(['card REDACTED refused', 'card REDACTED refused']),
    );
    assert.deepEqual(
      log.of('peer-close', conn).map((e) => e.reason),
      Array(2).fill('card REDACTED refused'),
    );
    assert.ok(!JSON.stringify(log.events).includes('4111'), 'the number appears in no event');
  });

  it('--redact reaches violation previews too', async () => {
    const { proxy, log } = await startTestProxy(server.url, { messages: true, redact: ['4111-\\d+'] });
    try {
      const client = await connectRawClient(proxy.port, { path: '/raw' });
      // An unmasked client frame: a violation whose preview quotes the payload.
      client.send(encodeFrame({ opcode: 1, payload: 'pay 4111-1111' }));
      const violation = await log.waitFor('violation');
      assert.equal(violation.rule, 'unmasked-client-frame');
      assert.equal(violation.preview, 'pay REDACTED');
      const message = await log.waitFor('message');
      assert.equal(message.data, 'pay REDACTED');
      client.socket.destroy();
      await log.closed(violation.conn);
    } finally {
      await proxy.close();
    }
  });

  it('a bad --redact or --body-limit is refused before anything listens', async () => {
    await assert.rejects(startTestProxy(server.url, { redact: ['('] }), /redact "\(" is not a valid regular expression/);
    await assert.rejects(startTestProxy(server.url, { messages: true, bodyLimit: -1 }), /bodyLimit must be a whole number/);
  });
});
