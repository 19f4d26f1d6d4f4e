/**
 * Link layers and IP down to TCP on hand-built packets: each link type, VLAN tags, IPv4 header and total
 * lengths, fragments, IPv6 extension headers, and what is not TCP.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeIp, ipv6Text, type TcpDecode } from '../../src/capture/ip.js';
import { findNetwork, isDecodedLinkType, linkTypeName } from '../../src/capture/link.js';
import { concat, ethernet, ipv4, ipv6, ipv6Bytes, tcpHeader, type TcpSpec } from './support/builders.js';
import { hexOf } from './support/record.js';

const TS = { sec: 1, nsec: 2 };
const SEG: TcpSpec = {
  src: '10.1.2.3',
  dst: '192.168.0.9',
  sport: 40000,
  dport: 8080,
  seq: 0xfffffff0,
  ack: 77,
  flags: 'AP',
  payload: 'hello',
};
const V6: TcpSpec = { ...SEG, src: '2001:db8::1', dst: 'fe80::a:b' };

/** Link layer then IP, as the analyzer chains them. */
function decode(linkType: number, frame: Uint8Array): TcpDecode | 'no-network' {
  const start = findNetwork(linkType, frame, { offset: 0, family: 0 });
  if (start === null) return 'no-network';
  return decodeIp(frame, start.offset, start.family, TS, 1);
}

function summary(result: TcpDecode | 'no-network'): unknown {
  if (typeof result === 'string') return result;
  return {
    src: `${result.src.ip} ${result.src.port}`,
    dst: `${result.dst.ip} ${result.dst.port}`,
    seq: result.seq,
    ack: result.ack,
    flags: result.flags,
    payload: Buffer.from(result.payload).toString('latin1'),
    missing: result.missing,
  };
}

const EXPECTED_V4 = { src: '10.1.2.3 40000', dst: '192.168.0.9 8080', seq: 0xfffffff0, ack: 77, flags: 0x18, payload: 'hello', missing: 0 };
const EXPECTED_V6 = { ...EXPECTED_V4, src: '2001:db8::1 40000', dst: 'fe80::a:b 8080' };

const v4Packet = (spec = SEG) => ipv4({ src: spec.src, dst: spec.dst, payload: tcpHeader(spec) });
const v6Packet = (spec = V6) => ipv6({ src: spec.src, dst: spec.dst, payload: tcpHeader(spec) });

