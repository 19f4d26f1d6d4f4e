/**
 * Real captures: tcpdump records loopback traffic between real peers while the test runs, and the capture
 * is judged. Valid ws traffic (compressed and not, IPv4 and IPv6) gives no violation; faulty raw peers give
 * the violations the proxy reports for the same bytes; the same capture with swapped and repeated segments
 * gives the same events; with a segment dropped, the gap is reported; and Wireshark's dissector counts the
 * same frames and opcodes per direction. Skipped, with the reason, without tcpdump or tshark.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import { CaptureAnalyzer } from '../../src/capture/analyze.js';
import type { CaptureEvent } from '../../src/capture/events.js';
import { closeBody, concatBytes, encodeFrame } from '../../src/protocol/encoder.js';
import { runProcess } from '../support/cli.js';
import { startTestProxy } from '../support/proxy.js';
import { connectRawClient, startRawServer } from '../support/raw-peers.js';
import { tempDir } from '../support/temp.js';
import { withTimeout } from '../support/wait.js';
import { closedWith, nextMessages, openWsClient, startWsServer } from '../support/ws-servers.js';
import { judgeFile, withoutTs } from './support/conversation.js';
import { dropSegment, packetsOf, reorderAndDuplicate, writePcap } from './support/rewrite.js';
import {
  connectionsClosed,
  hasTool,
  startTcpdump,
  tcpdumpUnavailable,
  tsharkOpcodes,
  tsharkUnavailable,
  tsharkWebSocket,
} from './support/tools.js';

type Ev<T extends CaptureEvent['type']> = Extract<CaptureEvent, { type: T }>;
const of = <T extends CaptureEvent['type']>(events: CaptureEvent[], type: T): Ev<T>[] => events.filter((e): e is Ev<T> => e.type === type);

const skipCapture = tcpdumpUnavailable();
const skipTshark = tsharkUnavailable();

/** Our frames per "tcp_stream sender", in order, for comparing with tshark. */
function ourOpcodes(events: CaptureEvent[]): Map<string, number[]> {
  const opens = new Map(of(events, 'open').map((o) => [o.conn, o]));
  const out = new Map<string, number[]>();
  for (const f of of(events, 'frame')) {
    const open = opens.get(f.conn)!;
    const key = `${open.tcp_stream} ${f.dir === 'client->server' ? open.client : open.server}`;
    out.set(key, [...(out.get(key) ?? []), f.opcode]);
  }
  return out;
}

/** Violations and peer-closes as a log holds them, without times. */
function judgements(events: CaptureEvent[]): unknown[] {
  return withoutTs(events.filter((e) => e.type === 'violation' || e.type === 'peer-close' || e.type === 'frame'));
}

