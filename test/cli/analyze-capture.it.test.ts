/**
 * `wsdiag analyze FILE.pcap` as a user runs it. On a real capture that tcpdump makes of loopback traffic
 * while the test runs: valid traffic between real ws peers (compressed) gives no violation, and a faulty raw
 * client through the proxy gives, in the capture of its leg, the violations the proxy reported, frame for
 * frame; from a file and from stdin alike. Bad inputs (cut, of an unknown link type, without WebSocket
 * traffic, random, compressed, empty) give one clear line and the documented exit status, never a crash.
 * The tcpdump part is skipped, with the reason, where tcpdump cannot capture.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { before, describe, it } from 'node:test';
import type { WsdiagEvent } from '../../src/events/index.js';
import { closeBody, concatBytes, encodeFrame } from '../../src/protocol/encoder.js';
import { pcapFile, tcpPacket } from '../capture/support/builders.js';
import { Conversation } from '../capture/support/conversation.js';
import { connectionsClosed, startTcpdump, tcpdumpUnavailable } from '../capture/support/tools.js';
import { writtenConversation } from '../capture/support/written.js';
import { runCli } from '../support/cli.js';
import { startTestProxy } from '../support/proxy.js';
import { connectRawClient, startRawServer } from '../support/raw-peers.js';
import { tempDir } from '../support/temp.js';
import { closedWith, nextMessages, openWsClient, startWsServer } from '../support/ws-servers.js';

type Ev<T extends WsdiagEvent['type']> = Extract<WsdiagEvent, { type: T }>;
const of = <T extends WsdiagEvent['type']>(events: WsdiagEvent[], type: T): Ev<T>[] => events.filter((e): e is Ev<T> => e.type === type);
const jsonLines = (stdout: string): WsdiagEvent[] =>
  stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as WsdiagEvent);

/** A connection's frames, violations and peer closes, as a log holds them without times and ids. */
function judgements(events: WsdiagEvent[], conn: string): unknown[] {
  return events
    .filter((e) => (e.type === 'violation' || e.type === 'peer-close' || e.type === 'frame') && e.conn === conn)
    .map((e) => {
      const { ts: _ts, conn: _conn, ...rest } = e as Ev<'frame'>;
      return rest;
    });
}

const dir = tempDir('analyze-capture');
const skipCapture = tcpdumpUnavailable();

