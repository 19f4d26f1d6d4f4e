/**
 * The sans-IO RFC 6455 decoder for one direction of a connection: bytes in, events out.
 *
 * - `push(chunk)` accepts any split of the stream (1 byte to megabytes); the events reaching the sink are
 *   identical however the stream was cut, because every decision depends only on byte positions.
 * - Payload is streamed, never held: memory is bounded whatever length a header claims. Binary payload is
 *   not even unmasked unless something has to look at it (a preview, inflation, a sink's `payload` or
 *   `messageData`). Sink methods are looked up once: one the sink lacks costs nothing per frame.
 * - Runs of whole text frames with clean headers take a fast lane (text-run.ts): one UTF-8 check for the
 *   run, and exactly the events the frame-by-frame path gives (the split tests compare every sink call).
 * - Peer bytes never make it throw. A broken rule becomes a `Finding`; decoding goes on while frame
 *   boundaries can still be trusted and stops (bytes counted in `ignoredBytes`) when they cannot.
 *
 * Findings found at a frame header are held back until the first 64 payload bytes (or the whole frame) have
 * arrived, so they can carry a preview; message-level findings likewise wait for the message's first 64
 * bytes of application data. The wait depends only on byte positions, so event order stays split-invariant.
 */
import type { FrameRef, Side } from '../events/index.js';
import { getRule, type RuleId } from '../rules/index.js';
import { parseClosePayload } from './close.js';
import { MAX_CONTROL_PAYLOAD, MAX_HEADER_LENGTH, Opcode, PREVIEW_BYTES, isControlOpcode, isKnownOpcode, opcodeName } from './constants.js';
import { negotiatedDeflate, type DeflateParams } from './extensions.js';
import { MessageInflater } from './inflate.js';
import { MessageSnapshot, MessageState } from './message-state.js';
import { TypeMismatch, type TypePolicy } from './message-type.js';
import { unmaskSmall } from './mask.js';
import { SCRATCH_BYTES, Source, claimSharedScratch, createPrivateScratch, releaseSharedScratch, type Scratch } from './scratch.js';
import { FIN_TEXT } from './text-run.js';
import type { DecoderSink, Finding, FrameHeader, MessageInfo, Truncation } from './types.js';
import { Utf8Validator, isValidUtf8 } from './utf8.js';

/** ws's default maxPayload: what most Node servers enforce with 1009 out of the box. */
export const DEFAULT_MAX_MESSAGE = 100 * 1024 * 1024;

export interface DecoderOptions {
  /** The side whose bytes this decoder reads: masking rules depend on it. */
  from: Side;
  /** The Sec-WebSocket-Extensions value the server accepted (enables permessage-deflate). */
  extensions?: string | null;
  /** Largest message (application data, after inflation) before `message-too-big`; 0 = no limit. */
  maxMessage?: number;
  /** The message types the receiving endpoint accepts (1003 rules); null or 'any' = no check. */
  typePolicy?: TypePolicy | null;
  /**
   * Find frames and nothing else, for a relay that needs only their boundaries (the chaos engine): no
   * rule is checked but the one that loses the boundaries (`length-msb-set`, which still stops decoding),
   * no message is assembled, and no payload is unmasked, validated or inflated unless the sink hears
   * `payload`. The sink gets `frame`, `payload`, `frameEnd` and `stopped` only. A header's `maskKey` is
   * then the decoder's own, valid during that `frame` call only: a sink that keeps it copies it (a new
   * array per masked frame was about half of what following a client's 64-byte frames cost).
   */
  framesOnly?: boolean;
}

const enum State {
  Header,
  Payload,
  Stopped,
}

/** What the current frame's payload is for. */
const enum Kind {
  /** A text or binary frame (or continuation) that belongs to a message. */
  Data,
  /** Close, ping or pong: collected (up to 125 bytes) and inspected at the end. */
  Control,
  /** Nothing to check in the payload (reserved opcode, orphan continuation): only skipped. */
  Skip,
}

export class FrameDecoder {
  readonly from: Side;
  readonly maxMessage: number;
  /** Parsed permessage-deflate agreement, null when not negotiated. */
  readonly deflate: DeflateParams | null;
  /** Frame boundaries only (DecoderOptions.framesOnly). */
  readonly framesOnly: boolean;
  /** Set when the extensions value could not be parsed (the handshake checks report it). */
  readonly extensionsError: string | null = null;

  /** The first error-severity finding, as soon as it is detected (before its event is emitted): for --enforce. */
  firstError: Finding | null = null;
  /** Bytes received after decoding stopped. */
  ignoredBytes = 0;
  /** Frames whose header was decoded. */
  frameCount = 0;

  private readonly sink: DecoderSink;
  /** Which optional sink methods exist (looked up once, not per frame). */
  private readonly hearsFrame: boolean;
  private readonly hearsFrameEnd: boolean;
  private readonly hearsPayload: boolean;
  private readonly hearsData: boolean;
  /** Someone reads payload bytes: every piece is unmasked, not only previews and checked content. */
  private readonly listens: boolean;
  private state: State = State.Header;
  private readonly header = new Uint8Array(MAX_HEADER_LENGTH);
  private headerLength = 0;
  private streamOffset = 0;

