/**
 * TCP reassembly on hand-made segments: order, wrap-around, retransmissions and overlaps (first copy
 * wins), holes that become gaps only when the stream provably moved past them, mid-stream starts, port
 * reuse, and the bounds that keep memory finite.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { TcpReassembler, type ReassemblyOptions, type TcpConnection, type TcpSink } from '../../src/capture/reassembly.js';
import type { Endpoint, TcpSegment } from '../../src/capture/types.js';
import { tcpFlagBits } from './support/builders.js';

const NUM_RUNS = Number(process.env['WSDIAG_FUZZ_RUNS'] ?? 200);

const CLIENT: Endpoint = { ip: '10.0.0.1', port: 50000 };
const SERVER: Endpoint = { ip: '10.0.0.2', port: 80 };

type Rec =
  | ['open', number, string, string]
  | ['data', number, number, number, string]
  | ['gap', number, number, number, number, string]
  | ['fin', number, number]
  | ['reset', number, number]
  | ['close', number, string];

let tick = 0;

/** A segment from the client ('c') or the server ('s'); flags as letters S A F R. */
function seg(from: 'c' | 's', seq: number, flags: string, payload = '', ack = 0, missing = 0, ports?: [number, number]): TcpSegment {
  const [src, dst] = from === 'c' ? [CLIENT, SERVER] : [SERVER, CLIENT];
  const bits = tcpFlagBits(flags);
  return {
    src: ports ? { ...src, port: from === 'c' ? ports[0] : ports[1] } : src,
    dst: ports ? { ...dst, port: from === 'c' ? ports[1] : ports[0] } : dst,
    seq: seq >>> 0,
    ack: ack >>> 0,
    flags: bits,
    payload: new TextEncoder().encode(payload),
    missing,
    ts: { sec: 0, nsec: tick++ },
    packet: tick,
  };
}

function run(
  segments: TcpSegment[],
  options: ReassemblyOptions = {},
  onOpen?: (c: TcpConnection) => void,
): { recs: Rec[]; tcp: TcpReassembler } {
  const recs: Rec[] = [];
  const sink: TcpSink = {
    open: (c) => {
      recs.push(['open', c.stream, `${c.endpoints[0].ip}:${c.endpoints[0].port}`, c.roles]);
      onOpen?.(c);
      const s = c.stream;
      return {
        data: (from, bytes, offset) => recs.push(['data', s, from, offset, new TextDecoder().decode(bytes)]),
        gap: (from, offset, length, cause) => recs.push(['gap', s, from, offset, length, cause]),
        fin: (from) => recs.push(['fin', s, from]),
        reset: (from) => recs.push(['reset', s, from]),
        close: (reason) => recs.push(['close', s, reason]),
      };
    },
  };
  const tcp = new TcpReassembler(sink, options);
  for (const s of segments) tcp.push(s);
  tcp.end();
  return { recs, tcp };
}

/** Each direction's stream as text, gaps as [gap n cause], however the data was cut into calls. */
function streams(recs: Rec[]): string[] {
  const out = ['', ''];
  const add = (direction: number, text: string): void => {
    out[direction] = `${out[direction]!}${text}`;
  };
  for (const r of recs) {
    if (r[0] === 'data') add(r[2], r[4]);
    else if (r[0] === 'gap') add(r[2], `[gap ${r[4]} ${r[5]}]`);
    else if (r[0] === 'fin') add(r[2], '[fin]');
  }
  return out;
}

const ISN_C = 1000;
const ISN_S = 5000;
const handshake = (): TcpSegment[] => [seg('c', ISN_C, 'S'), seg('s', ISN_S, 'SA', '', ISN_C + 1), seg('c', ISN_C + 1, 'A', '', ISN_S + 1)];

