/**
 * The chaos engine for one direction of one connection, sans-IO: bytes in, actions out (types.ts
 * `ChaosAction`). The relay pushes what the sender sent and performs the actions toward the receiver,
 * as they come (`pushInto`, to a ChaosOutput such as the ActionRunner) or as a list (`push`); the engine
 * owns no socket and no timer (time comes in as `now`).
 *
 * Frames are found by the project's one parser (FrameDecoder), asked for frame boundaries only: it checks,
 * unmasks and inflates nothing, since the analyzer judges what the receiver gets with a decoder of its own.
 * Before each frame the toxics of the direction are asked, in order, what to do (plan.ts); then:
 * - a frame no toxic touches is forwarded as it came, byte for byte, streamed (views of the input chunks):
 *   its payload is never read, so it costs the engine its header and nothing more;
 * - a frame with a new header, payload patches, fragments or a cut is re-encoded as its payload streams in
 *   (writer.ts), masked toward the server with a fresh key and unmasked toward the client unless a toxic
 *   says otherwise: the engine unmasks the payload of such a frame (and of a held one) itself, from the
 *   input chunks;
 * - only two things hold bytes: a control frame being copied or given a new Close body (≤ 125 bytes), and
 *   a message being coalesced (up to the toxic's `max_bytes`; beyond that, or when a control frame comes
 *   between its fragments or the stream ends, the held frames go out exactly as they came).
 *
 * Toxics are read from the source at every frame, so changes apply to the next frame of open connections.
 * Every random choice comes from generators derived from (seed, connection, direction, toxic name) (and
 * masking keys from (seed, connection, direction)): the same seed on the same traffic gives the same bytes
 * and faults, however the traffic was split into chunks (except where `now` matters: bandwidth).
 */
import type { Direction, FrameRef } from '../events/index.js';
import { senderOf } from '../events/index.js';
import {
  Opcode,
  FrameDecoder,
  concatBytes,
  encodeFrame,
  type FrameSpec,
  negotiatedDeflate,
  unmask,
  type DecoderSink,
  type FrameHeader,
} from '../protocol/index.js';
import { FramePlan, matchesSelector, type FrameInfo, type PendingFault, type ToxicRef } from './plan.js';
import { derivePrng, Prng } from './random.js';
import { toxicDefinition, type FrameContext } from './toxics/index.js';
import type { AnyToxic, ChaosAction, ChaosOutput, FaultRecord, FaultValues, FrameSelector } from './types.js';
import { FrameWriter, type WriterPort } from './writer.js';

/** A toxic as the engine reads it; `id` changes when a toxic is added again, not when it is updated. */
export interface ActiveToxic {
  readonly id: number;
  readonly toxic: AnyToxic;
}

/** Where the engine reads the toxics of its direction (the registry, or a fixed list in tests). */
export interface ToxicSource {
  /** Changes whenever a toxic is added, updated or removed. */
  readonly version: number;
  toxicsFor(direction: Direction): readonly ActiveToxic[];
}

/** A fixed set of toxics (tests, benchmarks, a config without the API). */
export function staticToxics(toxics: readonly AnyToxic[]): ToxicSource {
  const active = toxics.map((toxic, id) => ({ id, toxic }));
  return {
    version: 0,
    toxicsFor: (direction) => active.filter((a) => a.toxic.stream === direction),
  };
}

export interface ChaosDirectionOptions {
  direction: Direction;
  toxics: ToxicSource;
  /** The run seed. */
  seed: string;
  /**
   * A name for the connection that is the same from one run to the next (the connection id without its
   * run part, e.g. `c1`): it picks the connection's generators.
   */
  connection: string;
  /** The Sec-WebSocket-Extensions value the server accepted (permessage-deflate framing and toxics). */
  extensions?: string | null;
}

const enum Mode {
  /** Between frames (or in a header). */
  Idle,
  /** In a frame forwarded as it came. */
  Pass,
  /** In a frame being re-encoded as it streams. */
  Stream,
  /** In a control frame held whole (copies, new Close body). */
  Hold,
  /** In a dropped frame. */
  Drop,
  /** In a frame of a message being coalesced. */
  Coalesce,
}

/** Per toxic and direction: its generator and its per-connection decision (stream toxics). */
interface ToxicState {
  readonly prng: Prng;
  /** The toxic as faults name it (name and type never change for an id). */
  readonly ref: ToxicRef;
  connectionRoll: { toxicity: number; affected: boolean } | null;
  reported: boolean;
}