  // The frame in progress (plain fields rather than an object: no allocation per frame).
  private fin = false;
  private rsv1 = false;
  private opcode = 0;
  private masked = false;
  private readonly maskKey = new Uint8Array(4);
  private length = 0;
  private frameOffset = 0;
  private frameIndex = -1;
  private remaining = 0;
  private payloadPosition = 0;
  private kind: Kind = Kind.Skip;
  private frameRefCache: FrameRef | null = null;

  private readonly control = new Uint8Array(MAX_CONTROL_PAYLOAD);
  private controlLength = 0;
  private readonly frameHead = new Uint8Array(PREVIEW_BYTES);
  /** The message in progress (one at a time per direction: reset, never reallocated) and its sink view. */
  private readonly messageState = new MessageState();
  private readonly snapshot = new MessageSnapshot();
  private frameHeadLength = 0;
  private framePending: Finding[] = [];

  private message: MessageState | null = null;
  private closeSent = false;
  private readonly utf8 = new Utf8Validator();
  private readonly inflater: MessageInflater | null;
  /** Where payload is unmasked during the current push (see scratch.ts), and this decoder's own fallback. */
  private scratch: Scratch | null = null;
  private ownScratch: Scratch | null = null;
  /** The fast lane stays off until here (stream offset) after a run failed its check. */
  private runsBlockedUntil = 0;
  /** The chunk of the current push, for views of it. */
  private readonly source = new Source();
  private typePolicy: TypePolicy | null;

  constructor(sink: DecoderSink, options: DecoderOptions) {
    this.sink = sink;
    this.hearsFrame = typeof sink.frame === 'function';
    this.hearsFrameEnd = typeof sink.frameEnd === 'function';
    this.hearsPayload = typeof sink.payload === 'function';
    this.hearsData = typeof sink.messageData === 'function';
    this.listens = this.hearsPayload || this.hearsData;
    this.from = options.from;
    this.typePolicy = options.typePolicy ?? null;
    this.maxMessage = options.maxMessage ?? DEFAULT_MAX_MESSAGE;
    this.framesOnly = options.framesOnly ?? false;
    const deflate = negotiatedDeflate(options.extensions);
    if (deflate && 'error' in deflate) {
      this.extensionsError = deflate.error;
      this.deflate = null;
    } else {
      this.deflate = deflate;
    }
    this.inflater =
      this.deflate && !this.framesOnly
        ? this.from === 'client'
          ? new MessageInflater(this.deflate.clientMaxWindowBits, this.deflate.clientNoContextTakeover)
          : new MessageInflater(this.deflate.serverMaxWindowBits, this.deflate.serverNoContextTakeover)
        : null;
  }

  /** Changes the accepted message types from the next message on (e.g. a policy learned from a 1003 close). */
  setTypePolicy(policy: TypePolicy | null): void {
    this.typePolicy = policy;
  }

  get currentTypePolicy(): TypePolicy | null {
    return this.typePolicy;
  }

  /** Bytes of the stream seen so far, including ignored ones. */
  get bytesSeen(): number {
    return this.streamOffset + this.headerLength + this.ignoredBytes;
  }

  /** True once decoding stopped because frame boundaries could no longer be trusted. */
  get stopped(): boolean {
    return this.state === State.Stopped;
  }

  /**
   * How far the stream has been judged: the start of an incomplete header, or of a control frame still
   * arriving (at most 125 bytes, checked whole at its end), else everything consumed. --enforce forwards no
   * further, so a frame it refuses was never partly sent.
   */
  get judgedOffset(): number {
    if (this.state === State.Payload && this.kind === Kind.Control && this.length <= MAX_CONTROL_PAYLOAD) return this.frameOffset;
    return this.streamOffset;
  }

  /** True when the stream so far ends on a frame boundary. */
  get atFrameBoundary(): boolean {
    return this.state === State.Header && this.headerLength === 0;
  }

  /**
   * The stream offset where the frame in progress starts (its header, complete or not); `bytesSeen` at a
   * frame boundary. A relay that forwarded exactly this many bytes left its receiver between two frames.
   */
  get frameStart(): number {
    return this.state === State.Payload ? this.frameOffset : this.streamOffset;
  }

  /**
   * The stream offset where the frame in progress ends (`bytesSeen` at a frame boundary), or null while
   * its header is incomplete or once decoding stopped: where a Close may be put after it.
   */
  get frameEnd(): number | null {
    if (this.state === State.Payload) return this.streamOffset + this.remaining;
    return this.atFrameBoundary ? this.streamOffset : null;
  }

  push(chunk: Uint8Array): void {
    if (this.state === State.Stopped) {
      this.ignoredBytes += chunk.length;
      return;
    }
    // Frames only and no payload listener: nothing is unmasked, so no work area (and no view of the chunk).
    if (this.framesOnly && !this.listens) {
      this.consume(chunk);
      return;
    }
    const shared = claimSharedScratch();
    this.scratch = shared ?? (this.ownScratch ??= createPrivateScratch());
    try {
      this.consume(chunk);
    } finally {
      this.source.release();
      if (shared !== null) releaseSharedScratch();
    }
  }

