/**
 * Re-encodes one frame as it streams in: the planned header (or the headers of its fragments) goes out
 * first, then each piece of payload as it arrives, patched and masked with the output frame's own key.
 * Nothing is held: a fragment's header is written when its first payload byte arrives, since its length is
 * known from the input header.
 */
import { Opcode, encodeFrame, type FrameSpec, unmask, type FrameHeader } from '../protocol/index.js';
import type { FramePlan } from './plan.js';
import { minimalForm } from './toxics/toxic.js';

/** What a writer needs from the engine. */
export interface WriterPort {
  write(bytes: Uint8Array): void;
  /** A fresh masking key. */
  key(): Uint8Array;
  /** The planned cut was reached: end the stream. */
  cut(): void;
  /** The engine stopped (a reset fired while writing): write nothing more. */
  finished(): boolean;
}

export class FrameWriter {
  /** How many frames this writer produces. */
  readonly frames: number;
  private readonly size: number;
  private headerIndex = -1;
  private key: Uint8Array | null = null;
  private done = false;

  /**
   * `length` is the payload length written (the input's, or a rewritten Close body's); `masked` the
   * resolved masking of the output frames.
   */
  constructor(
    private readonly port: WriterPort,
    private readonly input: FrameHeader,
    private readonly plan: FramePlan,
    private readonly length: number,
    private readonly masked: boolean,
  ) {
    this.size = plan.fragmentSize ?? Number.POSITIVE_INFINITY;
    this.frames = length === 0 ? 1 : Math.max(1, Math.ceil(length / this.size));
  }

  start(): void {
    this.writeHeader(0);
    if (this.plan.truncateKeep === 0) this.cut();
  }

  /** Unmasked payload bytes at `position` of the payload (pieces arrive in order, without gaps). */
  piece(data: Uint8Array, position: number): void {
    const keep = this.plan.truncateKeep;
    let i = 0;
    let p = position;
    while (i < data.length && !this.done) {
      if (this.port.finished()) {
        this.done = true;
        return;
      }
      const index = this.size === Number.POSITIVE_INFINITY ? 0 : Math.floor(p / this.size);
      while (this.headerIndex < index) this.writeHeader(this.headerIndex + 1);
      const [from, to] = this.bounds(index);
      let take = Math.min(data.length - i, to - p);
      if (keep !== null) take = Math.min(take, keep - p);
      if (take > 0) {
        const out = data.slice(i, i + take);
        this.patch(out, p);
        if (this.key) unmask(out, 0, out, 0, take, this.key, p - from); // XOR: masking is unmasking
        this.port.write(out);
        i += take;
        p += take;
      }
      if (keep !== null && p >= keep) this.cut();
    }
  }

  private bounds(index: number): [number, number] {
    const from = index === 0 ? 0 : index * this.size;
    return [from, Math.min(this.length, from + this.size)];
  }

  private writeHeader(index: number): void {
    this.headerIndex = index;
    const [from, to] = this.bounds(index);
    const plan = this.plan;
    const first = index === 0;
    const spec: FrameSpec = {
      opcode: first ? plan.opcode : Opcode.Continuation,
      fin: index === this.frames - 1 ? this.input.fin : false,
      rsv1: first && plan.rsv1,
      rsv2: first && plan.rsv2,
      rsv3: first && plan.rsv3,
      declaredLength: to - from,
      lengthForm: first ? this.firstForm(to - from) : minimalForm(to - from),
    };
    if (this.masked) {
      this.key = this.port.key();
      spec.mask = this.key;
    } else {
      this.key = null;
    }
    this.port.write(encodeFrame(spec));
  }

  /** The planned form, else the sender's when the length is unchanged (changing only what toxics say). */
  private firstForm(length: number): 7 | 16 | 64 {
    const minimal = minimalForm(length);
    const wanted = this.plan.lengthForm ?? (length === this.input.length ? this.input.lengthForm : minimal);
    return wanted >= minimal ? wanted : minimal;
  }

  private patch(out: Uint8Array, position: number): void {
    for (const patch of this.plan.patches) {
      const at = patch.position - position;
      const old = out[at];
      if (at < 0 || old === undefined) continue;
      out[at] = patch.mode === 'set' ? patch.value : old | patch.value;
    }
  }

  private cut(): void {
    this.done = true;
    // A shortened frame (its header already says so) just ends here; the rest of its payload is dropped.
    if (this.plan.truncateEnds) this.port.cut();
  }
}
