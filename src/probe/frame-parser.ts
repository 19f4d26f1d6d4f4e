/**
 * A minimal streaming frame splitter (RFC 6455 §5.2) for the probe: headers out, unmasked payload chunks
 * out, nothing judged. The protocol decoder (src/protocol/decoder.ts) judges frames but deliberately never
 * hands out payload bytes; the probe has to hash and compare payloads, so it splits frames itself and
 * runs the decoder alongside for the rules.
 *
 * Sans-IO and split-invariant: `push` accepts any cut of the stream. Memory is one header (14 bytes); a
 * payload is passed on chunk by chunk, whatever length the header announces. Never throws on peer bytes:
 * a length it cannot trust (64-bit with the top bit set, or beyond 2^53) stops the parser.
 */
import { unmask } from '../protocol/mask.js';
import type { FrameHeader } from '../protocol/types.js';

/** A frame header as the decoder reports it, plus what the probe compares between the two sides. */
export type ParsedHeader = FrameHeader;

export interface FrameParserSink {
  header(header: ParsedHeader): void;
  /** Unmasked payload bytes; `position` is the offset of chunk[0] within the frame's payload. Valid only during the call. */
  payload(header: ParsedHeader, chunk: Uint8Array, position: number): void;
  /** The frame's last payload byte has arrived (called right after `header` for an empty payload). */
  frameEnd(header: ParsedHeader): void;
  /** The parser stopped trusting frame boundaries; later bytes are only counted. */
  stopped?(reason: string, offset: number): void;
}

const MAX_HEADER = 14;

export class FrameParser {
  /** Bytes pushed so far. */
  offset = 0;
  /** Set once the parser gave up (see class comment). */
  stoppedReason: string | null = null;

  private readonly sink: FrameParserSink;
  private readonly headerBytes = new Uint8Array(MAX_HEADER);
  private headerFill = 0;
  private current: ParsedHeader | null = null;
  private remaining = 0;
  private position = 0;
  private frameIndex = 0;

  constructor(sink: FrameParserSink) {
    this.sink = sink;
  }

  /** True when the bytes so far end exactly on a frame boundary. */
  get atBoundary(): boolean {
    return this.current === null && this.headerFill === 0;
  }

  push(chunk: Uint8Array): void {
    let pos = 0;
    while (pos < chunk.length && this.stoppedReason === null) {
      if (this.current === null) pos = this.readHeader(chunk, pos);
      else pos = this.readPayload(chunk, pos);
    }
    if (pos < chunk.length) this.offset += chunk.length - pos;
  }

  private readHeader(chunk: Uint8Array, pos: number): number {
    // Copy header bytes one at a time until the header is complete: headers are tiny, and this keeps the
    // logic identical however the stream was split.
    while (pos < chunk.length) {
      this.headerBytes[this.headerFill++] = chunk[pos++]!;
      this.offset++;
      const needed = this.headerNeeds();
      if (needed === this.headerFill) {
        this.startFrame();
        return pos;
      }
    }
    return pos;
  }

  /** Total header length once enough of it is known (2 bytes give it). */
  private headerNeeds(): number {
    if (this.headerFill < 2) return 2;
    const b1 = this.headerBytes[1]!;
    const lenCode = b1 & 0x7f;
    return 2 + (lenCode === 126 ? 2 : lenCode === 127 ? 8 : 0) + ((b1 & 0x80) !== 0 ? 4 : 0);
  }

  private startFrame(): void {
    const h = this.headerBytes;
    const b0 = h[0]!;
    const b1 = h[1]!;
    const lenCode = b1 & 0x7f;
    let length = lenCode;
    let at = 2;
    let lengthForm: 7 | 16 | 64 = 7;
    if (lenCode === 126) {
      length = (h[2]! << 8) | h[3]!;
      at = 4;
      lengthForm = 16;
    } else if (lenCode === 127) {
      const big = new DataView(h.buffer, h.byteOffset + 2, 8).getBigUint64(0);
      lengthForm = 64;
      at = 10;
      if (big > BigInt(Number.MAX_SAFE_INTEGER)) {
        this.stop(`a 64-bit length of ${big} cannot be trusted`, this.offset - this.headerFill);
        return;
      }
      length = Number(big);
    }
    const masked = (b1 & 0x80) !== 0;
    const header: ParsedHeader = {
      index: this.frameIndex++,
      offset: this.offset - this.headerFill,
      fin: (b0 & 0x80) !== 0,
      rsv1: (b0 & 0x40) !== 0,
      rsv2: (b0 & 0x20) !== 0,
      rsv3: (b0 & 0x10) !== 0,
      opcode: b0 & 0x0f,
      masked,
      maskKey: masked ? h.slice(at, at + 4) : null,
      length,
      headerLength: this.headerFill,
      lengthForm,
    };
    this.headerFill = 0;
    this.current = header;
    this.remaining = length;
    this.position = 0;
    this.sink.header(header);
    if (length === 0) this.finishFrame();
  }

  private readPayload(chunk: Uint8Array, pos: number): number {
    const header = this.current!;
    const n = Math.min(this.remaining, chunk.length - pos);
    const slice = chunk.subarray(pos, pos + n);
    let bytes = slice;
    if (header.maskKey) {
      bytes = new Uint8Array(n);
      unmask(bytes, 0, slice, 0, n, header.maskKey, this.position);
    }
    this.sink.payload(header, bytes, this.position);
    this.position += n;
    this.remaining -= n;
    this.offset += n;
    if (this.remaining === 0) this.finishFrame();
    return pos + n;
  }

  private finishFrame(): void {
    const header = this.current!;
    this.current = null;
    this.sink.frameEnd(header);
  }

  private stop(reason: string, offset: number): void {
    this.stoppedReason = reason;
    this.sink.stopped?.(reason, offset);
  }
}
