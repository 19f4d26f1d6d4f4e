/**
 * The events as the page reads them: the schema's own types (src/events/, docs/events.md is the contract),
 * imported as types only. The page's tsconfig sees them as declarations through a project reference
 * (tsconfig.schema.json), so none of src/events/ is compiled into, or runs in, the page. Everything here
 * arrived over the network from traffic wsdiag relayed: the page checks the fields it relies on
 * (isUsableEvent), reads the rest defensively and shows them as text, never as markup.
 */
import type {
  CloseEvent,
  ErrorEvent,
  FrameEvent,
  HttpEvent,
  ListeningEvent,
  MessageEvent,
  OpenEvent,
  PeerCloseEvent,
  SummaryEvent,
  ViolationEvent,
} from '../../events/index.js';

export type { Direction, FrameRef } from '../../events/index.js';

/** What the page may read of any event, known or not: the feed is input, so `conn` may be anything or absent. */
interface Base {
  v: number;
  type: string;
  ts: string;
  conn?: string | null;
}

/** A schema event as the page reads it, with the named fields possibly missing (the page's code checks for them). */
type Received<E, MaybeMissing extends keyof E = never> = Base & Omit<E, MaybeMissing> & { [K in MaybeMissing]?: E[K] };

export type ListeningEv = Received<ListeningEvent>;
export type OpenEv = Received<OpenEvent>;
export type FrameEv = Received<FrameEvent>;
export type ViolationEv = Received<ViolationEvent>;
export type PeerCloseEv = Received<PeerCloseEvent>;
export type CloseEv = Received<CloseEvent>;
export type ErrorEv = Received<ErrorEvent>;
export type SummaryEv = Received<SummaryEvent>;
/** A whole message (only in logs and runs with --messages). */
export type MessageEv = Received<MessageEvent, 'first_ts' | 'last_ts' | 'data'>;
/** A plain HTTP exchange through the proxy. */
export type HttpEv = Received<HttpEvent, 'client'>;

export type KnownEvent = ListeningEv | OpenEv | FrameEv | ViolationEv | PeerCloseEv | CloseEv | ErrorEv | SummaryEv | MessageEv | HttpEv;

/** Any event, known or not (a later wsdiag may add types; the page lists them without failing). */
export type AnyEvent = KnownEvent | (Base & Record<string, unknown>);

/** Checks the fields the page relies on, per type; an event that fails is counted and left out. */
export function isUsableEvent(value: unknown): value is AnyEvent {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const e = value as Record<string, unknown>;
  if (typeof e['type'] !== 'string' || typeof e['ts'] !== 'string') return false;
  const str = (k: string) => typeof e[k] === 'string';
  const num = (k: string) => typeof e[k] === 'number' && Number.isFinite(e[k]);
  const dir = () => e['dir'] === 'client->server' || e['dir'] === 'server->client';
  switch (e['type']) {
    case 'open':
      return str('conn') && str('path');
    case 'frame':
      return str('conn') && dir() && num('index') && num('opcode') && num('length');
    case 'violation':
      return str('conn') && dir() && num('code') && str('rule') && str('message');
    case 'peer-close':
      return str('conn') && (e['by'] === 'client' || e['by'] === 'server');
    case 'close':
      return str('conn') && num('duration_ms');
    case 'message':
      return str('conn') && dir() && str('kind');
    case 'http':
      return str('method') && str('path') && num('status');
    default:
      return true;
  }
}

export function connOf(event: AnyEvent): string | null {
  return typeof event.conn === 'string' ? event.conn : null;
}

export const OPCODE_NAMES: Record<number, string> = { 0: 'continuation', 1: 'text', 2: 'binary', 8: 'close', 9: 'ping', 10: 'pong' };

export function opcodeName(opcode: number): string {
  return OPCODE_NAMES[opcode] ?? `reserved 0x${opcode.toString(16)}`;
}
