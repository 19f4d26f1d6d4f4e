/**
 * The conversation in the readable log (`--messages`): Socket.IO, MQTT, STOMP and graphql-transport-ws
 * exchanges between real `ws` peers through the proxy, each message on its line, named by its
 * subprotocol's view (the subprotocol the server chose, or Socket.IO's path); payloads cannot drive the
 * terminal; lines keep to the width; --quiet hides messages; and `wsdiag tail` shows a --log of the same run
 * exactly as the live log did.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, describe, it } from 'node:test';
import type { WebSocket } from 'ws';
import type { WsdiagEvent } from '../../src/events/index.js';
import { PrettyReporter, openJsonlLog } from '../../src/reporters/index.js';
import { startTestProxy } from '../support/proxy.js';
import { closedWith, openWsClient, startWsServer } from '../support/ws-servers.js';
import { runCli } from '../support/cli.js';

type Payload = string | Buffer;

interface Exchange {
  subprotocol?: string;
  path?: string;
  /** What the server sends as soon as the connection opens. */
  greeting?: Payload[];
  /** The client's messages, each with the server's answers. */
  script: Array<[Payload, Payload[]]>;
}

const dir = mkdtempSync(join(tmpdir(), 'wsdiag-message-views-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Plays an exchange through a proxy with --messages; resolves with every event once the connection closed. */
async function play(exchange: Exchange, log?: string): Promise<WsdiagEvent[]> {
  const answers = new Map(exchange.script.map(([sent, replies]) => [Buffer.from(sent).toString('hex'), replies]));
  const server = await startWsServer(
    {
      handleProtocols: (offered) =>
        exchange.subprotocol !== undefined && offered.has(exchange.subprotocol) ? exchange.subprotocol : false,
    },
    (ws: WebSocket) => {
      for (const message of exchange.greeting ?? []) ws.send(message);
      ws.on('message', (data: Buffer) => {
        for (const reply of answers.get(data.toString('hex')) ?? []) ws.send(reply);
      });
    },
  );
  const file = log !== undefined ? openJsonlLog(log) : undefined;
  const { proxy, log: events } = await startTestProxy(server.url, {
    messages: true,
    runId: 'mv',
    addons: file ? [{ name: 'log file', connection: () => ({ event: (e) => (file.write(e), e) }) }] : [],
  });
  try {
    const expected = (exchange.greeting?.length ?? 0) + exchange.script.reduce((n, [, replies]) => n + 1 + replies.length, 0);
    const ws = await openWsClient(`${proxy.url}${exchange.path ?? '/'}`, exchange.subprotocol);
    for (const [sent] of exchange.script) ws.send(sent);
    await events.waitForCount('message', expected);
    ws.close(1000);
    await closedWith(ws);
    await events.closed('mv-c1');
  } finally {
    await proxy.close();
    await server.close();
    await file?.close();
  }
  return events.events;
}

/** The readable log of these events. */
async function pretty(events: readonly WsdiagEvent[], options: { width?: number; quiet?: boolean } = {}): Promise<string> {
  const out = new PassThrough();
  let text = '';
  out.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  const reporter = new PrettyReporter(out, {
    color: false,
    frames: false,
    quiet: options.quiet ?? false,
    ...(options.width !== undefined ? { width: options.width } : {}),
  });
  for (const event of events) reporter.write(event);
  await reporter.flush();
  return text;
}

/** The header lines of the message events, without their time. */
function messageLines(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => / mv-c1 (client->server|server->client) /.test(line))
    .map((line) => line.slice('00:00:00.000  '.length));
}

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');

describe('the readable log names each message by its subprotocol', () => {
  it('Socket.IO (recognised by its path): Engine.IO open, CONNECT, events by name, a binary attachment, ping/pong', async () => {
    const events = await play({
      path: '/socket.io/?EIO=4&transport=websocket',
      greeting: ['0{"sid":"abc","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}', '2'],
      script: [
        ['40', ['40{"sid":"def"}']],
        ['3', []],
        ['42["chat",{"text":"hi"}]', ['42["chat",{"text":"hi back"}]']],
        ['451-["upload",{"_placeholder":true,"num":0}]', []],
        [Buffer.from([1, 2, 3]), ['43[true]']],
      ],
    });
    const lines = messageLines(await pretty(events));
    const expected = [
      /^mv-c1 server->client text {2}\d+ B {2}engine\.io open, sid REDACTED, ping every 25000 ms, timeout 20000 ms$/,
      /^mv-c1 server->client text {2}1 B {2}engine\.io ping$/,
      /^mv-c1 client->server text {2}2 B {2}socket\.io CONNECT$/,
      /^mv-c1 client->server text {2}1 B {2}engine\.io pong$/,
      /^mv-c1 client->server text {2}24 B {2}socket\.io EVENT "chat": \{"text":"hi"\}$/,
      /^mv-c1 client->server text {2}\d+ B {2}socket\.io BINARY_EVENT "upload": <attachment 0> \(1 attachment follows\)$/,
      /^mv-c1 client->server binary {2}3 B {2}socket\.io attachment 0 \(1 of 1\) of BINARY_EVENT "upload", 3 bytes: 01 02 03$/,
    ];
    for (const pattern of expected)
      assert.ok(
        lines.some((line) => pattern.test(line)),
        `${String(pattern)} in\n${lines.join('\n')}`,
      );
    assert.ok(lines.some((line) => /server->client text .* socket\.io EVENT "chat": \{"text":"hi back"\}$/.test(line)));
    assert.ok(
      lines.some((line) => /server->client text .* socket\.io ACK/.test(line)),
      lines.join('\n'),
    );
  });

  it('MQTT (subprotocol mqtt): control packet types and topics', async () => {
    const events = await play({
      subprotocol: 'mqtt',
      script: [
        [hex('10 10 00 04 4d 51 54 54 04 02 00 3c 00 04 64 65 76 31'), [hex('20 02 00 00')]],
        [hex('82 08 00 01 00 03 61 2f 62 00'), [hex('90 03 00 01 00'), hex('30 07 00 03 61 2f 62 68 69')]],
        [hex('c0 00'), [hex('d0 00')]],
      ],
    });
    const lines = messageLines(await pretty(events));
    const expected = [
      /^mv-c1 client->server binary {2}18 B {2}mqtt CONNECT/,
      /^mv-c1 server->client binary {2}4 B {2}mqtt CONNACK 0 Connection Accepted$/,
      /^mv-c1 client->server binary {2}10 B {2}mqtt SUBSCRIBE .*"a\/b"/,
      /^mv-c1 server->client binary {2}5 B {2}mqtt SUBACK/,
      /^mv-c1 server->client binary {2}9 B {2}mqtt PUBLISH "a\/b" QoS 0: "hi"$/,
      /^mv-c1 client->server binary {2}2 B {2}mqtt PINGREQ/,
      /^mv-c1 server->client binary {2}2 B {2}mqtt PINGRESP/,
    ];
    for (const pattern of expected)
      assert.ok(
        lines.some((line) => pattern.test(line)),
        `${String(pattern)} in\n${lines.join('\n')}`,
      );
  });

  it('STOMP (subprotocol v12.stomp): commands and headers', async () => {
    const events = await play({
      subprotocol: 'v12.stomp',
      script: [
        ['CONNECT\naccept-version:1.2\nhost:broker\n\n\0', ['CONNECTED\nversion:1.2\n\n\0']],
        ['SUBSCRIBE\nid:0\ndestination:/queue/a\n\n\0', []],
        [
          'SEND\ndestination:/queue/a\ncontent-type:text/plain\n\nhello\0',
          ['MESSAGE\nsubscription:0\nmessage-id:1\ndestination:/queue/a\n\nhello\0'],
        ],
      ],
    });
    const text = await pretty(events);
    const lines = messageLines(text);
    const expected = [
      /^mv-c1 client->server text {2}\d+ B {2}stomp CONNECT accept-version:1\.2 host:broker$/,
      /^mv-c1 server->client text {2}\d+ B {2}stomp CONNECTED version:1\.2$/,
      /^mv-c1 client->server text {2}\d+ B {2}stomp SUBSCRIBE .*destination:\/queue\/a/,
      /^mv-c1 client->server text {2}\d+ B {2}stomp SEND destination:\/queue\/a — "hello"$/,
      /^mv-c1 server->client text {2}\d+ B {2}stomp MESSAGE .*"hello"$/,
    ];
    for (const pattern of expected)
      assert.ok(
        lines.some((line) => pattern.test(line)),
        `${String(pattern)} in\n${lines.join('\n')}`,
      );
    // The frame's headers in the detail lines under it.
    assert.match(text, /stomp SEND [^\n]*\n {14}[^\n]*\n(?: {14}[^\n]*\n)*? {14}.*content-type: ?text\/plain/);
  });

  it('graphql-transport-ws: message types and ids, payloads pretty-printed', async () => {
    const events = await play({
      subprotocol: 'graphql-transport-ws',
      script: [
        ['{"type":"connection_init"}', ['{"type":"connection_ack"}']],
        [
          '{"type":"subscribe","id":"1","payload":{"query":"subscription { tick }"}}',
          ['{"type":"next","id":"1","payload":{"data":{"tick":1}}}', '{"type":"complete","id":"1"}'],
        ],
      ],
    });
    const text = await pretty(events);
    const lines = messageLines(text);
    const expected = [
      /^mv-c1 client->server text {2}26 B {2}graphql-transport-ws connection_init$/,
      /^mv-c1 server->client text {2}25 B {2}graphql-transport-ws connection_ack$/,
      /^mv-c1 client->server text {2}\d+ B {2}graphql-transport-ws subscribe id 1: subscription \{ tick \}$/,
      /^mv-c1 server->client text {2}\d+ B {2}graphql-transport-ws next id 1: \{"data":\{"tick":1\}\}$/,
      /^mv-c1 server->client text {2}\d+ B {2}graphql-transport-ws complete id 1$/,
    ];
    for (const pattern of expected)
      assert.ok(
        lines.some((line) => pattern.test(line)),
        `${String(pattern)} in\n${lines.join('\n')}`,
      );
    assert.match(text, /next id 1[^\n]*\n(?: {14}[^\n]*\n)*? {14} +"tick": 1\n/, 'the payload pretty-printed under it');
  });
});

describe('the readable log and untrusted payloads', () => {
  const HOSTILE = 'red \u001b[31mALERT\u001b[0m \u202etxt.exe\r\n' + 'x'.repeat(300);
  let events: WsdiagEvent[] = [];
  const log = join(dir, 'run.log');

  it('escapes control characters and bidi overrides, keeps every line to the width, falls back to raw', async () => {
    events = await play(
      {
        subprotocol: 'v12.stomp',
        script: [
          [HOSTILE, [Buffer.from([0x00, 0x02, 0xff, 0xff])]],
          ['{"a":[1,2,3],"b":{"c":"d"}}', []],
        ],
      },
      log,
    );
    const text = await pretty(events, { width: 80 });
    const unsafe = Array.from(text).filter((ch) => {
      const code = ch.codePointAt(0) ?? 0;
      return (code < 0x20 && code !== 0x0a) || (code >= 0x7f && code <= 0x9f) || (code >= 0x202a && code <= 0x202e);
    });
    assert.deepEqual(unsafe, [], 'no raw control character reaches the terminal');
    assert.match(text, /red \\x1b\[31mALERT\\x1b\[0m \\u202etxt\.exe/);
    const ours = text
      .split('\n')
      .filter((line) => line.includes(' mv-c1 client->server ') || line.includes(' mv-c1 server->client ') || line.startsWith(' '));
    for (const line of ours) assert.ok(line.length <= 80, `${line.length} columns: ${line}`);
    // Not STOMP on a STOMP connection: shown raw, saying why, and never a thrown error.
    assert.match(text, /\(not a STOMP frame: [^)]*\)/);
    assert.match(text, /00000000 {2}00 02 ff ff/);
  });

  it('--quiet hides messages', async () => {
    const quiet = await pretty(events, { quiet: true });
    assert.equal(messageLines(quiet).length, 0);
    assert.notEqual(messageLines(await pretty(events)).length, 0);
  });

  it('wsdiag tail shows a --log of the run exactly as the live log did', async () => {
    const live = await pretty(events.filter((e) => 'conn' in e && e.conn === 'mv-c1'));
    const tail = await runCli(['tail', log, '--no-color']);
    assert.equal(tail.code, 0, tail.stderr);
    assert.ok(messageLines(tail.stdout).length >= 4);
    assert.equal(tail.stdout, live);
  });
});