  private consume(chunk: Uint8Array): void {
    let pos = 0;
    const end = chunk.length;
    while (pos < end) {
      if (this.state === State.Header) {
        if (
          this.headerLength === 0 &&
          this.message === null &&
          !this.closeSent &&
          !this.framesOnly &&
          this.streamOffset >= this.runsBlockedUntil
        ) {
          const next = this.textRun(chunk, pos, end);
          if (next > pos) {
            pos = next;
            continue;
          }
        }
        pos = this.readHeader(chunk, pos, end);
      } else if (this.state === State.Payload) {
        const n = Math.min(this.remaining, end - pos);
        this.payload(chunk, pos, pos + n);
        pos += n;
        this.streamOffset += n;
        this.remaining -= n;
        this.payloadPosition += n;
        if (this.remaining === 0) this.endFrame();
      } else {
        this.ignoredBytes += end - pos;
        return;
      }
    }
  }

  /**
   * The fast lane (text-run.ts): takes the run of clean whole text frames at chunk[pos] in one go and emits
   * exactly what the frame-by-frame path would. Returns the position after the frames it took, or `pos`
   * when there is no run or the run holds something the normal path must report.
   */
  private textRun(chunk: Uint8Array, pos: number, end: number): number {
    const policy = this.typePolicy;
    if (policy !== null && policy.accepts === 'binary') return pos; // every text message is a 1003 finding
    const masked = this.from === 'client';
    const scratch = this.scratch!;
    const run = scratch.run;
    if (run.scan(chunk, pos, end, masked, this.maxMessage) === 0) return pos;
    if (!run.check(scratch, this.source.use(chunk), pos, masked)) {
      // Some payload is not valid UTF-8: the normal path finds which, frame by frame.
      this.runsBlockedUntil = this.streamOffset + run.bytes;
      return pos;
    }
    const message = this.messageState;
    const bytes = scratch.bytes;
    for (let i = 0; i < run.count; i++) {
      const headerAt = run.headerAt[i]!;
      const payloadAt = run.payloadAt[i]!;
      const length = run.lengths[i]!;
      // The key stays in the chunk (the run unmasks with its own copy): read it only for a frame event.
      if (masked && this.hearsFrame) this.maskKey.set(chunk.subarray(pos + payloadAt - 4, pos + payloadAt));
      // The same state, in the same order, as startFrame → startDataFrame → payload → endFrame → endMessage.
      this.beginFrame(FIN_TEXT, masked, length, payloadAt - headerAt);
      this.kind = Kind.Data;
      const ref = this.frameRef();
      message.start(Opcode.Text, ref, false, false, null);
      this.sink.messageStart?.(this.messageInfo(message));
      message.size = length;
      message.wireSize = length;
      message.viewHead(bytes, payloadAt, payloadAt + length);
      if (this.listens && length > 0) {
        // The run left the payload unmasked in the scratch area: listeners get a view of it.
        const data = scratch.lendAt(payloadAt, length);
        if (this.hearsPayload) this.sink.payload!(data, 0, ref);
        if (this.hearsData) this.sink.messageData!(data, this.messageInfo(message));
      }
      this.payloadPosition = length;
      this.remaining = 0;
      this.streamOffset += length;
      if (this.hearsFrameEnd) this.sink.frameEnd!(ref);
      this.sink.messageEnd?.(this.messageInfo(message));
      // A sink may change what the next message is checked against: the rest goes the normal way.
      if (this.typePolicy !== policy || this.state !== State.Header) return pos + payloadAt + length;
    }
    return pos + run.bytes;
  }

  /**
   * The stream ended (FIN, reset or end of a capture). Findings waiting for their preview are emitted with
   * what was received. Returns the frame the stream ended in the middle of, or null at a frame boundary
   * (and once decoding stopped: boundaries are unknown then). The caller knows who ended the stream and
   * how, so reporting the cut is its job.
   */
  end(): Truncation | null {
    this.flushFrameFindings();
    if (this.message) {
      this.flushMessageFindings(this.message, true);
      this.emitMismatch(this.message);
    }
    return this.truncation();
  }

  private truncation(): Truncation | null {
    if (this.state === State.Payload) {
      return { frame: this.frameRef(), part: 'payload', received: this.payloadPosition, needed: this.length };
    }
    if (this.state !== State.Header || this.headerLength === 0) return null;
    const header = this.header;
    const received = this.headerLength;
    let needed: number | null = null;
    let length = 0;
    if (received >= 2) {
      const len7 = header[1]! & 0x7f;
      const extended = len7 === 126 ? 2 : len7 === 127 ? 8 : 0;
      needed = 2 + extended + ((header[1]! & 0x80) !== 0 ? 4 : 0);
      if (extended === 0) length = len7;
      else if (received >= 2 + extended) length = len7 === 126 ? (header[2]! << 8) | header[3]! : readUint64(header, 2);
    }
    return {
      frame: { index: this.frameIndex + 1, offset: this.streamOffset, opcode: header[0]! & 0x0f, length },
      part: 'header',
      received,
      needed,
    };
  }

  // ---------------------------------------------------------------------------------------------------
  // Headers

