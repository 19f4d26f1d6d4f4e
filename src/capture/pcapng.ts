/**
 * pcapng (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-03.html): a sequence of blocks, each
 * "type, total length, body, total length". A Section Header Block starts each section and sets its byte
 * order; Interface Description Blocks declare the section's interfaces (link type, snapshot length, time
 * resolution and offset); packets come in Enhanced, Simple or (obsolete) Packet Blocks. Every other block
 * type (name resolution, statistics, secrets, custom...) is skipped by its length without being held.
 */
import { u16, u32 } from './bytes.js';
import { PCAPNG_SHB_TYPE } from './detect.js';
import type { Timestamp } from './types.js';
import { NEED_MORE, type UnitContext, type UnitParser } from './unit.js';

const BLOCK_IDB = 0x00000001;
const BLOCK_PB = 0x00000002;
const BLOCK_SPB = 0x00000003;
const BLOCK_EPB = 0x00000006;

const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

const OPT_END = 0;
const OPT_IF_NAME = 2;
const OPT_IF_TSRESOL = 9;
const OPT_IF_TSOFFSET = 14;

/** Smallest well-formed block: type, length, length. */
const MIN_BLOCK = 12;
/** Section header: type, length, byte-order magic, version, section length, length. */
const MIN_SHB = 28;

/** Ticks per second of a pcapng timestamp: 10^exp or 2^exp (if_tsresol). */
interface Resolution {
  base: 10 | 2;
  exp: number;
}

const MICROSECONDS: Resolution = { base: 10, exp: 6 };

interface SectionInterface {
  /** File-wide id (UnitContext.addInterface). */
  id: number;
  snapLength: number;
  resolution: Resolution;
  /** if_tsoffset: seconds added to every timestamp. */
  offsetSec: number;
  clock: TickClock;
}

export class PcapngParser implements UnitParser {
  private readonly ctx: UnitContext;
  private little = true;
  private interfaces: SectionInterface[] = [];

  constructor(ctx: UnitContext) {
    this.ctx = ctx;
  }

  parse(buf: Uint8Array, at: number, avail: number): number {
    if (avail < 8) {
      this.ctx.need = 8;
      return NEED_MORE;
    }
    // The section header's type reads the same in both byte orders, so it is recognised before its
    // byte-order magic is known.
    if (u32(buf, at, false) === PCAPNG_SHB_TYPE) return this.sectionHeader(buf, at, avail);
    const type = u32(buf, at, this.little);
    const length = u32(buf, at + 4, this.little);
    if (length < MIN_BLOCK || length % 4 !== 0) {
      this.ctx.fail(
        'corrupt',
        `A pcapng block of type 0x${type.toString(16)} has total length ${length}, which is not a multiple of 4 of at least ${MIN_BLOCK}; the file is corrupt from here on.`,
      );
      return avail;
    }
    if (type !== BLOCK_IDB && type !== BLOCK_EPB && type !== BLOCK_SPB && type !== BLOCK_PB) {
      if (avail >= length) return length;
      this.ctx.skip = length - 8;
      return 8;
    }
    const ready = this.whole(buf, at, avail, length, type);
    if (ready !== 0) return ready;
    if (type === BLOCK_IDB) this.interfaceDescription(buf, at, length);
    else if (type === BLOCK_SPB) this.simplePacket(buf, at, length);
    else this.timedPacket(buf, at, length, type === BLOCK_PB);
    return length;
  }

  /**
   * 0 when the whole block is at hand and its trailing length matches; else NEED_MORE, or what to consume
   * after failing the reader.
   */
  private whole(buf: Uint8Array, at: number, avail: number, length: number, type: number): number {
    if (length > this.ctx.maxRecordBytes) {
      this.ctx.fail(
        'oversized',
        `A pcapng block of type 0x${type.toString(16)} is ${length} bytes long, more than the ${this.ctx.maxRecordBytes} this reader accepts.`,
      );
      return avail;
    }
    if (avail < length) {
      this.ctx.need = length;
      return NEED_MORE;
    }
    const trailer = u32(buf, at + length - 4, this.little);
    if (trailer !== length) {
      this.ctx.fail(
        'corrupt',
        `A pcapng block of type 0x${type.toString(16)} starts with length ${length} but ends with ${trailer}; the file is corrupt from here on.`,
      );
      return avail;
    }
    return 0;
  }

