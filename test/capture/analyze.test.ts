/**
 * The whole pipeline's own reports: problems with the file and its packets as `capture-problem` events
 * (once each, with a time), counts of what was skipped, and the streaming entry point.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeCapture, analyzeCaptureBytes } from '../../src/capture/analyze.js';
import type { CaptureEvent } from '../../src/capture/events.js';
import { concat, epb, ethernet, idb, ipv4, pcapFile, shb, tcpHeader, tcpPacket } from './support/builders.js';
import { encodeFrame } from '../../src/protocol/encoder.js';
import { Conversation, switchingProtocols, upgradeRequest } from './support/conversation.js';

const EPOCH = () => new Date(0);
const problems = (events: CaptureEvent[]) =>
  events
    .filter((e): e is Extract<CaptureEvent, { type: 'capture-problem' }> => e.type === 'capture-problem')
    .map((e) => [e.severity, e.code]);

describe('capture analysis', () => {
  it('says once per interface that a link type is not decoded, and skips its packets', () => {
    const file = concat([
      shb(),
      idb({ linkType: 127, name: 'wlan0mon' }),
      idb({ linkType: 1 }),
      epb({ iface: 0, ticks: 1n, data: new Uint8Array(40) }),
      epb({ iface: 0, ticks: 2n, data: new Uint8Array(40) }),
      epb({ iface: 1, ticks: 3n, data: tcpPacket({ src: '10.0.0.1', dst: '10.0.0.2', sport: 1, dport: 2, seq: 1, flags: 'S' }) }),
    ]);
    const { events, stats } = analyzeCaptureBytes(file, { clock: EPOCH });
    assert.deepEqual(problems(events), [['warning', 'unknown-link-type']]);
    const [problem] = events as Array<Extract<CaptureEvent, { type: 'capture-problem' }>>;
    assert.match(
      problem!.message,
      /^Interface 0 \(wlan0mon\) has IEEE 802\.11 with radiotap \(link type 127\), which wsdiag does not decode; its packets are skipped\.$/,
    );
    assert.equal(stats.skipped['link-type'], 2);
    assert.equal(stats.tcp.segments, 1);
  });

  it('says once that IP fragments are not reassembled, and counts them', () => {
    const fragment = (offset: number) =>
      ethernet(ipv4({ src: '10.0.0.1', dst: '10.0.0.2', payload: new Uint8Array(16), fragment: 0x2000 | offset }));
    const file = pcapFile({ records: [1, 2, 3].map((i) => ({ sec: i, frac: 0, data: fragment(i) })) });
    const { events, stats } = analyzeCaptureBytes(file);
    assert.deepEqual(problems(events), [['warning', 'ip-fragments']]);
    assert.equal(stats.skipped['ip-fragment'], 3);
    const [problem] = events as Array<Extract<CaptureEvent, { type: 'capture-problem' }>>;
    assert.equal(problem!.ts, '1970-01-01T00:00:01.000Z');
    assert.equal(problem!.packet, 1);
  });

  it('reports a file that is not a capture at the time of the clock, with nothing else', () => {
    const { events, stats } = analyzeCaptureBytes(new TextEncoder().encode('hello, this is text'), { clock: EPOCH });
    assert.deepEqual(events, [
      {
        v: 1,
        type: 'capture-problem',
        ts: '1970-01-01T00:00:00.000Z',
        severity: 'error',
        code: 'not-a-capture',
        message: 'Not a capture file: it is text, not a capture (tcpdump and tshark write captures with -w FILE).',
        offset: 0,
      },
    ]);
    assert.equal(stats.reader.failed, true);
    assert.deepEqual(stats.problems, { error: 1, warning: 0 });
  });

  it('judges what a truncated capture holds, then says it was cut', () => {
    const c = new Conversation()
      .handshake()
      .send('client', upgradeRequest())
      .send('server', switchingProtocols())
      .send('client', encodeFrame({ opcode: 1, payload: 'cut' }));
    // The file ends 10 bytes before the end of the packet that carries the (unmasked) frame.
    const file = c.pcap(c.segments.slice(0, -1));
    const { events } = analyzeCaptureBytes(file.subarray(0, file.length - 10));
    assert.deepEqual(
      events.map((e) => e.type),
      ['open', 'capture-problem', 'close'],
    );
    assert.deepEqual(problems(events), [['warning', 'truncated']]);
  });

  it('lists a capture without WebSocket: no open, one stream per connection', () => {
    const tls = pcapFile({
      records: [
        { sec: 1, frac: 0, data: tcpPacket({ src: '10.0.0.1', dst: '10.0.0.2', sport: 4000, dport: 443, seq: 1, flags: 'S' }) },
        {
          sec: 1,
          frac: 1,
          data: tcpPacket({
            src: '10.0.0.1',
            dst: '10.0.0.2',
            sport: 4000,
            dport: 443,
            seq: 2,
            flags: 'AP',
            payload: Uint8Array.of(0x16, 3, 1, 0, 4, 1, 0, 0, 0),
          }),
        },
      ],
    });
    const { events, stats } = analyzeCaptureBytes(tls);
    assert.deepEqual(
      events.map((e) => (e.type === 'stream' ? `${e.type} ${e.kind}` : e.type)),
      ['stream tls'],
    );
    assert.equal(stats.websocket.websocket, 0);
    assert.equal(stats.websocket.streams.tls, 1);
  });

  it('says once when the connection limit gives connections up', () => {
    const records = [];
    for (let i = 0; i < 12; i++)
      records.push({
        sec: i,
        frac: 0,
        data: tcpPacket({
          src: '10.0.0.1',
          dst: '10.0.0.2',
          sport: 5000 + i,
          dport: 80,
          seq: 1,
          flags: 'AP',
          payload: 'GET / HTTP/1.1\r\n',
        }),
      });
    const { events, stats } = analyzeCaptureBytes(pcapFile({ records }), { maxConnections: 4 });
    assert.deepEqual(problems(events), [['warning', 'connection-limit']]);
    assert.ok(stats.tcp.evicted >= 4);
  });

  it('gives the same events streamed in chunks as read at once', async () => {
    const c = new Conversation()
      .handshake()
      .send('client', upgradeRequest())
      .send('server', switchingProtocols())
      .send('client', tcpHeader({ src: '1.1.1.1', dst: '1.1.1.1', sport: 1, dport: 1, seq: 0 }));
    const file = c.pcap();
    async function* chunks(): AsyncGenerator<Uint8Array> {
      for (let at = 0; at < file.length; at += 77) {
        await Promise.resolve(); // each chunk in a later turn, as a stream delivers them
        yield file.subarray(at, at + 77);
      }
    }
    const streamed = await analyzeCapture(chunks(), { analyzer: { frames: true } });
    assert.deepEqual(streamed.events, analyzeCaptureBytes(file, { analyzer: { frames: true } }).events);
    assert.ok(streamed.events.some((e) => e.type === 'violation'));
  });
});
