/**
 * The fault injector's event (`wsdiag chaos`): one `fault` per change a toxic made to the traffic, written
 * before the bytes it concerns, so a violation (here, in a `wsdiag proxy` downstream, or in the endpoint's
 * Close) can be read next to its cause.
 */
import type { Direction, EventBase, FrameRef } from './base.js';

/** A value in a fault's before/after record. */
export type FaultValue = number | string | boolean | null;
export type FaultValues = Record<string, FaultValue>;

export interface FaultEvent extends EventBase {
  type: 'fault';
  conn: string;
  dir: Direction;
  /** The frame as the sender sent it (index and offset in the sender's stream); null for bandwidth and reset. */
  frame: FrameRef | null;
  /**
   * The index, in the stream the receiver gets, of the first frame the fault produced or changed (for a
   * dropped frame: the index the next frame gets): what a decoder downstream calls it. Null for bandwidth
   * and reset, which act on bytes.
   */
  out_index: number | null;
  /** The byte offset, in the stream the receiver gets, where that frame starts (bandwidth, reset: where they act). */
  out_offset: number;
  /** The toxic's name. */
  toxic: string;
  /** The toxic's type (`rsv`, `drop`…; docs/chaos.md lists them). */
  toxic_type: string;
  /** One sentence: what was changed. */
  message: string;
  /** The changed fields before and after, where that says more than the sentence (`{"rsv1": false}` → `{"rsv1": true}`). */
  before?: FaultValues;
  after?: FaultValues;
}
