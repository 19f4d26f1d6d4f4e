/**
 * The event schema every part of wsdiag speaks: one union, one version (docs/events.md is the contract).
 * Every line wsdiag writes as JSON Lines is one of these, whichever command wrote it, so one parser
 * (schema.ts) reads any wsdiag log and one set of sinks (src/reporters) writes any of them. Adding an
 * event type = its interface in one of these files, a member of the union below, its fields in schema.ts,
 * its formatter in src/reporters/format/, and its section in docs/events.md (a test checks all four).
 */
import type { CaptureProblemEvent, GapEvent, StreamEvent } from './capture.js';
import type {
  CloseEvent,
  ErrorEvent,
  FrameEvent,
  ListeningEvent,
  OpenEvent,
  PeerCloseEvent,
  SummaryEvent,
  ViolationEvent,
} from './core.js';
import type { MessageEvent } from './message.js';
import type { HttpEvent, TunnelEvent } from './http.js';
import type { FaultEvent } from './fault.js';
import type { ProbeCaseEvent, ProbeSummaryEvent } from './probe.js';
import type { SandwichFindingEvent, SandwichSummaryEvent } from './sandwich.js';

export * from './base.js';
export type * from './core.js';
export type * from './capture.js';
export type * from './message.js';
export { MESSAGE_KINDS } from './message.js';
export type * from './http.js';
export type * from './probe.js';
export type * from './sandwich.js';
export type * from './fault.js';
export { parseEventLine, EVENT_FIELDS, type ParsedLine } from './schema.js';

export type WsdiagEvent =
  // A connection's story (proxy, ci, sandwich legs, analyze, captures).
  | ListeningEvent
  | OpenEvent
  | FrameEvent
  | ViolationEvent
  | PeerCloseEvent
  | CloseEvent
  | ErrorEvent
  | SummaryEvent
  // The conversation itself (--messages).
  | MessageEvent
  // Plain HTTP through the proxy, and the forward proxy's blind tunnels.
  | HttpEvent
  | TunnelEvent
  // wsdiag probe
  | ProbeCaseEvent
  | ProbeSummaryEvent
  // wsdiag sandwich
  | SandwichFindingEvent
  | SandwichSummaryEvent
  // captures
  | GapEvent
  | StreamEvent
  | CaptureProblemEvent
  // wsdiag chaos
  | FaultEvent;

export type EventType = WsdiagEvent['type'];

/** The event of one type: `EventOf<'violation'>` is ViolationEvent. */
export type EventOf<T extends EventType> = Extract<WsdiagEvent, { type: T }>;
