/**
 * The per-connection analyzer, playbook style (mitmproxy's tutils.Playbook): bytes in per direction,
 * schema events out, no sockets. A frozen clock makes events exact.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PeerCloseEvent, ViolationEvent, WsdiagEvent } from '../../src/events/index.js';
import { closeBody, concatBytes, encodeFrame } from '../../src/protocol/encoder.js';
import { ConnectionAnalyzer, type AnalyzerOptions } from '../../src/session/analyzer.js';
import { TestCompressor } from '../support/deflate.js';

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
    assert.match(
      byServer!.explain,
      /^The server closed with 1002 \(protocol error\) after the client broke reserved-bits \(frame #0 at offset 0\), exactly the code wsdiag expected\.$/,
    );
    assert.equal(byClient!.blame, null, "an answering Close is nobody's fault");
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
    assert.equal(close!.blame, null);
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
      explain:
        'The client ended the connection with a FIN without a closing handshake (no Close frame either way): both endpoints see 1006 (abnormal closure).',
      cause: null,
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
    assert.deepEqual(
      p.events.map((e) => e.type),
      ['violation', 'violation', 'close'],
    );
    assert.equal(p.of('violation')[0]!.preview, '00'.repeat(8));
    assert.equal(p.of('violation')[1]!.rule, 'truncated-frame', 'then the frame cut short');
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

/** The peer-close events as [by, code, cause rule, cause frame index, blame]. */
function closes(p: ReturnType<typeof playbook>) {
  return p.of('peer-close').map((c) => [c.by, c.code, c.cause?.rule ?? null, c.cause?.frame?.index ?? null, c.blame]);
}

