/**
 * The demo's pieces on their own, without the proxy: the faulty frames byte by byte, the text-only
 * upstream, and each demo client played straight against the upstream (a real `ws` server), which must
 * react as a strict endpoint does.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, get } from 'node:http';
import WebSocket from 'ws';
import {
  binaryJsonFrame,
  closeOnServerFault,
  fragmentedPingFrame,
  invalidUtf8Frame,
  reservedOpcodeFrame,
  rsvBitsFrame,
  sendFaultyFrames,
  unmaskedFrame,
} from '../../src/demo/faulty-clients.js';
import { runGoodClient } from '../../src/demo/good-client.js';
import { HandshakeFailed, openRawConnection } from '../../src/demo/raw-client.js';
import { MASKED_SERVER_PATH, TEXT_ONLY_REASON, startDemoUpstream, type DemoUpstream } from '../../src/demo/upstream.js';
import { listen } from '../support/net.js';

/** A client frame split into its parts, unmasked with our own XOR (independent of src/protocol/mask.ts). */
function parseClientFrame(frame: Uint8Array): { first: number; masked: boolean; payload: Buffer } {
  const length = frame[1]! & 0x7f;
  assert.ok(length < 126, 'demo frames use the 7-bit length form');
  const masked = (frame[1]! & 0x80) !== 0;
  const start = masked ? 6 : 2;
  assert.equal(frame.length, start + length, 'frame length matches its header');
  const key = frame.subarray(2, 6);
  const payload = Buffer.from(frame.subarray(start).map((byte, i) => (masked ? byte ^ key[i % 4]! : byte)));
  return { first: frame[0]!, masked, payload };
}

describe('demo faulty frames', () => {
  it('unmasked: a final text frame without the mask bit', () => {
    assert.deepEqual(Buffer.from(unmaskedFrame()), Buffer.concat([Buffer.from([0x81, 21]), Buffer.from('hello, without a mask')]));
  });

  it('reserved opcode: FIN + opcode 0x3, masked', () => {
    const frame = parseClientFrame(reservedOpcodeFrame());
    assert.equal(frame.first, 0x83);
    assert.equal(frame.masked, true);
    assert.equal(frame.payload.toString(), 'opcode 3 means nothing yet');
  });

  it('rsv bits: FIN + RSV1 + text, masked', () => {
    const frame = parseClientFrame(rsvBitsFrame());
    assert.equal(frame.first, 0xc1);
    assert.equal(frame.masked, true);
  });

  it('fragmented ping: FIN clear, opcode 0x9, masked', () => {
    const frame = parseClientFrame(fragmentedPingFrame());
    assert.equal(frame.first, 0x09);
    assert.equal(frame.masked, true);
    assert.equal(frame.payload.toString(), 'are you there');
  });

  it('invalid UTF-8: a text frame carrying Latin-1 "café au lait"', () => {
    const frame = parseClientFrame(invalidUtf8Frame());
    assert.equal(frame.first, 0x81);
    assert.equal(frame.payload.toString('hex'), '636166e9206175206c616974');
  });

  it('binary to a text-only server: a binary frame whose content is JSON', () => {
    const frame = parseClientFrame(binaryJsonFrame());
    assert.equal(frame.first, 0x82);
    assert.equal(frame.payload.toString(), '{"hello":"world"}');
  });

  it('draws a fresh masking key for every frame', () => {
    const keys = new Set(Array.from({ length: 8 }, () => Buffer.from(reservedOpcodeFrame().subarray(2, 6)).toString('hex')));
    assert.ok(keys.size > 1, 'eight frames with the same masking key');
  });
});

describe('demo upstream and clients, without the proxy', () => {
  let upstream: DemoUpstream;
  before(async () => {
    upstream = await startDemoUpstream();
  });
  after(async () => {
    await upstream.close();
  });

  it('listens on 127.0.0.1 and answers plain HTTP with 426', async () => {
    assert.match(upstream.url, /^ws:\/\/127\.0\.0\.1:\d+$/);
    const [res] = (await once(get(`http://127.0.0.1:${upstream.port}/`), 'response')) as [import('node:http').IncomingMessage];
    res.resume();
    assert.equal(res.statusCode, 426);
  });

  it('echoes text and closes with 1003 on binary', async () => {
    const ws = new WebSocket(`${upstream.url}/any`);
    await once(ws, 'open');
    ws.send('ping? no, text');
    const [data, isBinary] = (await once(ws, 'message')) as [Buffer, boolean];
    assert.equal(isBinary, false);
    assert.equal(data.toString(), 'ping? no, text');
    ws.send(Buffer.from([1, 2, 3]));
    const [code, reason] = (await once(ws, 'close')) as [number, Buffer];
    assert.equal(code, 1003);
    assert.equal(reason.toString(), TEXT_ONLY_REASON);
  });

  it('the good client gets its echoes, a pong and a clean 1000', async () => {
    const outcome = await runGoodClient(`${upstream.url}/demo/good`);
    assert.deepEqual(outcome, { serverClose: { code: 1000, reason: 'done' }, serverFault: null });
  });

  const cases = [
    { name: 'unmasked', frame: unmaskedFrame, code: 1002 },
    { name: 'reserved opcode', frame: reservedOpcodeFrame, code: 1002 },
    { name: 'rsv bits', frame: rsvBitsFrame, code: 1002 },
    { name: 'fragmented ping', frame: fragmentedPingFrame, code: 1002 },
    { name: 'invalid UTF-8', frame: invalidUtf8Frame, code: 1007 },
  ];
  for (const { name, frame, code } of cases) {
    it(`${name}: the upstream fails the connection with ${code}`, async () => {
      const outcome = await sendFaultyFrames(`${upstream.url}/demo/x`, [frame()]);
      assert.equal(outcome.serverClose?.code, code);
      assert.equal(outcome.serverFault, null);
    });
  }

  it('binary JSON: the upstream closes with 1003 and its text-only reason', async () => {
    const outcome = await sendFaultyFrames(`${upstream.url}/demo/x`, [binaryJsonFrame()]);
    assert.deepEqual(outcome.serverClose, { code: 1003, reason: TEXT_ONLY_REASON });
  });

  it('masked server: the client sees masked-server-frame, closes 1002, and the server answers', async () => {
    const outcome = await closeOnServerFault(`${upstream.url}${MASKED_SERVER_PATH}`);
    assert.deepEqual(outcome, { serverClose: { code: 1002, reason: '' }, serverFault: 'masked-server-frame' });
  });
});

describe('raw client handshake', () => {
  it('fails with HandshakeFailed when the server does not answer 101', async () => {
    const server = createServer((_req, res) => res.end());
    server.on('upgrade', (_req, socket) => socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n'));
    const port = await listen(server);
    try {
      await assert.rejects(openRawConnection(`ws://127.0.0.1:${port}/nowhere`), (err: unknown) => {
        assert.ok(err instanceof HandshakeFailed);
        assert.match(err.message, /refused the WebSocket handshake: expected "HTTP\/1\.1 101", got "HTTP\/1\.1 404 Not Found"/);
        return true;
      });
    } finally {
      server.close();
    }
  });

  it('fails with HandshakeFailed when the accept value is wrong', async () => {
    const server = createServer();
    server.on('upgrade', (_req, socket) =>
      socket.end('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: nope\r\n\r\n'),
    );
    const port = await listen(server);
    try {
      await assert.rejects(openRawConnection(`ws://127.0.0.1:${port}/`), /Sec-WebSocket-Accept "nope" does not match the key/);
    } finally {
      server.close();
    }
  });
});
