/**
 * The vocabulary of fault injection, shared by the engine, the registry, the HTTP API and the typed client
 * (types only, so the client pulls in nothing else).
 *
 * A toxic is toxiproxy's shape (`name`, `type`, `stream`, `toxicity`, `attributes`) with our direction
 * names for `stream`: `client->server` is the bytes the client sends (toxiproxy's "upstream"),
 * `server->client` the bytes the server sends ("downstream"), the same values as the events' `dir`.
 */
import type { Direction, FaultEvent } from '../events/index.js';

/**
 * Which frames a frame toxic considers, judged on the frames as the sender sent them. `message` is the first
 * frame of each text or binary message; `text` and `binary` are every frame of such a message (first and
 * continuations); `data` is every text, binary or continuation frame; `control` is every opcode with its
 * high bit set (close, ping, pong and the reserved 0xB–0xF).
 */
export type FrameSelector = 'all' | 'data' | 'message' | 'text' | 'binary' | 'continuation' | 'control' | 'ping' | 'pong' | 'close';
export const FRAME_SELECTORS: readonly FrameSelector[] = [
  'all',
  'data',
  'message',
  'text',
  'binary',
  'continuation',
  'control',
  'ping',
  'pong',
  'close',
];

/** The selectors of frames whose payload is at most 125 bytes, which a toxic may hold whole. */
export type ControlSelector = 'control' | 'ping' | 'pong' | 'close';
export const CONTROL_SELECTORS: readonly ControlSelector[] = ['control', 'ping', 'pong', 'close'];

/** The attributes of each toxic type, as the API returns them (every one present, defaults filled in). */
export interface ToxicAttributeMap {
  /** Changes nothing: measures the cost of the machinery. */
  noop: Record<string, never>;
  /** Sets RSV1, RSV2 or RSV3. */
  rsv: { bit: 1 | 2 | 3; frames: FrameSelector };
  /** `invert`: unmask frames toward the server, mask frames toward the client; or always `remove`/`add`. */
  mask: { action: 'invert' | 'remove' | 'add'; frames: FrameSelector };
  /** Valid: new masking keys on masked frames (what an intermediary that re-frames does). */
  remask: { frames: FrameSelector };
  /** Replaces the opcode with a reserved one (0x3–0x7, 0xB–0xF). */
  'reserved-opcode': { opcode: number; frames: FrameSelector };
  /** Writes the payload length in a longer form than needed. */
  'non-minimal-length': { form: 16 | 64; frames: FrameSelector };
  /** Turns text messages into binary ones or the reverse (the first frame's opcode). */
  retype: { to: 'swap' | 'text' | 'binary' };
  /** Writes 0xFF (never valid in UTF-8) at `offset` of a text message's first non-empty frame. */
  'corrupt-utf8': { offset: number };
  /** Valid: splits data frames into fragments of at most `size` payload bytes. */
  fragment: { size: number; frames: FrameSelector };
  /** Valid: merges a fragmented message into one frame, holding at most `max_bytes` of it. */
  coalesce: { max_bytes: number };
  /** Does not forward the chosen frames. */
  drop: { frames: FrameSelector };
  /** Holds the chosen frames (and, the stream being ordered, everything after them) `ms` milliseconds. */
  delay: { ms: number; frames: FrameSelector };
  /** Sends the chosen control frames `copies` more times. */
  duplicate: { copies: number; frames: ControlSelector };
  /** Sends a ping of its own before the chosen frames, unmasked unless `masked`. */
  'inject-ping': { payload: string; masked: boolean; frames: FrameSelector };
  /** Replaces the code of Close frames (and the reason, when `reason` is not null). */
  'close-code': { code: number; reason: string | null };
  /** Cuts the chosen frame after `keep` payload bytes and ends the stream (FIN), or with `end` false shortens it and goes on. */
  truncate: { keep: number; end: boolean; frames: FrameSelector };
  /** permessage-deflate faults: a `corrupt` compressed block, or RSV1 on an uncompressed message. */
  deflate: { fault: 'corrupt' | 'rsv1-uncompressed' };
  /** Holds each message and control frame `latency` ± `jitter` milliseconds. */
  latency: { latency: number; jitter: number };
  /** Limits the direction to `rate` kilobytes (1000 bytes) per second. */
  bandwidth: { rate: number };
  /** Resets the TCP connection once `bytes` bytes of this direction were forwarded. */
  reset: { bytes: number };
}

