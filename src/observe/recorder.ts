/**
 * The record of one direction of a WebSocket connection at one observation point: every frame header,
 * every message (its length, SHA-256, first and last bytes, how it was fragmented), every control frame
 * and every protocol rule the bytes break. Two records of the same direction taken at two points (the
 * sender and the receiver, or the two legs of a sandwich) are what compare.ts compares.
 *
 * The recorder is a sink on the protocol decoder, the one parser: frames, payloads, inflated message data
 * and findings all come from its events. It works two ways:
 * - `new StreamRecorder(options)` owns a decoder: feed it bytes with `push(chunk, at)` (the probe's ends);
 * - `StreamRecorder.attached(options)` has none: attach `listeners` to a decoder someone else feeds (a
 *   proxy analyzer's, see AnalyzerOptions.observers) and tell it when bytes arrive with `seen(bytes, at)`.
 *
 * Sans-IO: events in (with the time they were seen), an ObservedStream out. Memory per message is bounded
 * (hash state, 64-byte head and tail, and the whole message only while it is under `keepBytes`), so a
 * 16 MiB message costs no more than a small one.
 */
import { createHash, type Hash } from 'node:crypto';
import { frameFields, type FrameRef, type Side } from '../events/index.js';
import {
  MAX_CONTROL_PAYLOAD,
  Opcode,
  FrameDecoder,
  MessageCollector,
  type CollectedMessage,
  type DecoderSink,
  type FrameHeader,
  type MessageInfo,
} from '../protocol/index.js';
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

/** The decoder events a recorder listens to. */
export type RecorderListeners = Required<
  Pick<DecoderSink, 'finding' | 'frame' | 'payload' | 'frameEnd' | 'close' | 'messageStart' | 'messageData' | 'messageEnd' | 'stopped'>
>;

export const DEFAULT_KEEP_BYTES = 64 * 1024;
const EDGE_BYTES = 64;
const DEFAULT_MAX_FRAMES = 100_000;
const EMPTY = new Uint8Array(0);

/** The message being recorded. */
interface Building {
  message: ObservedMessage;
  /** Inflated by the decoder: its wire bytes differ from its application data and get their own hash. */
  compressed: boolean;
  appHash: Hash;
  /** Application data bytes received (the collector keeps only the first keepBytes of them). */
  appLength: number;
  wireHash: Hash | null;
}

/** The control frame (or reserved-opcode frame, or orphan continuation) being recorded. */
interface Control {
  index: number;
  bytes: Uint8Array;
  fill: number;
  record: ObservedControl;
}

export class StreamRecorder {
  readonly stream: ObservedStream;
  /** The decoder events this recorder needs, for attaching it to a decoder it does not own. */
  readonly listeners: RecorderListeners;
  /** Called after every change that a waiter might look at (a message, a control frame, the end). */
  onChange: (() => void) | null = null;

  private readonly decoder: FrameDecoder | null;
  private readonly clock: () => number;
  private readonly keepBytes: number;
  private readonly maxFrames: number;
  private readonly collector: MessageCollector;
  private building: Building | null = null;
  /** The message the frame in progress belongs to (a data frame), else null. */
  private current: Building | null = null;
  private control: Control | null = null;
  private dataFrames = 0;
  private now = 0;
  /** Set by freeze(): what the decoder reports is no longer recorded. */
  private frozen = false;

  /** A recorder with its own decoder: feed it with `push`. */
  constructor(options: RecorderOptions, ownDecoder = true) {
    this.clock = options.clock ?? (() => performance.now());
    this.keepBytes = options.keepBytes ?? DEFAULT_KEEP_BYTES;
    this.maxFrames = options.maxFrames ?? DEFAULT_MAX_FRAMES;
    const extensions = options.extensions ?? null;
    this.stream = { frames: [], messages: [], controls: [], violations: [], extensions, bytes: 0, stopped: null, endedAt: null };
    this.collector = new MessageCollector({
      limit: Math.max(this.keepBytes, EDGE_BYTES),
      tail: EDGE_BYTES,
      onMessage: (m) => this.finishMessage(m, true),
    });
    const collect = this.collector.listeners;
    const recording: RecorderListeners = {
      finding: (f) => void this.stream.violations.push({ rule: f.rule, message: f.message, frame: f.frame?.index ?? null }),
      frame: (h) => this.onFrame(h),
      payload: (data) => this.onPayload(data),
      frameEnd: (frame) => this.onFrameEnd(frame),
      close: (close) => {
        // The decoder read the body of the Close whose frameEnd just recorded it.
        const last = this.stream.controls.at(-1);
        if (last && last.frame === close.frame.index) last.close = { code: close.code, reason: close.reason };
      },
      messageStart: (m) => {
        this.onMessageStart(m);
        collect.messageStart(m);
      },
      messageData: (data, m) => {
        const b = this.building;
        if (b !== null) {
          b.appHash.update(data);
          b.appLength += data.length;
        }
        collect.messageData(data, m);
      },
      messageEnd: (m) => collect.messageEnd(m),
      stopped: (stop) => {
        this.stream.stopped = `a 64-bit payload length with its most significant bit set (${stop.rule} at offset ${stop.offset})`;
      },
    };
    // After freeze() the decoder may go on (someone else feeds it), but nothing more is recorded.
    this.listeners = Object.fromEntries(
      Object.entries(recording).map(([name, listener]) => [
        name,
        (...args: unknown[]) => {
          if (!this.frozen) (listener as (...a: unknown[]) => void)(...args);
        },
      ]),
    ) as unknown as RecorderListeners;
    // Decoding stops for good at a length the decoder cannot trust, so the limit is only the recorder's own.
    this.decoder = ownDecoder ? new FrameDecoder(this.listeners, { from: options.from, extensions, maxMessage: 0 }) : null;
  }