  /** Consumes header bytes from chunk[pos..end); returns the new position. */
  private readHeader(chunk: Uint8Array, pos: number, end: number): number {
    let src: Uint8Array;
    let at: number;
    let available: number;
    if (this.headerLength === 0 && end - pos >= 2) {
      // Fast path: parse in place when the chunk holds the whole header.
      src = chunk;
      at = pos;
      available = end - pos;
    } else {
      const take = Math.min(MAX_HEADER_LENGTH - this.headerLength, end - pos);
      this.header.set(chunk.subarray(pos, pos + take), this.headerLength);
      src = this.header;
      at = 0;
      available = this.headerLength + take;
    }
    if (available < 2) {
      this.headerLength = available;
      return end;
    }
    const b1 = src[at + 1]!;
    const len7 = b1 & 0x7f;
    const masked = (b1 & 0x80) !== 0;
    const needed = 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (masked ? 4 : 0);
    if (available < needed) {
      if (src === chunk) this.header.set(chunk.subarray(pos, end), 0);
      this.headerLength = available;
      return end;
    }
    // Bytes of this chunk that belong to the header (the rest of `take` goes back to the payload).
    const fromChunk = needed - this.headerLength;
    this.headerLength = 0;
    this.startFrame(src, at, len7, masked, needed);
    return pos + fromChunk;
  }

  /**
   * The state every frame starts with, once its header is read, and the sink's frame event: shared by
   * startFrame and the fast lane, so both paths agree on it.
   */
  private beginFrame(b0: number, masked: boolean, length: number, headerBytes: number): void {
    this.fin = (b0 & 0x80) !== 0;
    this.rsv1 = (b0 & 0x40) !== 0;
    this.opcode = b0 & 0x0f;
    this.masked = masked;
    this.length = length;
    this.remaining = length;
    this.frameOffset = this.streamOffset;
    this.frameIndex++;
    this.frameCount++;
    this.frameRefCache = null;
    this.frameHeadLength = 0;
    this.controlLength = 0;
    this.payloadPosition = 0;
    this.streamOffset += headerBytes;
    if (this.hearsFrame) {
      const lengthField = headerBytes - (masked ? 4 : 0);
      const header: FrameHeader = {
        index: this.frameIndex,
        offset: this.frameOffset,
        fin: this.fin,
        rsv1: this.rsv1,
        rsv2: (b0 & 0x20) !== 0,
        rsv3: (b0 & 0x10) !== 0,
        opcode: this.opcode,
        masked,
        length,
        headerLength: headerBytes,
        lengthForm: lengthField === 2 ? 7 : lengthField === 4 ? 16 : 64,
        // Frames only: the decoder's own key, not a copy (the chaos engine keeps the few it needs itself).
        maskKey: masked ? (this.framesOnly ? this.maskKey : this.maskKey.slice()) : null,
      };
      this.sink.frame!(header);
    }
  }

  private startFrame(src: Uint8Array, at: number, len7: number, masked: boolean, headerBytes: number): void {
    const b0 = src[at]!;
    let p = at + 2;
    let length = len7;
    let msbSet = false;
    let nonMinimal = false;
    if (len7 === 126) {
      length = (src[p]! << 8) | src[p + 1]!;
      nonMinimal = length < 126;
      p += 2;
    } else if (len7 === 127) {
      msbSet = src[p]! >= 0x80;
      length = readUint64(src, p);
      nonMinimal = length < 65536;
      p += 8;
    }
    if (masked) {
      this.maskKey[0] = src[p]!;
      this.maskKey[1] = src[p + 1]!;
      this.maskKey[2] = src[p + 2]!;
      this.maskKey[3] = src[p + 3]!;
    }
    this.beginFrame(b0, masked, length, headerBytes);

    if (msbSet) {
      // The length is nonsense, so where the next frame starts is unknown: stop here (DESIGN §2).
      this.flushMessageFindingsIfAny();
      this.report(
        'length-msb-set',
        `64-bit payload length 0x${length.toString(16).padStart(16, '0')} has its most significant bit set; frame boundaries are lost, decoding of this direction stops at offset ${this.frameOffset}.`,
        'now',
      );
      this.stop('length-msb-set');
      return;
    }
    if (this.framesOnly) {
      // Nothing in the payload is looked at (a payload listener still hears it, unmasked).
      this.kind = Kind.Skip;
      this.state = State.Payload;
      if (length === 0) this.endFrame();
      return;
    }
    this.checkHeader((b0 & 0x20) !== 0, (b0 & 0x10) !== 0, nonMinimal, len7);
    this.state = State.Payload;
    if (this.framePending.length > 0 && length === 0) this.flushFrameFindings();
    if (length === 0) this.endFrame();
  }