export type ToxicType = keyof ToxicAttributeMap;

/** A toxic as stored and listed: every field present. */
export interface Toxic<T extends ToxicType = ToxicType> {
  name: string;
  type: T;
  stream: Direction;
  /** Probability (0 to 1) that a candidate frame (stream toxics: a connection) is affected. */
  toxicity: number;
  attributes: ToxicAttributeMap[T];
}

/** Any toxic, discriminated by `type`. */
export type AnyToxic = { [T in ToxicType]: Toxic<T> }[ToxicType];

/** What `add` accepts: `name` defaults to `<type>-c2s` / `<type>-s2c`, `toxicity` to 1, attributes to their defaults. */
export interface ToxicSpec<T extends ToxicType = ToxicType> {
  name?: string;
  type: T;
  stream: Direction;
  toxicity?: number;
  attributes?: Partial<ToxicAttributeMap[T]>;
}

export type AnyToxicSpec = { [T in ToxicType]: ToxicSpec<T> }[ToxicType];

/** What `update` accepts: the toxicity and any attributes (merged into the current ones). */
export interface ToxicPatch<T extends ToxicType = ToxicType> {
  toxicity?: number;
  attributes?: Partial<ToxicAttributeMap[T]>;
}

/** How an attribute is described by `GET /types` (and validated). */
export interface AttributeInfo {
  kind: 'integer' | 'number' | 'enum' | 'string' | 'boolean';
  default: number | string | boolean | null;
  description: string;
  min?: number;
  max?: number;
  /** The allowed values (enums, and integers drawn from a set). */
  values?: readonly (string | number)[];
  nullable?: boolean;
}

/** A toxic type as `GET /types` lists it. */
export interface ToxicTypeInfo {
  type: ToxicType;
  summary: string;
  /** `frame`: decided frame by frame; `stream`: acts on the bytes of a connection's direction. */
  level: 'frame' | 'stream';
  /** True for the changes RFC 6455 allows (a compliant receiver must accept them). */
  valid: boolean;
  attributes: Record<string, AttributeInfo>;
}

export type { FaultValue, FaultValues } from '../events/index.js';

/**
 * One applied fault, as the engine reports it: the `fault` event (src/events/fault.ts) without what the
 * relay adds (`conn`, and the event's `v`/`type`/`ts`), its type narrowed to the known toxic types.
 */
export type FaultRecord = Omit<FaultEvent, 'v' | 'ts' | 'type' | 'conn' | 'toxic_type'> & { toxic_type: ToxicType };

/**
 * What one direction's engine asks the relay to do, in order. `write` bytes may be views of the chunk that
 * was pushed (do not reuse it until written). `delay` holds every later action until `ms` milliseconds
 * after the `now` of the push (or end) that returned it: an already later release time is not pushed back,
 * so delays of successive pushes overlap as on a real link. `end` sends FIN to this direction's receiver;
 * `reset` destroys the connection (both sockets) with a TCP reset. After `end` or `reset` the engine
 * returns nothing more. `fault` is to be logged when reached (before the bytes it concerns).
 */
export type ChaosAction =
  | { type: 'write'; bytes: Uint8Array }
  | { type: 'delay'; ms: number }
  | { type: 'end' }
  | { type: 'reset' }
  | { type: 'fault'; fault: FaultRecord };

/**
 * Where an engine's actions go, one call per action, in order, as the engine decides them (ChaosAction's
 * cases; `delay` also gets the `now` of the push or end that asked for it): an ActionRunner performs them
 * on the spot, with nothing allocated for a chunk that goes through unchanged; `push` and `end` collect
 * them into a ChaosAction[].
 */
export interface ChaosOutput {
  write(bytes: Uint8Array): void;
  delay(ms: number, now: number): void;
  end(): void;
  reset(): void;
  fault(record: FaultRecord): void;
}

/** The JSON body of every API error (toxiproxy's shape, plus the known types on an unknown one). */
export interface ChaosErrorBody {
  error: string;
  status: number;
  known?: string[];
}
