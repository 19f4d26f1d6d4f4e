/**
 * The proxy's one extension point (src/proxy/addon.ts) on a real proxy: a recording test addon shows each
 * hook called exactly when documented (raw peers, so every byte is known; real `ws` peers for the rest),
 * an `event` rewrite reaches every sink, an addon that throws is reported and switched off while the
 * traffic goes on, and forwarding is one pluggable strategy (a frame-rewriting one here; --enforce is
 * another, tested in ./enforce.it.test.ts).
 */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { after, describe, it } from 'node:test';
import { RunRecorder } from '../../src/ci/recorder.js';
import { parseFailOn } from '../../src/ci/policy.js';
import { UsageError } from '../../src/errors.js';
import type { CloseEvent, Direction, WsdiagEvent } from '../../src/events/index.js';
import { Opcode } from '../../src/protocol/constants.js';
import { closeBody, encodeFrame } from '../../src/protocol/encoder.js';
import type { FrameHeader } from '../../src/protocol/types.js';
import { startProxy, type ConnectionAddon, type OpenConnection, type ProxyAddon, type RunningProxy } from '../../src/proxy/index.js';
import type { ConnectionInfo, TappedHandshake } from '../../src/proxy/types.js';
import { JsonlReporter, MultiReporter, PrettyReporter } from '../../src/reporters/index.js';
import { EventLog } from '../support/event-log.js';
import { connectRawClient, startRawServer, type RawServer } from '../support/raw-peers.js';
import { closedWith, nextMessages, openWsClient, startWsServer, type WsServer } from '../support/ws-servers.js';

type Call =
  | { hook: 'handshake'; conn: string; handshake: TappedHandshake }
  | { hook: 'connection'; info: ConnectionInfo }
  | { hook: 'opened'; connection: OpenConnection }
  | { hook: 'frame'; dir: Direction; index: number }
  | { hook: 'tap'; dir: Direction; bytes: Buffer }
  | { hook: 'tapEnd'; dir: Direction }
  | { hook: 'sent'; dir: Direction; bytes: Buffer }
  | { hook: 'event'; type: string }
  | { hook: 'sink'; event: WsdiagEvent }
  | { hook: 'end'; close: CloseEvent }
  | { hook: 'suppressed'; rule: string }
  | { hook: 'refused'; kind: string }
  | { hook: 'close' };

/** An addon that records every hook call (and asks for `maxPerRule` through a settings layer). */
function recordingAddon(calls: Call[], maxPerRule = 7): ProxyAddon {
  return {
    name: 'recorder',
    handshake: (conn, handshake) => calls.push({ hook: 'handshake', conn, handshake }),
    connection: (info): ConnectionAddon => {
      calls.push({ hook: 'connection', info });
      const frameObserver = (dir: Direction) => ({
        frame: (header: FrameHeader) => calls.push({ hook: 'frame', dir, index: header.index }),
      });
      return {
        settings: [{ rank: 'route', source: 'the test route', values: { maxPerRule } }],
        observers: { 'client->server': frameObserver('client->server'), 'server->client': frameObserver('server->client') },
        opened: (connection) => calls.push({ hook: 'opened', connection }),
        // A copy: the test must see the bytes as they were when tapped.
        tap: (dir, chunk) => calls.push({ hook: 'tap', dir, bytes: Buffer.from(chunk) }),
        tapEnd: (dir) => calls.push({ hook: 'tapEnd', dir }),
        sent: (dir, chunk) => calls.push({ hook: 'sent', dir, bytes: Buffer.from(chunk) }),
        event: (event) => {
          calls.push({ hook: 'event', type: event.type });
          return event;
        },
        end: (close) => calls.push({ hook: 'end', close }),
      };
    },
    suppressed: (violation) => calls.push({ hook: 'suppressed', rule: violation.rule }),
    refused: (kind) => calls.push({ hook: 'refused', kind }),
    close: () => void calls.push({ hook: 'close' }),
  };
}

const hooks = (calls: Call[]): string[] =>
  calls.map((c) => (c.hook === 'sink' ? `sink ${c.event.type}` : c.hook === 'event' ? `event ${c.type}` : c.hook));