interface HeldFrame {
  header: FrameHeader;
  pieces: Uint8Array[];
}

interface Coalescing {
  toxic: ToxicRef;
  maxBytes: number;
  total: number;
  frames: HeldFrame[];
  /** The first frame of `frames`, and the last (the one the payload arriving now belongs to). */
  first: HeldFrame;
  last: HeldFrame;
}

const EMPTY = new Uint8Array(0);

/** Where actions would go outside a push or end (nowhere: the engine acts only during one). */
const DISCARD: ChaosOutput = { write: () => {}, delay: () => {}, end: () => {}, reset: () => {}, fault: () => {} };

/**
 * Where the payload of a frame being re-encoded is unmasked, piece by piece, on its way to the writer
 * (which copies what it writes): one area for every engine, since a push runs to its end synchronously
 * and nothing keeps a view of it.
 */
const UNMASK_PIECE = 16 * 1024;
let unmaskArea: Uint8Array | null = null;

export class ChaosDirection {
  readonly direction: Direction;
  /** Faults reported so far. */
  faultCount = 0;
  /** Bytes pushed after the engine ended or reset the stream (not forwarded). */
  discardedBytes = 0;

  private readonly source: ToxicSource;
  private readonly seed: string;
  private readonly connection: string;
  private readonly deflate: boolean;
  private readonly decoder: FrameDecoder;
  private readonly keys: Prng;
  private readonly port: WriterPort;
  private readonly states = new Map<number, ToxicState>();
  private statesVersion = -1;
  /** The direction's toxics with a frame hook, and those acting on the stream, as of `toxicsVersion`. */
  private frameToxics: readonly ActiveToxic[] = [];
  private streamToxics: readonly ActiveToxic[] = [];
  private toxicsVersion = -1;
  private done = false;
  /** Where the actions of the push or end in progress go. */
  private out: ChaosOutput = DISCARD;
  private now = 0;

  // Input: the stream offset of the chunk being pushed, the bytes of an earlier chunk not yet forwarded (a
  // partial header), and how far the input has been accounted for (forwarded, re-encoded or dropped).
  private inputOffset = 0;
  private chunk: Uint8Array = EMPTY;
  private chunkStart = 0;
  private carry: Uint8Array = EMPTY;
  private carryStart = 0;
  private emitted = 0;

  // Output: bytes and frames the receiver was sent; time shaping.
  private outputOffset = 0;
  private outFrames = 0;
  private holdUntil = Number.NEGATIVE_INFINITY;
  private linkFree = Number.NEGATIVE_INFINITY;

  // The frame in progress.
  private mode: Mode = Mode.Idle;
  private header: FrameHeader | null = null;
  private plan: FramePlan | null = null;
  private writer: FrameWriter | null = null;
  private held: Uint8Array[] = [];
  private frameEndOffset = 0;
  /**
   * The payload of the frame the engine claimed (re-encoded, held or coalesced): where it starts in the
   * stream, how far it was handed on, and its masking key as sent.
   */
  private payloadStart = 0;
  private payloadFed = 0;
  private payloadKey: Uint8Array | null = null;
  /** The plan the next frame is decided in, the frame's place in its message, and the context toxics get. */
  private scratchPlan = new FramePlan();
  private readonly info: FrameInfo = {
    header: null as unknown as FrameHeader,
    first: false,
    messageOpcode: null,
    messageOffset: 0,
    compressed: false,
  };
  private readonly asking: Asking;
  private message: { opcode: number; compressed: boolean; bytes: number } | null = null;
  private coalescing: Coalescing | null = null;

  constructor(options: ChaosDirectionOptions) {
    this.direction = options.direction;
    this.source = options.toxics;
    this.seed = options.seed;
    this.connection = options.connection;
    const deflate = negotiatedDeflate(options.extensions);
    this.deflate = deflate !== null && !('error' in deflate);
    this.keys = derivePrng(options.seed, options.connection, options.direction, 'masking keys');
    this.asking = new Asking(this.info, options.direction, this.deflate);
    this.port = {
      write: (bytes) => this.emitWrite(bytes),
      key: () => this.keys.key(),
      cut: () => {
        this.out.end();
        this.done = true;
      },
      finished: () => this.done,
    };
    // No payload listener: the decoder reads no payload, the engine reads the payload it needs (feedPayload).
    const sink: DecoderSink = {
      finding: () => {},
      frame: (header) => this.onFrame(header),
      frameEnd: () => this.onFrameEnd(),
      stopped: () => this.abortCoalescing(),
    };
    // Frames only: the engine judges nothing (and the decoder never holds a frame).
    this.decoder = new FrameDecoder(sink, {
      from: senderOf(options.direction),
      extensions: options.extensions ?? null,
      maxMessage: 0,
      framesOnly: true,
    });
  }

