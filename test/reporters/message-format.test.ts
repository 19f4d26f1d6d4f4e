/**
 * The `message` event's text (src/reporters/format/message.ts), golden: sizes, compression, frames, the
 * cut, a body limit of 0, the view in its connection's context (MessageViews fed the `open`), the detail
 * lines and their cap, the width; and the schema's checks of the event's fields.
 */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { parseEventLine, type MessageEvent, type OpenEvent } from '../../src/events/index.js';
import { MessageViews } from '../../src/reporters/message-views.js';
import { PrettyReporter, createPalette, formatEvent } from '../../src/reporters/index.js';

const plain = { palette: createPalette(false) };

function message(fields: Partial<MessageEvent>): MessageEvent {
  return {
    v: 1,
    type: 'message',
    ts: '2024-05-01T12:00:02.000Z',
    conn: 'k3f9x2-c1',
    dir: 'client->server',
    kind: 'text',
    compressed: false,
    wire_size: 5,
    size: 5,
    frames: 1,
    first_frame: 0,
    last_frame: 0,
    first_ts: '2024-05-01T12:00:02.000Z',
    last_ts: '2024-05-01T12:00:02.000Z',
    encoding: 'text',
    data: 'hello',
    truncated: false,
    ...fields,
  };
}

const open: OpenEvent = {
  v: 1,
  type: 'open',
  ts: '2024-05-01T12:00:01.000Z',
  conn: 'k3f9x2-c1',
  client: '127.0.0.1:51000',
  path: '/socket.io/?EIO=4&transport=websocket',
  subprotocol: null,
  extensions: null,
};

