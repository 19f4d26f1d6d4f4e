/**
 * What every event of the schema shares (docs/events.md): the version, the time, directions, sides,
 * blame and severity, and where in a stream a frame sits. The event types themselves live next door:
 * core.ts (a connection's story), probe.ts, sandwich.ts, capture.ts; index.ts joins them in one union.
 */

export const SCHEMA_VERSION = 1 as const;

export type Direction = 'client->server' | 'server->client';
export const DIRECTIONS: readonly Direction[] = ['client->server', 'server->client'];

export type Side = 'client' | 'server';
export type Blame = 'client' | 'server' | 'intermediary' | 'unknown';
export type Severity = 'error' | 'warning';
/**
 * The close codes violations carry. 1006 (abnormal closure, never sent on the wire) is what both endpoints
 * report after a frame cut short; 1011 is what keepalive implementations close with after a missing pong.
 */
export type ViolationCode = 1002 | 1003 | 1006 | 1007 | 1009 | 1011;
/** Every ViolationCode, in order: what `tail --code` and `ci --fail-on` accept. */
export const VIOLATION_CODES: readonly ViolationCode[] = [1002, 1003, 1006, 1007, 1009, 1011];

/** The side whose bytes travel in a direction. */
export function senderOf(dir: Direction): Side {
  return dir === 'client->server' ? 'client' : 'server';
}

/** The side that receives the bytes of a direction. */
export function receiverOf(dir: Direction): Side {
  return dir === 'client->server' ? 'server' : 'client';
}

/** The other endpoint. */
export function otherSide(side: Side): Side {
  return side === 'client' ? 'server' : 'client';
}

/** The direction in which a side sends. */
export function directionFrom(side: Side): Direction {
  return side === 'client' ? 'client->server' : 'server->client';
}

/** The fields every event starts with. */
export interface EventBase {
  v: typeof SCHEMA_VERSION;
  ts: string;
  /**
   * Which wsdiag process wrote it (`--instance`, by default the run id) in the JSON Lines of `proxy`, `chaos`
   * and `ci`: the logs of several instances behind one balancer stay told apart once merged.
   */
  instance?: string;
}

/** Where in a direction's stream a violation was seen. */
export interface FrameRef {
  index: number;
  offset: number;
  opcode: number;
  length: number;
}

/** A frame's header as the `frame` event tells it; the decoder's FrameHeader (src/protocol) adds what it needs to read on. */
export interface FrameFields {
  /** 0-based frame number in this direction. */
  index: number;
  /** Byte offset of the header's first byte in this direction's stream (after the handshake). */
  offset: number;
  fin: boolean;
  rsv1: boolean;
  rsv2: boolean;
  rsv3: boolean;
  opcode: number;
  masked: boolean;
  /** Payload length as announced (exact up to 2^53; larger lengths never complete in practice). */
  length: number;
}

/**
 * A header's frame event fields, and nothing more: the decoder's FrameHeader (src/protocol) carries its
 * own fields too (header length, masking key...), which events do not show.
 */
export function frameFields(h: FrameFields): FrameFields {
  return {
    index: h.index,
    offset: h.offset,
    fin: h.fin,
    rsv1: h.rsv1,
    rsv2: h.rsv2,
    rsv3: h.rsv3,
    opcode: h.opcode,
    masked: h.masked,
    length: h.length,
  };
}

export type PerDirection<T> = Record<Direction, T>;

/** A clock returning the event timestamp; injectable so golden tests can freeze it. */
export type Clock = () => Date;
export const systemClock: Clock = () => new Date();

/**
 * `date.toISOString()`, built once per millisecond: events come by the thousand a second (a `frame` per
 * frame with `--frames`, a `message` per message with `--messages`) and building the string was a third
 * of a small event's cost. `isoNow()` is the same for the current time.
 */
export function isoTimestamp(date: Date): string {
  return isoOfMs(date.getTime());
}

export function isoNow(): string {
  return isoOfMs(Date.now());
}

let isoMs = Number.NaN;
let isoText = '';
function isoOfMs(ms: number): string {
  if (ms !== isoMs) {
    isoMs = ms;
    isoText = new Date(ms).toISOString();
  }
  return isoText;
}
