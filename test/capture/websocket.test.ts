/**
 * The WebSocket layer of captures on scripted conversations: handshakes found and checked, the negotiated
 * extensions applied, what is not a WebSocket listed, gaps reported and judging stopped, endings, times.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CaptureEvent } from '../../src/capture/events.js';
import { closeBody, concatBytes, encodeFrame } from '../../src/protocol/encoder.js';
import { TestCompressor } from '../support/deflate.js';
import { Conversation, judge, judgeFile, switchingProtocols, upgradeRequest } from './support/conversation.js';

const text = (payload: string, masked: boolean) => encodeFrame({ opcode: 1, payload, ...(masked ? { mask: true as const } : {}) });
const close = (code: number, masked: boolean) =>
  encodeFrame({ opcode: 8, payload: closeBody(code, ''), ...(masked ? { mask: true as const } : {}) });

function ofType<T extends CaptureEvent['type']>(events: CaptureEvent[], type: T): Extract<CaptureEvent, { type: T }>[] {
  return events.filter((e): e is Extract<CaptureEvent, { type: T }> => e.type === type);
}

/** A clean conversation: handshake, a message each way, closing handshake, FINs. */
function clean(): Conversation {
  return new Conversation()
    .handshake()
    .send('client', upgradeRequest({}, '/chat?room=1&token=s3cret'))
    .send('server', switchingProtocols())
    .send('client', text('hello', true))
    .send('server', text('hello back', false))
    .send('client', close(1000, true))
    .send('server', close(1000, false))
    .fin('server')
    .fin('client')
    .ack('server');
}