const tapped = (calls: Call[], dir: Direction, hook: 'tap' | 'sent' = 'tap'): Buffer =>
  Buffer.concat(calls.flatMap((c) => ((c.hook === 'tap' || c.hook === 'sent') && c.hook === hook && c.dir === dir ? [c.bytes] : [])));

const servers: Array<{ close(): Promise<void> }> = [];
const proxies: RunningProxy[] = [];
after(async () => {
  // Also on failure: an open proxy would keep the test process alive.
  await Promise.all(proxies.map((p) => p.close()));
  await Promise.all(servers.map((s) => s.close()));
});

async function proxyWith(
  target: string,
  addons: ProxyAddon[],
  onEvent: (event: WsdiagEvent) => void,
  extra: { maxConnections?: number } = {},
): Promise<RunningProxy> {
  const proxy = await startProxy({ target, listen: { host: '127.0.0.1', port: 0 }, runId: 'ad', onEvent, addons, ...extra });
  proxies.push(proxy);
  return proxy;
}

async function rawServer(...args: Parameters<typeof startRawServer>): Promise<RawServer> {
  const server = await startRawServer(...args);
  servers.push(server);
  return server;
}

async function wsServer(...args: Parameters<typeof startWsServer>): Promise<WsServer> {
  const server = await startWsServer(...args);
  servers.push(server);
  return server;
}