describe('TCP reassembly', () => {
  it('hands out each direction in order, FIN after the last byte, and closes on both FINs', () => {
    const { recs } = run([
      ...handshake(),
      seg('c', ISN_C + 1, 'AP', 'GET /', ISN_S + 1),
      seg('s', ISN_S + 1, 'AP', 'HTTP/1.1', ISN_C + 6),
      seg('c', ISN_C + 6, 'AF', '', ISN_S + 9),
      seg('s', ISN_S + 9, 'AF', '', ISN_C + 7),
      seg('c', ISN_C + 7, 'A', '', ISN_S + 10),
    ]);
    assert.deepEqual(recs, [
      ['open', 0, '10.0.0.1:50000', 'syn'],
      ['data', 0, 0, 0, 'GET /'],
      ['data', 0, 1, 0, 'HTTP/1.1'],
      ['fin', 0, 0],
      ['fin', 0, 1],
      ['close', 0, 'fin'],
    ]);
  });

  it('knows the client from a SYN-ACK when the SYN is missing', () => {
    const { recs } = run([seg('s', ISN_S, 'SA', '', ISN_C + 1), seg('c', ISN_C + 1, 'AP', 'hi', ISN_S + 1)]);
    assert.deepEqual(recs.slice(0, 2), [
      ['open', 0, '10.0.0.1:50000', 'syn'],
      ['data', 0, 0, 0, 'hi'],
    ]);
  });

  it('follows sequence numbers across the 2^32 wrap, in and out of order', () => {
    const isn = 0xfffffff8;
    const { recs } = run([
      seg('c', isn, 'S'),
      seg('c', isn + 1, 'A', 'abcd'),
      seg('c', isn + 13, 'A', 'mnop'), // past the wrap, ahead of a hole
      seg('c', isn + 5, 'A', 'efghijkl'), // fills the hole across the wrap
      seg('c', isn + 17, 'AF'),
    ]);
    assert.deepEqual(streams(recs), ['abcdefghijklmnop[fin]', '']);
  });

  it('drops retransmissions and keeps the first copy of overlapping bytes', () => {
    const { recs, tcp } = run([
      ...handshake(),
      seg('c', ISN_C + 1, 'A', 'AAAAAAAAAA'),
      seg('c', ISN_C + 1, 'A', 'AAAAAAAAAA'), // exact retransmission
      seg('c', ISN_C + 6, 'A', 'BBBBBBBBBB'), // half old, half new
      seg('c', ISN_C + 21, 'A', 'XXXXXXXXXX'), // out of order: waits
      seg('c', ISN_C + 18, 'A', 'YYYYYYYYYY'), // overlaps what waits: the waiting copy wins
      seg('c', ISN_C + 16, 'A', 'CCCCC'), // fills the hole, but its last 3 bytes came first as Y
    ]);
    assert.deepEqual(streams(recs), ['AAAAAAAAAABBBBBCCYYYXXXXXXXXXX', '']);
    assert.equal(tcp.stats.retransmissions, 1);
  });

  it('waits for a hole to be filled: out-of-order segments give the in-order stream', () => {
    const { recs } = run([
      ...handshake(),
      seg('c', ISN_C + 11, 'A', 'second'),
      seg('c', ISN_C + 17, 'AF', 'third'),
      seg('c', ISN_C + 1, 'A', 'first.....'),
    ]);
    assert.deepEqual(streams(recs), ['first.....secondthird[fin]', '']);
    assert.ok(!recs.some((r) => r[0] === 'gap'));
  });

  it('reports a hole as lost once the receiver acknowledges bytes after it', () => {
    const { recs } = run([
      ...handshake(),
      seg('c', ISN_C + 1, 'A', 'one..', ISN_S + 1),
      seg('c', ISN_C + 11, 'A', 'three', ISN_S + 1), // "two.." never captured
      seg('s', ISN_S + 1, 'A', '', ISN_C + 16),
      seg('c', ISN_C + 16, 'A', 'four.', ISN_S + 1),
    ]);
    assert.deepEqual(streams(recs), ['one..[gap 5 lost]threefour.', '']);
    const gap = recs.find((r) => r[0] === 'gap');
    assert.deepEqual(gap, ['gap', 0, 0, 5, 5, 'lost']);
  });

  it('reports lost bytes at the end of a direction from the acknowledgement alone', () => {
    const { recs } = run([
      ...handshake(),
      seg('c', ISN_C + 1, 'A', 'seen.'),
      seg('s', ISN_S + 1, 'A', '', ISN_C + 21),
      seg('c', ISN_C + 21, 'A', 'after'),
    ]);
    assert.deepEqual(streams(recs), ['seen.[gap 15 lost]after', '']);
  });

  it('ignores an acknowledgement that is absurdly far ahead', () => {
    const { recs } = run([...handshake(), seg('c', ISN_C + 1, 'A', 'data'), seg('s', ISN_S + 1, 'A', '', ISN_C + 0x50000000)]);
    assert.deepEqual(streams(recs), ['data', '']);
  });

  it('does not take a FIN as proof of loss: a retransmission may still fill the hole', () => {
    const { recs } = run([
      ...handshake(),
      seg('c', ISN_C + 1, 'A', 'aaaa'),
      seg('c', ISN_C + 9, 'AF', 'cccc'),
      seg('c', ISN_C + 5, 'A', 'bbbb'), // the retransmission
    ]);
    assert.deepEqual(streams(recs), ['aaaabbbbcccc[fin]', '']);
  });

  it('reports the hole before a FIN once the FIN is acknowledged', () => {
    const { recs } = run([
      ...handshake(),
      seg('c', ISN_C + 1, 'A', 'aaaa'),
      seg('c', ISN_C + 9, 'AF', 'cccc'),
      seg('s', ISN_S + 1, 'A', '', ISN_C + 14),
    ]);
    assert.deepEqual(streams(recs), ['aaaa[gap 4 lost]cccc[fin]', '']);
  });

  it('reports holes still open when the capture ends, and hands out what waited', () => {
    const { recs } = run([...handshake(), seg('c', ISN_C + 1, 'A', 'aaaa'), seg('c', ISN_C + 9, 'A', 'cccc')]);
    assert.deepEqual(streams(recs), ['aaaa[gap 4 capture-end]cccc', '']);
    assert.deepEqual(recs.at(-1), ['close', 0, 'capture-end']);
  });

  it('on a reset, reports open holes, hands out what waited, then the reset', () => {
    const { recs } = run([...handshake(), seg('c', ISN_C + 1, 'A', 'aaaa'), seg('c', ISN_C + 9, 'A', 'cccc'), seg('s', ISN_S + 1, 'R')]);
    assert.deepEqual(recs.slice(-5), [
      ['data', 0, 0, 0, 'aaaa'],
      ['gap', 0, 0, 4, 4, 'reset'],
      ['data', 0, 0, 8, 'cccc'],
      ['reset', 0, 1],
      ['close', 0, 'reset'],
    ]);
  });

  it('counts bytes the snapshot length cut off as a gap of known size, in order or not', () => {
    const { recs } = run([
      ...handshake(),
      seg('c', ISN_C + 11, 'A', 'ccc', 0, 2), // 5-byte segment, 2 bytes not captured
      seg('c', ISN_C + 1, 'A', 'aaaaa', 0, 5),
      seg('c', ISN_C + 16, 'A', 'ddd'),
    ]);
    assert.deepEqual(streams(recs), ['aaaaa[gap 5 snaplen]ccc[gap 2 snaplen]ddd', '']);
  });

  it('starts a connection seen without its SYN at the first byte of each direction, and says so', () => {
    let conn: TcpConnection | null = null;
    const { recs } = run(
      [seg('s', 777_000, 'AP', 'frame-from-server'), seg('c', 123_000, 'AP', 'frame-from-client')],
      {},
      (c) => (conn = c),
    );
    assert.deepEqual(recs.slice(0, 3), [
      ['open', 0, '10.0.0.2:80', 'first-packet'],
      ['data', 0, 0, 0, 'frame-from-server'],
      ['data', 0, 1, 0, 'frame-from-client'],
    ]);
    assert.equal(conn!.synSeen(0), false);
  });

  it('numbers connections in order of their first packet, lone ACKs included (as tcp.stream)', () => {
    const { recs } = run([
      seg('c', 1, 'A', '', 0, 0, [1111, 80]), // lone ACK: takes stream 0, opens nothing yet
      seg('c', 1, 'S', '', 0, 0, [2222, 80]),
      seg('c', 2, 'A', 'late data', 0, 0, [1111, 80]),
    ]);
    assert.deepEqual(
      recs.filter((r) => r[0] === 'open'),
      [
        ['open', 1, '10.0.0.1:2222', 'syn'],
        ['open', 0, '10.0.0.1:1111', 'first-packet'],
      ],
    );
  });

  it('takes a SYN with a new sequence number on the same ports for a new connection, a repeated SYN not', () => {
    const { recs } = run([
      ...handshake(),
      seg('c', ISN_C, 'S'), // retransmitted SYN
      seg('c', ISN_C + 1, 'AF', 'x'),
      seg('s', ISN_S + 1, 'AF', 'y', ISN_C + 3),
      seg('c', ISN_C + 3, 'A', '', ISN_S + 3), // late ACK after the close
      seg('c', 90_000, 'S'), // the ports reused
      seg('c', 90_001, 'A', 'new'),
    ]);
    assert.deepEqual(
      recs.filter((r) => r[0] === 'open' || r[0] === 'close'),
      [
        ['open', 0, '10.0.0.1:50000', 'syn'],
        ['close', 0, 'fin'],
        ['open', 1, '10.0.0.1:50000', 'syn'],
        ['close', 1, 'capture-end'],
      ],
    );
  });

  it('closes a connection as reused when a new SYN arrives before its end', () => {
    const { recs } = run([...handshake(), seg('c', ISN_C + 1, 'A', 'x'), seg('c', 42, 'S')]);
    assert.deepEqual(
      recs.filter((r) => r[0] === 'close'),
      [
        ['close', 0, 'reused'],
        ['close', 1, 'capture-end'],
      ],
    );
  });

  it('stops handing out data of an ignored connection, and still reports its end', () => {
    const segments = [
      ...handshake(),
      seg('c', ISN_C + 11, 'A', 'later'),
      seg('c', ISN_C + 1, 'A', 'first.....'),
      seg('c', ISN_C + 16, 'AF', 'more'),
      seg('s', ISN_S + 1, 'AF', 'reply'),
    ];
    assert.deepEqual(streams(run(segments).recs), ['first.....latermore[fin]', 'reply[fin]']);
    // A handler that loses interest at its first bytes (as for TLS) gets nothing more but the end.
    const recs: Rec[] = [];
    const tcp = new TcpReassembler({
      open: (c) => ({
        data: (from, bytes, offset) => {
          recs.push(['data', 0, from, offset, new TextDecoder().decode(bytes)]);
          c.ignore();
        },
        gap: () => recs.push(['gap', 0, 0, 0, 0, 'unexpected']),
        fin: (from) => recs.push(['fin', 0, from]),
        reset: (from) => recs.push(['reset', 0, from]),
        close: (reason) => recs.push(['close', 0, reason]),
      }),
    });
    for (const s of segments) tcp.push(s);
    tcp.end();
    assert.deepEqual(recs, [
      ['data', 0, 0, 0, 'first.....'],
      ['fin', 0, 0],
      ['fin', 0, 1],
      ['close', 0, 'fin'],
    ]);
    assert.equal(tcp.buffered, 0);
  });

  it('gives up the oldest hole of a direction when its out-of-order bytes reach the bound', () => {
    const segments = [...handshake(), seg('c', ISN_C + 1, 'A', 'a')];
    // A 1-byte hole at offset 1, then 100-byte segments after it.
    for (let i = 0; i < 10; i++) segments.push(seg('c', ISN_C + 3 + i * 100, 'A', String(i).repeat(100)));
    const peaks: number[] = [];
    const recs: Rec[] = [];
    const tcp = new TcpReassembler(
      {
        open: () => ({
          data: (from, bytes, offset) => recs.push(['data', 0, from, offset, new TextDecoder().decode(bytes)]),
          gap: (from, offset, length, cause) => recs.push(['gap', 0, from, offset, length, cause]),
          fin: () => {},
          reset: () => {},
          close: () => {},
        }),
      },
      { maxBufferedPerDirection: 500 },
    );
    for (const s of segments) {
      tcp.push(s);
      peaks.push(tcp.buffered);
    }
    assert.ok(Math.max(...peaks) <= 500, `held ${Math.max(...peaks)} bytes`);
    assert.deepEqual(
      recs.find((r) => r[0] === 'gap'),
      ['gap', 0, 0, 1, 1, 'buffer-limit'],
    );
    // Once the hole is given up, what waited and everything after it flows in order.
    assert.equal(streams(recs)[0], `a[gap 1 buffer-limit]${[0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => String(i).repeat(100)).join('')}`);
  });

  it('keeps the total of out-of-order bytes over all connections under its bound', () => {
    const segments: TcpSegment[] = [];
    for (let c = 0; c < 20; c++) {
      segments.push(seg('c', 0, 'S', '', 0, 0, [3000 + c, 80]));
      segments.push(seg('c', 1, 'A', 'x', 0, 0, [3000 + c, 80]));
      segments.push(seg('c', 10, 'A', 'y'.repeat(300), 0, 0, [3000 + c, 80]));
    }
    const peaks: number[] = [];
    const tcp = new TcpReassembler({ open: () => ({ data() {}, gap() {}, fin() {}, reset() {}, close() {} }) }, { maxBufferedTotal: 2000 });
    for (const s of segments) {
      tcp.push(s);
      peaks.push(tcp.buffered);
    }
    assert.ok(Math.max(...peaks) <= 2000, `held ${Math.max(...peaks)} bytes`);
    assert.ok(tcp.stats.gaps > 0);
  });

  it('keeps the connection table bounded: finished connections go first, then the least recently active', () => {
    const segments: TcpSegment[] = [];
    for (let c = 0; c < 50; c++) {
      segments.push(seg('c', 0, 'S', '', 0, 0, [4000 + c, 80]));
      segments.push(seg('c', 1, 'A', `conn ${c}`, 0, 0, [4000 + c, 80]));
    }
    const { recs, tcp } = run(segments, { maxConnections: 10 });
    const evicted = recs.filter((r) => r[0] === 'close' && r[2] === 'evicted');
    assert.ok(evicted.length >= 40, `${evicted.length} evicted`);
    assert.equal(tcp.stats.evicted, evicted.length);
    // Every connection opened once and closed once.
    assert.equal(recs.filter((r) => r[0] === 'open').length, 50);
    assert.equal(recs.filter((r) => r[0] === 'close').length, 50);
  });

  it('gives the in-order result for any order of the same segments, duplicates included (property)', () => {
    const text = 'The quick brown fox jumps over the lazy dog, 0123456789.';
    const isn = 0xffffffe0; // wraps inside the stream
    const pieces: Array<[number, number]> = [];
    for (let at = 0; at < text.length;) {
      const n = 1 + ((at * 7) % 9);
      pieces.push([at, Math.min(text.length, at + n)]);
      at += n;
    }
    const inOrder = [
      seg('c', isn, 'S'),
      ...pieces.map(([s, e]) => seg('c', isn + 1 + s, 'A', text.slice(s, e))),
      seg('c', isn + 1 + text.length, 'AF'),
    ];
    const expected = streams(run(inOrder).recs);
    assert.deepEqual(expected, [`${text}[fin]`, '']);
    fc.assert(
      fc.property(
        fc.array(fc.nat(), { minLength: inOrder.length, maxLength: inOrder.length }),
        fc.array(fc.nat({ max: inOrder.length - 1 }), { maxLength: 6 }),
        (keys, dups) => {
          const body = inOrder.slice(1);
          const shuffled = body
            .map((s, i) => [keys[i]!, s] as const)
            .sort((a, b) => a[0] - b[0])
            .map(([, s]) => s);
          for (const d of dups) shuffled.splice(d % (shuffled.length + 1), 0, body[d % body.length]!);
          const result = run([inOrder[0]!, ...shuffled]).recs;
          assert.deepEqual(streams(result), expected);
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });
});
