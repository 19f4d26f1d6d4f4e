/**
 * The pure comparisons: two observations of the same connection (built by recording encoded frames)
 * in, findings out. Each illegal change gives its failure blamed on the intermediary; each legal one
 * gives info only; identical streams give nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Side } from '../../src/events/index.js';
import { closeBody, encodeFrame, type FrameSpec } from '../../src/protocol/encoder.js';
import {
  StreamRecorder,
  compareConnection,
  compareHandshake,
  compareStreams,
  type EndObservation,
  type ObservedHandshake,
  type ObservedStream,
  type ProbeFinding,
} from '../../src/observe/index.js';
import { binaryPayload } from '../../src/probe/payloads.js';

const KEY_A = Uint8Array.of(1, 2, 3, 4);
const KEY_B = Uint8Array.of(9, 8, 7, 6);

/** Records frames as `from` sends them; each frame is its own write at the given time (default 0). */
function observe(
  from: Side,
  frames: FrameSpec[],
  options: { extensions?: string | undefined; at?: number[] | undefined } = {},
): ObservedStream {
  const r = new StreamRecorder({ from, extensions: options.extensions ?? null });
  frames.forEach((f, i) =>
    r.push(encodeFrame(from === 'client' && f.mask === undefined ? { ...f, mask: KEY_A } : f), options.at?.[i] ?? 0),
  );
  return r.stream;
}

const text = (payload: string | Uint8Array, more: Partial<FrameSpec> = {}): FrameSpec => ({ opcode: 1, payload, ...more });
const binary = (payload: Uint8Array, more: Partial<FrameSpec> = {}): FrameSpec => ({ opcode: 2, payload, ...more });

function upstream(sent: FrameSpec[], arrived: FrameSpec[], extensions?: string): ProbeFinding[] {
  return compareStreams(observe('client', sent, { extensions }), observe('client', arrived, { extensions }), 'client->server').findings;
}

function checks(findings: ProbeFinding[]): string[] {
  return findings.map((f) => `${f.severity} ${f.check}`);
}

test('identical streams give no findings', () => {
  const frames = [
    text('a'),
    binary(binaryPayload(70_000, 1)),
    { opcode: 9, payload: 'p' },
    text('b', { fin: false }),
    { opcode: 0, payload: 'c' },
  ];
  assert.deepEqual(upstream(frames, frames), []);
});