describe('addon hooks on a real proxy', () => {
  it('are called in the documented order, the tap sees every byte, and close() comes when the proxy stops', async () => {
    const serverFirst = encodeFrame({ opcode: Opcode.Text, payload: 'sent with the 101' });
    const server = await rawServer((peer) => peer.accept({ headers: { 'Sec-WebSocket-Protocol': 'chat' }, then: serverFirst }));
    const calls: Call[] = [];
    const log = new EventLog();
    const proxy = await proxyWith(server.url, [recordingAddon(calls)], (event) => {
      calls.push({ hook: 'sink', event });
      log.push(event);
    });
    calls.length = 0; // the listening event

    const clientFirst = encodeFrame({ opcode: Opcode.Binary, payload: Uint8Array.of(1, 2, 3), mask: true });
    const client = await connectRawClient(proxy.port, {
      path: '/tap?q=1',
      head: clientFirst,
      headers: { 'Sec-WebSocket-Protocol': 'chat' },
    });
    const peer = await server.peer();
    // Read while the sockets are open: each leg's far end as the test's own sockets see it.
    const ports = { client: client.socket.localPort, upstream: peer.socket.remotePort };
    const later = encodeFrame({ opcode: Opcode.Text, payload: 'later', mask: true });
    client.send(later);
    await peer.collector.waitForLength(clientFirst.length + later.length, peer.collector.length - peer.body().length);
    const serverClose = encodeFrame({ opcode: Opcode.Close, payload: closeBody(1000) });
    peer.send(serverClose);
    await client.collector.waitForLength(serverFirst.length + serverClose.length, client.collector.length - client.body().length);
    client.socket.end();
    peer.socket.end();
    await log.closed('ad-c1');

    // Before any byte: handshake, connection, then the open event through the event hook to the sink, then opened.
    assert.deepEqual(hooks(calls).slice(0, 5), ['handshake', 'connection', 'event open', 'sink open', 'opened']);
    const [handshake, connection, , open, opened] = calls;
    assert.ok(handshake?.hook === 'handshake' && connection?.hook === 'connection' && open?.hook === 'sink' && opened?.hook === 'opened');
    assert.equal(handshake.conn, 'ad-c1');
    assert.equal(handshake.handshake.status, 101);
    assert.equal(handshake.handshake.request['sec-websocket-key'], client.key);
    assert.equal(handshake.handshake.response['sec-websocket-protocol'], 'chat');
    const { legs, ...info } = connection.info;
    assert.deepEqual(info, { conn: 'ad-c1', path: '/tap?q=1', subprotocol: 'chat', extensions: null });
    // Both TCP legs as their sockets see them: the client's to the listener, wsdiag's own to the upstream.
    assert.deepEqual(legs.client.server, { ip: '127.0.0.1', port: proxy.port });
    assert.deepEqual(legs.client.client, { ip: '127.0.0.1', port: ports.client });
    assert.deepEqual(legs.upstream.server, { ip: '127.0.0.1', port: server.port });
    assert.deepEqual(legs.upstream.client, { ip: '127.0.0.1', port: ports.upstream });
    assert.equal(handshake.handshake.method, 'GET');
    assert.deepEqual(handshake.handshake.upstream, { path: '/tap?q=1', host: `127.0.0.1:${server.port}` });
    // The addon's settings layer applied, and the open event says so.
    assert.deepEqual(open.event.type === 'open' && open.event.settings, { max_per_rule: 'the test route' });
    assert.equal(opened.connection.conn, 'ad-c1');
    assert.equal(opened.connection.settings.maxPerRule, 7);
    assert.deepEqual(opened.connection.settings.origins.maxPerRule, { rank: 'route', source: 'the test route' });

    // The tap: each direction byte for byte, head bytes included, each chunk before its frames are decoded.
    assert.deepEqual(tapped(calls, 'client->server'), Buffer.concat([clientFirst, later]));
    assert.deepEqual(tapped(calls, 'client->server'), peer.body());
    assert.deepEqual(tapped(calls, 'server->client'), Buffer.concat([serverFirst, serverClose]));
    assert.deepEqual(tapped(calls, 'server->client'), client.body());
    // What wsdiag wrote: in the transparent relay, exactly what it was sent.
    assert.deepEqual(tapped(calls, 'client->server', 'sent'), peer.body());
    assert.deepEqual(tapped(calls, 'server->client', 'sent'), client.body());
    for (const dir of ['client->server', 'server->client'] as const) {
      const frames = calls.flatMap((c) => (c.hook === 'frame' && c.dir === dir ? [c.index] : []));
      assert.deepEqual(frames, [0, 1], `the one decode of ${dir}, seen by the observer`);
      const firstTap = calls.findIndex((c) => c.hook === 'tap' && c.dir === dir);
      const firstFrame = calls.findIndex((c) => c.hook === 'frame' && c.dir === dir);
      assert.ok(firstTap > 4 && firstTap < firstFrame);
      // One end per direction, and nothing of a direction is tapped after it.
      const ends = calls.flatMap((c, i) => (c.hook === 'tapEnd' && c.dir === dir ? [i] : []));
      assert.equal(ends.length, 1);
      assert.ok(calls.slice(ends[0]).every((c) => !(c.hook === 'tap' && c.dir === dir)));
    }

    // Every event of the connection passed the event hook right before reaching the sink; end() follows close.
    const stream = hooks(calls).filter((h) => h.startsWith('event ') || h.startsWith('sink ') || h === 'end');
    const types = log.events.filter((e) => 'conn' in e && e.conn === 'ad-c1').map((e) => e.type);
    assert.deepEqual(types, ['open', 'peer-close', 'close']);
    assert.deepEqual(stream, [...types.flatMap((t) => [`event ${t}`, `sink ${t}`]), 'end']);
    const end = calls.at(-1);
    assert.ok(end?.hook === 'end');
    assert.equal(end.close.conn, 'ad-c1');
    assert.equal(end.close.type, 'close');
    assert.equal(calls.filter((c) => c.hook === 'end').length, 1);
    assert.ok(!calls.some((c) => c.hook === 'close'), 'close() waits for the proxy to stop');

    await proxy.close();
    assert.deepEqual(hooks(calls).slice(-2), ['end', 'close']);
    assert.equal(calls.filter((c) => c.hook === 'close').length, 1);
  });

  it('an upgrade answered without a 101 reaches handshake() only: no connection part, no tap, no event hook', async () => {
    const server = await rawServer((peer) => peer.send('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'));
    const calls: Call[] = [];
    const log = new EventLog();
    const proxy = await proxyWith(server.url, [recordingAddon(calls)], log.push);
    const client = await connectRawClient(proxy.port);
    assert.equal(client.statusCode, 403);
    await log.waitFor('error', (e) => e.conn === 'ad-c1');
    client.socket.destroy();
    assert.deepEqual(hooks(calls), ['handshake']);
    const [handshake] = calls;
    assert.ok(handshake?.hook === 'handshake');
    assert.equal(handshake.handshake.status, 403);
  });

  it('suppressed() hears each violation beyond the addon-set maxPerRule; refused() each client over the limit', async () => {
    const server = await rawServer();
    const calls: Call[] = [];
    const log = new EventLog();
    const proxy = await proxyWith(server.url, [recordingAddon(calls, 1)], log.push, { maxConnections: 1 });
    const client = await connectRawClient(proxy.port);
    const reserved = encodeFrame({ opcode: 3, mask: true });
    client.send(Buffer.concat([reserved, reserved, reserved]));
    const conn = (await log.waitFor('open')).conn;
    await log.waitFor('violation', (v) => v.rule === 'reserved-opcode');

    // The one served connection is open: the next client is refused.
    const refused = await connectRawClient(proxy.port);
    assert.equal(refused.statusCode, 503);
    refused.socket.destroy();
    client.socket.destroy();
    await log.closed(conn);

    assert.deepEqual(
      log.of('violation', conn).map((v) => v.rule),
      ['reserved-opcode'],
    );
    assert.deepEqual(
      calls.flatMap((c) => (c.hook === 'suppressed' ? [c.rule] : [])),
      ['reserved-opcode', 'reserved-opcode'],
    );
    assert.equal(log.of('close', conn)[0]?.suppressed, 2);
    assert.deepEqual(
      calls.flatMap((c) => (c.hook === 'refused' ? [c.kind] : [])),
      ['max_connections'],
    );
  });

  it('with real ws peers: observers get each message, settings decide the limits, the end comes once', async () => {
    const server = await wsServer({ handleProtocols: () => 'chat' });
    const calls: Call[] = [];
    const log = new EventLog();
    const messages: Array<[Direction, number]> = [];
    const limit: ProxyAddon = {
      name: 'limit',
      connection: () => ({
        settings: [{ rank: 'route', source: 'route /big', values: { maxMessage: 1000 } }],
        observers: {
          'client->server': { messageEnd: (m) => void messages.push(['client->server', m.size]) },
          'server->client': { messageEnd: (m) => void messages.push(['server->client', m.size]) },
        },
      }),
    };
    // The proxy's own maxMessage is beaten by the route layer (rank route > proxy).
    const proxy = await startProxy({
      target: server.url,
      listen: { host: '127.0.0.1', port: 0 },
      onEvent: log.push,
      maxMessage: 5,
      addons: [recordingAddon(calls), limit],
    });
    proxies.push(proxy);
    const ws = await openWsClient(proxy.url, 'chat');
    ws.send('small');
    await nextMessages(ws, 1);
    ws.send('x'.repeat(1500));
    await nextMessages(ws, 1);
    ws.close(1000);
    await closedWith(ws);
    const conn = (await log.waitFor('open')).conn;
    await log.closed(conn);

    assert.deepEqual(log.of('open', conn)[0]?.settings, { max_per_rule: 'the test route', max_message: 'route /big' });
    assert.deepEqual(messages, [
      ['client->server', 5],
      ['server->client', 5],
      ['client->server', 1500],
      ['server->client', 1500],
    ]);
    assert.deepEqual(log.violations(conn), [
      ['message-too-big', 'client->server', 'client'],
      ['message-too-big', 'server->client', 'server'],
    ]);
    assert.match(log.of('violation', conn)[0]?.message ?? '', /1000-byte limit/);
    assert.equal(calls.filter((c) => c.hook === 'end').length, 1);
    assert.equal(calls.filter((c) => c.hook === 'opened').length, 1);
  });
});