  /** Header rules (RFC 6455 §5.1, §5.2, §5.4, §5.5) and the frame's place in message assembly. */
  private checkHeader(rsv2: boolean, rsv3: boolean, nonMinimal: boolean, len7: number): void {
    const opcode = this.opcode;
    const control = isControlOpcode(opcode);
    const known = isKnownOpcode(opcode);

    if (!known) {
      this.report('reserved-opcode', `Opcode 0x${opcode.toString(16)} is reserved; no extension in use defines it.`);
    }
    // "RSV1, RSV2, RSV3: MUST be 0 unless an extension is negotiated that defines meanings for non-zero values."
    if (rsv2 || rsv3) {
      const bits = [rsv2 && 'RSV2', rsv3 && 'RSV3'].filter(Boolean).join(' and ');
      this.report(
        'reserved-bits',
        `${bits} ${rsv2 && rsv3 ? 'are' : 'is'} set on a ${opcodeName(opcode)} frame; no negotiated extension defines ${rsv2 && rsv3 ? 'them' : 'it'}.`,
      );
    }
    if (this.rsv1) {
      if (!this.deflate) {
        this.report(
          'reserved-bits',
          `RSV1 is set on a ${opcodeName(opcode)} frame but permessage-deflate was not negotiated (compressed data without the extension, or a proxy stripped Sec-WebSocket-Extensions).`,
        );
      } else if (control) {
        this.report(
          'reserved-bits',
          `RSV1 is set on a ${opcodeName(opcode)} frame; permessage-deflate allows it only on the first frame of a data message (RFC 7692 §6.1).`,
        );
      } else if (opcode === Opcode.Continuation) {
        this.report(
          'reserved-bits',
          'RSV1 is set on a continuation frame; permessage-deflate allows it only on the first frame of a message (RFC 7692 §6.1).',
        );
      }
    }
    // "The client MUST mask all frames that it sends to the server." / "A server MUST NOT mask any frames."
    if (this.from === 'client' && !this.masked) {
      this.report('unmasked-client-frame', `Client ${opcodeName(opcode)} frame is not masked (MASK bit 0).`);
    } else if (this.from === 'server' && this.masked) {
      this.report('masked-server-frame', `Server ${opcodeName(opcode)} frame is masked (MASK bit 1, key ${hex4(this.maskKey)}).`);
    }
    if (nonMinimal) {
      const form = len7 === 126 ? '16-bit' : '64-bit';
      const should = this.length < 126 ? 'the 7-bit field' : 'the 16-bit form';
      this.report('non-minimal-length', `Payload length ${this.length} is encoded in the ${form} form; it fits ${should}.`);
    }

    if (control) {
      this.kind = Kind.Control;
      // "All control frames MUST have a payload length of 125 bytes or less and MUST NOT be fragmented."
      if (!this.fin)
        this.report(
          'control-frame-fragmented',
          `${capital(opcodeName(opcode))} frame has FIN clear; control frames must not be fragmented.`,
        );
      if (this.length > MAX_CONTROL_PAYLOAD)
        this.report(
          'control-frame-too-long',
          `${capital(opcodeName(opcode))} frame payload is ${this.length} bytes; control frames carry at most 125.`,
        );
      return;
    }
    if (!known) {
      this.kind = Kind.Skip;
      return;
    }
    this.startDataFrame(opcode);
  }

  private startDataFrame(opcode: number): void {
    if (this.closeSent) {
      this.report('frame-after-close', `${capital(opcodeName(opcode))} frame sent after this side's own Close frame.`);
    }
    if (opcode === Opcode.Continuation) {
      const message = this.message;
      if (!message) {
        this.kind = Kind.Skip;
        this.report('unexpected-continuation', 'Continuation frame (opcode 0x0) arrived but no fragmented message is in progress.');
        return;
      }
      this.kind = Kind.Data;
      message.frames++;
      this.checkSizeAtHeader(message);
      return;
    }
    if (this.message) {
      const unfinished = this.message;
      this.report(
        'expected-continuation',
        `New ${opcodeName(opcode)} frame while the ${opcodeName(unfinished.opcode)} message started at frame #${unfinished.firstFrame.index} is unfinished (a continuation frame was expected).`,
      );
      this.abandonMessage(unfinished);
    }
    this.kind = Kind.Data;
    const compressed = this.rsv1 && this.deflate !== null;
    const message = this.messageState;
    const opaque = (this.rsv1 && !this.deflate) || (compressed && !this.inflater!.canValidate);
    message.start(
      opcode,
      this.frameRef(),
      compressed,
      opaque,
      TypeMismatch.check(this.typePolicy, opcode, this.from === 'client' ? 'server' : 'client'),
    );
    this.message = message;
    this.utf8.reset();
    if (message.mismatch) {
      // Known now (so --enforce can hold the message back), told at the end (size and payload known).
      message.mismatchFinding = { rule: message.mismatch.rule, message: '', frame: message.firstFrame };
      if (!this.firstError) this.firstError = message.mismatchFinding;
    }
    this.sink.messageStart?.(this.messageInfo(message));
    this.checkSizeAtHeader(message);
  }

  /** Uncompressed sizes are known from the headers: report as soon as a header crosses the limit. */
  private checkSizeAtHeader(message: MessageState): void {
    if (message.compressed || message.tooBig || this.maxMessage <= 0) return;
    if (message.size + this.length > this.maxMessage) {
      this.reportTooBig(message, message.size + this.length);
    }
  }