  private sectionHeader(buf: Uint8Array, at: number, avail: number): number {
    if (avail < 12) {
      this.ctx.need = 12;
      return NEED_MORE;
    }
    let little: boolean;
    if (u32(buf, at + 8, true) === BYTE_ORDER_MAGIC) little = true;
    else if (u32(buf, at + 8, false) === BYTE_ORDER_MAGIC) little = false;
    else {
      this.ctx.fail('corrupt', 'A pcapng section header has no byte-order magic (1a2b3c4d); the file is corrupt from here on.');
      return avail;
    }
    const length = u32(buf, at + 4, little);
    if (length < MIN_SHB || length % 4 !== 0) {
      this.ctx.fail('corrupt', `A pcapng section header has total length ${length}; the file is corrupt from here on.`);
      return avail;
    }
    this.little = little;
    const ready = this.whole(buf, at, avail, length, PCAPNG_SHB_TYPE);
    if (ready !== 0) return ready;
    const major = u16(buf, at + 12, little);
    const minor = u16(buf, at + 14, little);
    if (major !== 1) {
      this.ctx.fail('unsupported-version', `A pcapng section has version ${major}.${minor}; this reader knows version 1.`);
      return avail;
    }
    // Interface ids are numbered per section.
    this.interfaces = [];
    this.ctx.section({ format: 'pcapng', littleEndian: little, version: `${major}.${minor}` });
    return length;
  }

  private interfaceDescription(buf: Uint8Array, at: number, length: number): void {
    if (length < 20) {
      this.ctx.fail('corrupt', `A pcapng interface description block is ${length} bytes long, too short to describe an interface.`);
      return;
    }
    const little = this.little;
    const linkType = u16(buf, at + 8, little);
    const snapLength = u32(buf, at + 12, little);
    let name: string | null = null;
    let resolution = MICROSECONDS;
    let offsetSec = 0;
    const end = at + length - 4;
    let p = at + 16;
    while (p + 4 <= end) {
      const code = u16(buf, p, little);
      const size = u16(buf, p + 2, little);
      if (code === OPT_END) break;
      const value = p + 4;
      if (value + size > end) {
        this.ctx.warn(
          'corrupt',
          `Interface ${this.interfaces.length} of section has an option (code ${code}) that runs past its block; the options after it are ignored.`,
        );
        break;
      }
      if (code === OPT_IF_NAME) name = new TextDecoder('utf-8').decode(buf.subarray(value, value + size));
      else if (code === OPT_IF_TSRESOL && size >= 1) resolution = this.resolution(buf[value]!);
      else if (code === OPT_IF_TSOFFSET && size >= 8) {
        const lo = u32(buf, value + (little ? 0 : 4), little);
        const hi = u32(buf, value + (little ? 4 : 0), little) | 0;
        offsetSec = hi * 4294967296 + lo;
      }
      p = value + ((size + 3) & ~3);
    }
    const id = this.ctx.addInterface({ linkType, snapLength, name });
    this.interfaces.push({ id, snapLength, resolution, offsetSec, clock: new TickClock(resolution) });
  }

  private resolution(value: number): Resolution {
    const base = value & 0x80 ? 2 : 10;
    const exp = value & 0x7f;
    if ((base === 10 && exp > 18) || (base === 2 && exp > 63)) {
      this.ctx.warn('corrupt', `An interface has time resolution ${base}^-${exp}, which no clock has; microseconds are assumed.`);
      return MICROSECONDS;
    }
    return { base, exp };
  }

  /**
   * An enhanced packet block, or the obsolete Packet Block of pcapng drafts before it: the same layout, but
   * for a 16-bit interface id and a 16-bit drops count where the enhanced block has a 32-bit interface id.
   */
  private timedPacket(buf: Uint8Array, at: number, length: number, obsolete: boolean): void {
    const what = obsolete ? 'A packet block' : 'An enhanced packet block';
    if (length < 32) {
      this.ctx.warn('corrupt', `${what} is ${length} bytes long, too short for its fields; it is skipped.`);
      return;
    }
    const little = this.little;
    const iface = this.sectionInterface(obsolete ? u16(buf, at + 8, little) : u32(buf, at + 8, little));
    if (iface === null) return;
    const captured = u32(buf, at + 20, little);
    const original = u32(buf, at + 24, little);
    if (28 + captured > length - 4) {
      this.ctx.warn('corrupt', `${what} claims ${captured} captured bytes but holds only ${length - 32}; it is skipped.`);
      return;
    }
    const ts = this.timestamp(iface, u32(buf, at + 12, little), u32(buf, at + 16, little));
    this.ctx.packet(iface.id, ts, buf.subarray(at + 28, at + 28 + captured), original);
  }