describe('an addon that rewrites events', () => {
  it('its replacement reaches every sink and the addons after it; the original is left alone', async () => {
    const server = await wsServer({}, (ws) => ws.on('message', () => ws.close(1000, 'bye')));
    const originals: WsdiagEvent[] = [];
    const seenAfter: string[] = [];
    const rewriter: ProxyAddon = {
      name: 'rewriter',
      connection: () => ({
        event: (event) => {
          if (event.type !== 'peer-close') return event;
          originals.push(event);
          return { ...event, explain: `${event.explain} [rewritten by the test addon]` };
        },
      }),
    };
    const after: ProxyAddon = {
      name: 'after',
      connection: () => ({
        event: (event) => {
          if (event.type === 'peer-close') seenAfter.push(event.explain);
          return event;
        },
      }),
    };
    const jsonl = new PassThrough();
    const pretty = new PassThrough();
    let jsonlText = '';
    let prettyText = '';
    jsonl.on('data', (chunk: Buffer) => (jsonlText += chunk.toString()));
    pretty.on('data', (chunk: Buffer) => (prettyText += chunk.toString()));
    const recorder = new RunRecorder(parseFailOn('error'));
    const reporters = new MultiReporter([
      new JsonlReporter(jsonl),
      new PrettyReporter(pretty, { color: false, frames: false, quiet: false }),
      recorder,
    ]);
    const log = new EventLog();
    const proxy = await proxyWith(server.url, [rewriter, after], (event) => {
      reporters.write(event);
      log.push(event);
    });
    const ws = await openWsClient(proxy.url);
    ws.send('hello');
    assert.equal((await closedWith(ws)).code, 1000);
    const conn = (await log.waitFor('open')).conn;
    await log.closed(conn);
    await reporters.flush();

    const marker = '[rewritten by the test addon]';
    // The server's Close and the client's answer.
    assert.equal(originals.length, 2);
    assert.ok(
      originals.every((e) => e.type === 'peer-close' && !e.explain.includes(marker)),
      'the original events are not mutated',
    );
    assert.ok(seenAfter.length === 2 && seenAfter.every((explain) => explain.endsWith(marker)), 'the next addon sees the replacements');
    assert.equal(log.of('peer-close', conn).filter((e) => e.explain.endsWith(marker)).length, 2);
    assert.ok(
      jsonlText.split('\n').some((line) => line.includes('"type":"peer-close"') && line.includes(marker)),
      'JSON Lines',
    );
    assert.ok(prettyText.includes('rewritten by the test'), 'the pretty log');
    const story = recorder.connections.find((c) => c.conn === conn)?.story ?? [];
    assert.ok(
      story.some((e) => e.type === 'peer-close' && e.explain.endsWith(marker)),
      'the ci recorder',
    );
  });
});

