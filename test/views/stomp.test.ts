/**
 * STOMP views: frames as the STOMP 1.2 specification writes them (command, headers, blank line, body,
 * NUL), heart-beats, content-length bodies holding NUL, header escapes, credentials.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { concatBytes } from '../../src/protocol/encoder.js';
import { findValue, utf8, view } from './support.js';

const stomp = (text: string, subprotocol = 'v12.stomp') => view({ subprotocol, bytes: utf8(text) });

describe('STOMP frames', () => {
  const cases: Array<[string, string, string]> = [
    [
      'CONNECT',
      'CONNECT\naccept-version:1.2\nhost:stomp.example\nheart-beat:10000,10000\n\n\0',
      'CONNECT accept-version:1.2 host:stomp.example heart-beat:10000,10000',
    ],
    [
      'CONNECTED',
      'CONNECTED\nversion:1.2\nheart-beat:0,0\nserver:RabbitMQ/3.12\n\n\0',
      'CONNECTED version:1.2 heart-beat:0,0 server:RabbitMQ/3.12',
    ],
    ['SEND with a text body', 'SEND\ndestination:/queue/a\ncontent-type:text/plain\n\nhello\0', 'SEND destination:/queue/a — "hello"'],
    [
      'SEND with a JSON body',
      'SEND\ndestination:/queue/a\ncontent-type:application/json\n\n{"a":1}\0',
      'SEND destination:/queue/a — {"a":1}',
    ],
    ['SUBSCRIBE', 'SUBSCRIBE\nid:0\ndestination:/topic/x\nack:client\n\n\0', 'SUBSCRIBE destination:/topic/x id:0 ack:client'],
    [
      'MESSAGE',
      'MESSAGE\nsubscription:0\nmessage-id:007\ndestination:/topic/x\n\nhi\0',
      'MESSAGE destination:/topic/x subscription:0 message-id:007 — "hi"',
    ],
    ['RECEIPT', 'RECEIPT\nreceipt-id:77\n\n\0', 'RECEIPT receipt-id:77'],
    [
      'ERROR',
      'ERROR\nmessage:malformed frame received\ncontent-type:text/plain\n\nThe message:\n-----\nMESSAGE\n\0',
      'ERROR message:malformed frame received — "The message:\\n-----\\nMESSAGE\\n"',
    ],
    ['DISCONNECT', 'DISCONNECT\nreceipt:77\n\n\0', 'DISCONNECT receipt:77'],
    ['CR LF line ends', 'SEND\r\ndestination:/queue/a\r\n\r\nhi\0\r\n', 'SEND destination:/queue/a — "hi"'],
    ['the first of repeated headers counts', 'MESSAGE\ndestination:/a\ndestination:/b\n\n\0', 'MESSAGE destination:/a'],
  ];
  for (const [name, text, summary] of cases) {
    it(name, () => {
      const result = stomp(text);
      assert.deepEqual([result.protocol, result.summary], ['stomp', summary]);
    });
  }

  it('the text mirrors the frame, with the body pretty-printed', () => {
    assert.equal(
      stomp('SEND\ndestination:/queue/a\ncontent-type:application/json\n\n{"a":[1]}\0\n').text,
      'SEND\ndestination:/queue/a\ncontent-type:application/json\n\n{\n  "a": [\n    1\n  ]\n}',
    );
  });

  it('a heart-beat is a line end alone (LF or CR LF)', () => {
    for (const beat of ['\n', '\r\n']) {
      const result = stomp(beat);
      assert.deepEqual([result.protocol, result.summary], ['stomp', 'heart-beat']);
    }
    assert.equal(stomp('\n\n').summary, 'heart-beat (2 line ends)');
  });

  it('content-length: the body may hold NUL octets', () => {
    const bytes = concatBytes([utf8('MESSAGE\ndestination:/b\ncontent-length:4\n\n'), Uint8Array.of(0, 1, 0, 2), Uint8Array.of(0)]);
    const result = view({ subprotocol: 'v12.stomp', kind: 'binary', bytes });
    assert.equal(result.summary, 'MESSAGE destination:/b — 4 bytes 00 01 00 02');
    assert.match(result.text, /00000000 {2}00 01 00 02/);
  });

  it('several frames in one message', () => {
    const result = stomp('RECEIPT\nreceipt-id:1\n\n\0\nRECEIPT\nreceipt-id:2\n\n\0');
    assert.equal(result.summary, 'RECEIPT receipt-id:1 (+1 more: RECEIPT)');
    assert.match(result.text, /^STOMP, 2 frames in one message\n#1\nRECEIPT\nreceipt-id:1\n#2\nRECEIPT\nreceipt-id:2$/);
  });

  it('header escapes are decoded in 1.2, \\r is undefined in 1.1, nothing is escaped in 1.0 or CONNECT', () => {
    assert.equal(findValue(stomp('SEND\ndestination:/a\\cb\\\\c\\nd\\re\n\n\0').detail, 'destination'), '/a:b\\c\\nd\\re');
    assert.match(
      stomp('SEND\ndestination:/a\\re\n\n\0', 'v11.stomp').text,
      /undefined escape "\\r" in a header \(a fatal protocol error\)/,
    );
    assert.equal(findValue(stomp('SEND\ndestination:/a\\cb\n\n\0', 'v10.stomp').detail, 'destination'), '/a\\cb');
    assert.equal(findValue(stomp('CONNECT\nhost:a\\cb\n\n\0').detail, 'host'), 'a\\cb');
  });

  it('credentials are never shown', () => {
    const result = stomp('CONNECT\naccept-version:1.2\nlogin:guest\npasscode:s3cret\nAuthorization:Bearer abc\n\n\0');
    assert.doesNotMatch(JSON.stringify(result), /s3cret|Bearer abc/);
    assert.match(result.text, /passcode:REDACTED\nAuthorization:REDACTED/);
    assert.match(result.text, /login:guest/);
  });

  it('a frame with no NUL is incomplete; a cut one says the limit cut it', () => {
    assert.match(stomp('SEND\ndestination:/a\n\nhel').text, /incomplete: the message ends before the NUL that ends a STOMP frame/);
    const cut = view({ subprotocol: 'v12.stomp', bytes: utf8('SEND\ndestination:/a\n\nhel'), truncated: true, size: 100 });
    assert.equal(cut.summary, 'SEND destination:/a — "hel" (incomplete)');
    assert.match(cut.text, /cut by the body limit/);
  });

  it('a content-length that is not a number is reported, and the NUL ends the body', () => {
    assert.match(stomp('SEND\ncontent-length:lots\n\nab\0').text, /content-length "lots" is not a number of octets/);
  });

  it('a header line without a colon is reported', () => {
    assert.match(stomp('SEND\nnocolon\n\n\0').text, /header line without a colon: "nocolon"/);
  });

  it('STOMP in a binary message is still STOMP', () => {
    assert.equal(
      view({ subprotocol: 'v12.stomp', kind: 'binary', bytes: utf8('RECEIPT\nreceipt-id:9\n\n\0') }).summary,
      'RECEIPT receipt-id:9',
    );
  });
});