describe('real captures of loopback traffic', { skip: skipCapture ?? false }, () => {
  const dir = tempDir('capture');

  describe('valid traffic from real ws peers', () => {
    let file: string;
    let events: CaptureEvent[];
    const expected: Array<{ compressed: boolean; host: string }> = [
      { compressed: false, host: '127.0.0.1' },
      { compressed: true, host: '127.0.0.1' },
      { compressed: true, host: '::1' },
    ];

    before(async () => {
      const plain = await startWsServer({ perMessageDeflate: false });
      const deflate = await startWsServer({ perMessageDeflate: { threshold: 0 } });
      const deflate6 = await startWsServer({ host: '::1', perMessageDeflate: { threshold: 0 } });
      file = dir.file('valid.pcap');
      const capture = await startTcpdump(file, [plain.port, deflate.port, deflate6.port]);
      try {
        const urls = [plain.url, deflate.url, deflate6.url];
        for (const [i, url] of urls.entries()) {
          const ws = await openWsClient(url, undefined, { perMessageDeflate: expected[i]!.compressed });
          const replies = nextMessages(ws, 5, 20_000);
          ws.send('hello, 世界');
          ws.send(Buffer.alloc(300_000, 7)); // several segments in a row: reordering material
          ws.send('x'.repeat(70_000));
          ws.send('fragment one, ', { fin: false });
          ws.send('fragment two', { fin: true });
          ws.ping('are you there');
          ws.send(Buffer.from([1, 2, 3]));
          await replies;
          ws.close(1000, 'done');
          await closedWith(ws, 10_000);
        }
        const bytes = await capture.stop(connectionsClosed(3), 'three closed connections');
        events = judgeFile(bytes, { frames: true });
      } finally {
        capture.kill();
        await plain.close();
        await deflate.close();
        await deflate6.close();
      }
    });

    it('judges every connection with its negotiated extensions and finds no violation', () => {
      const opens = of(events, 'open');
      assert.equal(opens.length, 3);
      assert.deepEqual(
        opens.map((o) => [o.extensions !== null, o.client.startsWith('[::1]') ? '::1' : '127.0.0.1']),
        expected.map((e) => [e.compressed, e.host]),
      );
      assert.deepEqual(of(events, 'violation'), []);
      assert.deepEqual(of(events, 'gap'), []);
      for (const close of of(events, 'close')) {
        // Client: 4 messages of one frame, one of two, a ping, a Close; the server echoes each message
        // whole (5 frames), answers the ping and the Close.
        assert.deepEqual(close.frames, { 'client->server': 8, 'server->client': 7 }, close.conn);
        assert.equal(close.how, 'close-frame');
        assert.equal(close.ended_by, 'client');
      }
      assert.deepEqual(
        of(events, 'peer-close').map((p) => [p.by, p.code]),
        [
          ['client', 1000],
          ['server', 1000],
          ['client', 1000],
          ['server', 1000],
          ['client', 1000],
          ['server', 1000],
        ],
      );
    });

    it('gives the same events with segments swapped and repeated', () => {
      const { packets, swaps, duplicates } = reorderAndDuplicate(packetsOf(readFileSync(file)));
      assert.ok(swaps >= 3 && duplicates >= 10, `${swaps} swaps, ${duplicates} duplicates`);
      const rewritten = judgeFile(writePcap(packets), { frames: true });
      assert.deepEqual(withoutTs(rewritten), withoutTs(events));
    });

    it('reports a dropped segment as a gap and judges the rest of that direction no further', () => {
      const opens = of(events, 'open');
      const serverPort = Number(opens[0]!.server!.split(':').at(-1));
      // The fourth data segment from the first server: inside the echo of the 300 kB message.
      const { packets, dropped } = dropSegment(packetsOf(readFileSync(file)), serverPort, 3);
      const damaged = judgeFile(writePcap(packets), { frames: true });
      const gaps = of(damaged, 'gap');
      assert.equal(gaps.length, 1);
      assert.equal(gaps[0]!.conn, 'c1');
      assert.equal(gaps[0]!.dir, 'server->client');
      assert.equal(gaps[0]!.cause, 'lost');
      assert.equal(gaps[0]!.length, dropped.segment!.payload.length);
      assert.deepEqual(of(damaged, 'violation'), []);
      // Frames before the gap are the same; none of that direction after it.
      const before = of(events, 'frame').filter((f) => f.conn === 'c1' && f.dir === 'server->client' && f.offset < gaps[0]!.offset);
      const after = of(damaged, 'frame').filter((f) => f.conn === 'c1' && f.dir === 'server->client');
      assert.deepEqual(withoutTs(after), withoutTs(before));
      // The other direction and the other connections are judged as before.
      assert.deepEqual(
        withoutTs(of(damaged, 'frame').filter((f) => f.dir === 'client->server' || f.conn !== 'c1')),
        withoutTs(of(events, 'frame').filter((f) => f.dir === 'client->server' || f.conn !== 'c1')),
      );
    });

    it(
      'reads the same capture converted to pcapng the same way',
      { skip: hasTool('editcap') ? false : 'editcap is not installed' },
      async () => {
        const pcapng = dir.file('valid.pcapng');
        const editcap = await runProcess('editcap', ['-F', 'pcapng', file, pcapng]);
        assert.equal(editcap.code, 0, editcap.stderr);
        const bytes = readFileSync(pcapng);
        assert.equal(bytes.readUInt32LE(0), 0x0a0d0d0a);
        assert.deepEqual(judgeFile(bytes, { frames: true }), events);
      },
    );

    it('counts the same frames and opcodes per direction as Wireshark', { skip: skipTshark ?? false }, () => {
      assert.deepEqual(Object.fromEntries(tsharkOpcodes(tsharkWebSocket(file))), Object.fromEntries(ourOpcodes(events)));
    });
  });

  describe('faulty raw peers, through the proxy and in the capture of its client leg', () => {
    let proxyEvents: CaptureEvent[];
    let captureEvents: CaptureEvent[];
    let file: string;
    let proxyPort = 0;

    before(async () => {
      const server = await startRawServer((peer) => {
        peer.accept({ then: encodeFrame({ opcode: 1, payload: 'masked by mistake', mask: true }) });
        // The server answers the client's first faults with a reserved opcode and a bad close code.
        peer.collector
          .until(() => (peer.body().length >= 40 ? true : undefined), 'client frames', 10_000)
          .then(
            () =>
              peer.send(
                concatBytes([
                  encodeFrame({ opcode: 0xb, payload: 'reserved' }),
                  encodeFrame({ opcode: 8, payload: closeBody(1005, 'no') }),
                ]),
              ),
            () => {},
          );
      });
      const harness = await startTestProxy(server.url, { frames: true, runId: 'cap' });
      proxyPort = harness.proxy.port;
      file = dir.file('faulty.pcap');
      const capture = await startTcpdump(file, [harness.proxy.port]);
      try {
        const client = await connectRawClient(harness.proxy.port, { headers: { 'Sec-WebSocket-Version': '8' } });
        client.send(
          concatBytes([
            encodeFrame({ opcode: 1, payload: 'fine', mask: true }),
            encodeFrame({ opcode: 1, payload: 'unmasked' }),
            encodeFrame({ opcode: 1, payload: Uint8Array.of(0x68, 0xc3, 0x28), mask: true }),
            encodeFrame({ opcode: 9, payload: 'p'.repeat(10), fin: false, mask: true }),
            encodeFrame({ opcode: 2, payload: 'binary', rsv2: true, mask: true }),
          ]),
        );
        await client.collector.until(() => (client.body().length > 30 ? true : undefined), 'the server frames', 10_000);
        client.socket.end();
        await harness.log.closed('cap-c1', 10_000);
        const bytes = await capture.stop(connectionsClosed(1), 'the closed connection');
        captureEvents = judgeFile(bytes, { frames: true });
        // The proxy's ids carry its run id; the capture's are its own counter.
        proxyEvents = harness.log.events.map((e) => JSON.parse(JSON.stringify(e).replaceAll('"cap-c', '"c')) as CaptureEvent);
      } finally {
        capture.kill();
        await harness.proxy.close();
        await server.close();
      }
    });

    it('reports the same violations, frames and peer closes as the proxy, in the same order', () => {
      const rules = of(captureEvents, 'violation').map((v) => `${v.rule} ${v.dir}`);
      // Which direction's packets came first depends on the run; each direction's order does not.
      assert.deepEqual([...rules].sort(), [
        'control-frame-fragmented client->server',
        'handshake-invalid-request client->server',
        'invalid-close-code server->client',
        'invalid-utf8-text client->server',
        'masked-server-frame server->client',
        'reserved-bits client->server',
        'reserved-opcode server->client',
        'unmasked-client-frame client->server',
      ]);
      // Same content as the proxy's (times differ: the capture's are the packets').
      const sortKey = (e: unknown) => JSON.stringify(e);
      assert.deepEqual(judgements(captureEvents).map(sortKey).sort(), judgements(proxyEvents).map(sortKey).sort());
      // And per direction, in the same order.
      for (const dir of ['client->server', 'server->client']) {
        const pick = (events: CaptureEvent[]) => judgements(events).filter((e) => (e as { dir?: string }).dir === dir);
        assert.deepEqual(pick(captureEvents), pick(proxyEvents), dir);
      }
      const proxyOpen = of(proxyEvents, 'open')[0]!;
      const captureOpen = of(captureEvents, 'open')[0]!;
      assert.deepEqual([captureOpen.client, captureOpen.path], [proxyOpen.client, proxyOpen.path]);
      assert.equal(captureOpen.server, `127.0.0.1:${proxyPort}`);
      const proxyClose = of(proxyEvents, 'close')[0]!;
      const captureClose = of(captureEvents, 'close')[0]!;
      assert.deepEqual(
        [captureClose.frames, captureClose.bytes, captureClose.violations],
        [proxyClose.frames, proxyClose.bytes, proxyClose.violations],
      );
    });

    it('counts the same frames and opcodes per direction as Wireshark', { skip: skipTshark ?? false }, () => {
      assert.deepEqual(Object.fromEntries(tsharkOpcodes(tsharkWebSocket(file))), Object.fromEntries(ourOpcodes(captureEvents)));
    });
  });

  it('reads tcpdump writing to a pipe, chunk by chunk, as the traffic happens', async () => {
    const server = await startWsServer({ perMessageDeflate: false });
    const events: CaptureEvent[] = [];
    const analyzer = new CaptureAnalyzer({ onEvent: (e) => events.push(e), analyzer: { frames: true } });
    const child = spawn('tcpdump', ['-i', 'lo', '-U', '--immediate-mode', '-n', '-s', '0', '-w', '-', `tcp port ${server.port}`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let chunks = 0;
    let stderr = '';
    const closed = new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        chunks++;
        analyzer.push(chunk);
        if (events.some((e) => e.type === 'close')) resolve();
      });
    });
    try {
      await withTimeout(
        new Promise<void>((resolve) => {
          child.stderr.on('data', (text: Buffer) => {
            stderr += text.toString();
            if (stderr.includes('listening on')) resolve();
          });
        }),
        'tcpdump to listen',
        15_000,
      );
      const ws = await openWsClient(server.url);
      const echo = nextMessages(ws, 1);
      ws.send('through a pipe');
      await echo;
      ws.close(1000);
      await closedWith(ws);
      await withTimeout(closed, 'the close event from the piped capture', 15_000);
    } finally {
      child.kill('SIGINT');
      await server.close();
    }
    analyzer.end();
    assert.ok(chunks > 1, 'tcpdump wrote the capture in several chunks');
    assert.deepEqual(
      events.filter((e) => e.type === 'frame').map((e) => (e as Ev<'frame'>).opcode),
      [1, 1, 8, 8],
    );
    assert.deepEqual(of(events, 'violation'), []);
  });
});
