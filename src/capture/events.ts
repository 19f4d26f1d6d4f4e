/**
 * The events a capture yields: the schema's (src/events/), where `gap`, `stream` and `capture-problem`
 * live with the others. A capture's `open` always carries `server` and `tcp_stream`.
 */
import type { OpenEvent, WsdiagEvent } from '../events/index.js';

export type { CaptureProblemEvent, GapEvent, StreamEvent, StreamKind } from '../events/index.js';

/** `open` from a capture: the proxy's fields plus the server side and the TCP stream. */
export type CaptureOpenEvent = OpenEvent & { server: string; tcp_stream: number };

export type CaptureEvent = WsdiagEvent;