describe('wsdiag analyze on a tcpdump capture of loopback traffic', { skip: skipCapture ?? false }, () => {
  let file: string;
  let wsPort = 0;
  let proxyPort = 0;
  let proxyEvents: WsdiagEvent[] = [];

  before(async () => {
    const echo = await startWsServer({ perMessageDeflate: { threshold: 0 } });
    const clientFrames = concatBytes([
      encodeFrame({ opcode: 1, payload: 'fine', mask: true }),
      encodeFrame({ opcode: 1, payload: 'unmasked' }),
      encodeFrame({ opcode: 1, payload: Uint8Array.of(0x68, 0xc3, 0x28), mask: true }),
    ]);
    const serverFirst = encodeFrame({ opcode: 1, payload: 'masked by mistake', mask: true });
    const serverLater = concatBytes([
      encodeFrame({ opcode: 0xb, payload: 'reserved' }),
      encodeFrame({ opcode: 8, payload: closeBody(1000) }),
    ]);
    const raw = await startRawServer((peer) => {
      peer.accept({ then: serverFirst });
      // The server answers the client's frames with a reserved opcode and a Close.
      peer.collector
        .until(() => (peer.body().length >= clientFrames.length ? true : undefined), 'the client frames', 20_000)
        .then(
          () => peer.send(serverLater),
          () => {},
        );
    });
    const harness = await startTestProxy(raw.url, { frames: true, runId: 'cli' });
    wsPort = echo.port;
    proxyPort = harness.proxy.port;
    file = dir.file('loopback.pcap');
    const capture = await startTcpdump(file, [echo.port, harness.proxy.port]);
    try {
      const ws = await openWsClient(echo.url, undefined, { perMessageDeflate: true });
      const replies = nextMessages(ws, 3, 20_000);
      ws.send('hello, 世界');
      ws.send(Buffer.alloc(100_000, 7));
      ws.send('bye');
      await replies;
      ws.close(1000, 'done');
      await closedWith(ws, 20_000);

      const client = await connectRawClient(harness.proxy.port);
      client.send(clientFrames);
      const answers = serverFirst.length + serverLater.length;
      await client.collector.until(() => (client.body().length >= answers ? true : undefined), 'the server frames', 20_000);
      client.socket.end();
      await harness.log.closed('cli-c1', 20_000);
      await capture.stop(connectionsClosed(2), 'both connections closed');
      proxyEvents = harness.log.events;
    } finally {
      capture.kill();
      await harness.proxy.close();
      await raw.close();
      await echo.close();
    }
  });

  it("judges every connection: none in the valid traffic, the proxy's own in the faulty leg (exit 1)", async () => {
    const r = await runCli(['analyze', file, '--json', '--frames']);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr, '');
    const events = jsonLines(r.stdout);
    const opens = of(events, 'open');
    assert.equal(opens.length, 2);
    const valid = opens.find((o) => o.server === `127.0.0.1:${wsPort}`);
    const faulty = opens.find((o) => o.server === `127.0.0.1:${proxyPort}`);
    assert.ok(valid && faulty);
    assert.match(valid.extensions ?? '', /^permessage-deflate/);
    assert.deepEqual(
      of(events, 'violation').filter((v) => v.conn === valid.conn),
      [],
    );
    // Three messages and a Close each way (the server echoes).
    assert.equal(of(events, 'frame').filter((f) => f.conn === valid.conn).length, 8);
    // The faulty client's leg: the proxy's frames, violations and peer closes, in order per direction.
    for (const way of ['client->server', 'server->client']) {
      const sent = (e: { dir?: string; by?: string }) => e.dir ?? (e.by === 'client' ? 'client->server' : 'server->client');
      const pick = (list: unknown[]) => list.filter((e) => sent(e as { dir?: string; by?: string }) === way);
      assert.deepEqual(pick(judgements(events, faulty.conn)), pick(judgements(proxyEvents, 'cli-c1')), way);
    }
    assert.deepEqual(
      of(events, 'violation')
        .filter((v) => v.conn === faulty.conn)
        .map((v) => v.rule)
        .sort(),
      ['invalid-utf8-text', 'masked-server-frame', 'reserved-opcode', 'unmasked-client-frame'],
    );
    // The times are the packets', and the run ends with a summary.
    assert.ok(Date.parse(opens[0]!.ts) > Date.now() - 3_600_000);
    const summary = events.at(-1);
    assert.ok(summary?.type === 'summary');
    assert.equal(summary.connections, 2);
  });

  it('reads the same capture from stdin, and says what it read in the readable log', async () => {
    const fromFile = await runCli(['analyze', file, '--json']);
    const fromStdin = await runCli(['analyze', '-', '--json'], { input: readFileSync(file) });
    assert.equal(fromStdin.code, 1, fromStdin.stderr);
    const strip = (stdout: string) => jsonLines(stdout).filter((e) => e.type !== 'summary');
    assert.deepEqual(strip(fromStdin.stdout), strip(fromFile.stdout));
    const readable = await runCli(['analyze', file]);
    assert.match(readable.stdout, /\n\S+loopback\.pcap: \d+ packets, 2 TCP connections, 2 WebSocket; 4 violations\.\n/);
    assert.match(readable.stdout, /✖ 1002 unmasked-client-frame/);
  });
});

