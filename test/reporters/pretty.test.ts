import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stripVTControlCharacters } from 'node:util';
import type { WsdiagEvent } from '../../src/events/index.js';
import { PrettyReporter } from '../../src/reporters/pretty.js';
import type { PrettyOptions } from '../../src/reporters/types.js';
import { CaptureStream } from '../support/capture-stream.js';
import * as sample from '../fixtures/sample-events.js';

const PLAIN: PrettyOptions = { color: false, frames: true, quiet: false };

function render(events: WsdiagEvent[], options: Partial<PrettyOptions> = {}): CaptureStream {
  const stream = new CaptureStream();
  const reporter = new PrettyReporter(stream, { ...PLAIN, ...options });
  for (const event of events) reporter.write(event);
  return stream;
}

/** The golden text of each event type, colour off. */
const GOLDEN: Array<[string, WsdiagEvent, string]> = [
  ['listening', sample.listening, '12:00:00.000  listening on 127.0.0.1:8080  target ws://127.0.0.1:9000\n'],
  [
    'listening, with the run id',
    { ...sample.listening, run: 'k3f9x2' },
    '12:00:00.000  listening on 127.0.0.1:8080  target ws://127.0.0.1:9000  run k3f9x2\n',
  ],
  [
    'listening on IPv6',
    { ...sample.listening, address: '::1', port: 0 },
    '12:00:00.000  listening on [::1]:0  target ws://127.0.0.1:9000\n',
  ],
  [
    'open',
    sample.open,
    '12:00:01.000  c1 open  client 127.0.0.1:51000  path /chat  subprotocol chat  extensions permessage-deflate; client_max_window_bits\n',
  ],
  [
    'open with the settings addons decided',
    { ...sample.open, settings: { max_message: 'route /uploads/** in wsdiag.json', server_accepts: 'profile mqtt (MQTT 3.1.1 §6)' } },
    '12:00:01.000  c1 open  client 127.0.0.1:51000  path /chat  subprotocol chat  extensions permessage-deflate; client_max_window_bits\n' +
      '              settings: max message from route /uploads/** in wsdiag.json; server accepts from profile mqtt (MQTT 3.1.1 §6)\n',
  ],
  [
    'open without subprotocol or extensions',
    { ...sample.open, subprotocol: null, extensions: null },
    '12:00:01.000  c1 open  client 127.0.0.1:51000  path /chat  subprotocol none  extensions none\n',
  ],
  ['frame', sample.frame, '12:00:01.100  c1 client->server frame #3 @ 120  opcode 0x1 (text)  fin rsv2 masked  length 5\n'],
  [
    'frame without flags, reserved opcode',
    { ...sample.frame, fin: false, rsv2: false, masked: false, opcode: 0xb },
    '12:00:01.100  c1 client->server frame #3 @ 120  opcode 0xb (reserved-0xb)  no flags  length 5\n',
  ],
  [
    'violation',
    sample.violation,
    '12:00:01.250  ✖ 1002 reserved-bits  c1 client->server  blame: client\n' +
      '              frame #3 @ offset 120  opcode 0x1 (text)  length 5\n' +
      '              RSV2 is set on a text frame but no negotiated extension defines it.\n' +
      '              fix: Clear RSV bits unless an extension negotiated in the handshake defines them.\n' +
      '              rfc: RFC 6455 §5.2, RFC 7692 §6.1\n' +
      '              preview: hello\n',
  ],
  [
    'handshake warning without frame or preview',
    sample.handshakeWarning,
    '12:00:01.300  ⚠ 1002 handshake-unrequested-subprotocol  c2 server->client  blame: server\n' +
      '              during the handshake (no frame)\n' +
      '              The server chose subprotocol "v2" but the client offered only "v1".\n' +
      '              fix: Answer Sec-WebSocket-Protocol only with one of the values the client offered, or omit the header.\n' +
      '              rfc: RFC 6455 §4.1\n',
  ],
  [
    'peer-close with cause',
    sample.peerClose,
    '12:00:01.500  c1 peer-close by server  code 1002 (protocol error)  reason "reserved bits"  blame: client\n' +
      '              The server closed with 1002 because the client set RSV2 on frame #3.\n' +
      '              cause: reserved-bits (client->server, frame #3 @ offset 120)\n',
  ],
  [
    'peer-close with empty body and no cause',
    sample.peerCloseEmpty,
    '12:00:01.600  c2 peer-close by client  no code (empty body)\n' +
      '              The client started the closing handshake without a status code.\n',
  ],
  [
    'close',
    sample.close,
    '12:00:02.000  c1 close  after 1.0 s  client->server 4 frames 130 B  server->client 1 frame 2.0 KiB  3 violations (2 suppressed)  ended by server (close-frame)\n',
  ],
  [
    'close without a closing handshake: how it ended and its cause',
    sample.closeAbnormal,
    '12:00:02.050  c3 close  after 40 ms  client->server 1 frame 108 B  server->client 0 frames 0 B  1 violation (0 suppressed)  ended by client (fin)\n' +
      `              ${sample.closeAbnormal.explain}\n` +
      '              cause: truncated-frame (client->server, frame #0 @ offset 0)\n',
  ],
  [
    'close without ended_by',
    sample.closeBare,
    '12:00:02.100  c2 close  after 250 ms  client->server 0 frames 0 B  server->client 0 frames 0 B  0 violations (0 suppressed)\n',
  ],
  [
    'error of a connection',
    sample.error,
    '12:00:02.200  ✖ error  c4  HTTP 502\n' + '              The upstream answered 502 Bad Gateway instead of 101 Switching Protocols.\n',
  ],
  ['error of the run', sample.globalError, '12:00:02.300  ✖ error\n' + '              Cannot resolve upstream host example.invalid.\n'],
  [
    'summary: sorted by count, then rule; unattributed rest shown',
    sample.summary,
    '12:00:03.000  summary  4 connections  6 violations\n' +
      '              rule                               code  count\n' +
      '              reserved-bits                      1002      3\n' +
      '              handshake-unrequested-subprotocol  1002      1\n' +
      '              invalid-utf8-text                  1007      1\n' +
      '              (not itemised)                        -      1\n',
  ],
  ['summary without violations', sample.cleanSummary, '12:00:03.000  summary  1 connection  no violations\n'],
  [
    'http',
    sample.http,
    '12:00:00.500  h1 http POST /api/items?token=REDACTED  201 Created  request 27 B  response 1.5 KiB  in 3 ms  client 127.0.0.1:50999\n',
  ],
  [
    'http: a refused upgrade',
    sample.httpRefusedUpgrade,
    '12:00:02.210  c4 http GET /chat  502 Bad Gateway  request 0 B  response 11 B  in 1.3 s  client 127.0.0.1:51004  not upgraded\n',
  ],
  [
    'http: no answer, cut short',
    sample.httpNoAnswer,
    '12:00:02.400  h1 http POST /api/items?token=REDACTED  no answer  request 27 B  response 0 B  in 3 ms  client 127.0.0.1:50999  cut short\n',
  ],
  [
    'http of no known connection',
    { ...sample.http, conn: null, status: 299 },
    '12:00:00.500  http POST /api/items?token=REDACTED  299  request 27 B  response 1.5 KiB  in 3 ms  client 127.0.0.1:50999\n',
  ],
];