describe('link layers', () => {
  it('Ethernet, with 802.1Q and QinQ tags', () => {
    assert.deepEqual(summary(decode(1, ethernet(v4Packet()))), EXPECTED_V4);
    assert.deepEqual(summary(decode(1, ethernet(v6Packet(), 0x86dd))), EXPECTED_V6);
    assert.deepEqual(summary(decode(1, ethernet(v4Packet(), 0x0800, [0x8100]))), EXPECTED_V4);
    assert.deepEqual(summary(decode(1, ethernet(v6Packet(), 0x86dd, [0x88a8, 0x8100]))), EXPECTED_V6);
    assert.deepEqual(summary(decode(1, ethernet(v4Packet(), 0x0800, [0x9100, 0x8100]))), EXPECTED_V4);
  });

  it('Ethernet that carries no IP: ARP, LLC, too many tags, a runt', () => {
    assert.equal(decode(1, ethernet(new Uint8Array(28), 0x0806)), 'no-network');
    assert.equal(decode(1, ethernet(new Uint8Array(40), 0x0050)), 'no-network');
    assert.equal(decode(1, ethernet(v4Packet(), 0x0800, [0x8100, 0x8100, 0x8100, 0x8100, 0x8100])), 'no-network');
    assert.equal(decode(1, new Uint8Array(13)), 'no-network');
  });

  it('Ethernet padding and a trailing FCS are not payload (the IP length bounds it)', () => {
    const frame = concat([ethernet(v4Packet()), [0, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef]]);
    assert.deepEqual(summary(decode(1, frame)), EXPECTED_V4);
  });

  it('Linux cooked captures, SLL and SLL2', () => {
    const sll = (proto: number, packet: Uint8Array) =>
      concat([[0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0], [proto >> 8, proto & 0xff], packet]);
    const sll2 = (proto: number, packet: Uint8Array) =>
      concat([[proto >> 8, proto & 0xff, 0, 0, 0, 0, 0, 2, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0], packet]);
    assert.deepEqual(summary(decode(113, sll(0x0800, v4Packet()))), EXPECTED_V4);
    assert.deepEqual(summary(decode(113, sll(0x86dd, v6Packet()))), EXPECTED_V6);
    assert.deepEqual(summary(decode(276, sll2(0x0800, v4Packet()))), EXPECTED_V4);
    assert.deepEqual(summary(decode(276, sll2(0x86dd, v6Packet()))), EXPECTED_V6);
    assert.equal(decode(113, sll(0x0806, new Uint8Array(28))), 'no-network');
    assert.equal(decode(276, new Uint8Array(19)), 'no-network');
  });

  it('raw IP under every number it goes by', () => {
    for (const linkType of [101, 12, 14]) {
      assert.deepEqual(summary(decode(linkType, v4Packet())), EXPECTED_V4, `v4 ${linkType}`);
      assert.deepEqual(summary(decode(linkType, v6Packet())), EXPECTED_V6, `v6 ${linkType}`);
    }
    assert.deepEqual(summary(decode(228, v4Packet())), EXPECTED_V4);
    assert.deepEqual(summary(decode(229, v6Packet())), EXPECTED_V6);
    assert.equal(decode(228, v6Packet()), 'malformed');
    assert.equal(decode(101, Uint8Array.of(0x50, 0, 0, 0)), 'not-ip');
  });

  it('BSD loopback in either byte order, with every AF_INET6 value, and OpenBSD loop', () => {
    const le = (af: number) => [af, 0, 0, 0];
    const be = (af: number) => [0, 0, 0, af];
    assert.deepEqual(summary(decode(0, concat([le(2), v4Packet()]))), EXPECTED_V4);
    assert.deepEqual(summary(decode(0, concat([be(2), v4Packet()]))), EXPECTED_V4);
    for (const af of [24, 28, 30, 10]) {
      assert.deepEqual(summary(decode(0, concat([le(af), v6Packet()]))), EXPECTED_V6, `AF ${af}`);
      assert.deepEqual(summary(decode(0, concat([be(af), v6Packet()]))), EXPECTED_V6, `AF ${af} swapped`);
    }
    assert.deepEqual(summary(decode(108, concat([be(2), v4Packet()]))), EXPECTED_V4);
    assert.deepEqual(summary(decode(108, concat([be(24), v6Packet()]))), EXPECTED_V6);
    assert.equal(decode(0, concat([le(7), v4Packet()])), 'no-network');
  });

  it('names the link types it does not decode', () => {
    assert.equal(isDecodedLinkType(1), true);
    assert.equal(isDecodedLinkType(127), false);
    assert.equal(linkTypeName(127), 'IEEE 802.11 with radiotap');
    assert.equal(linkTypeName(4242), 'link type 4242');
    assert.equal(decode(127, ethernet(v4Packet())), 'no-network');
  });
});

describe('IPv4', () => {
  it('honours the header length (options) and the total length', () => {
    const withOptions = ipv4({ src: SEG.src, dst: SEG.dst, payload: tcpHeader(SEG), options: [1, 1, 1, 0] });
    assert.deepEqual(summary(decode(101, withOptions)), EXPECTED_V4);
    // TCP options are skipped by the TCP data offset.
    const tcpOptions = ipv4({ src: SEG.src, dst: SEG.dst, payload: tcpHeader({ ...SEG, options: [2, 4, 5, 0xb4] }) });
    assert.deepEqual(summary(decode(101, tcpOptions)), EXPECTED_V4);
  });

  it('counts payload the snapshot length cut off', () => {
    const packet = v4Packet({ ...SEG, payload: 'hello world' });
    const result = decode(101, packet.subarray(0, packet.length - 6));
    assert.deepEqual(summary(result), { ...EXPECTED_V4, missing: 6 });
    // Cut inside the TCP options: no payload captured, all of it missing.
    const optioned = v4Packet({ ...SEG, options: [1, 1, 1, 1, 1, 1, 1, 1] });
    assert.deepEqual(summary(decode(101, optioned.subarray(0, 44))), { ...EXPECTED_V4, payload: '', missing: 5 });
  });

  it('takes the captured length when the total length is 0 (segmentation offload)', () => {
    const packet = ipv4({ src: SEG.src, dst: SEG.dst, payload: tcpHeader(SEG), totalLength: 0 });
    assert.deepEqual(summary(decode(101, packet)), EXPECTED_V4);
  });

  it('skips fragments: more-fragments set, or a non-zero offset', () => {
    assert.equal(decode(101, ipv4({ src: SEG.src, dst: SEG.dst, payload: tcpHeader(SEG), fragment: 0x2000 })), 'ip-fragment');
    assert.equal(decode(101, ipv4({ src: SEG.src, dst: SEG.dst, payload: new Uint8Array(16), fragment: 0x0010 })), 'ip-fragment');
  });

  it('says what is not TCP, cut short or malformed', () => {
    assert.equal(decode(101, ipv4({ src: SEG.src, dst: SEG.dst, protocol: 17, payload: new Uint8Array(8) })), 'not-tcp');
    assert.equal(decode(101, v4Packet().subarray(0, 19)), 'truncated');
    assert.equal(decode(101, v4Packet().subarray(0, 30)), 'truncated');
    const badIhl = v4Packet();
    badIhl[0] = 0x44;
    assert.equal(decode(101, badIhl), 'malformed');
    assert.equal(decode(101, ipv4({ src: SEG.src, dst: SEG.dst, payload: tcpHeader(SEG), totalLength: 12 })), 'malformed');
    const badOffset = v4Packet();
    badOffset[20 + 12] = 0x40; // TCP data offset 4 words
    assert.equal(decode(101, badOffset), 'malformed');
  });
});

