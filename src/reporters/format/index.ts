/**
 * One formatter per event type: the human log's text of any event any command writes. Pure (event in,
 * text out), so golden tests need no stream and `wsdiag tail` shows a log exactly as the live command did.
 * The table is typed against the event union: an event type without a formatter does not compile.
 */
import type { EventOf, EventType, WsdiagEvent } from '../../events/index.js';
import { Block, type FormatOptions } from './block.js';
import { captureProblem, gap, stream } from './capture.js';
import { fault } from './chaos.js';
import { close, error, frame, listening, open, peerClose, summary, violation } from './core.js';
import { describeAlone } from '../message-views.js';
import { message } from './message.js';
import { http, tunnel } from './http.js';
import { probeCase, probeSummary } from './probe.js';
import { sandwichFinding, sandwichSummary } from './sandwich.js';

export type { FormatOptions } from './block.js';
export { probeMatrixHeading } from './probe.js';

type Formatter<E> = (event: E, options: FormatOptions) => string;

/** A formatter in the log's usual layout: the event's time, then indented details. */
function timed<E extends WsdiagEvent>(fill: (block: Block, event: E) => void): Formatter<E> {
  return (event, options) => {
    const block = new Block(event.ts, options);
    fill(block, event);
    return block.text();
  };
}

/** Views of messages without their connection's context. */
const ALONE = { describe: describeAlone };

const FORMATTERS: { [T in EventType]: Formatter<EventOf<T>> } = {
  listening: timed(listening),
  open: timed(open),
  frame: timed(frame),
  violation: timed(violation),
  'peer-close': timed(peerClose),
  close: timed(close),
  error: timed(error),
  summary: timed(summary),
  message: (event, options) => {
    const block = new Block(event.ts, options);
    message(block, event, (options.views ?? ALONE).describe(event), options.width);
    return block.text();
  },
  http: timed(http),
  tunnel: timed(tunnel),
  'probe-case': probeCase,
  'probe-summary': probeSummary,
  'sandwich-finding': timed(sandwichFinding),
  'sandwich-summary': timed(sandwichSummary),
  gap: timed(gap),
  stream: timed(stream),
  'capture-problem': timed(captureProblem),
  fault: timed(fault),
};

/** The text of one event (lines ending in `\n`). */
export function formatEvent(event: WsdiagEvent, options: FormatOptions): string {
  return (FORMATTERS[event.type] as Formatter<WsdiagEvent>)(event, options);
}