  /** A recorder for a decoder fed elsewhere: attach `listeners` to it and call `seen` as bytes arrive. */
  static attached(options: RecorderOptions): StreamRecorder {
    return new StreamRecorder(options, false);
  }

  /** Records bytes seen at time `at` (a recorder with its own decoder). */
  push(chunk: Uint8Array, at: number = this.clock()): void {
    if (this.decoder === null) throw new TypeError('StreamRecorder.push: this recorder is attached to another decoder; call seen()');
    if (this.stream.endedAt !== null) return;
    this.seen(chunk.length, at);
    this.decoder.push(chunk);
    this.onChange?.();
  }

  /** `bytes` more bytes arrived at time `at`: the events they cause are stamped with it. */
  seen(bytes: number, at: number = this.clock()): void {
    if (this.stream.endedAt !== null) return;
    this.now = at;
    this.stream.bytes += bytes;
  }

  /**
   * Stops recording what the decoder reports from now on, without ending the stream: for traffic that is
   * not the observed parties' own (wsdiag closing a sandwich leg itself).
   */
  freeze(): void {
    this.frozen = true;
  }

  /** The stream ended (FIN, reset, close): an unfinished message is recorded as incomplete. */
  end(at: number = this.clock()): void {
    if (this.stream.endedAt !== null) return;
    this.now = at;
    this.decoder?.end();
    this.abandonMessage();
    this.stream.endedAt = at;
    this.onChange?.();
  }

  private onFrame(h: FrameHeader): void {
    // A 64-bit length with its top bit set is where decoding stops (see `stopped`): no frame follows it.
    if (h.length >= 2 ** 63) return;
    if (this.stream.frames.length < this.maxFrames) {
      this.stream.frames.push({
        ...frameFields(h),
        maskKey: h.maskKey ? Buffer.from(h.maskKey).toString('hex') : null,
        lengthForm: h.lengthForm,
        at: this.now,
      });
    }
    // The decoder's message assembly decides (messageStart follows for a new message): a text or binary
    // frame starts one, abandoning one left unfinished; a continuation belongs to the one in progress.
    const isData = h.opcode === Opcode.Text || h.opcode === Opcode.Binary;
    if (isData) {
      this.abandonMessage();
      this.startMessage(h);
    }
    this.current = isData || h.opcode === Opcode.Continuation ? this.building : null;
    if (this.current !== null) {
      this.dataFrames++;
      const m = this.current.message;
      m.frameLengths.push(h.length);
      m.lastAt = this.now;
      return;
    }
    // Control frames, reserved opcodes and orphan continuations belong to no message.
    this.control = {
      index: h.index,
      bytes: new Uint8Array(Math.min(h.length, MAX_CONTROL_PAYLOAD)),
      fill: 0,
      record: {
        opcode: h.opcode,
        frame: h.index,
        payload: EMPTY,
        length: h.length,
        dataFramesBefore: this.dataFrames,
        close: null,
        at: this.now,
      },
    };
  }

  private startMessage(h: FrameHeader): void {
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
        head: EMPTY,
        tail: EMPTY,
        bytes: null,
        complete: false,
        firstAt: this.now,
        lastAt: this.now,
      },
      compressed: false,
      appHash: createHash('sha256'),
      appLength: 0,
      wireHash: null,
    };
  }

  private onMessageStart(m: MessageInfo): void {
    const b = this.building;
    if (b === null) return;
    b.compressed = m.compressed;
    if (m.compressed) b.wireHash = createHash('sha256');
  }

  private onPayload(data: Uint8Array): void {
    const b = this.current;
    if (b !== null) {
      b.message.wireLength += data.length;
      b.wireHash?.update(data);
      return;
    }
    const control = this.control;
    if (control === null) return;
    const n = Math.min(data.length, control.bytes.length - control.fill);
    if (n > 0) control.bytes.set(data.subarray(0, n), control.fill);
    control.fill += n;
  }

  private onFrameEnd(frame: FrameRef): void {
    const control = this.control;
    if (this.current !== null || control === null || control.index !== frame.index) return;
    this.control = null;
    control.record.payload = control.bytes;
    this.stream.controls.push(control.record);
  }

  /** A message the sender never finished (cut off by a new one, or by the end of the stream). */
  private abandonMessage(): void {
    if (this.building === null) return;
    const pending = this.collector.pending();
    this.finishMessage(pending ? { data: pending.data, truncated: pending.truncated, tail: pending.tail, sizeKnown: false } : null, false);
  }

  private finishMessage(collected: Pick<CollectedMessage, 'data' | 'truncated' | 'tail' | 'sizeKnown'> | null, complete: boolean): void {
    const b = this.building;
    if (b === null) return;
    this.building = null;
    const m = b.message;
    const data = collected?.data ?? EMPTY;
    const appSha = b.appHash.digest('hex');
    m.length = b.appLength;
    m.sha256 = b.compressed && !(complete && collected?.sizeKnown) ? null : appSha;
    m.wireSha256 = b.wireHash ? b.wireHash.digest('hex') : appSha;
    m.head = data.subarray(0, EDGE_BYTES);
    m.tail = collected?.tail ?? EMPTY;
    m.bytes = m.length <= this.keepBytes && !collected?.truncated ? data : null;
    m.complete = complete;
    this.stream.messages.push(m);
  }
}