describe('format: message', () => {
  it('a short text: all on one line', () => {
    assert.equal(formatEvent(message({}), plain), '12:00:02.000  k3f9x2-c1 client->server text  5 B  hello\n');
  });

  it('compressed, in several frames, cut by the body limit', () => {
    const event = message({
      compressed: true,
      wire_size: 310,
      size: 10_000,
      frames: 3,
      last_frame: 4,
      data: 'x'.repeat(20),
      truncated: true,
    });
    assert.equal(
      formatEvent(event, plain),
      '12:00:02.000  k3f9x2-c1 client->server text  9.8 KiB (310 B compressed), 3 frames, cut  xxxxxxxxxxxxxxxxxxxx\n' +
        '              (cut: 20 of 10000 bytes shown)\n' +
        '              xxxxxxxxxxxxxxxxxxxx\n',
    );
  });

  it('sizes only (body limit 0), and a size inflation could not tell', () => {
    assert.equal(
      formatEvent(message({ kind: 'binary', encoding: null, data: null, truncated: true }), plain),
      '12:00:02.000  k3f9x2-c1 client->server binary  5 B\n',
    );
    assert.equal(
      formatEvent(message({ compressed: true, size: null, wire_size: 40, encoding: null, data: null, truncated: true }), plain),
      '12:00:02.000  k3f9x2-c1 client->server text  size unknown (40 B compressed)\n',
    );
  });

  it('binary: a one-line summary and its hex dump', () => {
    assert.equal(
      formatEvent(message({ kind: 'binary', wire_size: 3, size: 3, encoding: 'base64', data: 'AAH/' }), plain),
      '12:00:02.000  k3f9x2-c1 client->server binary  3 B  3 bytes: 00 01 ff\n' +
        '              00000000  00 01 ff                                          |...|\n',
    );
  });

  it('control messages: the kind is said once', () => {
    assert.equal(
      formatEvent(message({ kind: 'ping', data: 'keep', wire_size: 4, size: 4 }), plain),
      '12:00:02.000  k3f9x2-c1 client->server ping  4 B  "keep"\n',
    );
    assert.equal(
      formatEvent(
        message({ kind: 'close', dir: 'server->client', data: 'bye', wire_size: 5, size: 5, close: { code: 1000, reason: 'bye' } }),
        plain,
      ),
      '12:00:02.000  k3f9x2-c1 server->client close  5 B  1000 (normal closure) "bye"\n',
    );
    // The Close is shown from `close`, also without a kept payload.
    assert.equal(
      formatEvent(message({ kind: 'close', data: null, encoding: null, truncated: true, close: { code: 4000, reason: 'x' } }), plain),
      '12:00:02.000  k3f9x2-c1 client->server close  5 B  4000 (application code) "x"\n',
    );
  });

  it('JSON pretty-printed under its summary, at most 20 lines', () => {
    const data = JSON.stringify({ items: Array.from({ length: 30 }, (_, i) => i) });
    const text = formatEvent(message({ data, size: data.length, wire_size: data.length }), plain);
    const lines = text.trimEnd().split('\n');
    assert.match(lines[0]!, /^12:00:02\.000 {2}k3f9x2-c1 client->server text {2}\d+ B {2}json \{"items":\[0,1,2,/);
    assert.deepEqual(lines.slice(1, 4), ['              {', '                "items": [', '                  0,']);
    assert.equal(lines.length, 1 + 20 + 1);
    assert.equal(lines.at(-1), '              … 14 more lines');
  });

  it('keeps every line to the width', () => {
    const data = JSON.stringify({ long: 'y'.repeat(300) });
    const event = message({ data, size: data.length, wire_size: data.length });
    for (const width of [80, 60]) {
      const text = formatEvent(event, { ...plain, width });
      for (const line of text.trimEnd().split('\n')) assert.ok(line.length <= width, `${line.length}: ${line}`);
      assert.match(text, /^ {16}"long": "y+…$/m);
    }
    assert.match(
      formatEvent(event, { ...plain, width: 80 }),
      /^12:00:02\.000 {2}k3f9x2-c1 client->server text {2}311 B {2}json \{"long":"y{15}…\n/,
    );
    // Too narrow for a useful summary: the header keeps to the width without it.
    assert.match(formatEvent(event, { ...plain, width: 60 }), /^12:00:02\.000 {2}k3f9x2-c1 client->server text {2}311 B\n/);
  });

  it('in its connection’s context: the open gives the view its protocol', () => {
    const event = message({ data: '42["chat","hi"]', size: 15, wire_size: 15 });
    assert.match(formatEvent(event, plain), / text {2}15 B {2}socket\.io EVENT "chat": "hi"\n/, 'content alone says Socket.IO too');
    const views = new MessageViews();
    views.see(open);
    const ping = message({ dir: 'server->client', data: '2', size: 1, wire_size: 1 });
    assert.match(formatEvent(ping, { ...plain, views }), / text {2}1 B {2}engine\.io ping\n {14}Engine\.IO ping \(2\)\n/);
    assert.match(formatEvent(ping, plain), / text {2}1 B {2}2\n$/, 'without the open, a bare "2" is text');
    views.see({
      v: 1,
      type: 'close',
      ts: open.ts,
      conn: open.conn,
      duration_ms: 1,
      frames: { 'client->server': 0, 'server->client': 0 },
      bytes: { 'client->server': 0, 'server->client': 0 },
      violations: 0,
      suppressed: 0,
    });
    assert.match(formatEvent(ping, { ...plain, views }), / text {2}1 B {2}2\n$/, 'forgotten at its close');
  });

  it('PrettyReporter.see: an open a filter hides still gives its messages their context', async () => {
    const out = new PassThrough();
    let text = '';
    out.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
    const reporter = new PrettyReporter(out, { color: false, frames: false, quiet: false });
    reporter.see(open);
    reporter.write(message({ dir: 'server->client', data: '3', size: 1, wire_size: 1 }));
    await reporter.flush();
    assert.equal(text.split('\n')[0], '12:00:02.000  k3f9x2-c1 server->client text  1 B  engine.io pong');
  });

  it('a log file is untrusted: odd payload fields still give a line, never an exception', () => {
    for (const odd of [
      message({ encoding: 'base64', data: '%%%not base64' }),
      message({ kind: 'close', close: { code: 99_999, reason: '\u001b[2J' } }),
      message({ kind: 'binary', encoding: 'text', data: '\u202eevil' }),
    ]) {
      const text = formatEvent(odd, plain);
      assert.match(text, /^12:00:02\.000 {2}k3f9x2-c1 /);
      assert.ok(!text.includes('\u001b') && !text.includes('\u202e'), text);
    }
  });
});

describe('parseEventLine: message', () => {
  it('reads a message event, with and without a payload', () => {
    for (const event of [
      message({}),
      message({ encoding: null, data: null, truncated: true }),
      message({ kind: 'close', close: { code: null, reason: '' } }),
      message({ size: null }),
    ]) {
      assert.deepEqual(parseEventLine(JSON.stringify(event)), { ok: true, event });
    }
  });

  it('says which field is wrong', () => {
    const reason = (fields: Record<string, unknown>): string => {
      const parsed = parseEventLine(JSON.stringify({ ...message({}), ...fields }));
      return parsed.ok ? 'accepted' : parsed.reason;
    };
    assert.equal(reason({ kind: 'continuation' }), '"message" event with a missing or invalid "kind" field');
    assert.equal(reason({ wire_size: -1 }), '"message" event with a missing or invalid "wire_size" field');
    assert.equal(reason({ size: 1.5 }), '"message" event with a missing or invalid "size" field');
    assert.equal(reason({ encoding: 'hex' }), '"message" event with a missing or invalid "encoding" field');
    assert.equal(reason({ data: 7 }), '"message" event with a missing or invalid "data" field');
    assert.equal(reason({ close: { code: 1000 } }), '"message" event with a missing or invalid "close" field');
    assert.equal(reason({ first_ts: undefined }), '"message" event with a missing or invalid "first_ts" field');
  });
});
