/**
 * The per-connection analyzer, playbook style (mitmproxy's tutils.Playbook): bytes in per direction,
 * schema events out, no sockets. A frozen clock makes events exact.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PeerCloseEvent, ViolationEvent, WsdiagEvent } from '../../src/events.js';
import { closeBody, concatBytes, encodeFrame } from '../../src/protocol/encoder.js';
import { ConnectionAnalyzer, type AnalyzerOptions } from '../../src/session/analyzer.js';

const T0 = Date.parse('2026-01-02T03:04:05.000Z');

function playbook(options: Partial<AnalyzerOptions> = {}) {
  const events: WsdiagEvent[] = [];
  const suppressed: ViolationEvent[] = [];
  let now = T0;
  const analyzer = new ConnectionAnalyzer({
    conn: 'c1',
    clock: () => new Date(now),
    onEvent: (e) => events.push(e),
    onSuppressed: (v) => suppressed.push(v),
    ...options,
  });
  return {
    analyzer,
    events,
    suppressed,
    tick: (ms: number) => (now += ms),
    client: (...frames: Uint8Array[]) => analyzer.push('client->server', concatBytes(frames)),
    server: (...frames: Uint8Array[]) => analyzer.push('server->client', concatBytes(frames)),
    of: <T extends WsdiagEvent['type']>(type: T) => events.filter((e) => e.type === type) as Array<Extract<WsdiagEvent, { type: T }>>,
  };
}

describe('ConnectionAnalyzer', () => {
  it('turns a finding into a schema violation with blame, hint, rfc and preview', () => {
    const p = playbook();
    p.client(encodeFrame({ opcode: 1, payload: 'hi' }));
    assert.deepEqual(p.events, [
      {
        v: 1,
        type: 'violation',
        ts: '2026-01-02T03:04:05.000Z',
        conn: 'c1',
        dir: 'client->server',
        code: 1002,
        rule: 'unmasked-client-frame',
        severity: 'error',
        blame: 'client',
        frame: { index: 0, offset: 0, opcode: 1, length: 2 },
        message: 'Client text frame is not masked (MASK bit 0).',
        hint: 'Clients must mask every frame with a fresh random 4-byte key; use a WebSocket client library rather than hand-written frames, and check that no proxy strips the mask.',
        rfc: 'RFC 6455 §5.1',
        preview: 'hi',
      },
    ]);
  });

  it('omits previews when asked, and writes binary previews as hex', () => {
    const p = playbook({ preview: false });
    p.client(encodeFrame({ opcode: 1, payload: 'secret' }));
    assert.equal(p.of('violation')[0]!.preview, undefined);
    const q = playbook();
    q.server(encodeFrame({ opcode: 2, payload: Uint8Array.of(0, 1, 0xff), rsv3: true }));
    assert.equal(q.of('violation')[0]!.preview, '0001ff');
  });

  it('frame events only with frames: true, with offsets per direction', () => {
    const p = playbook({ frames: true });
    p.client(encodeFrame({ opcode: 1, payload: 'a', mask: true }), encodeFrame({ opcode: 9, mask: true }));
    p.server(encodeFrame({ opcode: 1, payload: 'b' }));
    assert.deepEqual(
      p.of('frame').map((f) => [f.dir, f.index, f.offset, f.opcode, f.masked]),
      [
        ['client->server', 0, 0, 1, true],
        ['client->server', 1, 7, 9, true],
        ['server->client', 0, 0, 1, false],
      ],
    );
    assert.equal(playbook().of('frame').length, 0);
  });

  it('links a Close 1002 from the server to the client violation just before', () => {
    const p = playbook();
    p.client(encodeFrame({ opcode: 1, payload: 'x', rsv2: true, mask: true }));
    p.server(encodeFrame({ opcode: 8, payload: closeBody(1002, 'bad rsv') }));
    p.client(encodeFrame({ opcode: 8, payload: closeBody(1002), mask: true }));
    const [byServer, byClient] = p.of('peer-close');
    assert.deepEqual<Partial<PeerCloseEvent>>(
      { by: byServer!.by, code: byServer!.code, reason: byServer!.reason, cause: byServer!.cause, blame: byServer!.blame },
      {
        by: 'server',
        code: 1002,
        reason: 'bad rsv',
        cause: { rule: 'reserved-bits', dir: 'client->server', frame: { index: 0, offset: 0, opcode: 1, length: 1 } },
        blame: 'client',
      },
    );
    assert.match(byServer!.explain, /^The server closed with 1002 \(protocol error\) after the client broke reserved-bits \(frame #0 at offset 0\), exactly the code wsdiag expected\.$/);
    assert.equal(byClient!.blame, 'client');
    assert.equal(byClient!.cause, null);
    assert.match(byClient!.explain, /answered the server's Close with 1002/);
  });

  it('a 1002 close with nothing wrong on the wire blames "unknown": something after wsdiag', () => {
    const p = playbook();
    p.client(encodeFrame({ opcode: 1, payload: 'fine', mask: true }));
    p.server(encodeFrame({ opcode: 8, payload: closeBody(1007) }));
    const [close] = p.of('peer-close');
    assert.equal(close!.blame, 'unknown');
    assert.equal(close!.cause, null);
    assert.match(close!.explain, /although every frame wsdiag relayed to it was valid: something after wsdiag/);
  });

  it('a normal close starts the closing handshake, and an empty body has code null', () => {
    const p = playbook();
    p.client(encodeFrame({ opcode: 8, mask: true }));
    const [close] = p.of('peer-close');
    assert.equal(close!.code, null);
    assert.equal(close!.blame, 'client');
    assert.equal(close!.explain, 'The client started the closing handshake without a status code.');
  });

  it('floods: at most maxPerRule logged per rule, the rest counted in close.suppressed', () => {
    const p = playbook({ maxPerRule: 3 });
    const bad = encodeFrame({ opcode: 3, mask: true });
    p.client(...Array.from({ length: 5 }, () => bad), encodeFrame({ opcode: 1, payload: 'x' }));
    assert.equal(p.of('violation').length, 4, '3 reserved-opcode + 1 unmasked');
    assert.equal(p.suppressed.length, 2);
    p.tick(1234);
    const close = p.analyzer.finish({ ended_by: 'client', how: 'fin' });
    assert.deepEqual(close, {
      v: 1,
      type: 'close',
      ts: '2026-01-02T03:04:06.234Z',
      conn: 'c1',
      duration_ms: 1234,
      frames: { 'client->server': 6, 'server->client': 0 },
      bytes: { 'client->server': 5 * 6 + 3, 'server->client': 0 },
      violations: 6,
      suppressed: 2,
      ended_by: 'client',
      how: 'fin',
    });
    assert.equal(p.analyzer.finish(), null, 'the close event is emitted once');
  });

  it('handshake findings are reported through report() with frame null', () => {
    const p = playbook();
    p.analyzer.report('server->client', [{ rule: 'handshake-bad-accept', message: 'wrong accept', frame: null }]);
    const [v] = p.of('violation');
    assert.equal(v!.blame, 'server');
    assert.equal(v!.frame, null);
    assert.equal(v!.code, 1002);
  });

  it('finish() emits findings still waiting for their preview before the close event', () => {
    const p = playbook();
    const frame = encodeFrame({ opcode: 2, payload: new Uint8Array(100), rsv2: true });
    p.server(frame.subarray(0, 10)); // 2-byte header and 8 payload bytes: waiting for 64
    assert.equal(p.of('violation').length, 0);
    p.analyzer.finish();
    assert.deepEqual(p.events.map((e) => e.type), ['violation', 'close']);
    assert.equal(p.of('violation')[0]!.preview, '00'.repeat(8));
  });

  it('type policies per direction, and setTypePolicy at run time', () => {
    const p = playbook({ typePolicies: { 'server->client': { accepts: 'binary', source: '--client-accepts binary' } } });
    p.server(encodeFrame({ opcode: 1, payload: 'text' }));
    p.client(encodeFrame({ opcode: 2, payload: 'bin', mask: true }));
    p.analyzer.setTypePolicy('client->server', { accepts: 'text', source: 'learned from c0' });
    p.client(encodeFrame({ opcode: 2, payload: 'bin', mask: true }));
    assert.deepEqual(
      p.of('violation').map((v) => [v.rule, v.dir, v.code, v.frame?.index]),
      [
        ['unsupported-text', 'server->client', 1003, 0],
        ['unsupported-binary', 'client->server', 1003, 1],
      ],
    );
  });
});

describe('ConnectionAnalyzer observers', () => {
  it('each direction\'s observers hear the same decoder events as the analyzer, after it, and only their direction', () => {
    const heard: string[] = [];
    const p = playbook({
      observers: {
        'client->server': [
          {
            finding: (f) => void heard.push(`finding ${f.rule} (events so far: ${p.events.length})`),
            payload: (data, position) => void heard.push(`payload ${Buffer.from(data).toString()}@${position}`),
            messageEnd: (m) => void heard.push(`message #${m.firstFrame.index}`),
          },
          { ping: (frame, payload) => void heard.push(`ping #${frame.index} ${Buffer.from(payload).toString()}`) },
        ],
      },
    });
    p.client(encodeFrame({ opcode: 1, payload: 'hey', mask: true }), encodeFrame({ opcode: 9, payload: 'p' }));
    p.server(encodeFrame({ opcode: 1, payload: 'not heard' }));
    assert.deepEqual(heard, ['payload hey@0', 'message #0', 'finding unmasked-client-frame (events so far: 1)', 'payload p@0', 'ping #1 p']);
    assert.deepEqual(p.of('violation').map((v) => v.rule), ['unmasked-client-frame']);
  });

  it('an observer with no payload listener leaves binary payload unread (the decoder is built without one)', () => {
    const p = playbook({ observers: { 'client->server': [{ messageEnd: () => {} }] } });
    p.client(encodeFrame({ opcode: 2, payload: new Uint8Array(100_000), mask: true }));
    const decoder = p.analyzer.decoder('client->server') as unknown as { listens: boolean };
    assert.equal(decoder.listens, false);
    const listening = playbook({ observers: { 'client->server': [{ payload: () => {} }] } });
    assert.equal((listening.analyzer.decoder('client->server') as unknown as { listens: boolean }).listens, true);
  });
});
