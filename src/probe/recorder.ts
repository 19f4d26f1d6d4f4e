/**
 * The record of one direction of a WebSocket connection at one observation point: every frame header,
 * every message (its length, SHA-256, first and last bytes, how it was fragmented), every control frame
 * and every protocol rule the bytes break. Two records of the same direction taken at two points (the
 * sender and the receiver, or the two legs of a sandwich) are what compare.ts compares.
 *
 * Sans-IO: bytes in (with the time they were seen), an ObservedStream out. Memory per message is bounded
 * (hash state, 64-byte head and tail, and the whole payload only while it is under `keepBytes`), so a
 * 16 MiB message costs no more than a small one.
 */
import { createHash, type Hash } from 'node:crypto';
import type { Side } from '../events.js';
import { parseClosePayload } from '../protocol/close.js';
import { MAX_CONTROL_PAYLOAD, Opcode } from '../protocol/constants.js';
import { FrameDecoder } from '../protocol/decoder.js';
import { concatBytes } from '../protocol/encoder.js';
import { negotiatedDeflate } from '../protocol/extensions.js';
import { MessageInflater } from '../protocol/inflate.js';
import { FrameParser, type ParsedHeader } from './frame-parser.js';
import type { ObservedControl, ObservedMessage, ObservedStream } from './types.js';

export interface RecorderOptions {
  /** The side whose bytes are recorded (masking rules depend on it). */
  from: Side;
  /** The Sec-WebSocket-Extensions negotiated on this leg. */
  extensions?: string | null;
  /** Messages up to this many bytes are kept whole, so a comparison can point at the first changed byte. */
  keepBytes?: number;
  /** Monotonic milliseconds; performance.now() by default. */
  clock?: () => number;
  /** Frame headers kept in `frames` (later ones are still counted into messages). */
  maxFrames?: number;
}

export const DEFAULT_KEEP_BYTES = 64 * 1024;
const EDGE_BYTES = 64;
const DEFAULT_MAX_FRAMES = 100_000;

/** A message being assembled. */
interface Building {
  message: ObservedMessage;
  /** Only for inflated messages; otherwise the wire bytes are the application data and share its hash. */
  wireHash: Hash | null;
  app: AppData;
  /** Inflating this message (permessage-deflate and RSV1 on its first frame). */
  inflating: boolean;
  inflateFailed: boolean;
}

/**
 * Accumulates application data. Small messages (the common case) are kept as chunk references and
 * hashed once at the end, which keeps allocation per message low (a 1000-message burst is recorded in a
 * few milliseconds); past `keepBytes` the data is hashed as it streams and only head and tail are kept.
 */
class AppData {
  length = 0;
  private hash: Hash | null = null;
  private kept: Uint8Array[] | null = [];
  private head: Uint8Array | null = null;
  private tail: Uint8Array = EMPTY;

  constructor(private readonly keepBytes: number) {}

  /** `owned`: the caller will not reuse `bytes`, so a reference may be kept instead of a copy. */
  add(bytes: Uint8Array, owned: boolean): void {
    if (bytes.length === 0) return;
    this.length += bytes.length;
    if (this.kept !== null) {
      this.kept.push(owned ? bytes : bytes.slice());
      if (this.length <= this.keepBytes) return;
      // Too big to keep: switch to streaming.
      const all = concat(this.kept);
      this.kept = null;
      this.hash = createHash('sha256').update(all);
      this.head = all.slice(0, EDGE_BYTES);
      this.tail = all.slice(all.length - EDGE_BYTES);
      return;
    }
    this.hash!.update(bytes);
    const joined = bytes.length >= EDGE_BYTES ? bytes.subarray(bytes.length - EDGE_BYTES) : concat([this.tail, bytes]);
    this.tail = joined.slice(Math.max(0, joined.length - EDGE_BYTES));
  }

  finish(): Pick<ObservedMessage, 'length' | 'sha256' | 'head' | 'tail' | 'bytes'> {
    if (this.kept !== null) {
      const all = concat(this.kept);
      return {
        length: this.length,
        sha256: createHash('sha256').update(all).digest('hex'),
        head: all.subarray(0, EDGE_BYTES),
        tail: all.subarray(Math.max(0, all.length - EDGE_BYTES)),
        bytes: all,
      };
    }
    return { length: this.length, sha256: this.hash!.digest('hex'), head: this.head!, tail: this.tail, bytes: null };
  }
}

const EMPTY = new Uint8Array(0);

export class StreamRecorder {
  readonly stream: ObservedStream;
  /** Called after every change that a waiter might look at (a message, a control frame, the end). */
  onChange: (() => void) | null = null;

  private readonly parser: FrameParser;
  private readonly decoder: FrameDecoder;
  private readonly clock: () => number;
  private readonly keepBytes: number;
  private readonly maxFrames: number;
  private readonly inflater: MessageInflater | null;
  private building: Building | null = null;
  private control: { header: ParsedHeader; bytes: Uint8Array; fill: number; record: ObservedControl } | null = null;
  private dataFrames = 0;
  private now = 0;

  constructor(options: RecorderOptions) {
    this.clock = options.clock ?? (() => performance.now());
    this.keepBytes = options.keepBytes ?? DEFAULT_KEEP_BYTES;
    this.maxFrames = options.maxFrames ?? DEFAULT_MAX_FRAMES;
    const extensions = options.extensions ?? null;
    this.stream = { frames: [], messages: [], controls: [], violations: [], extensions, bytes: 0, stopped: null, endedAt: null };
    const deflate = negotiatedDeflate(extensions);
    this.inflater =
      deflate !== null && !('error' in deflate)
        ? options.from === 'client'
          ? new MessageInflater(deflate.clientMaxWindowBits, deflate.clientNoContextTakeover)
          : new MessageInflater(deflate.serverMaxWindowBits, deflate.serverNoContextTakeover)
        : null;
    this.decoder = new FrameDecoder(
      { finding: (f) => this.stream.violations.push({ rule: f.rule, message: f.message, frame: f.frame?.index ?? null }) },
      { from: options.from, extensions, maxMessage: 0 },
    );
    this.parser = new FrameParser({
      header: (h) => this.onHeader(h),
      payload: (h, chunk) => this.onPayload(h, chunk),
      frameEnd: (h) => this.onFrameEnd(h),
      stopped: (reason) => (this.stream.stopped = reason),
    });
  }