  private reportTooBig(message: MessageState, size: number): void {
    message.done = true;
    message.tooBig = true;
    // A compressed message's size is only known up to where inflation stops, which depends on how the
    // input was split: name the limit, not the count, so the finding is the same however it arrived.
    const what = message.compressed ? 'inflates to more than' : `reaches ${size} bytes,`;
    this.report(
      'message-too-big',
      `${capital(opcodeName(message.opcode))} message started at frame #${message.firstFrame.index} ${what} the ${this.maxMessage}-byte limit (--max-message).`,
      'message',
    );
    if (message.compressed) {
      // Found inside the inflater's output callback: it is abandoned once it has returned (see inflate).
      message.sizeKnown = false;
      message.inflating = false;
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // Payload

  private payload(chunk: Uint8Array, start: number, end: number): void {
    if (start === end) return;
    if (this.framePending.length > 0) this.captureFrameHead(chunk, start, end);
    switch (this.kind) {
      case Kind.Control:
        this.collectControl(chunk, start, end);
        if (this.hearsPayload) this.emitPayload(chunk, start, end);
        break;
      case Kind.Data:
        this.dataPayload(this.message!, chunk, start, end);
        break;
      case Kind.Skip:
        if (this.hearsPayload) this.emitPayload(chunk, start, end);
        break;
    }
  }

  /** Hands a piece of a frame that belongs to no message (control, skipped) to the sink, unmasked. */
  private emitPayload(chunk: Uint8Array, start: number, end: number): void {
    const ref = this.frameRef();
    const source = this.source.use(chunk);
    const scratch = this.scratch!;
    if (!this.masked) {
      this.sink.payload!(scratch.lendFrom(source, start, end - start), this.payloadPosition, ref);
      return;
    }
    let position = this.payloadPosition;
    for (let s = start; s < end; s += SCRATCH_BYTES) {
      const e = Math.min(end, s + SCRATCH_BYTES);
      scratch.unmask(source, s, e, this.maskKey, position);
      this.sink.payload!(scratch.lendHead(e - s), position, ref);
      position += e - s;
    }
  }

  private dataPayload(message: MessageState, chunk: Uint8Array, start: number, end: number): void {
    message.wireSize += end - start;
    if (message.compressed) {
      if (!message.inflating && message.rawHeadLength >= PREVIEW_BYTES && !this.listens) return;
    } else {
      message.size += end - start;
      const textChecked = message.opcode === Opcode.Text && !message.opaque && !message.done;
      if (!textChecked && !message.mismatch?.wantsContent && !this.listens) {
        // Binary (or no longer checked): only the preview is worth unmasking.
        if (message.headLength < PREVIEW_BYTES) {
          const n = Math.min(PREVIEW_BYTES - message.headLength, end - start);
          this.unmaskInto(message.head, message.headLength, chunk, start, start + n, this.payloadPosition);
          message.headLength += n;
          if (message.headLength >= PREVIEW_BYTES) this.flushMessageFindings(message);
        }
        return;
      }
    }
    // The whole payload of a one-frame message in one piece: its preview can be a view of that piece.
    const whole =
      message.frames === 1 && this.fin && this.payloadPosition === 0 && end - start === this.length && end - start <= SCRATCH_BYTES;
    const scratch = this.scratch!;
    if (!this.masked) {
      if (this.listens) this.heard(message, scratch.lendFrom(this.source.use(chunk), start, end - start), this.payloadPosition);
      this.content(message, chunk, start, end, whole);
      return;
    }
    let position = this.payloadPosition;
    for (let s = start; s < end; s += SCRATCH_BYTES) {
      const e = Math.min(end, s + SCRATCH_BYTES);
      scratch.unmask(this.source.use(chunk), s, e, this.maskKey, position);
      if (this.listens) this.heard(message, scratch.lendHead(e - s), position);
      position += e - s;
      this.content(message, scratch.bytes, 0, e - s, whole);
    }
  }

  /**
   * An unmasked piece of a data frame, to the sink's listeners: as payload, and as application data when
   * the message is not compressed (a compressed one's comes out of the inflater, in applicationData).
   */
  private heard(message: MessageState, data: Uint8Array, position: number): void {
    if (this.hearsPayload) this.sink.payload!(data, position, this.frameRef());
    if (this.hearsData && !message.compressed) this.sink.messageData!(data, this.messageInfo(message));
  }

  /** Unmasked payload of a data message whose content is checked (or listened to). */
  private content(message: MessageState, data: Uint8Array, start: number, end: number, whole: boolean): void {
    if (message.compressed) {
      this.captureRawHead(message, data, start, end);
      if (!message.inflating) return;
      this.inflate(message, data.subarray(start, end));
      return;
    }
    if (whole) {
      if (message.viewHead(data, start, end)) this.flushMessageFindings(message);
    } else {
      this.captureHead(message, data, start, end);
    }
    if (message.opcode === Opcode.Text && !message.opaque) {
      // A whole message that is valid UTF-8 needs no streaming state: one check settles it (an invalid one
      // goes through the streaming validator, which knows how to report it).
      if (!(whole && this.isWholeUtf8(data, start, end))) this.checkText(message, data, start, end);
    }
    if (message.mismatch?.wantsContent) message.mismatch.content(data, start, end);
  }

  /** A whole payload, unmasked into the scratch area (at 0) or still in the chunk (unmasked frames). */
  private isWholeUtf8(data: Uint8Array, start: number, end: number): boolean {
    const scratch = this.scratch!;
    return data === scratch.bytes ? scratch.isUtf8(end) : isValidUtf8(this.source.use(data).view(start, end - start));
  }

  /**
   * Inflates a piece of the message (or, with null, ends it). A message the size limit stopped is abandoned
   * only after the inflater returned: reset from inside its own output callback, it would come back
   * marked stopped and inflate nothing more, leaving every later message of the direction unchecked.
   */
  private inflate(message: MessageState, piece: Uint8Array | null): void {
    const inflater = this.inflater!;
    if (!(piece === null ? inflater.finish(this.onInflated) : inflater.write(piece, this.onInflated))) this.badDeflate(message);
    else if (!message.inflating) inflater.abandon();
  }

  /** Receives inflated output of the message in progress (bound once: no closure per chunk). */
  private readonly onInflated = (out: Uint8Array): boolean => this.applicationData(this.message!, out, 0, out.length);

  /**
   * Inflated application data of a compressed message. After a UTF-8 failure only the preview is still
   * filled; returns false once inflation was abandoned (too big).
   */
  private applicationData(message: MessageState, data: Uint8Array, start: number, end: number): boolean {
    this.captureHead(message, data, start, end);
    // Checks are byte-exact whatever the size of the block zlib-style inflation hands us: the bytes within
    // the limit are checked before the limit is found crossed, so a UTF-8 fault before the limit always wins.
    const room = this.maxMessage > 0 ? this.maxMessage - message.size : Number.POSITIVE_INFINITY;
    const within = end - start > room ? start + room : end;
    message.size += within - start;
    // Listeners get the bytes within the limit only: where a block ends depends on how the input was cut.
    if (this.hearsData && within > start) {
      this.sink.messageData!(start === 0 && within === data.length ? data : data.subarray(start, within), this.messageInfo(message));
    }
    if (!message.done) {
      if (message.opcode === Opcode.Text) this.checkText(message, data, start, within);
      if (message.mismatch?.wantsContent) message.mismatch.content(data, start, within);
    }
    if (within < end) {
      message.size += end - within;
      this.reportTooBig(message, message.size);
      return false;
    }
    return message.inflating;
  }

  private checkText(message: MessageState, data: Uint8Array, start: number, end: number): void {
    if (message.done) return;
    if (!this.utf8.write(data, start, end)) {
      message.done = true;
      this.report(
        'invalid-utf8-text',
        `Text message started at frame #${message.firstFrame.index} is not valid UTF-8 (detected in frame #${this.frameIndex}).`,
        'message',
      );
    }
  }

  private badDeflate(message: MessageState): void {
    message.done = true;
    message.inflating = false;
    message.sizeKnown = false;
    // The preview is the compressed bytes as sent: how much inflated before the error depends on splits.
    this.report(
      'invalid-compressed-data',
      `Compressed ${opcodeName(message.opcode)} message started at frame #${message.firstFrame.index} does not inflate (invalid DEFLATE data in frame #${this.frameIndex}).`,
      'compressed',
    );
  }

  private collectControl(chunk: Uint8Array, start: number, end: number): void {
    const room = MAX_CONTROL_PAYLOAD - this.controlLength;
    if (room <= 0) return;
    const take = Math.min(room, end - start);
    this.unmaskInto(this.control, this.controlLength, chunk, start, start + take, this.payloadPosition);
    this.controlLength += take;
  }

  private captureFrameHead(chunk: Uint8Array, start: number, end: number): void {
    const room = PREVIEW_BYTES - this.frameHeadLength;
    if (room > 0) {
      const take = Math.min(room, end - start);
      this.unmaskInto(this.frameHead, this.frameHeadLength, chunk, start, start + take, this.payloadPosition);
      this.frameHeadLength += take;
    }
    if (this.frameHeadLength >= Math.min(PREVIEW_BYTES, this.length)) this.flushFrameFindings();
  }

  private captureHead(message: MessageState, data: Uint8Array, start: number, end: number): void {
    if (message.captureHead(data, start, end)) this.flushMessageFindings(message);
  }

  private captureRawHead(message: MessageState, data: Uint8Array, start: number, end: number): void {
    if (message.captureRawHead(data, start, end)) this.flushMessageFindings(message);
  }

  /** Unmasks a few bytes (previews, control frames) in JavaScript: too few for a native call to pay. */
  private unmaskInto(dst: Uint8Array, at: number, src: Uint8Array, start: number, end: number, position: number): void {
    if (this.masked) unmaskSmall(dst, at, src, start, end, this.maskKey, position);
    else dst.set(src.subarray(start, end), at);
  }

  // ---------------------------------------------------------------------------------------------------
  // Frame and message ends

  private endFrame(): void {
    this.state = State.Header;
    this.flushFrameFindings();
    if (this.hearsFrameEnd) this.sink.frameEnd!(this.frameRef());
    switch (this.kind) {
      case Kind.Control:
        this.endControlFrame();
        break;
      case Kind.Data:
        if (this.fin) this.endMessage(this.message!);
        break;
      case Kind.Skip:
        break;
    }
  }

  private endControlFrame(): void {
    const ref = this.frameRef();
    if (this.opcode === Opcode.Close) {
      this.closeSent = true;
      const body = this.control.subarray(0, this.controlLength);
      const parsed = parseClosePayload(body);
      // A body over 125 bytes was already reported; do not pile a second finding on the truncated copy.
      if (parsed.problem && this.length <= MAX_CONTROL_PAYLOAD) {
        this.report(parsed.problem.rule, parsed.problem.message, 'now', body.slice(0, PREVIEW_BYTES));
      }
      this.sink.close?.({
        code: parsed.code,
        reason: parsed.reason,
        valid: !parsed.problem && this.length <= MAX_CONTROL_PAYLOAD,
        frame: ref,
      });
    } else if (this.opcode === Opcode.Ping) {
      this.sink.ping?.(ref, this.control.subarray(0, this.controlLength));
    } else if (this.opcode === Opcode.Pong) {
      this.sink.pong?.(ref, this.control.subarray(0, this.controlLength));
    }
  }

  private endMessage(message: MessageState): void {
    if (message.inflating) this.inflate(message, null);
    if (message.opcode === Opcode.Text && !message.opaque && !message.done && !this.utf8.finish()) {
      message.done = true;
      this.report(
        'invalid-utf8-text',
        `Text message started at frame #${message.firstFrame.index} ends in the middle of a UTF-8 sequence (truncated code point at frame #${this.frameIndex}).`,
        'message',
      );
    }
    this.flushMessageFindings(message, true);
    this.emitMismatch(message);
    this.message = null;
    this.sink.messageEnd?.(this.messageInfo(message));
  }

  private abandonMessage(message: MessageState): void {
    this.flushMessageFindings(message, true);
    this.emitMismatch(message);
    if (message.inflating) this.inflater!.abandon();
    this.message = null;
  }

  private stop(rule: RuleId): void {
    this.flushFrameFindings();
    this.state = State.Stopped;
    this.sink.stopped?.({ rule, offset: this.frameOffset });
  }

  // ---------------------------------------------------------------------------------------------------
  // Findings

  /**
   * Records a finding of the current frame. `frame` findings wait for the frame's first payload bytes,
   * `message` findings for the message's first bytes of application data; `now` ones carry their own preview.
   */
  private report(rule: RuleId, message: string, wait: 'frame' | 'message' | 'compressed' | 'now' = 'frame', preview?: Uint8Array): void {
    const finding: Finding = { rule, message, frame: this.frameRef() };
    if (preview && preview.length > 0) finding.preview = preview;
    if (!this.firstError && getRule(rule).severity === 'error') this.firstError = finding;
    if (wait === 'now') {
      this.sink.finding(finding);
    } else if (wait === 'message' && this.message) {
      this.message.pending.push(finding);
      if (this.message.headLength >= PREVIEW_BYTES) this.flushMessageFindings(this.message);
    } else if (wait === 'compressed' && this.message) {
      this.message.rawPending.push(finding);
      if (this.message.rawHeadLength >= PREVIEW_BYTES) this.flushMessageFindings(this.message);
    } else {
      this.framePending.push(finding);
    }
  }

  private flushFrameFindings(): void {
    if (this.framePending.length === 0) return;
    const pending = this.framePending;
    this.framePending = [];
    const preview = this.frameHeadLength > 0 ? this.frameHead.slice(0, this.frameHeadLength) : undefined;
    for (const finding of pending) {
      if (preview) finding.preview = preview;
      this.sink.finding(finding);
    }
    // Message findings that were ready but waited for these.
    if (this.message && this.state !== State.Stopped) this.flushMessageFindings(this.message);
  }

  private flushMessageFindingsIfAny(): void {
    if (this.message) this.flushMessageFindings(this.message, true);
  }

  /**
   * Emits message findings whose preview is complete, or all of them when `final` (message or stream end).
   * They never overtake the current frame's own findings: which of the two previews completes first depends
   * on how inflation lines up with the input, and the order of events must not.
   */
  private flushMessageFindings(message: MessageState, final = false): void {
    if (!final && this.framePending.length > 0) return;
    if (message.pending.length > 0 && (final || message.headLength >= PREVIEW_BYTES)) {
      const pending = message.pending;
      message.pending = [];
      this.emitWithPreview(pending, message.preview());
    }
    if (message.rawPending.length > 0 && (final || message.rawHeadLength >= PREVIEW_BYTES)) {
      const pending = message.rawPending;
      message.rawPending = [];
      this.emitWithPreview(pending, message.rawPreview());
    }
  }

  private emitMismatch(message: MessageState): void {
    const finding = message.mismatchFinding;
    if (!finding || !message.mismatch) return;
    message.mismatchFinding = null;
    finding.message = message.mismatch.describe(message.firstFrame.index, message.frames, message.sizeKnown ? message.size : null);
    finding.hint = message.mismatch.hint(message.headBytes());
    this.emitWithPreview([finding], message.preview());
  }

  private emitWithPreview(findings: Finding[], preview: Uint8Array | undefined): void {
    for (const finding of findings) {
      if (preview) finding.preview = preview;
      this.sink.finding(finding);
    }
  }

  private frameRef(): FrameRef {
    return (this.frameRefCache ??= { index: this.frameIndex, offset: this.frameOffset, opcode: this.opcode, length: this.length });
  }

  private messageInfo(message: MessageState): MessageInfo {
    return this.snapshot.fill(message);
  }
}

/** The 64-bit big-endian length at src[at], as a number (exact up to 2^53). */
function readUint64(src: Uint8Array, at: number): number {
  const high = ((src[at]! << 24) | (src[at + 1]! << 16) | (src[at + 2]! << 8) | src[at + 3]!) >>> 0;
  const low = ((src[at + 4]! << 24) | (src[at + 5]! << 16) | (src[at + 6]! << 8) | src[at + 7]!) >>> 0;
  return high * 0x1_0000_0000 + low;
}

function capital(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

function hex4(key: Uint8Array): string {
  return Array.from(key, (b) => b.toString(16).padStart(2, '0')).join('');
}
