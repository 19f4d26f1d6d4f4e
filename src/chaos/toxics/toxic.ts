/**
 * The shape of a toxic type: its attributes, and either a frame hook (asked about every frame of its
 * direction, it decides through the context whether the frame is a candidate, rolls the dice and writes
 * the change into the plan) or a stream effect (acts on the direction's bytes, whatever the frames).
 * Toxics decide; the engine does the byte work, so a toxic file holds only the decision and its words.
 */
import type { Direction } from '../../events/index.js';
import type { AttributeSchemas } from '../attributes.js';
import type { FrameInfo, FramePlan, ToxicRef } from '../plan.js';
import { FRAME_SELECTORS, type FaultValues, type FrameSelector, type ToxicAttributeMap, type ToxicType } from '../types.js';

export interface FrameContext<A> {
  readonly attributes: A;
  /** The toxic being asked (for the changes whose fault the engine reports later). */
  readonly toxic: ToxicRef;
  readonly frame: FrameInfo;
  readonly direction: Direction;
  /** permessage-deflate was negotiated on this connection. */
  readonly deflate: boolean;
  readonly plan: FramePlan;
  /** Whether the frame is one the selector names. */
  matches(selector: FrameSelector): boolean;
  /** True with the toxic's probability (its toxicity); 0 and 1 draw nothing. Call once per candidate. */
  roll(): boolean;
  /** A number in [0, 1) from the toxic's own generator. */
  random(): number;
  /** Records the fault the plan now commits (reported when the frame is written). */
  fault(message: string, before?: FaultValues, after?: FaultValues): void;
}

/** What a stream toxic does to its direction's bytes. */
export type StreamEffect = { kind: 'rate'; bytesPerSecond: number } | { kind: 'reset-after'; bytes: number };

export interface ToxicDefinition<T extends ToxicType> {
  readonly type: T;
  readonly summary: string;
  readonly level: 'frame' | 'stream';
  /** The change is one RFC 6455 allows (a compliant receiver must accept it). */
  readonly valid: boolean;
  readonly attributes: AttributeSchemas<ToxicAttributeMap[T]>;
  /** Rules across attributes: returns the offending attribute and why, or null. */
  check?(attributes: ToxicAttributeMap[T]): { attribute: keyof ToxicAttributeMap[T] & string; error: string } | null;
  frame?(ctx: FrameContext<ToxicAttributeMap[T]>): void;
  stream?(attributes: ToxicAttributeMap[T]): StreamEffect;
}

/** "text frame #3", "pong #4": how faults name a frame. */
export function frameName(frame: FrameInfo): string {
  const h = frame.header;
  const kind =
    h.opcode === 0
      ? 'continuation frame'
      : h.opcode === 1
        ? 'text frame'
        : h.opcode === 2
          ? 'binary frame'
          : h.opcode === 8
            ? 'Close'
            : h.opcode === 9
              ? 'ping'
              : h.opcode === 10
                ? 'pong'
                : `frame with opcode 0x${h.opcode.toString(16)}`;
  return `${kind} #${h.index}`;
}

/** The shared `frames` attribute. */
export function framesAttribute(defaultSelector: FrameSelector, description: string) {
  return {
    kind: 'enum' as const,
    default: defaultSelector,
    values: FRAME_SELECTORS,
    description,
  };
}

export function minimalForm(length: number): 7 | 16 | 64 {
  return length < 126 ? 7 : length < 65536 ? 16 : 64;
}