describe('which violation a Close answers', () => {
  /** permessage-deflate; a compressed message whose continuation has RSV1 set and does not inflate. */
  function rsv1Continuation(p: ReturnType<typeof playbook>): void {
    const compressed = new TestCompressor(true).compress('hello hello hello');
    p.client(
      encodeFrame({ opcode: 1, payload: compressed, fin: false, rsv1: true, mask: true }),
      encodeFrame({ opcode: 0, payload: Uint8Array.of(0xff, 0xff, 0xff), rsv1: true, mask: true }),
    );
  }

  it('the violation whose code the Close carries, although another came later on the same frame', () => {
    const p = playbook({ extensions: 'permessage-deflate' });
    rsv1Continuation(p);
    assert.deepEqual(
      p.of('violation').map((v) => [v.rule, v.code, v.frame?.index]),
      [
        ['reserved-bits', 1002, 1],
        ['invalid-compressed-data', 1007, 1],
      ],
    );
    p.server(encodeFrame({ opcode: 8, payload: closeBody(1002, 'RSV1 bit set in continuation frame') }));
    assert.deepEqual(closes(p), [['server', 1002, 'reserved-bits', 1, 'client']]);
    assert.match(p.of('peer-close')[0]!.explain, /broke reserved-bits \(frame #1 at offset \d+\), exactly the code wsdiag expected/);
  });

  it('a Close 1007 for the same frame is linked to the 1007 violation', () => {
    const p = playbook({ extensions: 'permessage-deflate' });
    rsv1Continuation(p);
    p.server(encodeFrame({ opcode: 8, payload: closeBody(1007) }));
    assert.deepEqual(closes(p), [['server', 1007, 'invalid-compressed-data', 1, 'client']]);
  });

  it('the earliest violation when several share the code, or when none carries it', () => {
    const rsv = (payload: string) => encodeFrame({ opcode: 1, payload, rsv2: true, mask: true });
    const p = playbook();
    p.client(
      rsv('a'),
      encodeFrame({ opcode: 3, mask: true }),
      rsv('b'),
      encodeFrame({ opcode: 1, payload: Uint8Array.of(0xff), mask: true }),
    );
    p.server(encodeFrame({ opcode: 8, payload: closeBody(1007) }));
    assert.deepEqual(closes(p), [['server', 1007, 'invalid-utf8-text', 3, 'client']]);
    const q = playbook();
    q.client(rsv('a'), encodeFrame({ opcode: 3, mask: true }), encodeFrame({ opcode: 1, payload: Uint8Array.of(0xff), mask: true }));
    q.server(encodeFrame({ opcode: 8, payload: closeBody(1011) }));
    assert.deepEqual(closes(q), [['server', 1011, 'reserved-bits', 0, 'client']], 'no 1011 violation: the first one');
    const r = playbook();
    r.client(rsv('a'), encodeFrame({ opcode: 3, mask: true }));
    r.server(encodeFrame({ opcode: 8 }));
    assert.deepEqual(closes(r), [['server', null, 'reserved-bits', 0, 'client']]);
  });

  it('keeps the first per code however many violations come (bounded memory, same answer)', () => {
    const p = playbook({ maxPerRule: 1 });
    p.client(
      ...Array.from({ length: 500 }, () => encodeFrame({ opcode: 3, mask: true })),
      encodeFrame({ opcode: 1, payload: Uint8Array.of(0xc0), mask: true }),
    );
    p.server(encodeFrame({ opcode: 8, payload: closeBody(1002) }));
    assert.deepEqual(closes(p), [['server', 1002, 'reserved-opcode', 0, 'client']]);
  });
});

describe('peer-close blame is for faults', () => {
  const closeWith = (code: number | null, reason = '') => {
    const p = playbook();
    p.client(encodeFrame({ opcode: 1, payload: 'fine', mask: true }));
    p.server(encodeFrame({ opcode: 8, payload: code === null ? new Uint8Array(0) : closeBody(code, reason) }));
    return p.of('peer-close')[0]!;
  };

  for (const code of [1000, 1001, 1012, 1013, 3000, 4001, null]) {
    it(`nothing wrong: ${code ?? 'an empty Close'} has blame null`, () => {
      assert.equal(closeWith(code).blame, null);
    });
  }
  it('a fault code nothing on the wire explains: unknown', () => {
    for (const code of [1002, 1003, 1007, 1009, 1008]) assert.equal(closeWith(code).blame, 'unknown', String(code));
  });
  it('a failure the closer reports of its own (1011, 1014), or an invalid Close: the closer', () => {
    assert.equal(closeWith(1011).blame, 'server');
    assert.match(closeWith(1011).explain, /a failure on its own side/);
    assert.equal(closeWith(1014).blame, 'server');
    assert.equal(closeWith(1005).blame, 'server');
  });
  it("an answering Close is nobody's fault, whatever code it echoes", () => {
    const p = playbook();
    p.server(encodeFrame({ opcode: 8, payload: closeBody(1001) }));
    p.client(encodeFrame({ opcode: 8, payload: closeBody(1001), mask: true }));
    assert.deepEqual(closes(p), [
      ['server', 1001, null, null, null],
      ['client', 1001, null, null, null],
    ]);
  });
});

describe('truncated-frame and the close event of a connection without a closing handshake', () => {
  const big = encodeFrame({ opcode: 2, payload: new Uint8Array(1000), mask: true });

  it("a frame cut by its sender's FIN: which frame, declared vs received, who ended it and how", () => {
    const p = playbook();
    p.client(encodeFrame({ opcode: 1, payload: 'ok', mask: true }), big.subarray(0, 108));
    p.analyzer.end('client->server', { ended_by: 'client', how: 'fin' });
    const [v] = p.of('violation');
    assert.deepEqual(
      { rule: v!.rule, code: v!.code, severity: v!.severity, dir: v!.dir, blame: v!.blame, frame: v!.frame, rfc: v!.rfc },
      {
        rule: 'truncated-frame',
        code: 1006,
        severity: 'warning',
        dir: 'client->server',
        blame: 'client',
        frame: { index: 1, offset: 8, opcode: 2, length: 1000 },
        rfc: 'RFC 6455 §5.2, §7.1.5',
      },
    );
    assert.equal(
      v!.message,
      "The client's frame #1 (binary) at offset 8 was cut short: 100 of its 1000 payload bytes arrived before the client ended the connection with a FIN.",
    );
    assert.match(v!.hint, /closing handshake/);
    p.analyzer.end('client->server', { ended_by: 'client', how: 'fin' });
    assert.equal(p.of('violation').length, 1, 'a direction ends once');
    const close = p.analyzer.finish({ ended_by: 'client', how: 'fin' })!;
    assert.equal(p.of('violation').length, 1);
    assert.equal(
      close.explain,
      "The client ended the connection with a FIN without a closing handshake (no Close frame either way), in the middle of the client's frame #1 (binary) at offset 8, 100 of its 1000 payload bytes relayed: both endpoints see 1006 (abnormal closure).",
    );
    assert.deepEqual(close.cause, {
      rule: 'truncated-frame',
      dir: 'client->server',
      frame: { index: 1, offset: 8, opcode: 2, length: 1000 },
    });
  });

  it("a frame cut by the other side's reset is blamed on the side that reset", () => {
    const p = playbook();
    p.server(encodeFrame({ opcode: 2, payload: new Uint8Array(300) }).subarray(0, 3));
    p.analyzer.finish({ ended_by: 'client', how: 'reset' });
    const [v] = p.of('violation');
    assert.equal(v!.dir, 'server->client');
    assert.equal(v!.blame, 'client');
    assert.equal(
      v!.message,
      "The header of the server's frame #0 (binary) at offset 0 was cut short: 3 of its 4 bytes arrived before the client reset the connection.",
    );
    assert.match(v!.hint, /the client crashed/);
  });

  it('a connection wsdiag ended (shutdown, --enforce, timeout) reports no cut frame and no 1006 story', () => {
    const p = playbook();
    p.client(big.subarray(0, 50));
    const close = p.analyzer.finish({ ended_by: 'proxy', how: 'shutdown' })!;
    assert.equal(p.of('violation').length, 0);
    assert.equal(close.explain, undefined);
    assert.equal('cause' in close, false);
  });

  it('a completed closing handshake has no explanation; a Close left unanswered says who sees what', () => {
    const done = playbook();
    done.client(encodeFrame({ opcode: 8, payload: closeBody(1000), mask: true }));
    done.server(encodeFrame({ opcode: 8, payload: closeBody(1000) }));
    assert.equal(done.analyzer.finish({ ended_by: 'client', how: 'close-frame' })!.explain, undefined);
    const half = playbook();
    half.server(encodeFrame({ opcode: 8, payload: closeBody(1001) }));
    const close = half.analyzer.finish({ ended_by: 'client', how: 'reset' })!;
    assert.equal(
      close.explain,
      'The client reset the connection before the closing handshake was complete (the server sent a Close, the client never answered): the client sees 1001, the server sees 1006 (abnormal closure).',
    );
    assert.equal(close.cause, null);
  });
});

describe('ping-unanswered (injected clock, no timers)', () => {
  const ping = (payload = 'p') => encodeFrame({ opcode: 9, payload });
  const clientPong = (payload = 'p') => encodeFrame({ opcode: 10, payload, mask: true });

  it('a server ping without a pong past the timeout blames the client; once per unanswered run', () => {
    const p = playbook({ pongTimeoutMs: 1000 });
    assert.equal(p.analyzer.pongDeadline, null);
    p.server(ping());
    assert.equal(p.analyzer.pongDeadline, T0 + 1000);
    p.tick(999);
    p.analyzer.checkPongTimeouts();
    assert.equal(p.of('violation').length, 0, 'not yet');
    p.server(ping('again'));
    assert.equal(p.analyzer.pongDeadline, T0 + 1000, 'one deadline: the earliest ping');
    p.tick(1);
    p.analyzer.checkPongTimeouts();
    const [v] = p.of('violation');
    assert.deepEqual(
      { rule: v!.rule, code: v!.code, severity: v!.severity, dir: v!.dir, blame: v!.blame, frame: v!.frame, rfc: v!.rfc },
      {
        rule: 'ping-unanswered',
        code: 1011,
        severity: 'warning',
        dir: 'server->client',
        blame: 'client',
        frame: { index: 0, offset: 0, opcode: 9, length: 1 },
        rfc: 'RFC 6455 §5.5.2',
      },
    );
    assert.equal(
      v!.message,
      "The server's ping (frame #0 at offset 0) has had no pong from the client for 1.0 s (--pong-timeout 1000 ms). 1 later ping went unanswered too.",
    );
    assert.match(v!.hint, /^The client must answer every Ping/);
    assert.equal(p.analyzer.pongDeadline, null);
    p.tick(5000);
    p.server(ping());
    p.analyzer.checkPongTimeouts();
    assert.equal(p.of('violation').length, 1, 'the same run is not reported again');
  });

  it('any pong in the other direction answers every earlier ping; a pong that answers nothing is silent', () => {
    const p = playbook({ pongTimeoutMs: 1000 });
    p.client(clientPong('unsolicited'));
    p.server(ping('1'), ping('2'), ping('3'));
    p.client(clientPong('3'));
    assert.equal(p.analyzer.pongDeadline, null);
    p.server(encodeFrame({ opcode: 10, payload: 'heartbeat' }));
    p.tick(10_000);
    p.analyzer.checkPongTimeouts();
    p.server(ping('4'));
    assert.equal(p.analyzer.pongDeadline, T0 + 11_000, 'a new run starts at the next ping');
    p.client(clientPong('4'));
    p.analyzer.finish({ ended_by: 'client', how: 'close-frame' });
    assert.equal(p.of('violation').length, 0);
  });

  it('a ping of the client is owed by the server, independently of the other direction', () => {
    const p = playbook({ pongTimeoutMs: 1000 });
    p.client(encodeFrame({ opcode: 9, mask: true }));
    p.server(ping());
    p.client(clientPong());
    p.tick(1000);
    p.analyzer.checkPongTimeouts();
    assert.deepEqual(
      p.of('violation').map((v) => [v.rule, v.dir, v.blame]),
      [['ping-unanswered', 'client->server', 'server']],
    );
  });

  it('a keepalive Close (1011) by the pinging side is linked to its unanswered ping, reported then', () => {
    const p = playbook();
    p.server(ping());
    p.tick(20_000);
    p.server(encodeFrame({ opcode: 8, payload: closeBody(1011, 'keepalive ping timeout') }));
    assert.deepEqual(
      p.events.map((e) => e.type),
      ['violation', 'peer-close'],
    );
    const [v] = p.of('violation');
    assert.equal(
      v!.message,
      "The server's ping (frame #0 at offset 0) got no pong from the client in the 20.0 s before the server closed with 1011.",
    );
    const [c] = p.of('peer-close');
    assert.deepEqual(
      [c!.blame, c!.cause],
      ['client', { rule: 'ping-unanswered', dir: 'server->client', frame: { index: 0, offset: 0, opcode: 9, length: 1 } }],
    );
    assert.equal(
      c!.explain,
      'The server closed with 1011 (internal error) after the client left its ping (frame #0) unanswered for 20.0 s: a keepalive timeout.',
    );
  });

  it('a Close whose reason mentions a missed pong links too; other closes excuse a waiting ping', () => {
    const p = playbook();
    p.client(encodeFrame({ opcode: 9, mask: true }));
    p.client(encodeFrame({ opcode: 8, payload: closeBody(4000, 'pong not received'), mask: true }));
    assert.deepEqual(closes(p), [['client', 4000, 'ping-unanswered', 0, 'server']]);
    const q = playbook({ pongTimeoutMs: 1000 });
    q.server(ping());
    q.client(encodeFrame({ opcode: 8, payload: closeBody(1000), mask: true }));
    assert.equal(q.analyzer.pongDeadline, null, 'closing: no pong is awaited any more');
    q.server(ping());
    q.tick(60_000);
    q.analyzer.checkPongTimeouts();
    q.analyzer.finish({ ended_by: 'client', how: 'reset' });
    assert.deepEqual(q.of('violation'), [], 'the closing handshake explains it');
  });

  it('a ping still unanswered when the connection ends is reported, with how long it waited, and explains the 1006', () => {
    const p = playbook({ pongTimeoutMs: 0 });
    p.server(ping());
    assert.equal(p.analyzer.pongDeadline, null, '0: only at the end');
    p.tick(31_200);
    p.analyzer.checkPongTimeouts();
    assert.equal(p.of('violation').length, 0);
    const close = p.analyzer.finish({ ended_by: 'server', how: 'fin' })!;
    const [v] = p.of('violation');
    assert.equal(
      v!.message,
      "The server's ping (frame #0 at offset 0) was still unanswered by the client when the connection ended, 31.2 s later.",
    );
    assert.deepEqual(close.cause, { rule: 'ping-unanswered', dir: 'server->client', frame: { index: 0, offset: 0, opcode: 9, length: 1 } });
    assert.equal(
      close.explain,
      "The server ended the connection with a FIN without a closing handshake (no Close frame either way), with the server's ping (frame #0) unanswered by the client for 31.2 s: both endpoints see 1006 (abnormal closure).",
    );
  });

  it('nothing is awaited once wsdiag itself closes (--enforce), nor reported when wsdiag ended the connection', () => {
    const p = playbook({ pongTimeoutMs: 1000 });
    p.server(ping());
    p.analyzer.proxyClosing();
    assert.equal(p.analyzer.pongDeadline, null);
    p.tick(5000);
    p.analyzer.checkPongTimeouts();
    p.analyzer.finish({ ended_by: 'client', how: 'fin' });
    assert.equal(p.of('violation').length, 0);
    const q = playbook({ pongTimeoutMs: 1000 });
    q.client(encodeFrame({ opcode: 9, mask: true }));
    q.tick(10);
    const close = q.analyzer.finish({ ended_by: 'proxy', how: 'shutdown' })!;
    assert.equal(q.of('violation').length, 0);
    assert.equal(close.explain, undefined);
  });

  it('pongTimeoutMs null tracks nothing (one-direction analysis)', () => {
    const p = playbook({ pongTimeoutMs: null });
    p.server(ping());
    p.tick(100_000);
    p.analyzer.finish({ ended_by: 'server', how: 'fin' });
    assert.equal(p.of('violation').length, 0);
  });
});

describe('ConnectionAnalyzer observers', () => {
  it("each direction's observers hear the same decoder events as the analyzer, after it, and only their direction", () => {
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
    assert.deepEqual(heard, [
      'payload hey@0',
      'message #0',
      'finding unmasked-client-frame (events so far: 1)',
      'payload p@0',
      'ping #1 p',
    ]);
    assert.deepEqual(
      p.of('violation').map((v) => v.rule),
      ['unmasked-client-frame'],
    );
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
