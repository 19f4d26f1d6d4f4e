/**
 * The pcapng writer: its blocks read back exactly (by our reader; by tshark in writer-tshark.it.test.ts),
 * checksums that verify, sequence numbers that advance and wrap, and a conversation judged the same as the
 * bytes it holds.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeCaptureBytes } from '../../src/capture/analyze.js';
import type { CaptureEvent } from '../../src/capture/events.js';
import { decodeIp } from '../../src/capture/ip.js';
import { findNetwork } from '../../src/capture/link.js';
import { CaptureReader } from '../../src/capture/reader.js';
import type { PacketRecord } from '../../src/capture/types.js';
import { initialSequenceNumbers, MAX_SEGMENT_PAYLOAD, PcapngWriter, SyntheticTcp } from '../../src/capture/writer.js';
import { parseIp } from '../../src/ip.js';
import { concatBytes } from '../../src/protocol/encoder.js';
import { writtenConversation as conversation } from './support/written.js';

function readPackets(file: Uint8Array): PacketRecord[] {
  const packets: PacketRecord[] = [];
  const reader = new CaptureReader({ packet: (p) => packets.push({ ...p, data: p.data.slice() }), problem: (p) => assert.fail(p.message) });
  reader.push(file);
  reader.end();
  return packets;
}

/** RFC 1071, written again here: a one's complement sum that verifies to 0xffff over a correct header. */
function onesSum(bytes: Uint8Array, start = 0, end = bytes.length, initial = 0): number {
  let sum = initial;
  for (let i = start; i < end; i += 2) sum += (bytes[i]! << 8) | (i + 1 < end ? bytes[i + 1]! : 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

function judged(file: Uint8Array): CaptureEvent[] {
  return analyzeCaptureBytes(file, { analyzer: { frames: true } }).events;
}

function opcodes(events: CaptureEvent[]): { client: number[]; server: number[] } {
  const frames = events.filter((e): e is Extract<CaptureEvent, { type: 'frame' }> => e.type === 'frame');
  return {
    client: frames.filter((f) => f.dir === 'client->server').map((f) => f.opcode),
    server: frames.filter((f) => f.dir === 'server->client').map((f) => f.opcode),
  };
}

describe('pcapng writer', () => {
  it('writes blocks our reader reads back exactly, with nanosecond timestamps', () => {
    const writer = new PcapngWriter({ application: 'wsdiag test' });
    const a = writer.addInterface({ name: 'client leg' });
    const b = writer.addInterface({ name: 'upstream leg', linkType: 'ethernet' });
    const frame = Uint8Array.from([0x45, 1, 2, 3, 4]);
    const file = concatBytes([writer.header(), a.block, b.block, writer.packet(b.id, { sec: 1_700_000_000, nsec: 123_456_789 }, frame)]);
    const interfaces: unknown[] = [];
    const packets: unknown[] = [];
    const reader = new CaptureReader({
      interface: (i) => interfaces.push([i.id, i.linkType, i.name]),
      packet: (p) => packets.push([p.interfaceId, p.ts, Array.from(p.data), p.originalLength]),
      problem: (p) => assert.fail(p.message),
    });
    reader.push(file);
    reader.end();
    assert.deepEqual(interfaces, [
      [0, 101, 'client leg'],
      [1, 1, 'upstream leg'],
    ]);
    assert.deepEqual(packets, [[1, { sec: 1_700_000_000, nsec: 123_456_789 }, [0x45, 1, 2, 3, 4], 5]]);
    assert.equal(file.length % 4, 0);
  });

  for (const linkType of ['raw', 'ethernet'] as const) {
    const pairs = [
      ['127.0.0.1', '127.0.0.1', '127.0.0.1:43210', '127.0.0.1:9001'],
      ['::1', '2001:db8::2', '[::1]:43210', '[2001:db8::2]:9001'],
      // A dual-stack socket reports an IPv4-mapped address on one side: both become IPv6.
      ['::ffff:127.0.0.1', '10.0.0.1', '[::ffff:127.0.0.1]:43210', '[::ffff:10.0.0.1]:9001'],
    ] as const;
    for (const [client, server, clientText, serverText] of pairs) {
      it(`draws a connection (${linkType}, ${client} to ${server}) with valid checksums and advancing sequence numbers`, () => {
        const { file, frames } = conversation({ linkType, client, server, isn: { client: 0xffffff00, server: 0x7ffffff0 } });
        const packets = readPackets(file);
        const next = new Map<string, number>();
        let flagsSeen = '';
        for (const p of packets) {
          const start = findNetwork(p.linkType, p.data, { offset: 0, family: 0 })!;
          const ipStart = start.offset;
          const v6 = p.data[ipStart]! >> 4 === 6;
          if (!v6) assert.equal(onesSum(p.data, ipStart, ipStart + 20), 0xffff, `IPv4 checksum of packet ${p.number}`);
          const tcpStart = ipStart + (v6 ? 40 : 20);
          const tcpLength = p.data.length - tcpStart;
          const addresses = v6 ? p.data.subarray(ipStart + 8, ipStart + 40) : p.data.subarray(ipStart + 12, ipStart + 20);
          const pseudo = onesSum(addresses) + 6 + tcpLength;
          assert.equal(onesSum(p.data, tcpStart, p.data.length, pseudo), 0xffff, `TCP checksum of packet ${p.number}`);
          const seg = decodeIp(p.data, ipStart, 0, p.ts, p.number);
          assert.ok(typeof seg !== 'string');
          assert.ok(seg.payload.length <= MAX_SEGMENT_PAYLOAD);
          const key = `${seg.src.ip} ${seg.src.port}`;
          const expected = next.get(key);
          if (expected !== undefined) assert.equal(seg.seq, expected, `sequence number of packet ${p.number}`);
          next.set(key, (seg.seq + seg.payload.length + (seg.flags & 0x03 ? 1 : 0)) >>> 0);
          flagsSeen += `${seg.flags.toString(16)} `;
        }
        assert.match(flagsSeen, /^2 12 10 /, 'SYN, SYN-ACK, ACK first');
        assert.match(flagsSeen, /11 10 11 10 $/, 'FIN-ACK and ACK from each side last');
        // Both ends agree with the bytes they carried.
        const events = judged(file);
        assert.deepEqual(opcodes(events), frames);
        assert.deepEqual(
          events.filter((e) => e.type === 'violation'),
          [],
        );
        const open = events.find((e): e is Extract<CaptureEvent, { type: 'open' }> => e.type === 'open')!;
        assert.deepEqual([open.client, open.server], [clientText, serverText]);
      });
    }
  }

  it('writes a reset', () => {
    const writer = new PcapngWriter();
    const iface = writer.addInterface({ name: 'leg' });
    const tcp = new SyntheticTcp({
      writer,
      interfaceId: iface.id,
      client: { ip: '10.0.0.1', port: 1 },
      server: { ip: '10.0.0.2', port: 2 },
    });
    const file = concatBytes([writer.header(), iface.block, tcp.open({ sec: 1, nsec: 0 }), tcp.reset('server', { sec: 2, nsec: 0 })]);
    const last = readPackets(file).at(-1)!;
    const seg = decodeIp(last.data, 0, 0, last.ts, last.number);
    assert.ok(typeof seg !== 'string');
    assert.equal(seg.flags, 0x14);
    assert.equal(seg.src.port, 2);
  });

  it("gives each of a file's connections its own initial sequence numbers, the first the defaults", () => {
    assert.deepEqual(initialSequenceNumbers(0), { client: 0x1000_0000, server: 0x2000_0000 });
    const seen = new Set<number>();
    for (let ordinal = 0; ordinal < 10_000; ordinal++) {
      const { client, server } = initialSequenceNumbers(ordinal);
      assert.ok(Number.isInteger(client) && client >= 0 && client < 2 ** 32, `${ordinal}: ${client}`);
      assert.equal((server - client) >>> 0, 0x1000_0000, 'the server side keeps its distance from the client side');
      seen.add(client);
    }
    assert.equal(seen.size, 10_000, 'no two connections share a number');
  });

  it('parses the addresses sockets report', () => {
    assert.deepEqual(Array.from(parseIp('192.168.1.2')), [192, 168, 1, 2]);
    assert.deepEqual(Array.from(parseIp('[::1]')), [...new Array<number>(15).fill(0), 1]);
    assert.deepEqual(Array.from(parseIp('fe80::1%eth0').subarray(0, 2)), [0xfe, 0x80]);
    assert.deepEqual(Array.from(parseIp('::ffff:10.1.2.3').subarray(10)), [0xff, 0xff, 10, 1, 2, 3]);
    assert.throws(() => parseIp('300.1.1.1'), /not an IP address/);
    assert.throws(() => parseIp('1::2::3'), /not an IP address/);
  });
});
