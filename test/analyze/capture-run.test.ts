/**
 * A capture judged for a command (src/analyze/capture.ts), without the command: what it passes on, what it
 * counts for the exit code, when it calls a capture unreadable (and then prints nothing), what it says of a
 * capture without WebSocket traffic, and that it judges with the proxy's options (redaction of the
 * handshake's fields, --messages, --max-per-rule).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CaptureRun, describeCapture, noWebSocketNotice, type CaptureJudgeOptions } from '../../src/analyze/capture.js';
import type { WsdiagEvent } from '../../src/events/index.js';
import { closeBody, encodeFrame } from '../../src/protocol/encoder.js';
import { concat, epb, idb, pcapFile, shb, tcpPacket } from '../capture/support/builders.js';
import { Conversation, switchingProtocols, upgradeRequest } from '../capture/support/conversation.js';

type Ev<T extends WsdiagEvent['type']> = Extract<WsdiagEvent, { type: T }>;
const of = <T extends WsdiagEvent['type']>(events: WsdiagEvent[], type: T): Ev<T>[] => events.filter((e): e is Ev<T> => e.type === type);

/** The bytes through a CaptureRun in chunks of `chunk` bytes: what it passed on and the outcome. */
function run(bytes: Uint8Array, options: CaptureJudgeOptions = {}, chunk = 1000) {
  const events: WsdiagEvent[] = [];
  const capture = new CaptureRun(options, (event) => events.push(event));
  for (let at = 0; at < bytes.length; at += chunk) capture.push(bytes.subarray(at, at + chunk));
  return { events, outcome: capture.end() };
}

/** A WebSocket connection with a token in its path, a subprotocol, a text message, a bad frame and a Close. */
function conversation(path = '/chat?token=s3cr3t-t0ken-value-1234&room=7'): Uint8Array {
  return new Conversation()
    .handshake()
    .send('client', upgradeRequest({ 'Sec-WebSocket-Protocol': 'chat' }, path))
    .send('server', switchingProtocols({ 'Sec-WebSocket-Protocol': 'chat' }))
    .send('client', encodeFrame({ opcode: 1, payload: 'hello room 7', mask: true }))
    .send('client', encodeFrame({ opcode: 1, payload: 'not masked' }))
    .send('server', encodeFrame({ opcode: 8, payload: closeBody(1002, 'unmasked') }))
    .send('client', encodeFrame({ opcode: 8, payload: closeBody(1002), mask: true }))
    .fin('server')
    .fin('client')
    .pcap();
}