describe('an addon that throws', () => {
  /** One addon per hook, each throwing on every call and counting its calls. */
  function throwers(counts: Map<string, number>): ProxyAddon[] {
    const hit = (name: string): void => {
      counts.set(name, (counts.get(name) ?? 0) + 1);
      throw new Error(`${name} broke`);
    };
    const part = (name: string, member: keyof ConnectionAddon): ProxyAddon => ({
      name,
      connection: (): ConnectionAddon => {
        switch (member) {
          case 'observers':
            return { observers: { 'client->server': { frame: () => hit(name) } } };
          case 'tap':
            return { tap: () => hit(name) };
          case 'event':
            return { event: (event) => (hit(name), event) };
          case 'opened':
            return { opened: () => hit(name) };
          default:
            return { end: () => hit(name) };
        }
      },
    });
    return [
      { name: 'handshake thrower', handshake: () => hit('handshake thrower') },
      { name: 'connection thrower', connection: () => (hit('connection thrower'), undefined) },
      part('observer thrower', 'observers'),
      part('tap thrower', 'tap'),
      part('event thrower', 'event'),
      part('opened thrower', 'opened'),
      part('end thrower', 'end'),
      { name: 'close thrower', close: () => hit('close thrower') },
    ];
  }

  it('is reported once per connection as an error event, switched off there, and the traffic and other addons go on', async () => {
    const server = await wsServer();
    const counts = new Map<string, number>();
    const calls: Call[] = [];
    const log = new EventLog();
    const proxy = await proxyWith(server.url, [...throwers(counts), recordingAddon(calls)], log.push);
    for (let round = 0; round < 2; round++) {
      const ws = await openWsClient(proxy.url);
      for (const text of ['one', 'two', 'three']) {
        ws.send(text);
        const [echo] = await nextMessages(ws, 1);
        assert.equal(echo?.data.toString(), text);
      }
      ws.close(1000);
      await closedWith(ws);
      await log.closed(`ad-c${round + 1}`);
    }
    await proxy.close();

    for (const conn of ['ad-c1', 'ad-c2']) {
      assert.deepEqual(log.violations(conn), [], 'nothing blamed on the peers');
      assert.equal(log.of('close', conn)[0]?.how, 'close-frame');
      const errors = log.of('error', conn).map((e) => e.message);
      for (const [name, hook] of [
        ['handshake thrower', 'handshake()'],
        ['connection thrower', 'connection()'],
        ['observer thrower', "its client->server observer's frame()"],
        ['tap thrower', 'tap()'],
        ['event thrower', 'event()'],
        ['opened thrower', 'opened()'],
        ['end thrower', 'end()'],
      ]) {
        assert.deepEqual(
          errors.filter((m) => m.startsWith(`The ${name} addon`)),
          [`The ${name} addon failed in ${hook}: ${name} broke. It is switched off for this connection; relaying goes on.`],
        );
      }
    }
    // Switched off for the connection only: each is called (and throws) once per connection, not again.
    for (const name of [
      'handshake thrower',
      'connection thrower',
      'observer thrower',
      'tap thrower',
      'event thrower',
      'opened thrower',
      'end thrower',
    ]) {
      assert.equal(counts.get(name), 2, name);
    }
    // close() is about the run.
    assert.equal(counts.get('close thrower'), 1);
    assert.ok(
      log
        .of('error')
        .some(
          (e) =>
            e.conn === null &&
            e.message ===
              'The close thrower addon failed in close(): close thrower broke. It is switched off for the rest of the run; relaying goes on.',
        ),
    );
    // The healthy addon heard everything, both times.
    assert.equal(calls.filter((c) => c.hook === 'end').length, 2);
    assert.equal(calls.filter((c) => c.hook === 'opened').length, 2);
  });

  it('a run-level hook that throws is switched off for the rest of the run', async () => {
    const server = await rawServer();
    const calls: Call[] = [];
    let thrown = 0;
    const log = new EventLog();
    const thrower: ProxyAddon = {
      name: 'counter',
      suppressed: () => {
        thrown++;
        throw new Error('no room');
      },
    };
    const proxy = await proxyWith(server.url, [thrower, recordingAddon(calls, 1)], log.push);
    const client = await connectRawClient(proxy.port);
    const reserved = encodeFrame({ opcode: 3, mask: true });
    client.send(Buffer.concat([reserved, reserved, reserved, reserved]));
    const conn = (await log.waitFor('open')).conn;
    await log.waitFor('error', (e) => e.message.startsWith('The counter addon'));
    client.socket.destroy();
    const close = await log.closed(conn);
    assert.equal(close.suppressed, 3);
    assert.equal(thrown, 1);
    assert.equal(calls.filter((c) => c.hook === 'suppressed').length, 3);
    assert.deepEqual(
      log
        .of('error')
        .filter((e) => e.message.startsWith('The counter addon'))
        .map((e) => [e.conn, e.message]),
      [[conn, 'The counter addon failed in suppressed(): no room. It is switched off for the rest of the run; relaying goes on.']],
    );
  });
});

