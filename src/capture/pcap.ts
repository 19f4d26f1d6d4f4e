/**
 * Classic pcap (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-04.html): a 24-byte file header,
 * then records of a 16-byte header (seconds, micro- or nanoseconds, captured and original length) and the
 * packet bytes. The byte order and time precision come from the magic number (detect.ts).
 */
import { u16, u32 } from './bytes.js';
import type { PcapFlavour } from './detect.js';
import { NEED_MORE, type UnitContext, type UnitParser } from './unit.js';

const FILE_HEADER_LENGTH = 24;

/** The link type sits in the low 16 bits of the header's LinkType field; the bits above carry FCS flags. */
const LINK_TYPE_MASK = 0xffff;

export class PcapParser implements UnitParser {
  private readonly flavour: PcapFlavour;
  private readonly ctx: UnitContext;
  private headerRead = false;
  private interfaceId = 0;

  constructor(flavour: PcapFlavour, ctx: UnitContext) {
    this.flavour = flavour;
    this.ctx = ctx;
  }

  parse(buf: Uint8Array, at: number, avail: number): number {
    return this.headerRead ? this.record(buf, at, avail) : this.header(buf, at, avail);
  }

  private header(buf: Uint8Array, at: number, avail: number): number {
    if (avail < FILE_HEADER_LENGTH) {
      this.ctx.need = FILE_HEADER_LENGTH;
      return NEED_MORE;
    }
    const little = this.flavour.littleEndian;
    const major = u16(buf, at + 4, little);
    const minor = u16(buf, at + 6, little);
    if (major !== 2) {
      this.ctx.fail('unsupported-version', `The pcap file header says version ${major}.${minor}; only version 2.x exists.`);
      return avail;
    }
    const snapLength = u32(buf, at + 16, little);
    const linkType = u32(buf, at + 20, little) & LINK_TYPE_MASK;
    this.headerRead = true;
    this.ctx.section({ format: 'pcap', littleEndian: little, version: `${major}.${minor}` });
    this.interfaceId = this.ctx.addInterface({ linkType, snapLength, name: null });
    return FILE_HEADER_LENGTH;
  }

  private record(buf: Uint8Array, at: number, avail: number): number {
    const headerLength = this.flavour.recordHeaderLength;
    if (avail < headerLength) {
      this.ctx.need = headerLength;
      return NEED_MORE;
    }
    const little = this.flavour.littleEndian;
    const captured = u32(buf, at + 8, little);
    const original = u32(buf, at + 12, little);
    const total = headerLength + captured;
    if (total > this.ctx.maxRecordBytes) {
      // A length this large is a corrupt header, not a packet: nothing after it can be framed.
      this.ctx.fail(
        'oversized',
        `A pcap record claims ${captured} captured bytes, more than the ${this.ctx.maxRecordBytes - headerLength} this reader accepts; the file is corrupt from here on.`,
      );
      return avail;
    }
    if (avail < total) {
      this.ctx.need = total;
      return NEED_MORE;
    }
    const sec = u32(buf, at, little);
    const fraction = u32(buf, at + 4, little);
    const perSecond = this.flavour.nanoseconds ? 1e9 : 1e6;
    // Some writers let the fraction reach a whole second; carry it rather than print 1.1000000 s.
    const carry = Math.floor(fraction / perSecond);
    const nsec = (fraction - carry * perSecond) * (this.flavour.nanoseconds ? 1 : 1000);
    this.ctx.packet(this.interfaceId, { sec: sec + carry, nsec }, buf.subarray(at + headerLength, at + total), original);
    return total;
  }
}