describe('a capture judged for a command', () => {
  it('passes every event on, counts error-severity violations, and ends with a line of counts', () => {
    const { events, outcome } = run(conversation());
    assert.deepEqual(
      events.map((e) => e.type),
      ['open', 'violation', 'peer-close', 'peer-close', 'close'],
    );
    assert.equal(of(events, 'violation')[0]!.rule, 'unmasked-client-frame');
    assert.deepEqual([outcome.errors, outcome.violations, outcome.unreadable], [1, 1, null]);
    assert.equal(noWebSocketNotice(outcome.stats), null);
    assert.equal(describeCapture('x.pcap', outcome), 'x.pcap: 17 packets, 1 TCP connection, 1 WebSocket; 1 violation.');
  });

  it("redacts the handshake's fields as the proxy does, or shows them with showSecrets, and applies redact patterns", () => {
    const open = (options: CaptureJudgeOptions) => of(run(conversation(), options).events, 'open')[0]!;
    assert.equal(open({}).path, '/chat?token=REDACTED&room=7');
    assert.equal(open({ showSecrets: true }).path, '/chat?token=s3cr3t-t0ken-value-1234&room=7');
    assert.equal(open({ showSecrets: true, redact: ['room=\\d+'] }).path, '/chat?token=s3cr3t-t0ken-value-1234&REDACTED');
    assert.equal(open({}).subprotocol, 'chat');
  });

  it("reports each message, ping, pong and Close with --messages, in the connection's stream", () => {
    const { events } = run(conversation(), { messages: true, bodyLimit: 5 });
    const messages = of(events, 'message');
    assert.deepEqual(
      messages.map((m) => [m.dir, m.kind]),
      [
        ['client->server', 'text'],
        ['client->server', 'text'],
        ['server->client', 'close'],
        ['client->server', 'close'],
      ],
    );
    assert.ok(messages.every((m) => m.conn === 'c1'));
    assert.equal(events.at(-1)!.type, 'close', 'the messages come before the close');
  });

  it('logs at most maxPerRule violations of a rule per connection, and still counts an error', () => {
    const conv = new Conversation().handshake().send('client', upgradeRequest()).send('server', switchingProtocols());
    for (let i = 0; i < 5; i++) conv.send('client', encodeFrame({ opcode: 1, payload: `unmasked ${i}` }));
    const { events, outcome } = run(conv.fin('client').fin('server').pcap(), { maxPerRule: 2 });
    assert.equal(of(events, 'violation').length, 2);
    assert.equal(of(events, 'close')[0]!.violations, 5);
    assert.equal(outcome.errors, 2);
  });

  it('calls a capture cut inside its header unreadable, and passes nothing on', () => {
    const whole = conversation();
    for (const cut of [3, 10, 23, 30]) {
      const { events, outcome } = run(whole.subarray(0, cut));
      assert.deepEqual(events, [], `cut at ${cut}`);
      assert.match(
        outcome.unreadable ?? '',
        cut < 4
          ? /^not a capture file/
          : /^the capture ends inside (its header|its first record) \(\d+ of \d+ bytes\): it holds no packet$/,
      );
    }
  });

  it('judges what comes before a record cut short, with a warning', () => {
    const whole = conversation();
    const { events, outcome } = run(whole.subarray(0, whole.length - 10));
    assert.equal(outcome.unreadable, null);
    const problem = of(events, 'capture-problem')[0]!;
    assert.deepEqual([problem.severity, problem.code], ['warning', 'truncated']);
    assert.equal(of(events, 'open').length, 1);
  });

  it('calls a capture of a link type it does not decode unreadable, naming the link type', () => {
    const packet = tcpPacket({ src: '10.0.0.1', dst: '10.0.0.2', sport: 1, dport: 2, seq: 1, flags: 'S' });
    const file = pcapFile({ linkType: 9, records: [1, 2].map((sec) => ({ sec, frac: 0, data: packet })) });
    const { events, outcome } = run(file);
    assert.deepEqual(events, []);
    assert.equal(
      outcome.unreadable,
      'none of its 2 packets can be decoded: interface 0 has PPP (link type 9), which wsdiag does not decode (wsdiag reads Ethernet, Linux cooked SLL and SLL2, raw IP and loopback captures)',
    );
  });

  it('passes a notice about an interface on once a packet could be read from another one', () => {
    const packet = tcpPacket({ src: '10.0.0.1', dst: '10.0.0.2', sport: 1, dport: 2, seq: 1, flags: 'S' });
    const file = concat([
      shb(),
      idb({ linkType: 127, name: 'wlan0mon' }),
      idb({ linkType: 1 }),
      epb({ iface: 1, ticks: 1n, data: packet }),
    ]);
    const { events, outcome } = run(file, {}, 7);
    assert.equal(outcome.unreadable, null);
    assert.deepEqual(
      of(events, 'capture-problem').map((p) => p.code),
      ['unknown-link-type'],
    );
    assert.equal(noWebSocketNotice(outcome.stats), 'no WebSocket connection in the capture (1 packet, 1 TCP connection: 1 without data)');
  });

  it('says what a capture without WebSocket traffic held instead', () => {
    const tls = new Conversation({ ip: '10.0.0.1', port: 40000 }, { ip: '10.0.0.2', port: 443 })
      .handshake()
      .send('client', Uint8Array.of(0x16, 0x03, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5))
      .fin('client')
      .fin('server');
    const http = new Conversation({ ip: '10.0.0.1', port: 40001 }, { ip: '10.0.0.2', port: 80 })
      .handshake()
      .send('client', 'GET / HTTP/1.1\r\nHost: x\r\n\r\n')
      .send('server', 'HTTP/1.1 204 No Content\r\n\r\n')
      .fin('client')
      .fin('server');
    const file = pcapFile({ records: [] });
    const both = concat([file, ...[tls, http].map((c) => c.pcap().subarray(file.length))]);
    const { events, outcome } = run(both);
    assert.deepEqual(
      of(events, 'stream').map((s) => s.kind),
      ['tls', 'http'],
    );
    assert.equal(
      noWebSocketNotice(outcome.stats),
      'no WebSocket connection in the capture (16 packets, 2 TCP connections: 1 TLS (encrypted: not decodable from a capture), 1 plain HTTP)',
    );
    assert.equal(noWebSocketNotice(run(pcapFile({ records: [] })).outcome.stats), 'the capture holds no packets');
  });
});
