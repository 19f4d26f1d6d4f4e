/**
 * The --pcap recorder (src/proxy/pcap.ts) as the proxy drives it, hook by hook, without sockets; the file
 * it writes is read back with the capture analyzer. Each leg is its own TCP connection with the sockets'
 * addresses; each hook lands on the leg and end it belongs to; the handshake shows what every output shows
 * (credentials redacted) but keeps the key and accept; an output that is full leaves payloads out as lost
 * segments, said once; a reset is drawn as a reset; two connections on the same ports stay two.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeCaptureBytes } from '../../src/capture/analyze.js';
import type { CloseEvent, Direction, WsdiagEvent } from '../../src/events/index.js';
import { closeBody, concatBytes, encodeFrame } from '../../src/protocol/encoder.js';
import { computeAccept } from '../../src/protocol/handshake.js';
import { pcapRecorder } from '../../src/proxy/pcap.js';
import { CLOSE, HANDSHAKE, INFO, KEY, MemoryOutput, now, recordedTwice, text } from './support/recorder.js';

type Ev<T extends WsdiagEvent['type']> = Extract<WsdiagEvent, { type: T }>;
const of = <T extends WsdiagEvent['type']>(events: WsdiagEvent[], type: T): Ev<T>[] => events.filter((e): e is Ev<T> => e.type === type);

/** One connection through the recorder: `script` drives its hooks; returns the file and the events the recorder added. */
function record(
  script: (part: {
    tap: (dir: Direction, bytes: Uint8Array) => void;
    sent: (dir: Direction, bytes: Uint8Array) => void;
    tapEnd: (dir: Direction) => void;
    end: (how: CloseEvent['how'], endedBy?: CloseEvent['ended_by']) => void;
    output: MemoryOutput;
  }) => void,
): { file: Uint8Array; added: WsdiagEvent[]; output: MemoryOutput } {
  const output = new MemoryOutput();
  const addon = pcapRecorder({ output, now, clock: () => new Date(0) });
  addon.handshake?.(INFO.conn, HANDSHAKE);
  const part = addon.connection?.(INFO);
  assert.ok(part);
  const added: WsdiagEvent[] = [];
  part.opened?.({
    conn: INFO.conn,
    settings: undefined as never,
    setTypePolicy: () => {},
    emit: (e) => added.push(e),
    stats: () => {
      throw new Error('not read by the pcap recorder');
    },
    afterWrites: () => {},
  });
  script({
    tap: (dir, bytes) => part.tap?.(dir, bytes),
    sent: (dir, bytes) => part.sent?.(dir, bytes),
    tapEnd: (dir) => part.tapEnd?.(dir),
    end: (how, endedBy) =>
      part.end?.({
        ...CLOSE,
        ...(how !== undefined ? { how } : {}),
        ...(endedBy !== undefined ? { ended_by: endedBy } : {}),
      }),
    output,
  });
  return { file: output.bytes(), added, output };
}

const close = (code: number, mask = false) =>
  encodeFrame({ opcode: 8, payload: closeBody(code), ...(mask ? { mask: true as const } : {}) });

/** The file's WebSocket connections by leg (its server's port), with their frame opcodes per direction. */
function legsOf(file: Uint8Array) {
  const { events } = analyzeCaptureBytes(file, { analyzer: { frames: true } });
  const opens = of(events, 'open');
  const leg = (port: number) => {
    const open = opens.find((o) => o.server?.endsWith(`:${port}`));
    assert.ok(open, `a connection to port ${port}`);
    const frames = (dir: Direction) =>
      of(events, 'frame')
        .filter((f) => f.conn === open.conn && f.dir === dir)
        .map((f) => f.opcode);
    return {
      open,
      up: frames('client->server'),
      down: frames('server->client'),
      close: of(events, 'close').find((c) => c.conn === open.conn),
      gaps: of(events, 'gap').filter((g) => g.conn === open.conn),
      violations: of(events, 'violation').filter((v) => v.conn === open.conn),
    };
  };
  return { events, client: leg(8080), upstream: leg(9000) };
}