describe('wsdiag analyze: bad inputs', () => {
  const write = (name: string, bytes: Uint8Array | string): string => {
    const path = dir.file(name);
    writeFileSync(path, bytes);
    return path;
  };
  const written = writtenConversation().file;

  /** One line on stderr, no stack trace, nothing on stdout. */
  async function refused(args: string[], pattern: RegExp, input?: Uint8Array): Promise<void> {
    const r = await runCli(args, input !== undefined ? { input } : {});
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, pattern);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  }

  it('a capture cut inside its header: exit 2, nothing could be read', async () => {
    const cut = write('cut-header.pcapng', written.subarray(0, 30));
    await refused(
      ['analyze', cut],
      /^wsdiag: cannot read \S+cut-header\.pcapng: the capture ends inside its header \(30 of 44 bytes\): it holds no packet\n$/,
    );
    await refused(['analyze', '-'], /^wsdiag: cannot read stdin: the capture ends inside its header/, written.subarray(0, 30));
  });

  it('a capture cut after some packets: what was read is judged, with a warning (exit 0)', async () => {
    const cut = write('cut-later.pcapng', written.subarray(0, written.length - 20));
    const r = await runCli(['analyze', cut, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const events = jsonLines(r.stdout);
    const problem = of(events, 'capture-problem')[0];
    assert.deepEqual([problem?.severity, problem?.code], ['warning', 'truncated']);
    assert.equal(of(events, 'open').length, 1);
    assert.equal(of(events, 'peer-close').length, 2, 'the Close frames came before the cut');
  });

  it('a capture of a link type wsdiag does not decode: exit 2, naming it', async () => {
    const packet = tcpPacket({ src: '10.0.0.1', dst: '10.0.0.2', sport: 1, dport: 2, seq: 1, flags: 'S' });
    const ppp = write('ppp.pcap', pcapFile({ linkType: 9, records: [{ sec: 1, frac: 0, data: packet }] }));
    await refused(
      ['analyze', ppp],
      /^wsdiag: cannot read \S+ppp\.pcap: none of its 1 packet can be decoded: interface 0 has PPP \(link type 9\)/,
    );
  });

  it('a capture without WebSocket traffic: exit 0, and stderr says what it held', async () => {
    const tls = new Conversation({ ip: '10.0.0.1', port: 40000 }, { ip: '10.0.0.2', port: 443 })
      .handshake()
      .send('client', Uint8Array.of(0x16, 0x03, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5))
      .fin('client')
      .fin('server');
    const path = write('tls.pcap', tls.pcap());
    const r = await runCli(['analyze', path, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      of(jsonLines(r.stdout), 'stream').map((s) => [s.kind, s.server]),
      [['tls', '10.0.0.2:443']],
    );
    assert.match(
      r.stderr,
      /^wsdiag: \S+tls\.pcap: no WebSocket connection in the capture \(7 packets, 1 TCP connection: 1 TLS \(encrypted: not decodable from a capture\)\)\.\n$/,
    );
  });

  it('a random file, an empty one, a compressed capture: not a capture, and no --from to read them otherwise', async () => {
    const random = write('random.bin', Buffer.concat([Buffer.of(0), randomBytes(4095)]));
    await refused(
      ['analyze', random],
      /^wsdiag: \S+random\.bin is not a packet capture \(its magic number 0x00\w{6} is neither pcap .* nor pcapng .*\); to decode it as one direction of a raw WebSocket stream, say who sent it with --from client or --from server\n$/,
    );
    await refused(['analyze', write('empty.pcap', '')], /is not a packet capture \(the file is empty\)/);
    await refused(
      ['analyze', write('ws.pcapng.gz', gzipSync(written))],
      /is not a packet capture \(it is gzip-compressed \(decompress it first, e\.g\. with gunzip\)\)/,
    );
    // With --from, the same random bytes are one direction of a raw stream, decoded without a crash.
    const raw = await runCli(['analyze', random, '--from', 'client', '--quiet']);
    assert.ok(raw.code === 0 || raw.code === 1, raw.stderr);
    assert.equal(raw.stderr, '');
  });

  it('raw-stream options with a capture: exit 2, naming the flag', async () => {
    const path = write('ws.pcapng', written);
    for (const flag of [
      ['--from', 'client'],
      ['--extensions', 'permessage-deflate'],
      ['--accepts', 'text'],
    ]) {
      await refused(['analyze', path, ...flag], new RegExp(`^wsdiag: ${flag[0]} is for a raw stream; \\S+ws\\.pcapng is a packet capture`));
    }
    const r = await runCli(['analyze', path]);
    assert.equal(r.code, 0, r.stderr);
  });
});
