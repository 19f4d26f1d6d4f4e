/**
 * The capture reader on hand-built files: every pcap and pcapng variant it reads, every way a file can be
 * wrong, and the same records however the file is cut.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectCapture } from '../../src/capture/detect.js';
import { ticksToTimestamp } from '../../src/capture/pcapng.js';
import { block, concat, epb, idb, obsoletePb, option, pcapFile, shb, spb } from './support/builders.js';
import { hexOf, packets, problems, readChunks, readEverySplit } from './support/record.js';

const A = Uint8Array.from([1, 2, 3, 4, 5]);
const B = Uint8Array.from([0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x11]);

describe('classic pcap', () => {
  for (const little of [true, false]) {
    it(`microseconds, ${little ? 'little' : 'big'}-endian`, () => {
      const file = pcapFile({
        little,
        linkType: 1,
        snapLength: 65535,
        records: [
          { sec: 1_700_000_000, frac: 123_456, data: A },
          { sec: 1_700_000_001, frac: 999_999, data: B, originalLength: 1500 },
        ],
      });
      const records = readEverySplit(file);
      assert.deepEqual(records, [
        ['section', 'pcap', 0, little, '2.4'],
        ['interface', 0, 0, 1, 65535, null],
        ['packet', 1, 0, 1, 1_700_000_000, 123_456_000, true, hexOf(A), 5],
        ['packet', 2, 0, 1, 1_700_000_001, 999_999_000, true, hexOf(B), 1500],
      ]);
    });

    it(`nanoseconds, ${little ? 'little' : 'big'}-endian`, () => {
      const file = pcapFile({ little, nanoseconds: true, linkType: 113, records: [{ sec: 5, frac: 999_999_999, data: A }] });
      assert.deepEqual(packets(readEverySplit(file)), [['packet', 1, 0, 113, 5, 999_999_999, true, hexOf(A), 5]]);
    });
  }

  it('carries a fraction of a whole second or more into the seconds', () => {
    const file = pcapFile({ records: [{ sec: 10, frac: 1_500_000, data: A }] });
    assert.deepEqual(packets(readChunks([file]))[0]!.slice(4, 6), [11, 500_000_000]);
  });

  it('keeps only the link type from the LinkType field (FCS bits above it)', () => {
    const file = pcapFile({ linkType: 0x14000001, records: [{ sec: 1, frac: 0, data: A }] });
    assert.deepEqual(readChunks([file])[1], ['interface', 0, 0, 1, 262144, null]);
  });

  it("reads Kuznetzov's patched format (24-byte record headers)", () => {
    const header = pcapFile({ records: [] });
    header.set([0x34, 0xcd, 0xb2, 0xa1], 0);
    const record = concat([[1, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 5, 0, 0, 0], [9, 9, 9, 9, 9, 9, 9, 9], A]);
    assert.deepEqual(packets(readEverySplit(concat([header, record]))), [['packet', 1, 0, 1, 1, 0, true, hexOf(A), 5]]);
  });

  it('refuses a version other than 2.x', () => {
    const records = readChunks([pcapFile({ version: [3, 0], records: [{ sec: 1, frac: 0, data: A }] })]);
    assert.deepEqual(problems(records), [['error', 'unsupported-version']]);
    assert.equal(packets(records).length, 0);
  });

  it('stops at a record length no packet has, without holding it', () => {
    const file = pcapFile({ records: [{ sec: 1, frac: 0, data: A }] });
    const bogus = concat([
      [0, 0, 0, 0, 0, 0, 0, 0],
      [0, 0, 0x40, 0x01],
      [0, 0, 0, 0],
    ]); // 20 MiB + 1 captured
    const records = readEverySplit(concat([file, bogus, A]));
    assert.equal(packets(records).length, 1);
    assert.deepEqual(problems(records), [['error', 'oversized']]);
    assert.match(records.at(-1)![5] as string, /corrupt from here on/);
  });

  it('reports a file cut inside a record, after reading everything before it', () => {
    const file = pcapFile({
      records: [
        { sec: 1, frac: 0, data: A },
        { sec: 2, frac: 0, data: B },
      ],
    });
    const records = readEverySplit(file.subarray(0, file.length - 3));
    assert.equal(packets(records).length, 1);
    assert.deepEqual(problems(records), [['warning', 'truncated']]);
    assert.match(records.at(-1)![5] as string, /ends inside the record after packet 1 \(20 of 23 bytes\)/);
  });

  it('reports a file cut inside its header as an error', () => {
    const records = readChunks([pcapFile({ records: [] }).subarray(0, 10)]);
    assert.deepEqual(problems(records), [['error', 'truncated']]);
  });
});

describe('pcapng', () => {
  for (const little of [true, false]) {
    it(`${little ? 'little' : 'big'}-endian: interfaces, resolution, offsets, options, skipped blocks`, () => {
      const file = concat([
        shb({ little }),
        idb({ little, linkType: 1, snapLength: 262144, name: 'lo', tsresol: 9 }),
        block(4, [0, 0, 0, 0], little), // name resolution block: skipped
        idb({ little, linkType: 101, tsresol: 0x80 | 10, tsoffset: 100 }),
        epb({ little, iface: 0, ticks: 1_700_000_000_123_456_789n, data: A, comment: 'a packet comment' }),
        block(0x40000bad, [1, 2, 3, 4, 5, 6, 7, 8], little), // custom block: skipped
        epb({ little, iface: 1, ticks: 3n * 1024n + 512n, data: B, originalLength: 9000 }),
        block(5, new Uint8Array(20), little), // interface statistics: skipped
      ]);
      const records = readEverySplit(file);
      assert.deepEqual(records, [
        ['section', 'pcapng', 0, little, '1.0'],
        ['interface', 0, 0, 1, 262144, 'lo'],
        ['interface', 1, 0, 101, 0, null],
        ['packet', 1, 0, 1, 1_700_000_000, 123_456_789, true, hexOf(A), 5],
        ['packet', 2, 1, 101, 103, 500_000_000, true, hexOf(B), 9000],
      ]);
    });
  }

  it('reads several sections with different byte orders, numbering interfaces across the file', () => {
    const file = concat([
      shb({ little: false }),
      idb({ little: false, linkType: 1 }),
      epb({ little: false, ticks: 1_000_000n, data: A }),
      shb({ little: true }),
      idb({ little: true, linkType: 113 }),
      epb({ little: true, iface: 0, ticks: 2_000_000n, data: B }),
      epb({ little: true, iface: 1, ticks: 3_000_000n, data: A }),
    ]);
    const records = readEverySplit(file);
    assert.deepEqual(records.slice(0, 6), [
      ['section', 'pcapng', 0, false, '1.0'],
      ['interface', 0, 0, 1, 0, null],
      ['packet', 1, 0, 1, 1, 0, true, hexOf(A), 5],
      ['section', 'pcapng', 1, true, '1.0'],
      ['interface', 1, 1, 113, 0, null],
      ['packet', 2, 1, 113, 2, 0, true, hexOf(B), 7],
    ]);
    // Interface 1 of the second section does not exist: ids are per section.
    assert.deepEqual(problems(records), [['warning', 'unknown-interface']]);
  });

  it('reads simple packet blocks (first interface, snapshot length, no timestamp) and obsolete packet blocks', () => {
    const data = new Uint8Array(10).fill(7);
    const file = concat([
      shb(),
      idb({ linkType: 1, snapLength: 8 }),
      epb({ ticks: 5_000_000n, data: A }),
      spb({ data, originalLength: 10 }),
      obsoletePb({ ticks: 6_000_000n, data: B }),
    ]);
    assert.deepEqual(packets(readEverySplit(file)), [
      ['packet', 1, 0, 1, 5, 0, true, hexOf(A), 5],
      ['packet', 2, 0, 1, 5, 0, false, hexOf(data.subarray(0, 8)), 10],
      ['packet', 3, 0, 1, 6, 0, true, hexOf(B), 7],
    ]);
  });

  it('skips a block it does not read without holding it, whatever its size', () => {
    const big = block(0x40000bad, new Uint8Array(100_000), true);
    const file = concat([shb(), idb({}), big, epb({ ticks: 0n, data: A })]);
    const chunks = [];
    for (let at = 0; at < file.length; at += 1000) chunks.push(file.subarray(at, at + 1000));
    const records = readChunks(chunks, { maxRecordBytes: 4096 });
    assert.deepEqual(problems(records), []);
    assert.equal(packets(records).length, 1);
  });

  it('skips a packet block that claims more bytes than it holds, and reads on', () => {
    const bad = epb({ ticks: 0n, data: A });
    bad.set([200, 0, 0, 0], 20); // captured length 200 in a block of 36
    const records = readEverySplit(concat([shb(), idb({}), bad, epb({ ticks: 0n, data: B })]));
    assert.deepEqual(problems(records), [['warning', 'corrupt']]);
    assert.deepEqual(
      packets(records).map((p) => p[7]),
      [hexOf(B)],
    );
  });

  it('stops at a block length that cannot be right', () => {
    const bad = block(6, new Uint8Array(24), true);
    bad.set([33, 0, 0, 0], 4); // not a multiple of 4
    const records = readEverySplit(concat([shb(), idb({}), epb({ ticks: 0n, data: A }), bad, epb({ ticks: 0n, data: B })]));
    assert.deepEqual(problems(records), [['error', 'corrupt']]);
    assert.equal(packets(records).length, 1);
  });

  it('stops when a block ends with another length than it started with', () => {
    const bad = epb({ ticks: 0n, data: A });
    bad.set([8, 0, 0, 0], bad.length - 4);
    const records = readEverySplit(concat([shb(), idb({}), bad]));
    assert.deepEqual(problems(records), [['error', 'corrupt']]);
  });

  it('refuses a section header without byte-order magic, or of another major version', () => {
    const noMagic = shb();
    noMagic.set([0, 0, 0, 0], 8);
    assert.deepEqual(problems(readChunks([noMagic])), [['error', 'corrupt']]);
    assert.deepEqual(problems(readChunks([concat([shb({ major: 2 }), idb({})])])), [['error', 'unsupported-version']]);
  });

  it('ignores options that run past their block', () => {
    const body = concat([[1, 0, 0, 0], [0, 0, 0, 0], option(2, [0x6c, 0x6f], true)]);
    body.set([0xff, 0x00], 10); // option length 255 in a 12-byte option area
    const records = readEverySplit(concat([shb(), block(1, body, true), epb({ ticks: 0n, data: A })]));
    assert.deepEqual(problems(records), [['warning', 'corrupt']]);
    assert.equal(packets(records).length, 1);
  });

  it('reports a file cut inside a block', () => {
    const file = concat([shb(), idb({}), epb({ ticks: 0n, data: A }), epb({ ticks: 0n, data: B })]);
    const records = readEverySplit(file.subarray(0, file.length - 5));
    assert.equal(packets(records).length, 1);
    assert.deepEqual(problems(records), [['warning', 'truncated']]);
  });

  it('gives exact timestamps for every packet of an interface, across changes of the high word', () => {
    for (const tsresol of [6, 9, 3, 0x80 | 10, 0x80 | 20, 0x80 | 30, 12]) {
      const perSecond = tsresol & 0x80 ? 2n ** BigInt(tsresol & 0x7f) : 10n ** BigInt(tsresol);
      const ticks: bigint[] = [];
      // Picoseconds since 2023 do not fit in 64 bits: that clock starts earlier.
      let t = (perSecond > 10n ** 9n ? 10_000_000n : 1_700_000_000n) * perSecond + 12345n;
      for (let i = 0; i < 40; i++) {
        ticks.push(t);
        t += (BigInt(i) * 0x7fffffffn + 999_999_937n) % (perSecond * 7n + 1n);
      }
      const file = concat([shb(), idb({ tsresol }), ...ticks.map((tk) => epb({ ticks: tk, data: A }))]);
      const expected = ticks.map((tk) => [Number(tk / perSecond), Number(((tk % perSecond) * 1_000_000_000n) / perSecond)]);
      assert.deepEqual(
        packets(readChunks([file])).map((p) => [p[4], p[5]]),
        expected,
        `tsresol ${tsresol}`,
      );
    }
  });

  it('converts timestamps exactly at every resolution', () => {
    assert.deepEqual(ticksToTimestamp(0, 1_500_000, { base: 10, exp: 6 }), { sec: 1, nsec: 500_000_000 });
    // 2^53 and more ticks: exact through BigInt.
    const ns = 1_700_000_000_999_999_999n;
    assert.deepEqual(ticksToTimestamp(Number(ns >> 32n), Number(ns & 0xffffffffn), { base: 10, exp: 9 }), {
      sec: 1_700_000_000,
      nsec: 999_999_999,
    });
    const ps = 1_700_000_000_000_000_001n;
    assert.deepEqual(ticksToTimestamp(Number(ps >> 32n), Number(ps & 0xffffffffn), { base: 10, exp: 12 }), { sec: 1_700_000, nsec: 0 });
    assert.deepEqual(ticksToTimestamp(0, 3 * 1024 + 256, { base: 2, exp: 10 }), { sec: 3, nsec: 250_000_000 });
    assert.deepEqual(ticksToTimestamp(1, 0, { base: 2, exp: 32 }), { sec: 1, nsec: 0 });
    assert.deepEqual(ticksToTimestamp(0, 123, { base: 10, exp: 0 }), { sec: 123, nsec: 0 });
  });
});

describe('files that are not captures', () => {
  const cases: Array<[string, Uint8Array, RegExp]> = [
    ['an empty file', new Uint8Array(0), /the file is empty/],
    ['a two-byte file', Uint8Array.of(0xd4, 0xc3), /only 2 bytes/],
    ['a gzip file', Uint8Array.of(0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0), /gzip-compressed/],
    ['a wsdiag log', new TextEncoder().encode('{"v":1,"type":"open"}\n'), /JSON .*wsdiag tail/],
    ['a text file', new TextEncoder().encode('GET / HTTP/1.1\r\n\r\n'), /it is text/],
    ['random bytes', Uint8Array.from([0x00, 0x9f, 0x33, 0xe1, 0x07, 0xff]), /magic number 0x009f33e1 is neither pcap .* nor pcapng/],
    // Printable first bytes, binary after: judged on the same first 512 bytes however the file arrives.
    ['binary behind a printable start', concat([[0x2a, 0x0d, 0x0d, 0x0a], new Uint8Array(600).fill(1)]), /magic number 0x2a0d0d0a/],
  ];
  for (const [name, bytes, reason] of cases) {
    it(`says why ${name} is not one`, () => {
      const records = readEverySplit(bytes);
      assert.equal(records.length, 1);
      const [kind, severity, code, , , message] = records[0] as [string, string, string, number, null, string];
      assert.deepEqual([kind, severity, code], ['problem', 'error', 'not-a-capture']);
      assert.match(message, reason);
      assert.match(message, /^Not a capture file: /);
    });
  }

  it('detects every capture magic number and nothing else', () => {
    const formats = [
      [[0xd4, 0xc3, 0xb2, 0xa1], 'pcap'],
      [[0xa1, 0xb2, 0xc3, 0xd4], 'pcap'],
      [[0x4d, 0x3c, 0xb2, 0xa1], 'pcap'],
      [[0xa1, 0xb2, 0x3c, 0x4d], 'pcap'],
      [[0x0a, 0x0d, 0x0d, 0x0a], 'pcapng'],
      [[0x0a, 0x0d, 0x0d, 0x0b], null],
    ] as const;
    for (const [magic, format] of formats) assert.equal(detectCapture(Uint8Array.from(magic)).format, format, magic.join(','));
  });
});
