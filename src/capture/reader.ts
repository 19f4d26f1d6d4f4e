/**
 * The capture file reader: bytes in (any chunking), sections, interfaces, packets and problems out, in
 * file order. Sans-IO like the frame decoder: `push` takes whatever a file or pipe delivered, and the
 * records are the same however the file was cut (tested at every split offset).
 *
 * - A record that lies inside one chunk is handed out as a view of that chunk (no copy); one that spans
 *   chunks is gathered in one buffer, which never holds more than one record (at most `maxRecordBytes`),
 *   and blocks we do not read are skipped without being held at all: memory is bounded whatever the file.
 * - The format is chosen by the magic number; a file that is neither pcap nor pcapng gets one
 *   `not-a-capture` problem that says what it looks like instead.
 * - It never throws on what the file holds. A problem that makes the rest of the file untrustworthy (a
 *   block length that does not add up) stops the reader with an `error` problem; one that spoils a single
 *   packet is a `warning` and reading goes on.
 */
import { DESCRIBE_BYTES, describeNonCapture, detectCapture, MAGIC_BYTES } from './detect.js';
import { PcapParser } from './pcap.js';
import { PcapngParser } from './pcapng.js';
import {
  ZERO_TIME,
  type CaptureFormat,
  type CaptureProblemCode,
  type CaptureSink,
  type InterfaceInfo,
  type SectionInfo,
  type Timestamp,
} from './types.js';
import { NEED_MORE, type UnitContext, type UnitParser } from './unit.js';

/** Largest record the reader gathers across chunks by default (a pcapng block, a pcap record). */
export const DEFAULT_MAX_RECORD_BYTES = 16 * 1024 * 1024;

export interface ReaderOptions {
  maxRecordBytes?: number;
}

export interface ReaderStats {
  format: CaptureFormat | null;
  /** Bytes pushed so far. */
  bytes: number;
  packets: number;
  sections: number;
  interfaces: number;
  /** The reader stopped on an error problem (or the bytes were not a capture). */
  failed: boolean;
}

export class CaptureReader implements UnitContext {
  need = MAGIC_BYTES;
  skip = 0;
  offset = 0;
  readonly maxRecordBytes: number;

  private readonly sink: CaptureSink;
  private parser: UnitParser | null = null;
  private format: CaptureFormat | null = null;
  private pending = new Uint8Array(256);
  private pendingLength = 0;
  private stopped = false;
  private ended = false;
  private bytes = 0;
  private packets = 0;
  private sections = 0;
  private readonly interfaces: InterfaceInfo[] = [];
  private lastTs: Timestamp = ZERO_TIME;

  constructor(sink: CaptureSink, options: ReaderOptions = {}) {
    this.sink = sink;
    this.maxRecordBytes = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  }

  get stats(): ReaderStats {
    return {
      format: this.format,
      bytes: this.bytes,
      packets: this.packets,
      sections: this.sections,
      interfaces: this.interfaces.length,
      failed: this.stopped,
    };
  }

  /** The interfaces described so far, by file-wide id. */
  interfaceList(): readonly InterfaceInfo[] {
    return this.interfaces;
  }

  push(chunk: Uint8Array): void {
    if (this.ended) return;
    this.bytes += chunk.length;
    this.consume(chunk);
  }

