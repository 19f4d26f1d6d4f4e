/**
 * `wsdiag proxy --pcap FILE` as a user runs it: real ws peers (compressed and not) and a raw client that
 * forgets to mask, through the proxy; then Wireshark's dissector (`tshark -r FILE -Y websocket`) finds in
 * the file, on each leg, the frames the proxy reported as `frame` events, with the same opcodes per
 * direction; and `wsdiag analyze FILE` reads it back with the proxy's violations on each leg. A path that
 * cannot be written is exit 2 before anything listens. The tshark part is skipped without tshark.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import type { WsdiagEvent } from '../../src/events/index.js';
import { encodeFrame } from '../../src/protocol/encoder.js';
import { tsharkUnavailable, tsharkWebSocket } from '../capture/support/tools.js';
import { runCli, startCli } from '../support/cli.js';
import { connectRawClient } from '../support/raw-peers.js';
import { tempDir } from '../support/temp.js';
import { closedWith, nextMessages, openWsClient, startWsServer } from '../support/ws-servers.js';

type Ev<T extends WsdiagEvent['type']> = Extract<WsdiagEvent, { type: T }>;
const of = <T extends WsdiagEvent['type']>(events: WsdiagEvent[], type: T): Ev<T>[] => events.filter((e): e is Ev<T> => e.type === type);
const parse = (stdout: string): WsdiagEvent[] =>
  stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as WsdiagEvent);

const dir = tempDir('proxy-pcap');

describe('wsdiag proxy --pcap', () => {
  const file = dir.file('relayed.pcapng');
  let events: WsdiagEvent[] = [];
  let proxyPort = 0;
  let upstreamPort = 0;

  before(async () => {
    const echo = await startWsServer({ perMessageDeflate: { threshold: 0 } });
    upstreamPort = echo.port;
    const proxy = startCli(['proxy', '--target', echo.url, '--listen', '127.0.0.1:0', '--json', '--frames', '--pcap', file]);
    try {
      proxyPort = await proxy.port();
      const url = `ws://127.0.0.1:${proxyPort}/chat?room=1`;
      for (const compressed of [true, false]) {
        const ws = await openWsClient(url, undefined, { perMessageDeflate: compressed });
        const replies = nextMessages(ws, 3, 20_000);
        ws.send('hello, 世界');
        ws.send(Buffer.alloc(150_000, 5));
        ws.ping('are you there');
        ws.send('fragment one, ', { fin: false });
        ws.send('fragment two', { fin: true });
        await replies;
        ws.close(1000, 'done');
        await closedWith(ws, 20_000);
      }
      // A client that forgets to mask: the ws server closes with 1002.
      const raw = await connectRawClient(proxyPort);
      raw.send(encodeFrame({ opcode: 1, payload: 'not masked' }));
      await raw.collector.until(() => (raw.body().length >= 4 ? true : undefined), "the server's Close", 20_000);
      raw.socket.end();
      await proxy.until(() => (of(parse(proxy.stdout()), 'close').length >= 3 ? true : undefined), 'three close events', 30_000);
      const exit = await proxy.stop('SIGINT');
      assert.equal(exit.code, 0, exit.stderr);
      events = parse(exit.stdout);
    } finally {
      proxy.kill('SIGKILL');
      await echo.close();
    }
  });

  it('has the frames of every connection on both legs, as Wireshark dissects them', { skip: tsharkUnavailable() ?? false }, () => {
    const packets = tsharkWebSocket(file);
    const proxySrc = `127.0.0.1:${proxyPort}`;
    const upstreamSrc = `127.0.0.1:${upstreamPort}`;
    // Opcodes per TCP stream and sender, in order.
    const streams = new Map<number, Map<string, number[]>>();
    for (const p of packets) {
      const bySrc = streams.get(p.stream) ?? new Map<string, number[]>();
      bySrc.set(p.src, [...(bySrc.get(p.src) ?? []), ...p.opcodes]);
      streams.set(p.stream, bySrc);
    }
    const proxyFrames = (conn: string, dir: string) =>
      of(events, 'frame')
        .filter((f) => f.conn === conn && f.dir === dir)
        .map((f) => f.opcode);
    const opens = of(events, 'open');
    assert.equal(opens.length, 3);
    assert.equal(streams.size, 6, 'one TCP stream per leg of each connection');
    const upstreamLegs: string[] = [];
    for (const bySrc of streams.values()) {
      const senders = [...bySrc.keys()];
      if (senders.includes(proxySrc)) {
        // The client leg: the client's frames, and wsdiag's to it, as the proxy's frame events.
        const client = senders.find((s) => s !== proxySrc);
        const open = opens.find((o) => o.client === client);
        assert.ok(open, `a proxy connection from ${client}`);
        assert.deepEqual(bySrc.get(open.client), proxyFrames(open.conn, 'client->server'), `${open.conn} client->server`);
        assert.deepEqual(bySrc.get(proxySrc), proxyFrames(open.conn, 'server->client'), `${open.conn} server->client`);
      } else {
        assert.ok(senders.includes(upstreamSrc), senders.join(' '));
        const fromWsdiag = senders.find((s) => s !== upstreamSrc) ?? '';
        upstreamLegs.push(JSON.stringify([bySrc.get(fromWsdiag) ?? [], bySrc.get(upstreamSrc) ?? []]));
      }
    }
    // The upstream legs (wsdiag's own ports are in no event): the same frames, connection for connection.
    const expected = opens.map((o) => JSON.stringify([proxyFrames(o.conn, 'client->server'), proxyFrames(o.conn, 'server->client')]));
    assert.deepEqual(upstreamLegs.sort(), expected.sort());
    const frames = of(events, 'frame').length;
    assert.equal(
      packets.reduce((n, p) => n + p.opcodes.length, 0),
      2 * frames,
      'twice the frame events',
    );
  });

  it("is read back by wsdiag analyze: every connection on both legs, with the proxy's violations", async () => {
    const r = await runCli(['analyze', file, '--json']);
    assert.equal(r.code, 1, r.stderr);
    const read = parse(r.stdout);
    const opens = of(read, 'open');
    assert.equal(opens.length, 6);
    assert.equal(opens.filter((o) => o.server === `127.0.0.1:${proxyPort}`).length, 3);
    const paths = (list: Array<Ev<'open'>>) => list.map((o) => o.path).sort();
    assert.deepEqual(paths(opens), paths([...of(events, 'open'), ...of(events, 'open')]));
    assert.deepEqual(
      of(read, 'violation').map((v) => [v.rule, v.dir]),
      of(events, 'violation').flatMap((v) => [
        [v.rule, v.dir],
        [v.rule, v.dir],
      ]),
    );
    assert.deepEqual(of(read, 'gap'), []);
    assert.deepEqual(
      of(read, 'close').map((c) => c.how),
      of(read, 'close').map(() => 'close-frame'),
    );
  });

  it('a pcap path that cannot be written: exit 2 before anything listens', async () => {
    const r = await runCli([
      'proxy',
      '--target',
      'ws://127.0.0.1:9',
      '--listen',
      '127.0.0.1:0',
      '--json',
      '--pcap',
      join(dir.path, 'no', 'such.pcapng'),
    ]);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stdout, '', 'no listening event');
    assert.match(r.stderr, /^wsdiag: cannot open pcap file \S+such\.pcapng: no such file or directory \(ENOENT\)\n$/);
  });
});
