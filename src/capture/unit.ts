/**
 * The contract between the capture reader and its format parsers (pcap.ts, pcapng.ts): the reader frames
 * the bytes and gathers units that span chunks; a parser reads one unit (file header, record, block) at a
 * time and reports what it found through the context.
 */
import type { CaptureProblemCode, InterfaceInfo, SectionInfo, Timestamp } from './types.js';

/** What a format parser returns when the unit at hand is not complete yet (after setting `need`). */
export const NEED_MORE = -1;

/** The reader as its format parsers see it. */
export interface UnitContext {
  /** Total bytes the unit being parsed needs; a parser sets it before returning NEED_MORE. */
  need: number;
  /** Bytes to discard after the unit just consumed (a block skipped unread). */
  skip: number;
  /** File offset of the unit being parsed. */
  readonly offset: number;
  readonly maxRecordBytes: number;
  section(info: Omit<SectionInfo, 'index'>): void;
  /** Registers an interface and returns its file-wide id. */
  addInterface(info: Omit<InterfaceInfo, 'id' | 'section'>): number;
  /** A packet; `ts` null means the block carries no timestamp. */
  packet(interfaceId: number, ts: Timestamp | null, data: Uint8Array, originalLength: number): void;
  /** A problem that spoils one record: reported, and reading goes on. */
  warn(code: CaptureProblemCode, message: string): void;
  /** A problem after which nothing can be trusted: reported, and the reader stops. */
  fail(code: CaptureProblemCode, message: string): void;
}

/** Parses one unit (header, record or block) of a format at buf[at .. at+avail). */
export interface UnitParser {
  /** Bytes consumed, or NEED_MORE. Consumes at most `avail`; never reads past it. */
  parse(buf: Uint8Array, at: number, avail: number): number;
}