  /** Records bytes seen at time `at`. */
  push(chunk: Uint8Array, at: number = this.clock()): void {
    if (this.stream.endedAt !== null) return;
    this.now = at;
    this.stream.bytes += chunk.length;
    this.parser.push(chunk);
    this.decoder.push(chunk);
    this.onChange?.();
  }

  /** The stream ended (FIN, reset, close): an unfinished message is recorded as incomplete. */
  end(at: number = this.clock()): void {
    if (this.stream.endedAt !== null) return;
    this.now = at;
    this.decoder.end();
    if (this.building) this.finishMessage(false);
    this.stream.endedAt = at;
    this.onChange?.();
  }

  private onHeader(h: ParsedHeader): void {
    if (this.stream.frames.length < this.maxFrames) {
      this.stream.frames.push({
        index: h.index,
        offset: h.offset,
        fin: h.fin,
        rsv1: h.rsv1,
        rsv2: h.rsv2,
        rsv3: h.rsv3,
        opcode: h.opcode,
        masked: h.masked,
        maskKey: h.maskKey ? Buffer.from(h.maskKey).toString('hex') : null,
        length: h.length,
        lengthForm: h.lengthForm,
        at: this.now,
      });
    }
    const isData = h.opcode === Opcode.Text || h.opcode === Opcode.Binary;
    if (isData || (h.opcode === Opcode.Continuation && this.building)) {
      this.dataFrames++;
      // A new message while one is unfinished (expected-continuation): the old one ends incomplete.
      if (isData && this.building) this.finishMessage(false);
      if (isData) this.startMessage(h);
      const m = this.building!.message;
      m.frameLengths.push(h.length);
      m.lastAt = this.now;
      return;
    }
    // Control frames, reserved opcodes and orphan continuations belong to no message.
    const kept = Math.min(h.length, MAX_CONTROL_PAYLOAD);
    this.control = {
      header: h,
      bytes: new Uint8Array(kept),
      fill: 0,
      record: { opcode: h.opcode, frame: h.index, payload: new Uint8Array(0), length: h.length, dataFramesBefore: this.dataFrames, close: null, at: this.now },
    };
  }

  private startMessage(h: ParsedHeader): void {
    const inflating = h.rsv1 && this.inflater !== null && this.inflater.canValidate;
    this.building = {
      message: {
        index: this.stream.messages.length,
        opcode: h.opcode,
        compressed: h.rsv1,
        firstFrame: h.index,
        frameLengths: [],
        wireLength: 0,
        wireSha256: '',
        length: 0,
        sha256: null,
        head: new Uint8Array(0),
        tail: new Uint8Array(0),
        bytes: null,
        complete: false,
        firstAt: this.now,
        lastAt: this.now,
      },
      wireHash: inflating ? createHash('sha256') : null,
      app: new AppData(this.keepBytes),
      inflating,
      inflateFailed: false,
    };
  }

  private onPayload(h: ParsedHeader, chunk: Uint8Array): void {
    const control = this.control;
    if (control && control.header === h) {
      const n = Math.min(chunk.length, control.bytes.length - control.fill);
      control.bytes.set(chunk.subarray(0, n), control.fill);
      control.fill += n;
      return;
    }
    const b = this.building;
    if (!b) return;
    b.message.wireLength += chunk.length;
    b.wireHash?.update(chunk);
    if (!b.inflating) {
      b.app.add(chunk, true);
    } else if (!b.inflateFailed) {
      const ok = this.inflater!.write(chunk, (out) => b.app.add(out, false));
      if (!ok) this.abandonInflate(b);
    }
  }

  private onFrameEnd(h: ParsedHeader): void {
    const control = this.control;
    if (control && control.header === h) {
      this.control = null;
      const record = control.record;
      record.payload = control.bytes;
      if (h.opcode === Opcode.Close) {
        const parsed = parseClosePayload(control.bytes);
        record.close = { code: parsed.code, reason: parsed.reason };
      }
      this.stream.controls.push(record);
      return;
    }
    if (this.building && h.fin) this.finishMessage(true);
  }

  private abandonInflate(b: Building): void {
    b.inflateFailed = true;
    this.inflater!.abandon();
  }

  private finishMessage(complete: boolean): void {
    const b = this.building!;
    this.building = null;
    if (b.inflating && !b.inflateFailed && complete) {
      const ok = this.inflater!.finish((out) => b.app.add(out, false));
      if (!ok) this.abandonInflate(b);
    } else if (b.inflating && !b.inflateFailed) {
      this.abandonInflate(b);
    }
    const app = b.app.finish();
    Object.assign(b.message, app, {
      complete,
      wireSha256: b.wireHash ? b.wireHash.digest('hex') : app.sha256,
      sha256: b.inflating && (b.inflateFailed || !complete) ? null : app.sha256,
    });
    this.stream.messages.push(b.message);
  }
}

/** The parts joined (a single part as it is: most payloads arrive in one piece). */
function concat(parts: readonly Uint8Array[]): Uint8Array {
  return parts.length === 1 ? parts[0]! : concatBytes(parts);
}