describe('WebSocket connections in captures', () => {
  it('opens at the 101 with both addresses, judges both directions and closes as the relay would', () => {
    const c = clean();
    const events = judge(c.segments, { frames: true });
    assert.deepEqual(
      events.map((e) => e.type),
      ['open', 'frame', 'frame', 'frame', 'peer-close', 'frame', 'peer-close', 'close'],
    );
    const [open] = ofType(events, 'open');
    assert.deepEqual(open, {
      v: 1,
      type: 'open',
      ts: '2023-11-14T22:13:20.005Z', // the 101's packet
      conn: 'c1',
      client: '192.0.2.10:51000',
      path: '/chat?room=1&token=REDACTED',
      subprotocol: null,
      extensions: null,
      server: '198.51.100.20:8080',
      tcp_stream: 0,
    });
    const [end] = ofType(events, 'close');
    assert.deepEqual(
      { ...end, ts: undefined },
      {
        v: 1,
        type: 'close',
        ts: undefined,
        conn: 'c1',
        duration_ms: 11, // from the 101 to the second FIN
        frames: { 'client->server': 2, 'server->client': 2 },
        bytes: { 'client->server': 19, 'server->client': 16 },
        violations: 0,
        suppressed: 0,
        ended_by: 'client',
        how: 'close-frame',
      },
    );
    assert.equal(ofType(events, 'violation').length, 0);
    // Every event carries the time of the packet that caused it.
    assert.deepEqual(
      ofType(events, 'frame').map((f) => f.ts.slice(17)),
      ['20.007Z', '20.009Z', '20.011Z', '20.013Z'],
    );
  });

  it('gives the same events read from a pcap file as from the segments', () => {
    const c = clean();
    assert.deepEqual(judgeFile(c.pcap(), { frames: true }), judge(c.segments, { frames: true }));
  });

  it('reports handshake findings after open, request on client->server and response on server->client', () => {
    const events = judge(
      new Conversation()
        .handshake()
        .send('client', upgradeRequest({ 'Sec-WebSocket-Version': '8', 'Sec-WebSocket-Protocol': 'chat' }))
        .send('server', switchingProtocols({ 'Sec-WebSocket-Accept': 'wrong=', 'Sec-WebSocket-Protocol': 'superchat' })).segments,
    );
    assert.deepEqual(
      events.map((e) => (e.type === 'violation' ? `${e.rule} ${e.dir}` : e.type)),
      [
        'open',
        'handshake-invalid-request client->server',
        'handshake-bad-accept server->client',
        'handshake-unrequested-subprotocol server->client',
        'close',
      ],
    );
    assert.equal(ofType(events, 'open')[0]!.subprotocol, 'superchat');
  });

  it('configures the decoder with the negotiated permessage-deflate', () => {
    const compressor = new TestCompressor(true);
    const compressed = (message: string, masked: boolean) =>
      encodeFrame({ opcode: 1, rsv1: true, payload: compressor.compress(message), ...(masked ? { mask: true as const } : {}) });
    const server = new TestCompressor(true);
    const events = judge(
      new Conversation()
        .handshake()
        .send('client', upgradeRequest({ 'Sec-WebSocket-Extensions': 'permessage-deflate; client_max_window_bits' }))
        .send('server', switchingProtocols({ 'Sec-WebSocket-Extensions': 'permessage-deflate' }))
        .send('client', concatBytes([compressed('compressed hello', true), compressed('compressed hello again', true)]))
        .send('server', encodeFrame({ opcode: 1, rsv1: true, payload: server.compress('from the server') })).segments,
    );
    assert.equal(ofType(events, 'open')[0]!.extensions, 'permessage-deflate');
    assert.deepEqual(ofType(events, 'violation'), []);
    // The same RSV1 frames without the extension are violations.
    const plain = judge(
      new Conversation()
        .handshake()
        .send('client', upgradeRequest())
        .send('server', switchingProtocols())
        .send('client', compressed('x', true)).segments,
    );
    assert.deepEqual(
      ofType(plain, 'violation').map((v) => v.rule),
      ['reserved-bits'],
    );
  });

  it('judges client frames sent with the request after the bytes that came with the 101, as the relay does', () => {
    const events = judge(
      new Conversation()
        .handshake()
        .send('client', concatBytes([new TextEncoder().encode(upgradeRequest()), text('early unmasked', false)]))
        .send(
          'server',
          concatBytes([new TextEncoder().encode(switchingProtocols()), encodeFrame({ opcode: 1, payload: 'masked', mask: true })]),
        ).segments,
    );
    assert.deepEqual(
      ofType(events, 'violation').map((v) => `${v.rule} ${v.dir} @${v.frame?.offset}`),
      ['masked-server-frame server->client @0', 'unmasked-client-frame client->server @0'],
    );
  });

  it('finds the head however TCP cut it, the 101 and the first frames in one segment', () => {
    const request = upgradeRequest();
    const events = judge(
      new Conversation()
        .handshake()
        .send('client', request, 7)
        .send('server', concatBytes([new TextEncoder().encode(switchingProtocols()), text('a', false), text('b', false)])).segments,
      { frames: true },
    );
    assert.deepEqual(
      events.map((e) => e.type),
      ['open', 'frame', 'frame', 'close'],
    );
  });

  it('numbers connections as the proxy does (a refused upgrade takes a number too) and tells them apart', () => {
    const first = new Conversation({ ip: '192.0.2.10', port: 1 })
      .handshake()
      .send('client', upgradeRequest({ 'Sec-WebSocket-Key': null }))
      .send('server', 'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
    const second = new Conversation({ ip: '2001:db8::7', port: 2 }, { ip: '2001:db8::1', port: 443 })
      .handshake()
      .send('client', upgradeRequest())
      .send('server', switchingProtocols());
    const segments = [...first.segments, ...second.segments].map((s, i) => ({ ...s, packet: i + 1 }));
    const events = judge(segments);
    assert.deepEqual(
      events.map((e) => [e.type, 'conn' in e ? e.conn : null]),
      [
        ['violation', 'c1'],
        ['error', 'c1'],
        ['stream', null],
        ['open', 'c2'],
        ['close', 'c2'],
      ],
    );
    const error = ofType(events, 'error')[0]!;
    assert.equal(error.status, 404);
    assert.equal(error.message, 'The server answered the upgrade of /chat with 404 Not Found instead of 101 Switching Protocols.');
    assert.equal(ofType(events, 'stream')[0]!.kind, 'http');
    const open = ofType(events, 'open')[0]!;
    assert.deepEqual([open.client, open.server, open.tcp_stream], ['[2001:db8::7]:2', '[2001:db8::1]:443', 1]);
  });

  it('lists TLS, plain HTTP and other protocols without judging them', () => {
    const tls = new Conversation()
      .handshake()
      .send('client', Uint8Array.of(0x16, 0x03, 0x01, 0x00, 0xa5, 0x01))
      .send('server', Uint8Array.of(0x16, 0x03, 0x03, 0, 0x5a));
    const http = new Conversation()
      .handshake()
      .send('client', 'GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n')
      .send('server', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi');
    const ssh = new Conversation().handshake().send('server', 'SSH-2.0-OpenSSH_9.2\r\n');
    const h2c = new Conversation()
      .handshake()
      .send('client', 'GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n\r\n');
    for (const [c, kind] of [
      [tls, 'tls'],
      [http, 'http'],
      [ssh, 'other'],
      [h2c, 'http'],
    ] as const) {
      const events = judge(c.segments);
      assert.deepEqual(
        events.map((e) => (e.type === 'stream' ? `${e.kind} ${e.roles}` : e.type)),
        [`${kind} ${kind === 'http' ? 'http' : 'syn'}`],
        kind,
      );
    }
    const [stream] = ofType(judge(tls.segments), 'stream');
    assert.deepEqual(stream, {
      v: 1,
      type: 'stream',
      ts: '2023-11-14T22:13:20.000Z',
      tcp_stream: 0,
      client: '192.0.2.10:51000',
      server: '198.51.100.20:8080',
      roles: 'syn',
      kind: 'tls',
      message: 'TLS: the traffic is encrypted and cannot be decoded from a capture.',
    });
  });

  it('does not judge a connection the capture joined after its handshake', () => {
    const mid = clean();
    // The capture starts with the first WebSocket frame: no SYN, no HTTP.
    const events = judge(mid.segments.slice(7));
    assert.deepEqual(
      events.map((e) => (e.type === 'stream' ? e.kind : e.type)),
      ['no-handshake'],
    );
    // Joined between the request and the 101: the first bytes are a response.
    const late = judge(mid.segments.slice(5));
    assert.deepEqual(
      late.map((e) => (e.type === 'stream' ? e.kind : e.type)),
      ['no-handshake'],
    );
  });

  it('reports a gap in a direction, stops judging it, and goes on with the other', () => {
    const c = new Conversation()
      .handshake()
      .send('client', upgradeRequest())
      .send('server', switchingProtocols())
      .send('server', text('one', false))
      .send('server', text('two', false))
      .send('server', encodeFrame({ opcode: 3, payload: 'after the gap' }))
      .send('client', text('still judged', false));
    // Drop the segment that carried "two" (its ACK stays: the client got it, the capture did not).
    const lost = c.segments.findIndex((s) => new TextDecoder().decode(s.payload).endsWith('two'));
    const segments = c.segments.filter((_, i) => i !== lost);
    const events = judge(segments, { frames: true });
    assert.deepEqual(
      events.map((e) => (e.type === 'violation' ? e.rule : e.type === 'frame' ? `frame ${e.dir}` : e.type)),
      ['open', 'frame server->client', 'gap', 'frame client->server', 'unmasked-client-frame', 'close'],
    );
    const [gap] = ofType(events, 'gap');
    assert.deepEqual(
      { ...gap, ts: undefined },
      {
        v: 1,
        type: 'gap',
        ts: undefined,
        conn: 'c1',
        dir: 'server->client',
        offset: 5,
        length: 5,
        cause: 'lost',
        message:
          '5 bytes of server->client at offset 5 are missing from the capture (the receiver acknowledged them, the capture lost them); the rest of this direction is not judged, because where its next frame starts cannot be known.',
      },
    );
    // The close counts only what was judged.
    assert.deepEqual(ofType(events, 'close')[0]!.bytes, { 'client->server': 14, 'server->client': 5 });
  });

  it('reports a gap in the client bytes sent before the 101 once the connection opens', () => {
    const c = new Conversation()
      .handshake()
      .send('client', upgradeRequest())
      .send('client', text('early', true))
      .send('client', text('lost', true))
      .send('client', text('after', false))
      .send('server', switchingProtocols());
    const victim = c.segments.find((s) => s.payload.length === 10)!;
    const events = judge(
      c.segments.filter((s) => s !== victim),
      { frames: true },
    );
    assert.deepEqual(
      events.map((e) => (e.type === 'gap' ? `gap ${e.dir} @${e.offset}+${e.length}` : e.type)),
      ['open', 'frame', 'gap client->server @11+10', 'close'],
    );
  });

  it('does not judge a handshake cut by a gap', () => {
    const c = new Conversation().handshake().send('client', upgradeRequest(), 20).send('server', switchingProtocols());
    const segments = c.segments.filter((s, i) => !(i === 4 && s.payload.length > 0));
    const events = judge(segments);
    assert.deepEqual(
      events.map((e) => (e.type === 'stream' ? `stream ${e.kind}` : e.type)),
      ['stream incomplete'],
    );
  });

  it('says when an upgrade request got no answer in the capture', () => {
    const events = judge(new Conversation().handshake().send('client', upgradeRequest()).segments);
    assert.deepEqual(
      events.map((e) => (e.type === 'stream' ? `stream ${e.kind}` : e.type)),
      ['error', 'stream incomplete'],
    );
    assert.equal(ofType(events, 'error')[0]!.message, 'The upgrade request for /chat got no response in the capture.');
  });

  it('ends connections as the relay says: first Close frame, else FIN, else reset; or the capture ended', () => {
    const base = () => new Conversation().handshake().send('client', upgradeRequest()).send('server', switchingProtocols());
    const ending = (c: Conversation) => {
      const end = ofType(judge(c.segments), 'close')[0]!;
      return [end.ended_by, end.how];
    };
    assert.deepEqual(ending(base().send('server', close(1001, false)).fin('client').fin('server')), ['server', 'close-frame']);
    assert.deepEqual(ending(base().fin('server').fin('client')), ['server', 'fin']);
    assert.deepEqual(ending(base().reset('client')), ['client', 'reset']);
    assert.deepEqual(ending(base().send('client', text('x', true))), [undefined, 'capture-end']);
  });
});