describe('PrettyReporter golden output', () => {
  for (const [name, event, expected] of GOLDEN) {
    it(name, () => {
      const stream = render([event]);
      assert.equal(stream.text, expected);
      // Each event is one write, so concurrent writers to the same stream cannot split a block.
      assert.equal(stream.writes.length, 1);
    });
  }
});

describe('PrettyReporter colour', () => {
  it('adds ANSI colour only when asked, with the same text underneath', () => {
    const plain = render(sample.run).text;
    const colored = render(sample.run, { color: true }).text;
    assert.notEqual(colored, plain);
    // eslint-disable-next-line no-control-regex -- the escape sequence is what is tested
    assert.match(colored, /\u001b\[31m/); // red for errors
    assert.equal(stripVTControlCharacters(colored), plain);
    // eslint-disable-next-line no-control-regex -- likewise
    assert.doesNotMatch(plain, /\u001b/);
  });
});

describe('PrettyReporter options', () => {
  it("a Close that is nobody's fault names no culprit; a complaint does", () => {
    const normal = {
      ...sample.peerClose,
      code: 1000,
      reason: '',
      cause: null,
      blame: null,
      explain: 'The server started the closing handshake with 1000 (normal closure).',
    };
    assert.doesNotMatch(render([normal]).text, /blame:/);
    assert.match(render([sample.peerClose]).text, /blame: client/);
    assert.match(render([{ ...normal, code: 1002, blame: 'unknown' as const }]).text, /blame: unknown/);
  });

  it('hides frame events unless frames is on', () => {
    assert.equal(render([sample.frame], { frames: false }).text, '');
  });

  it('quiet shows only where it listens, violations, errors and the summary', () => {
    const shown = render(sample.run, { quiet: true }).text;
    const expected = render([
      sample.listening,
      sample.violation,
      sample.handshakeWarning,
      sample.utf8Violation,
      sample.error,
      sample.globalError,
      sample.summary,
    ]).text;
    assert.equal(shown, expected);
    assert.equal(render([sample.open, sample.summary], { quiet: true }).text, render([sample.summary]).text);
    assert.equal(
      render([sample.http, sample.httpRefusedUpgrade], { quiet: true }).text,
      '',
      'exchanges are not problems; their errors are',
    );
  });

  it('wraps sentences at the width, aligned after the label', () => {
    const text = render([sample.violation], { width: 60 }).text;
    assert.equal(
      text,
      '12:00:01.250  ✖ 1002 reserved-bits  c1 client->server  blame: client\n' +
        '              frame #3 @ offset 120  opcode 0x1 (text)  length 5\n' +
        '              RSV2 is set on a text frame but no negotiated\n' +
        '              extension defines it.\n' +
        '              fix: Clear RSV bits unless an extension\n' +
        '                   negotiated in the handshake defines them.\n' +
        '              rfc: RFC 6455 §5.2, RFC 7692 §6.1\n' +
        '              preview: hello\n',
    );
    // "negotiated" would have made the line 61 columns; "them." exactly fills 60.
    assert.ok(
      text
        .split('\n')
        .slice(2)
        .every((line) => line.length <= 60),
    );
  });

  it('cuts a word longer than the line instead of overflowing', () => {
    const long = { ...sample.globalError, message: 'x'.repeat(70) };
    const lines = render([long], { width: 40 }).text.split('\n');
    assert.deepEqual(lines.slice(1), [
      `              ${'x'.repeat(26)}`,
      `              ${'x'.repeat(26)}`,
      `              ${'x'.repeat(18)}`,
      '',
    ]);
  });
});

describe('PrettyReporter with untrusted strings', () => {
  it('escapes control characters so a preview or reason cannot drive the terminal', () => {
    const nasty: WsdiagEvent[] = [
      { ...sample.violation, preview: 'a\u001b[2Jb\nc\u009bd\u202ee' },
      { ...sample.peerClose, reason: 'bye\r\n\u0007' },
    ];
    const text = render(nasty).text;
    assert.match(text, /preview: a\\x1b\[2Jb\\nc\\x9bd\\u202ee\n/);
    assert.match(text, /reason "bye\\r\\n\\x07"/);
    // eslint-disable-next-line no-control-regex -- control characters are what is tested
    assert.doesNotMatch(text, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
  });

  it('prints a non-ISO ts as it is', () => {
    assert.equal(
      render([{ ...sample.listening, ts: 'yesterday' }]).text,
      'yesterday  listening on 127.0.0.1:8080  target ws://127.0.0.1:9000\n',
    );
  });
});