  private consume(chunk: Uint8Array): void {
    if (this.stopped) return;
    const end = chunk.length;
    let pos = 0;
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the loop body can stop the reader (fail()); TypeScript keeps the narrowing from the check above
    while (pos < end && !this.stopped) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, end - pos);
        this.skip -= n;
        this.offset += n;
        pos += n;
        continue;
      }
      if (this.pendingLength > 0) {
        // Complete the unit gathered so far, then parse it from the gathering buffer.
        const take = Math.min(this.need - this.pendingLength, end - pos);
        this.gather(chunk, pos, take);
        pos += take;
        if (this.pendingLength < this.need) return;
        const used = this.unit(this.pending, 0, this.pendingLength);
        if (used === NEED_MORE) continue;
        this.offset += used;
        const rest = this.pendingLength - used;
        this.pendingLength = 0;
        // A parser that took only the head of what was gathered (a block it skips): the rest comes next.
        if (rest > 0) this.consume(this.pending.slice(used, used + rest));
        continue;
      }
      const used = this.unit(chunk, pos, end - pos);
      if (used === NEED_MORE) {
        this.gather(chunk, pos, end - pos);
        return;
      }
      pos += used;
      this.offset += used;
    }
  }

  /** The file ended: reports a record cut short, or a file too short to be a capture. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.stopped) return;
    if (this.format === null) {
      this.fail('not-a-capture', `Not a capture file: ${describeNonCapture(this.pending.subarray(0, this.pendingLength))}.`);
      return;
    }
    if (this.pendingLength > 0 || this.skip > 0) {
      const have = this.pendingLength > 0 ? this.pendingLength : null;
      const what = this.sections === 0 ? 'its header' : this.packets === 0 ? 'its first record' : `the record after packet ${this.packets}`;
      const detail = have === null ? '' : ` (${have} of ${this.need} bytes)`;
      this.problem(
        this.packets === 0 ? 'error' : 'warning',
        'truncated',
        this.packets === 0
          ? `The capture ends inside ${what}${detail}: it holds no packet.`
          : `The capture ends inside ${what}${detail}; everything before it was read.`,
      );
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // UnitContext

  section(info: Omit<SectionInfo, 'index'>): void {
    const section: SectionInfo = { ...info, index: this.sections++ };
    this.sink.section?.(section);
  }

  addInterface(info: Omit<InterfaceInfo, 'id' | 'section'>): number {
    const iface: InterfaceInfo = { ...info, id: this.interfaces.length, section: Math.max(0, this.sections - 1) };
    this.interfaces.push(iface);
    this.sink.interface?.(iface);
    return iface.id;
  }

  packet(interfaceId: number, ts: Timestamp | null, data: Uint8Array, originalLength: number): void {
    const iface = this.interfaces[interfaceId];
    if (iface === undefined) return;
    if (ts !== null) this.lastTs = ts;
    this.sink.packet({
      number: ++this.packets,
      interfaceId,
      linkType: iface.linkType,
      ts: this.lastTs,
      timestamped: ts !== null,
      data,
      originalLength: Math.max(originalLength, data.length),
    });
  }

  warn(code: CaptureProblemCode, message: string): void {
    this.problem('warning', code, message);
  }

  fail(code: CaptureProblemCode, message: string): void {
    this.stopped = true;
    this.problem('error', code, message);
  }

  // ---------------------------------------------------------------------------------------------------

  private unit(buf: Uint8Array, at: number, avail: number): number {
    if (this.parser === null) return this.detect(buf, at, avail);
    return this.parser.parse(buf, at, avail);
  }

  private detect(buf: Uint8Array, at: number, avail: number): number {
    if (avail < MAGIC_BYTES) {
      this.need = MAGIC_BYTES;
      return NEED_MORE;
    }
    const detection = detectCapture(buf.subarray(at, at + avail));
    if (detection.format === null) {
      // Say what the file looks like from the same bytes however it arrives: its first DESCRIBE_BYTES.
      if (avail < DESCRIBE_BYTES) {
        this.need = DESCRIBE_BYTES;
        return NEED_MORE;
      }
      this.fail('not-a-capture', `Not a capture file: ${describeNonCapture(buf.subarray(at, at + DESCRIBE_BYTES))}.`);
      return avail;
    }
    this.format = detection.format;
    this.parser = detection.format === 'pcap' ? new PcapParser(detection.pcap, this) : new PcapngParser(this);
    return this.parser.parse(buf, at, avail);
  }

  private gather(chunk: Uint8Array, pos: number, length: number): void {
    const needed = this.pendingLength + length;
    if (needed > this.pending.length) {
      const grown = new Uint8Array(Math.max(needed, Math.min(this.need, this.maxRecordBytes), this.pending.length * 2));
      grown.set(this.pending.subarray(0, this.pendingLength));
      this.pending = grown;
    }
    this.pending.set(chunk.subarray(pos, pos + length), this.pendingLength);
    this.pendingLength = needed;
  }

  private problem(severity: 'error' | 'warning', code: CaptureProblemCode, message: string): void {
    this.sink.problem({ severity, code, message, offset: this.offset, ...(this.packets > 0 ? { packet: this.packets } : {}) });
  }
}