  /** True once the engine ended or reset the stream: it returns no more actions. */
  get finished(): boolean {
    return this.done;
  }

  /** Bytes pushed so far (including discarded ones), and bytes written toward the receiver. */
  get bytesIn(): number {
    return this.inputOffset + this.discardedBytes;
  }

  get bytesOut(): number {
    return this.outputOffset;
  }

  /** The sender's next bytes; `now` is a monotonic clock in milliseconds (what `delay` actions count from). */
  push(chunk: Uint8Array, now: number): ChaosAction[] {
    const list = new ActionList();
    this.pushInto(list, chunk, now);
    return list.actions;
  }

  /** `push`, with each action handed to `out` as it is decided (nothing collected). */
  pushInto(out: ChaosOutput, chunk: Uint8Array, now: number): void {
    if (this.done) {
      this.discardedBytes += chunk.length;
      return;
    }
    if (chunk.length === 0) return;
    this.out = out;
    this.now = now;
    this.chunk = chunk;
    this.chunkStart = this.inputOffset;
    this.inputOffset += chunk.length;
    this.decoder.push(chunk);
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the call above can end the stream (a toxic's reset); TypeScript keeps the narrowing from the check before it
    if (!this.done) this.settle();
    this.chunk = EMPTY;
    this.chunkStart = this.inputOffset;
  }

  /**
   * Takes a chunk the engine can tell goes out exactly as it came before reading it: no toxic acts on the
   * direction and nothing of earlier chunks is held back (a partial header, a frame being re-encoded, held
   * or coalesced). The engine follows its frames (a toxic added later applies from the next frame) and
   * returns true: the caller writes the chunk itself, nothing else is to be done. Returns false, having
   * done nothing, otherwise: give the chunk to `pushInto`.
   *
   * A header the chunk ends in the middle of goes out with it (rather than waiting to be whole, as with
   * toxics on): that frame has begun, so a toxic added before the rest arrives applies from the next one.
   */
  pushUnchanged(chunk: Uint8Array): boolean {
    if (this.done || this.coalescing !== null || this.emitted !== this.inputOffset) return false;
    if (this.mode !== Mode.Idle && this.mode !== Mode.Pass) return false;
    this.refreshToxics();
    if (this.frameToxics.length > 0 || this.streamToxics.length > 0) return false;
    // Every frame of the chunk passes (onFrame, with no toxic), and nothing is written on the way.
    this.chunkStart = this.inputOffset;
    this.inputOffset += chunk.length;
    this.decoder.push(chunk);
    this.chunkStart = this.inputOffset;
    this.emitted = this.inputOffset;
    this.outputOffset += chunk.length;
    this.carry = EMPTY;
    return true;
  }

  /**
   * The sender ended its stream (FIN): what is still held goes out as it came, then `end`. Returns nothing
   * when the engine already ended or reset the stream.
   */
  end(now: number): ChaosAction[] {
    const list = new ActionList();
    this.endInto(list, now);
    return list.actions;
  }

  /** `end`, with each action handed to `out` as it is decided. */
  endInto(out: ChaosOutput, now: number): void {
    if (this.done) return;
    this.out = out;
    this.now = now;
    this.decoder.end();
    if (this.mode === Mode.Hold && this.header) {
      this.sendOriginal(this.header, this.held);
    } else {
      this.abortCoalescing();
      if (this.mode === Mode.Idle || this.mode === Mode.Pass) this.flushRaw(this.inputOffset);
    }
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the call above can end the stream (a toxic's reset); TypeScript keeps the narrowing from the check before it
    if (!this.done) this.out.end();
    this.done = true;
  }

  // -------------------------------------------------------------------------------------------------
  // Decoder events

  private onFrame(h: FrameHeader): void {
    if (this.done) return;
    const info = this.classify(h);
    // Its first bytes already went out, with a chunk no toxic could change (pushUnchanged): it passes.
    if (h.offset < this.emitted) {
      this.pass();
      return;
    }
    if (this.coalescing) {
      if (h.opcode === Opcode.Continuation && this.coalescing.total + h.length <= this.coalescing.maxBytes) {
        const kept = this.claim(h);
        if (!kept) return;
        const frame: HeldFrame = { header: kept, pieces: [] };
        this.coalescing.total += h.length;
        this.coalescing.frames.push(frame);
        this.coalescing.last = frame;
        this.mode = Mode.Coalesce;
        return;
      }
      this.abortCoalescing();
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the call above can end the stream (a toxic's reset); TypeScript keeps the narrowing from the check before it
      if (this.done) return;
    }
    this.refreshToxics();
    const toxics = this.frameToxics;
    // A 64-bit length with its top bit set stops the decoder: nothing after it can be framed, so forward.
    if (toxics.length === 0 || h.length > Number.MAX_SAFE_INTEGER) {
      this.pass();
      return;
    }
    const plan = this.decide(toxics, info);
    if (plan.coalesce) {
      const kept = this.claim(h);
      if (!kept) return;
      const frame: HeldFrame = { header: kept, pieces: [] };
      this.coalescing = {
        toxic: plan.coalesce.toxic,
        maxBytes: plan.coalesce.maxBytes,
        total: h.length,
        frames: [frame],
        first: frame,
        last: frame,
      };
      this.mode = Mode.Coalesce;
      return;
    }
    if (plan.delayMs !== null || plan.injections.length > 0) {
      this.flushRaw(h.offset);
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the call above can end the stream (a toxic's reset); TypeScript keeps the narrowing from the check before it
      if (this.done) return;
      let injection = 0;
      for (const fault of plan.faults) {
        if (fault.stage === 'frame') continue;
        this.report(fault, refOf(h), this.outFrames + (fault.stage === 'injection' ? injection++ : plan.injections.length));
      }
      if (plan.delayMs !== null) this.holdFor(plan.delayMs);
      for (const ping of plan.injections) this.inject(ping.payload, ping.masked);
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the call above can end the stream (a toxic's reset); TypeScript keeps the narrowing from the check before it
      if (this.done) return;
    }
    if (plan.dropped) {
      if (!this.claim(h)) return;
      this.reportFrameFaults(plan);
      this.mode = Mode.Drop;
      return;
    }
    if (!plan.rewrites) {
      this.pass();
      return;
    }
    const kept = this.claim(h);
    if (!kept) return;
    // The frame keeps this plan: the next one is decided in a new one.
    this.scratchPlan = new FramePlan();
    this.header = kept;
    this.plan = plan;
    if (plan.holds) {
      this.mode = Mode.Hold;
      this.held = [];
      return;
    }
    this.reportFrameFaults(plan);
    // A frame shortened without ending the stream is written with the shorter length.
    const length = plan.truncateKeep !== null && !plan.truncateEnds ? plan.truncateKeep : h.length;
    const writer = new FrameWriter(this.port, kept, plan, length, this.maskOutput(plan));
    this.writer = writer;
    this.mode = Mode.Stream;
    this.outFrames += writer.frames;
    writer.start();
  }

  /**
   * Hands the claimed frame's payload that arrived in this push, up to stream offset `to`, to where it goes
   * (the writer, or the held pieces), unmasked. A frame's payload comes only in pushes after its header is
   * whole, so what is not yet handed on is all in the chunk being pushed.
   */
  private feedPayload(to: number): void {
    const mode = this.mode;
    if (mode !== Mode.Stream && mode !== Mode.Hold && mode !== Mode.Coalesce) return;
    const from = this.payloadFed;
    const end = Math.min(to, this.frameEndOffset);
    if (end <= from) return;
    this.payloadFed = end;
    const chunk = this.chunk;
    const at = chunk.byteOffset + from - this.chunkStart;
    const position = from - this.payloadStart;
    const key = this.payloadKey;
    if (mode === Mode.Stream) {
      const writer = this.writer;
      if (this.done || !writer) return;
      if (key === null) {
        writer.piece(new Uint8Array(chunk.buffer, at, end - from), position);
        return;
      }
      const area = (unmaskArea ??= new Uint8Array(UNMASK_PIECE));
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a piece written can end the stream (a toxic's reset); TypeScript keeps the narrowing from the check above
      for (let s = from; s < end && !this.done; s += UNMASK_PIECE) {
        const n = Math.min(UNMASK_PIECE, end - s);
        const start = s - this.chunkStart;
        unmask(area, 0, chunk, start, start + n, key, s - this.payloadStart);
        writer.piece(area.subarray(0, n), s - this.payloadStart);
      }
      return;
    }
    // Held: a copy of its own (the chunk is the relay's).
    const piece = new Uint8Array(end - from);
    if (key === null) piece.set(new Uint8Array(chunk.buffer, at, end - from));
    else unmask(piece, 0, chunk, from - this.chunkStart, end - this.chunkStart, key, position);
    if (mode === Mode.Hold) this.held.push(piece);
    else this.coalescing?.last.pieces.push(piece);
  }

  private onFrameEnd(): void {
    this.feedPayload(this.frameEndOffset);
    const mode = this.mode;
    this.mode = Mode.Idle;
    if (this.done || mode === Mode.Idle || mode === Mode.Pass) return;
    this.emitted = this.frameEndOffset;
    // A frame is held or coalesced only with its header, plan and coalescing state set (onFrame).
    if (mode === Mode.Hold && this.header && this.plan) this.finishHold(this.header, this.plan);
    else if (mode === Mode.Coalesce && this.coalescing?.last.header.fin) this.finishCoalescing(this.coalescing);
    this.writer = null;
    this.header = null;
    this.plan = null;
  }

  // -------------------------------------------------------------------------------------------------
  // Decisions

  /** Where the frame stands in its message (judged on the input, whatever the toxics do to it). */
  private classify(h: FrameHeader): FrameInfo {
    const info = this.info;
    info.header = h;
    info.first = false;
    info.messageOpcode = null;
    info.messageOffset = 0;
    info.compressed = false;
    const op = h.opcode;
    if (op === Opcode.Text || op === Opcode.Binary) {
      info.first = true;
      info.messageOpcode = op;
      info.compressed = h.rsv1 && this.deflate;
      this.message = h.fin ? null : { opcode: op, compressed: info.compressed, bytes: h.length };
      return info;
    }
    const message = this.message;
    if (op === Opcode.Continuation && message) {
      info.messageOpcode = message.opcode;
      info.messageOffset = message.bytes;
      info.compressed = message.compressed;
      message.bytes += h.length;
      if (h.fin) this.message = null;
    }
    return info;
  }

  /** Asks each toxic of the direction, in order; a drop or a coalesce ends the asking. */
  private decide(toxics: readonly ActiveToxic[], info: FrameInfo): FramePlan {
    const plan = this.scratchPlan.reset(info.header);
    const asking = this.asking;
    asking.plan = plan;
    for (const active of toxics) {
      const definition = toxicDefinition(active.toxic.type);
      const faultsBefore = plan.faults.length;
      const delayBefore = plan.delayMs;
      const injectionsBefore = plan.injections.length;
      asking.ask(active.toxic, this.state(active));
      definition.frame?.(asking);
      // Delays and injections happen before the frame: their faults are reported there.
      if (plan.faults.length > faultsBefore) {
        const stage = plan.injections.length !== injectionsBefore ? 'injection' : plan.delayMs !== delayBefore ? 'prefix' : 'frame';
        for (const fault of plan.faults.slice(faultsBefore)) fault.stage = stage;
      }
      if (plan.dropped || plan.coalesce) break;
    }
    return plan;
  }

  /** Reads the direction's toxics again, by kind, when the source changed. */
  private refreshToxics(): void {
    if (this.toxicsVersion === this.source.version) return;
    this.toxicsVersion = this.source.version;
    const all = this.source.toxicsFor(this.direction);
    this.frameToxics = all.filter((a) => toxicDefinition(a.toxic.type).frame !== undefined);
    this.streamToxics = all.filter((a) => toxicDefinition(a.toxic.type).stream !== undefined);
  }

  private state(active: ActiveToxic): ToxicState {
    if (this.statesVersion !== this.source.version) {
      this.statesVersion = this.source.version;
      const live = new Set(this.source.toxicsFor(this.direction).map((a) => a.id));
      for (const id of this.states.keys()) if (!live.has(id)) this.states.delete(id);
    }
    let state = this.states.get(active.id);
    if (!state) {
      state = {
        prng: derivePrng(this.seed, this.connection, this.direction, active.toxic.name),
        ref: { name: active.toxic.name, type: active.toxic.type },
        connectionRoll: null,
        reported: false,
      };
      this.states.set(active.id, state);
    }
    return state;
  }

  // -------------------------------------------------------------------------------------------------
  // Frames

  private pass(): void {
    this.mode = Mode.Pass;
    this.outFrames++;
  }

  /**
   * The frame's bytes are the engine's to write: forward what precedes it, skip its header. Returns the
   * header to keep (with a masking key of its own: the decoder's is valid during its `frame` call only),
   * or null when the engine stopped on the way (nothing more to do).
   */
  private claim(h: FrameHeader): FrameHeader | null {
    this.flushRaw(h.offset);
    const kept = h.maskKey ? { ...h, maskKey: h.maskKey.slice() } : h;
    this.emitted = h.offset + h.headerLength;
    this.frameEndOffset = this.emitted + h.length;
    this.payloadStart = this.emitted;
    this.payloadFed = this.emitted;
    this.payloadKey = kept.maskKey;
    this.carry = EMPTY;
    // Forwarding what came before may have fired a reset.
    return this.done ? null : kept;
  }

  private maskOutput(plan: FramePlan): boolean {
    return plan.mask ?? this.direction === 'client->server';
  }

  private inject(payload: Uint8Array, masked: boolean): void {
    const spec: FrameSpec = { opcode: Opcode.Ping, payload };
    if (masked) spec.mask = this.keys.key();
    this.outFrames++;
    this.emitWrite(encodeFrame(spec));
  }

  private finishHold(h: FrameHeader, plan: FramePlan): void {
    let payload = concatBytes(this.held);
    this.held = [];
    this.reportFrameFaults(plan);
    if (plan.closeRewrite) {
      const { code, reason, toxic } = plan.closeRewrite;
      const [high, low] = payload;
      const old = high !== undefined && low !== undefined ? (high << 8) | low : null;
      const reasonBytes = reason === null ? payload.subarray(Math.min(2, payload.length)) : new TextEncoder().encode(reason);
      payload = concatBytes([Uint8Array.of(code >> 8, code & 0xff), reasonBytes]);
      const message = `replaced the close code of Close #${h.index} (${old ?? 'none'}) with ${code}${reason === null ? '' : ' and its reason'}`;
      this.report(pendingFault(toxic, message, { code: old }, { code }), refOf(h), this.outFrames);
    }
    const masked = this.maskOutput(plan);
    for (let copy = 0; copy <= plan.copies && !this.done; copy++) {
      const writer = new FrameWriter(this.port, h, plan, payload.length, masked);
      this.outFrames += writer.frames;
      writer.start();
      if (payload.length > 0) writer.piece(payload, 0);
    }
  }

  private finishCoalescing(c: Coalescing): void {
    this.coalescing = null;
    const first = c.first.header;
    const payload = concatBytes(c.frames.flatMap((f) => f.pieces));
    const spec: FrameSpec = {
      opcode: first.opcode,
      fin: true,
      rsv1: first.rsv1,
      rsv2: first.rsv2,
      rsv3: first.rsv3,
      payload,
    };
    if (this.direction === 'client->server') spec.mask = this.keys.key();
    const last = c.last.header.index;
    const kind = first.opcode === Opcode.Text ? 'text' : 'binary';
    const message = `merged the ${c.frames.length} frames (#${first.index} to #${last}) of a ${kind} message into one frame of ${payload.length} bytes`;
    this.report(pendingFault(c.toxic, message, { frames: c.frames.length }, { frames: 1 }), refOf(first), this.outFrames);
    this.outFrames++;
    this.emitWrite(encodeFrame(spec));
  }

  /** Gives up coalescing: the held frames go out exactly as they came. */
  private abortCoalescing(): void {
    const c = this.coalescing;
    if (!c) return;
    this.coalescing = null;
    for (const frame of c.frames) this.sendOriginal(frame.header, frame.pieces);
    // Cut short by the end of the stream: what arrived of the frame went out with it.
    if (this.mode === Mode.Coalesce) {
      this.mode = Mode.Pass;
      this.emitted = this.decoder.bytesSeen;
    }
  }

  /** Re-encodes a held frame (or the part of it that arrived) exactly as the sender wrote it. */
  private sendOriginal(h: FrameHeader, pieces: readonly Uint8Array[]): void {
    const spec: FrameSpec = {
      opcode: h.opcode,
      fin: h.fin,
      rsv1: h.rsv1,
      rsv2: h.rsv2,
      rsv3: h.rsv3,
      lengthForm: h.lengthForm,
      declaredLength: h.length,
      payload: concatBytes(pieces),
    };
    if (h.maskKey) spec.mask = h.maskKey;
    this.outFrames++;
    this.emitWrite(encodeFrame(spec));
  }

  // -------------------------------------------------------------------------------------------------
  // Output

  /** End of a push: forward what can be, keep a partial header for the next push. */
  private settle(): void {
    const mode = this.mode;
    if (mode === Mode.Stream || mode === Mode.Hold || mode === Mode.Coalesce) {
      this.feedPayload(this.inputOffset);
      return;
    }
    if (mode === Mode.Drop) return;
    if (this.decoder.stopped || mode === Mode.Pass) {
      this.flushRaw(this.decoder.bytesSeen);
      return;
    }
    const start = this.decoder.frameStart;
    this.flushRaw(start);
    const end = this.decoder.bytesSeen;
    this.carry = end > start ? this.rawBytes(start, end).slice() : EMPTY;
    this.carryStart = start;
  }

  /** Forwards the input bytes from where the engine stands up to `to`, as they came (views, never joined). */
  private flushRaw(to: number): void {
    const from = this.emitted;
    if (to <= from) return;
    this.emitted = to;
    const start = this.chunkStart;
    if (from < start) this.emitWrite(this.carry.subarray(from - this.carryStart, Math.min(to, start) - this.carryStart));
    if (to > start) {
      const chunk = this.chunk;
      const at = Math.max(from, start) - start;
      // The whole chunk as it came (most pushes), else a plain view, not chunk.subarray(): on a Buffer that
      // goes through Symbol.species and costs more.
      if (at === 0 && to - start === chunk.length) this.emitWrite(chunk);
      else this.emitWrite(new Uint8Array(chunk.buffer, chunk.byteOffset + at, to - start - at));
    }
  }

  /** Input bytes [from, to) (a partial header: at most 13 bytes), for the carry. */
  private rawBytes(from: number, to: number): Uint8Array {
    const start = this.chunkStart;
    if (from >= start) return this.chunk.subarray(from - start, to - start);
    const carried = this.carry.subarray(from - this.carryStart, Math.min(to, start) - this.carryStart);
    return to <= start ? carried : concatBytes([carried, this.chunk.subarray(0, to - start)]);
  }

  /** Writes toward the receiver through the stream toxics (bandwidth, reset). */
  private emitWrite(bytes: Uint8Array): void {
    if (this.done || bytes.length === 0) return;
    let rate: number | null = null;
    let resetAfter: { bytes: number; toxic: ToxicRef } | null = null;
    this.refreshToxics();
    for (const active of this.streamToxics) {
      const definition = toxicDefinition(active.toxic.type);
      const state = this.state(active);
      if (state.connectionRoll?.toxicity !== active.toxic.toxicity) {
        state.connectionRoll = { toxicity: active.toxic.toxicity, affected: roll(state.prng, active.toxic.toxicity) };
      }
      if (!state.connectionRoll.affected) continue;
      const effect = definition.stream?.(active.toxic.attributes);
      if (!effect) continue;
      const ref: ToxicRef = { name: active.toxic.name, type: active.toxic.type };
      if (effect.kind === 'rate') {
        if (!state.reported) {
          state.reported = true;
          this.report(
            pendingFault(ref, `limited ${this.direction} to ${effect.bytesPerSecond / 1000} KB/s`, undefined, {
              bytes_per_second: effect.bytesPerSecond,
            }),
            null,
            null,
          );
        }
        rate = rate === null ? effect.bytesPerSecond : Math.min(rate, effect.bytesPerSecond);
      } else if (resetAfter === null || effect.bytes < resetAfter.bytes) {
        resetAfter = { bytes: effect.bytes, toxic: ref };
      }
    }
    if (resetAfter && this.outputOffset + bytes.length >= resetAfter.bytes) {
      this.send(bytes.subarray(0, Math.max(0, resetAfter.bytes - this.outputOffset)), rate);
      this.report(
        pendingFault(resetAfter.toxic, `reset the connection after ${this.outputOffset} bytes of ${this.direction}`, undefined, {
          bytes: this.outputOffset,
        }),
        null,
        null,
      );
      this.out.reset();
      this.done = true;
      return;
    }
    this.send(bytes, rate);
  }

  private send(bytes: Uint8Array, bytesPerSecond: number | null): void {
    if (bytes.length === 0) return;
    if (bytesPerSecond === null) {
      this.out.write(bytes);
      this.outputOffset += bytes.length;
      return;
    }
    // In pieces of about 50 ms, each sent when the link has carried the one before.
    const piece = Math.max(256, Math.floor(bytesPerSecond / 20));
    for (let at = 0; at < bytes.length; at += piece) {
      const part = bytes.subarray(at, at + piece);
      const start = Math.max(this.now, this.linkFree, this.holdUntil);
      if (start > this.now) this.holdFor(start - this.now);
      this.linkFree = start + (part.length * 1000) / bytesPerSecond;
      this.out.write(part);
      this.outputOffset += part.length;
    }
  }

  /** Holds what follows until `ms` after now (an earlier hold already later than that stands). */
  private holdFor(ms: number): void {
    const until = this.now + ms;
    if (until <= this.holdUntil) return;
    this.holdUntil = until;
    this.out.delay(ms, this.now);
  }

  /** The plan's faults about the frame itself (not those reported before it). */
  private reportFrameFaults(plan: FramePlan): void {
    for (const fault of plan.faults) if (fault.stage === 'frame') this.report(fault, refOf(plan.input), this.outFrames);
  }

  private report(fault: PendingFault, frame: FrameRef | null, outIndex: number | null): void {
    this.faultCount++;
    const record: FaultRecord = {
      dir: this.direction,
      frame,
      out_index: outIndex,
      out_offset: this.outputOffset,
      toxic: fault.toxic.name,
      toxic_type: fault.toxic.type,
      message: fault.message,
    };
    if (fault.before) record.before = fault.before;
    if (fault.after) record.after = fault.after;
    this.out.fault(record);
  }
}

/**
 * The context a toxic is asked in (toxics/toxic.ts FrameContext): one object per engine, pointed at each
 * toxic in turn, so asking allocates nothing per frame.
 */
class Asking implements FrameContext<AnyToxic['attributes']> {
  attributes: AnyToxic['attributes'] = {};
  toxic: ToxicRef = { name: '', type: 'noop' };
  plan: FramePlan = new FramePlan();
  /** A stand-in until the first `ask`, like `toxic` above, so the state is never null. */
  private state: ToxicState = { prng: new Prng([1, 2, 3, 4]), ref: this.toxic, connectionRoll: null, reported: false };
  private toxicity = 1;

  constructor(
    readonly frame: FrameInfo,
    readonly direction: Direction,
    readonly deflate: boolean,
  ) {}

  ask(toxic: AnyToxic, state: ToxicState): void {
    this.attributes = toxic.attributes;
    this.toxicity = toxic.toxicity;
    this.toxic = state.ref;
    this.state = state;
  }

  matches(selector: FrameSelector): boolean {
    return matchesSelector(selector, this.frame);
  }

  roll(): boolean {
    return roll(this.state.prng, this.toxicity);
  }

  random(): number {
    return this.state.prng.random();
  }

  fault(message: string, before?: FaultValues, after?: FaultValues): void {
    this.plan.faults.push(pendingFault(this.toxic, message, before, after));
  }
}

/** Collects actions as a list (what `push` and `end` return). */
class ActionList implements ChaosOutput {
  readonly actions: ChaosAction[] = [];
  write(bytes: Uint8Array): void {
    this.actions.push({ type: 'write', bytes });
  }
  delay(ms: number): void {
    this.actions.push({ type: 'delay', ms });
  }
  end(): void {
    this.actions.push({ type: 'end' });
  }
  reset(): void {
    this.actions.push({ type: 'reset' });
  }
  fault(record: FaultRecord): void {
    this.actions.push({ type: 'fault', fault: record });
  }
}

/** Both directions of one connection. */
export function createChaosConnection(options: Omit<ChaosDirectionOptions, 'direction'>): Record<Direction, ChaosDirection> {
  return {
    'client->server': new ChaosDirection({ ...options, direction: 'client->server' }),
    'server->client': new ChaosDirection({ ...options, direction: 'server->client' }),
  };
}

function roll(prng: Prng, toxicity: number): boolean {
  if (toxicity >= 1) return true;
  if (toxicity <= 0) return false;
  return prng.random() < toxicity;
}

function refOf(h: FrameHeader): FrameRef {
  return { index: h.index, offset: h.offset, opcode: h.opcode, length: h.length };
}

function pendingFault(toxic: ToxicRef, message: string, before?: FaultValues, after?: FaultValues): PendingFault {
  const fault: PendingFault = { toxic, message, stage: 'frame' };
  if (before) fault.before = before;
  if (after) fault.after = after;
  return fault;
}