describe('proxy --pcap: the recorder', () => {
  it('draws each leg as its own TCP connection, with what each side sent and what wsdiag wrote', () => {
    const { file } = record(({ tap, sent, tapEnd, end }) => {
      tap('client->server', text('hello', true));
      sent('client->server', text('hello', true));
      // wsdiag relays the server's answer, then (say, --enforce) writes a Close of its own to the client.
      tap('server->client', text('hi'));
      sent('server->client', concatBytes([text('hi'), close(1001)]));
      tap('client->server', close(1001, true));
      sent('client->server', close(1001, true));
      tap('server->client', close(1000));
      tapEnd('client->server');
      tapEnd('server->client');
      end('close-frame', 'client');
    });
    const { client, upstream, events } = legsOf(file);
    assert.equal(of(events, 'open').length, 2);
    assert.deepEqual([client.open.client, client.open.server], ['127.0.0.1:50123', '127.0.0.1:8080']);
    assert.deepEqual([upstream.open.client, upstream.open.server], ['10.0.0.5:40555', '10.0.0.9:9000']);
    assert.equal(client.open.path, '/chat?token=REDACTED');
    assert.equal(upstream.open.path, '/base/chat?token=REDACTED');
    // Client leg: what the client sent, and what wsdiag wrote to it (its own Close included).
    assert.deepEqual(
      [client.up, client.down],
      [
        [1, 8],
        [1, 8],
      ],
    );
    // Upstream leg: what wsdiag wrote to the upstream, and what the upstream sent (its Close was not relayed).
    assert.deepEqual(
      [upstream.up, upstream.down],
      [
        [1, 8],
        [1, 8],
      ],
    );
    // The handshake checks out: the key and the accept are kept.
    assert.deepEqual([...client.violations, ...upstream.violations], []);
    // On the client leg, wsdiag's Close came first; on the upstream leg, the client's, which wsdiag relayed.
    assert.deepEqual([client.close?.how, client.close?.ended_by], ['close-frame', 'server']);
    assert.deepEqual([upstream.close?.how, upstream.close?.ended_by], ['close-frame', 'client']);
  });

  describe('two connections on the same ports (a port the system reused after TIME_WAIT)', () => {
    // Wireshark's view of the same file: test/proxy/pcap-tshark.it.test.ts.
    it('are read back by wsdiag analyze as four TCP connections, each with its frame', () => {
      const { events } = analyzeCaptureBytes(recordedTwice(), { analyzer: { frames: true } });
      const opens = of(events, 'open');
      assert.deepEqual(opens.map((o) => o.server).sort(), ['10.0.0.9:9000', '10.0.0.9:9000', '127.0.0.1:8080', '127.0.0.1:8080']);
      assert.deepEqual(
        opens.map((o) => of(events, 'frame').filter((f) => f.conn === o.conn).length),
        [1, 1, 1, 1],
      );
      assert.deepEqual(of(events, 'gap'), []);
    });
  });

  it('writes the handshake as every output shows it, keeping the key and the accept, with the upstream Host', () => {
    const { file } = record(({ end }) => end('close-frame', 'client'));
    const latin1 = Buffer.from(file).toString('latin1');
    assert.ok(!latin1.includes('abcdefghijklmnopqrstuvwxyz012345'), 'no credential in the file');
    assert.equal(latin1.split('authorization: Bearer REDACTED\r\n').length - 1, 2, 'on both legs');
    assert.equal(latin1.split(`sec-websocket-key: ${KEY}\r\n`).length - 1, 2);
    assert.equal(latin1.split(`sec-websocket-accept: ${computeAccept(KEY)}\r\n`).length - 1, 2);
    assert.ok(latin1.includes('GET /chat?token=REDACTED HTTP/1.1\r\nhost: 127.0.0.1:8080\r\n'));
    assert.ok(latin1.includes('GET /base/chat?token=REDACTED HTTP/1.1\r\nhost: 10.0.0.9:9000\r\n'));
    assert.equal(latin1.split('HTTP/1.1 101 Switching Protocols\r\n').length - 1, 2);
  });

  it('leaves payloads out while the output is full, as lost segments, and says so once', () => {
    const { file, added } = record(({ tap, sent, output, end }) => {
      tap('client->server', text('one', true));
      sent('client->server', text('one', true));
      output.full = true;
      tap('client->server', text('two', true));
      sent('client->server', text('two', true));
      tap('client->server', text('three', true));
      output.full = false;
      sent('client->server', text('three', true));
      tap('server->client', text('answer'));
      sent('server->client', text('answer'));
      end('fin', 'client');
    });
    const { client, upstream } = legsOf(file);
    // The client leg lost "two" and "three" (tapped while full): a gap, and nothing judged after it that way.
    assert.deepEqual(client.up, [1]);
    assert.deepEqual(
      client.gaps.map((g) => [g.dir, g.cause, g.length]),
      [['client->server', 'lost', text('two', true).length + text('three', true).length]],
    );
    // The upstream leg lost "two" only ("three" was written to it once the output had room).
    assert.deepEqual(upstream.up, [1]);
    assert.equal(upstream.gaps.length, 1);
    assert.deepEqual([client.down, upstream.down], [[1], [1]]);
    assert.deepEqual(
      added.map((e) => e.type === 'error' && e.conn),
      ['run-c1'],
    );
    assert.match((added[0] as Ev<'error'>).message, /^The --pcap file is not written as fast as this connection's traffic comes/);
  });

  it('draws a reset as a reset on both legs, from the side that reset and from wsdiag passing it on', () => {
    for (const endedBy of ['client', 'server'] as const) {
      const { file } = record(({ tap, sent, end }) => {
        tap('client->server', text('x', true));
        sent('client->server', text('x', true));
        end('reset', endedBy);
      });
      const { client, upstream } = legsOf(file);
      assert.deepEqual([client.close?.how, upstream.close?.how], ['reset', 'reset'], endedBy);
      assert.equal(endedBy === 'client' ? client.close?.ended_by : upstream.close?.ended_by, endedBy);
    }
  });

  it('stays out of connections whose handshake it did not see as a 101, and closes its output with the proxy', async () => {
    const output = new MemoryOutput();
    const addon = pcapRecorder({ output });
    addon.handshake?.('other', { ...HANDSHAKE, status: 403 });
    assert.equal(addon.connection?.({ ...INFO, conn: 'other' }), undefined);
    await addon.close?.();
    assert.ok(output.closed);
    // A valid empty capture: header and the two interfaces.
    const { stats } = analyzeCaptureBytes(output.bytes());
    assert.deepEqual([stats.reader.format, stats.reader.interfaces, stats.reader.packets], ['pcapng', 2, 0]);
  });
});