describe('IPv6', () => {
  const hopByHop = Uint8Array.of(0, 0, 1, 4, 0, 0, 0, 0);
  const routing = Uint8Array.of(0, 2, 0, 0, 0, 0, 0, 0, ...new Array<number>(16).fill(0));
  const destOpts = Uint8Array.of(0, 0, 1, 4, 0, 0, 0, 0);
  const atomicFragment = Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 9);
  const auth = Uint8Array.of(0, 2, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0);

  it('skips extension headers down to TCP', () => {
    const packet = ipv6({
      src: V6.src,
      dst: V6.dst,
      payload: tcpHeader(V6),
      extensions: [
        [0, hopByHop],
        [43, routing],
        [51, auth],
        [44, atomicFragment],
        [60, destOpts],
      ],
    });
    assert.deepEqual(summary(decode(101, packet)), EXPECTED_V6);
  });

  it('skips fragments, ESP and what is not TCP', () => {
    const fragment = Uint8Array.of(0, 0, 0, 1, 0, 0, 0, 9); // more fragments
    assert.equal(decode(101, ipv6({ src: V6.src, dst: V6.dst, payload: tcpHeader(V6), extensions: [[44, fragment]] })), 'ip-fragment');
    assert.equal(decode(101, ipv6({ src: V6.src, dst: V6.dst, payload: new Uint8Array(8), next: 50 })), 'not-tcp');
    assert.equal(decode(101, ipv6({ src: V6.src, dst: V6.dst, payload: new Uint8Array(8), next: 17 })), 'not-tcp');
    assert.equal(decode(101, ipv6({ src: V6.src, dst: V6.dst, payload: new Uint8Array(8), next: 59 })), 'not-tcp');
  });

  it('refuses an extension header that runs past the packet, and a chain without end', () => {
    const long = Uint8Array.of(0, 200, 0, 0, 0, 0, 0, 0);
    assert.equal(decode(101, ipv6({ src: V6.src, dst: V6.dst, payload: tcpHeader(V6), extensions: [[0, long]] })), 'malformed');
    const loop = new Array<[number, Uint8Array]>(20).fill([60, destOpts]);
    assert.equal(decode(101, ipv6({ src: V6.src, dst: V6.dst, payload: tcpHeader(V6), extensions: loop })), 'malformed');
  });

  it('takes the captured length for payload length 0 (jumbogram or offload)', () => {
    assert.deepEqual(summary(decode(101, ipv6({ src: V6.src, dst: V6.dst, payload: tcpHeader(V6), payloadLength: 0 }))), EXPECTED_V6);
  });

  it('writes addresses as RFC 5952 says', () => {
    const text = (address: string) => ipv6Text(Uint8Array.from(ipv6Bytes(address)), 0);
    assert.equal(text('2001:db8:0:0:1:0:0:1'), '2001:db8::1:0:0:1');
    assert.equal(text('2001:db8:0:1:1:1:1:1'), '2001:db8:0:1:1:1:1:1');
    assert.equal(text('0:0:0:0:0:0:0:1'), '::1');
    assert.equal(text('0:0:0:0:0:0:0:0'), '::');
    assert.equal(text('fe80:0:0:0:0:0:0:0'), 'fe80::');
    assert.equal(text('0:0:0:0:0:ffff:7f00:1'), '::ffff:127.0.0.1');
    assert.equal(text('2001:DB8:0:0:0:0:0:AbC'), '2001:db8::abc');
  });

  it('hands the payload out as a view of the packet', () => {
    const packet = v4Packet();
    const result = decode(101, packet);
    assert.ok(typeof result !== 'string');
    assert.equal(result.payload.buffer, packet.buffer);
    assert.equal(hexOf(result.payload), Buffer.from('hello').toString('hex'));
  });
});