test('a dropped message is named, and later messages still match', () => {
  const f = upstream([text('one'), text('two'), text('three')], [text('one'), text('three')]);
  assert.deepEqual(checks(f), ['failure message-dropped']);
  assert.match(f[0]!.message, /text message #1 \(3 bytes\) did not arrive/i);
  assert.equal(f[0]!.blame, 'intermediary');
  assert.equal(f[0]!.dir, 'client->server');
});

test('duplicated, reordered and added messages', () => {
  assert.deepEqual(checks(upstream([text('a'), text('b')], [text('a'), text('b'), text('b')])), ['failure message-duplicated']);
  assert.deepEqual(checks(upstream([text('a'), text('b'), text('c')], [text('b'), text('a'), text('c')])), ['failure messages-reordered']);
  assert.deepEqual(checks(upstream([text('a')], [text('a'), text('zz')])), ['failure message-added']);
});

test('merged and split messages are recognised by their lengths', () => {
  const merged = upstream([text('abc'), text('de'), text('f')], [text('abcde'), text('f')]);
  assert.deepEqual(checks(merged), ['failure messages-merged']);
  assert.match(merged[0]!.message, /2 messages \(#0–#1, 3 \+ 2 bytes\) arrived as one/);
  const split = upstream([text('abcde')], [text('abc'), text('de')]);
  assert.deepEqual(checks(split), ['failure message-split']);
});

test('a truncated large message, and an altered one with the first changed byte', () => {
  const big = binaryPayload(200_000, 5);
  const truncated = upstream([binary(big)], [binary(big.subarray(0, 65536))]);
  assert.deepEqual(checks(truncated), ['failure message-truncated']);
  assert.match(truncated[0]!.message, /200000 bytes\) arrived with only 65536 bytes/);

  const changed = Buffer.from('hello world');
  changed[6] = 0x57; // 'W'
  const altered = upstream([text('hello world')], [text(changed)]);
  assert.deepEqual(checks(altered), ['failure payload-altered']);
  assert.match(altered[0]!.message, /byte 6 was 0x77 and arrived as 0x57/);
});

test('a changed message type keeps the payload but fails', () => {
  const f = upstream([text('same bytes')], [binary(Buffer.from('same bytes'))]);
  assert.deepEqual(checks(f), ['failure type-changed']);
});

test('re-fragmenting is info without extensions and a failure with one', () => {
  const whole = [text('abcdef')];
  const pieces = [text('abc', { fin: false }), { opcode: 0, payload: 'def' }];
  assert.deepEqual(checks(upstream(whole, pieces)), ['info refragmented']);
  const pmd = 'permessage-deflate; client_no_context_takeover; server_no_context_takeover';
  const f = upstream(whole, pieces, pmd);
  assert.deepEqual(checks(f), ['failure refragmented']);
  assert.equal(f[0]!.rfc, 'RFC 6455 §5.4');
});

test('masking: removed toward the server or added toward the client fails; a new key is info', () => {
  // observe() masks client frames; build the unmasked arrival by hand.
  const unmasked = new StreamRecorder({ from: 'client' });
  unmasked.push(encodeFrame({ opcode: 1, payload: 'x' }));
  const f1 = compareStreams(observe('client', [text('x')]), unmasked.stream, 'client->server').findings;
  assert.deepEqual(checks(f1), ['failure mask-removed']);
  assert.equal(f1[0]!.rule, 'unmasked-client-frame');

  const f2 = compareStreams(observe('server', [text('x')]), observe('server', [text('x', { mask: KEY_B })]), 'server->client').findings;
  assert.deepEqual(checks(f2), ['failure mask-added']);
  assert.equal(f2[0]!.rule, 'masked-server-frame');

  const f3 = upstream([text('x')], [text('x', { mask: KEY_B })]);
  assert.deepEqual(checks(f3), ['info mask-key-changed']);
});

test('an added RSV bit fails with the reserved-bits rule and is not repeated as a protocol violation', () => {
  const f = upstream([text('x')], [text('x', { rsv1: true })]);
  assert.deepEqual(checks(f), ['failure rsv-added']);
  assert.equal(f[0]!.rule, 'reserved-bits');
});

test('a rule broken only on arrival is a protocol violation of the intermediary', () => {
  const f = upstream([text('short')], [text('short', { lengthForm: 16 })]);
  assert.deepEqual(checks(f).sort(), ['failure protocol-violation', 'info length-form-changed']);
  assert.equal(f.find((x) => x.check === 'protocol-violation')!.rule, 'non-minimal-length');
});

// -------------------------------------------------------------------------------------------------
// Whole connections: pings and pongs across directions, closes, endings, latency.

const HANDSHAKE: ObservedHandshake = {
  path: '/',
  request: { 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', 'sec-websocket-version': '13' },
  status: 101,
  response: { upgrade: 'websocket', connection: 'Upgrade', 'sec-websocket-accept': 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=' },
};

function end(
  sent: ObservedStream,
  received: ObservedStream,
  ends: Partial<Pick<EndObservation, 'localEndAt' | 'remoteEndAt'>> = {},
): EndObservation {
  return { handshake: HANDSHAKE, sent, received, localEndAt: ends.localEndAt ?? null, remoteEndAt: ends.remoteEndAt ?? null };
}

const ping = (payload: string): FrameSpec => ({ opcode: 9, payload });
const pong = (payload: string): FrameSpec => ({ opcode: 10, payload });
const close = (code: number, reason = ''): FrameSpec => ({ opcode: 8, payload: closeBody(code, reason) });

function connection(
  c2s: [FrameSpec[], FrameSpec[]],
  s2c: [FrameSpec[], FrameSpec[]],
  options: { maxLatencyMs?: number; at?: [number[], number[], number[], number[]] } = {},
) {
  const at = options.at;
  return compareConnection(
    {
      client: end(observe('client', c2s[0], { at: at?.[0] }), observe('server', s2c[1], { at: at?.[3] })),
      server: end(observe('server', s2c[0], { at: at?.[2] }), observe('client', c2s[1], { at: at?.[1] })),
    },
    { maxLatencyMs: options.maxLatencyMs ?? null },
  );
}

test('a ping the intermediary answered itself is info; a lost ping or pong fails', () => {
  const answered = connection([[ping('p1')], []], [[], [pong('p1')]]);
  assert.deepEqual(checks(answered.findings), ['info ping-answered-by-intermediary']);

  const lost = connection([[ping('p1')], []], [[], []]);
  assert.deepEqual(checks(lost.findings), ['failure ping-lost']);
  assert.match(lost.findings[0]!.message, /payload "p1"/);

  const pongLost = connection([[ping('p1')], [ping('p1')]], [[pong('p1')], []]);
  assert.deepEqual(checks(pongLost.findings), ['failure pong-lost']);
  assert.equal(pongLost.findings[0]!.dir, 'server->client');
});

test('an unsolicited pong or ping from the intermediary is info', () => {
  const f = connection([[], [ping('keepalive')]], [[], [pong('hb')]]).findings;
  assert.deepEqual(checks(f).sort(), ['info control-added', 'info control-added']);
});

test('closes: swallowed, rewritten code, rewritten reason, added by the intermediary', () => {
  assert.deepEqual(checks(connection([[close(1000)], []], [[], []]).findings), ['failure close-swallowed']);
  assert.deepEqual(checks(connection([[close(4000, 'x')], [close(1001, 'x')]], [[], []]).findings), ['failure close-code-rewritten']);
  assert.deepEqual(checks(connection([[close(4000, 'why')], [close(4000, '')]], [[], []]).findings), ['failure close-reason-rewritten']);
  const added = connection([[], []], [[], [close(1001, 'idle timeout')]]).findings;
  assert.deepEqual(checks(added), ['failure close-added']);
  assert.match(added[0]!.message, /1001 "idle timeout"/);
});

test('latency above the bound fails, measured on the first message of each write', () => {
  const slow = connection([[text('a')], [text('a')]], [[], []], { maxLatencyMs: 100, at: [[0], [250], [], []] });
  assert.deepEqual(checks(slow.findings), ['failure latency']);
  assert.equal(slow.maxLatencyMs, 250);
  const fast = connection([[text('a')], [text('a')]], [[], []], { maxLatencyMs: 100, at: [[0], [3], [], []] });
  assert.deepEqual(fast.findings, []);
  assert.equal(fast.maxLatencyMs, 3);
});

test("an end that reached a side before either endpoint ended is the intermediary's", () => {
  const empty = observe('client', []);
  const f = compareConnection({
    client: end(empty, observe('server', []), { remoteEndAt: 10, localEndAt: 11 }),
    server: end(observe('server', []), empty, { localEndAt: 50 }),
  }).findings;
  assert.deepEqual(checks(f), ['failure connection-closed-by-intermediary']);
  const normal = compareConnection({
    client: end(empty, observe('server', []), { remoteEndAt: 10, localEndAt: 11 }),
    server: end(observe('server', []), empty, { localEndAt: 9, remoteEndAt: 12 }),
  }).findings;
  assert.deepEqual(normal, []);
});

test('a flood of identical findings is collapsed to three and a count', () => {
  const sent = Array.from({ length: 50 }, (_, i) => text(`message ${i}`));
  const f = compareStreams(observe('client', sent), observe('client', []), 'client->server').findings;
  assert.equal(f.length, 50);
  const collapsed = connection([sent, []], [[], []]).findings;
  assert.equal(collapsed.length, 4);
  assert.match(collapsed[3]!.message, /and 47 more like this \(message-dropped\)/);
});

// -------------------------------------------------------------------------------------------------
// Handshakes

function hs(request: Record<string, string>, response: Record<string, string> | null, path = '/ws'): ObservedHandshake {
  return {
    path,
    request: { 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', 'sec-websocket-version': '13', ...request },
    status: response ? 101 : null,
    response,
  };
}
const OK_RESPONSE = { upgrade: 'websocket', connection: 'Upgrade', 'sec-websocket-accept': 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=' };

test('handshake: offers and answers must pass unchanged; spacing and parameter order may change', () => {
  const pmd = 'permessage-deflate; client_max_window_bits; server_no_context_takeover';
  const same = compareHandshake(
    hs({ 'sec-websocket-extensions': pmd, 'sec-websocket-protocol': 'a, b' }, { ...OK_RESPONSE, 'sec-websocket-protocol': 'b' }),
    hs(
      {
        'sec-websocket-extensions': 'permessage-deflate;server_no_context_takeover;client_max_window_bits',
        'sec-websocket-protocol': 'a,b',
      },
      { ...OK_RESPONSE, 'sec-websocket-protocol': 'b' },
    ),
  );
  assert.deepEqual(same, []);

  const stripped = compareHandshake(hs({ 'sec-websocket-extensions': pmd }, OK_RESPONSE), hs({}, OK_RESPONSE));
  assert.deepEqual(checks(stripped), ['failure extensions-changed']);
  assert.equal(stripped[0]!.dir, 'client->server');

  const answer = compareHandshake(
    hs({ 'sec-websocket-protocol': 'a, b' }, OK_RESPONSE),
    hs({ 'sec-websocket-protocol': 'a, b' }, { ...OK_RESPONSE, 'sec-websocket-protocol': 'a' }),
  );
  assert.deepEqual(checks(answer), ['failure subprotocol-changed']);
  assert.equal(answer[0]!.dir, 'server->client');
});

test('handshake: a rewritten path or a replaced key is info; a bad accept for the client fails', () => {
  const f = compareHandshake(
    hs({}, OK_RESPONSE, '/ws'),
    hs({ 'sec-websocket-key': 'AAAAAAAAAAAAAAAAAAAAAA==' }, OK_RESPONSE, '/internal/ws'),
  );
  assert.deepEqual(checks(f).sort(), ['info key-replaced', 'info path-rewritten']);
  const bad = compareHandshake(hs({}, { ...OK_RESPONSE, 'sec-websocket-accept': 'wrong' }), hs({}, OK_RESPONSE));
  assert.deepEqual(checks(bad), ['failure handshake-invalid']);
  assert.equal(bad[0]!.rule, 'handshake-bad-accept');
});

test('handshake: a 101 from the reflector that reached the client as something else fails', () => {
  const f = compareHandshake({ ...hs({}, { server: 'x' }), status: 502 }, hs({}, OK_RESPONSE));
  assert.deepEqual(checks(f), ['failure handshake-status-changed']);
});