describe('forwarding is one pluggable strategy', () => {
  /**
   * A frame-rewriting addon in the way fault injection would plug in: its decoder observer notes where
   * each server frame starts; its strategy judges the bytes first (as --enforce does), then forwards them
   * with each text frame retyped as binary. Client bytes go through as they came.
   */
  function retypeAddon(): ProxyAddon {
    const frameStarts = new Map<string, Map<number, number>>();
    return {
      name: 'retype',
      connection: (info) => {
        const starts = new Map<number, number>();
        frameStarts.set(info.conn, starts);
        return {
          observers: { 'server->client': { frame: (h) => void starts.set(h.offset, h.opcode) } },
          end: () => void frameStarts.delete(info.conn),
        };
      },
      forwarding: (relay) => {
        const starts = frameStarts.get(relay.conn) ?? new Map<number, number>();
        let held: Buffer = Buffer.alloc(0);
        return {
          data(leg, chunk) {
            if (leg.dir === 'client->server') {
              relay.forward(leg, chunk);
              relay.analyze(leg, chunk);
              return;
            }
            relay.analyze(leg, chunk);
            held = Buffer.concat([held, chunk]);
            const judged = relay.analyzer.decoder(leg.dir).judgedOffset;
            const take = judged - leg.forwarded;
            if (take <= 0) return;
            const out = Buffer.from(held.subarray(0, take));
            held = held.subarray(take);
            for (const [offset, opcode] of starts) {
              const at = offset - leg.forwarded;
              if (opcode === Opcode.Text && at >= 0 && at < out.length) out[at] = ((out[at] ?? 0) & 0xf0) | Opcode.Binary;
            }
            relay.forward(leg, out);
          },
          frameRest(leg, piece) {
            relay.forward(leg, piece);
            relay.analyze(leg, piece);
            return null;
          },
        };
      },
    };
  }

  it('a frame-rewriting strategy plugs into the same relay: the client gets the frames it made', async () => {
    const server = await wsServer();
    const log = new EventLog();
    const proxy = await proxyWith(server.url, [retypeAddon()], log.push);
    const ws = await openWsClient(proxy.url);
    ws.send('as text');
    const [echo] = await nextMessages(ws, 1);
    assert.ok(echo);
    assert.equal(echo.data.toString(), 'as text');
    assert.equal(echo.isBinary, true, 'the text frame the server sent was retyped on its way');
    ws.close(1000);
    assert.equal((await closedWith(ws)).code, 1000);
    const conn = (await log.waitFor('open')).conn;
    const close = await log.closed(conn);
    // The proxy decoded what the endpoints sent (text), and relayed every byte count as it came.
    assert.deepEqual(log.violations(conn), []);
    assert.equal(close.how, 'close-frame');
  });

  it('a strategy that throws cuts its connection with an error event; the proxy serves the next one', async () => {
    const server = await wsServer();
    const log = new EventLog();
    let calls = 0;
    const broken: ProxyAddon = {
      name: 'broken',
      forwarding: (relay) => ({
        data(leg, chunk) {
          if (++calls === 1 && leg.dir === 'client->server') throw new Error('lost its place');
          relay.forward(leg, chunk);
          relay.analyze(leg, chunk);
        },
        frameRest: () => null,
      }),
    };
    const proxy = await proxyWith(server.url, [broken], log.push);
    const ws = await openWsClient(proxy.url);
    ws.send('hello');
    await closedWith(ws);
    const close = await log.closed('ad-c1');
    assert.deepEqual([close.ended_by, close.how], ['proxy', 'error']);
    assert.deepEqual(
      log.of('error', 'ad-c1').map((e) => e.message),
      ["The broken addon's forwarding failed: lost its place. wsdiag cut the connection, since what it held back is lost."],
    );
    const next = await openWsClient(proxy.url);
    next.send('again');
    const [echo] = await nextMessages(next, 1);
    assert.equal(echo?.data.toString(), 'again');
    next.close(1000);
    await closedWith(next);
  });

  it('two strategies cannot go together: enforce and an addon with forwarding are refused before listening', async () => {
    const rewriter: ProxyAddon = { name: 'rewriter', forwarding: () => ({ data: () => {}, frameRest: () => null }) };
    await assert.rejects(
      startProxy({
        target: 'ws://127.0.0.1:9',
        listen: { host: '127.0.0.1', port: 0 },
        onEvent: () => {},
        enforce: true,
        addons: [rewriter],
      }),
      (err: Error) =>
        err instanceof UsageError &&
        err.message === 'addons "enforce" and "rewriter" both decide how bytes are forwarded; a proxy can have only one',
    );
    await assert.rejects(
      startProxy({
        target: 'ws://127.0.0.1:9',
        listen: { host: '127.0.0.1', port: 0 },
        onEvent: () => {},
        addons: [rewriter, { ...rewriter, name: 'other' }],
      }),
      /addons "rewriter" and "other" both decide how bytes are forwarded/,
    );
  });
});