  /** A simple packet block: no interface id (always the first), no timestamp, captured length implied. */
  private simplePacket(buf: Uint8Array, at: number, length: number): void {
    if (length < 16) {
      this.ctx.warn('corrupt', `A simple packet block is ${length} bytes long, too short for its fields; it is skipped.`);
      return;
    }
    const iface = this.sectionInterface(0);
    if (iface === null) return;
    const original = u32(buf, at + 8, this.little);
    let captured = Math.min(original, length - 16);
    if (iface.snapLength > 0) captured = Math.min(captured, iface.snapLength);
    this.ctx.packet(iface.id, null, buf.subarray(at + 12, at + 12 + captured), original);
  }

  private sectionInterface(index: number): SectionInterface | null {
    const iface = this.interfaces[index];
    if (iface !== undefined) return iface;
    this.ctx.warn(
      'unknown-interface',
      `A packet names interface ${index}, but its section describes ${this.interfaces.length === 0 ? 'no interface' : `only ${this.interfaces.length}`}; it is skipped.`,
    );
    return null;
  }

  private timestamp(iface: SectionInterface, hi: number, lo: number): Timestamp {
    const ts = iface.clock.timestamp(hi, lo);
    if (iface.offsetSec !== 0) ts.sec += iface.offsetSec;
    return ts;
  }
}

/**
 * Converts an interface's timestamps. Nanosecond clocks count past 2^53 (exact numbers end there), so the
 * exact split of the high word, hi * 2^32 ticks, is computed once per value of `hi` (it changes every few
 * seconds of capture) and the low word is added with small numbers.
 */
class TickClock {
  private readonly perSecond: number;
  /** The split can be done with numbers: the remainder plus a low word stays far below 2^53. */
  private readonly cached: boolean;
  private hi = -1;
  private hiSec = 0;
  private hiRem = 0;
  private readonly resolution: Resolution;

  constructor(resolution: Resolution) {
    this.resolution = resolution;
    this.perSecond = resolution.base === 10 ? 10 ** resolution.exp : 2 ** resolution.exp;
    this.cached = resolution.base === 10 ? resolution.exp <= 9 : resolution.exp <= 23;
  }

  timestamp(hi: number, lo: number): Timestamp {
    if (!this.cached) return ticksToTimestamp(hi, lo, this.resolution);
    if (hi !== this.hi) {
      const ticks = BigInt(hi) << 32n;
      const perSecond = BigInt(this.perSecond);
      this.hi = hi;
      this.hiSec = Number(ticks / perSecond);
      this.hiRem = Number(ticks % perSecond);
    }
    const ticks = this.hiRem + lo;
    const carry = Math.floor(ticks / this.perSecond);
    const rem = ticks - carry * this.perSecond;
    const { base, exp } = this.resolution;
    const nsec = base === 10 ? rem * 10 ** (9 - exp) : Math.floor((rem * 1e9) / this.perSecond);
    return { sec: this.hiSec + carry, nsec };
  }
}

/** A 64-bit tick count (high and low words) at a resolution, as seconds and nanoseconds, exactly. */
export function ticksToTimestamp(hi: number, lo: number, resolution: Resolution): Timestamp {
  const { base, exp } = resolution;
  // Below 2^53 ticks, and for resolutions whose arithmetic stays below 2^53, numbers are exact.
  if (hi < 0x200000 && (base === 10 || exp <= 20)) {
    const ticks = hi * 4294967296 + lo;
    const perSecond = base === 10 ? 10 ** exp : 2 ** exp;
    let sec = Math.floor(ticks / perSecond);
    let rem = ticks - sec * perSecond;
    // The division is rounded; the product and difference are exact, so one step corrects it.
    if (rem < 0) {
      sec -= 1;
      rem += perSecond;
    } else if (rem >= perSecond) {
      sec += 1;
      rem -= perSecond;
    }
    let nsec: number;
    if (base === 10) nsec = exp <= 9 ? rem * 10 ** (9 - exp) : Math.floor(rem / 10 ** (exp - 9));
    else nsec = Math.floor((rem * 1e9) / perSecond);
    return { sec, nsec };
  }
  const ticks = (BigInt(hi) << 32n) | BigInt(lo);
  const perSecond = BigInt(base) ** BigInt(exp);
  const sec = ticks / perSecond;
  const nsec = ((ticks % perSecond) * 1_000_000_000n) / perSecond;
  return { sec: Number(sec), nsec: Number(nsec) };
}
