/**
 * The events as the page reads them (the contract is README's events table; the `message` and `http`
 * shapes are the message issue's). Everything here arrived over the network from traffic wsdiag relayed:
 * the page reads fields defensively and shows them as text, never as markup.
 */

export type Direction = 'client->server' | 'server->client';

export interface FrameRef {
  index: number;
  offset: number;
  opcode: number;
  length: number;
}

interface Base {
  v: number;
  type: string;
  ts: string;
  conn?: string | null;
}

export interface ListeningEv extends Base {
  type: 'listening';
  address: string;
  port: number;
  target: string;
  ui?: string;
}

export interface OpenEv extends Base {
  type: 'open';
  conn: string;
  client: string;
  path: string;
  subprotocol: string | null;
  extensions: string | null;
}

export interface FrameEv extends Base {
  type: 'frame';
  conn: string;
  dir: Direction;
  index: number;
  offset: number;
  fin: boolean;
  rsv1: boolean;
  rsv2: boolean;
  rsv3: boolean;
  opcode: number;
  masked: boolean;
  length: number;
}

export interface ViolationEv extends Base {
  type: 'violation';
  conn: string;
  dir: Direction;
  code: number;
  rule: string;
  severity: string;
  blame: string;
  frame: FrameRef | null;
  message: string;
  hint: string;
  rfc: string;
  preview?: string;
}

export interface PeerCloseEv extends Base {
  type: 'peer-close';
  conn: string;
  by: 'client' | 'server';
  code: number | null;
  reason: string;
  cause: { rule: string; dir: Direction; frame: FrameRef | null } | null;
  blame: string;
  explain: string;
}

export interface CloseEv extends Base {
  type: 'close';
  conn: string;
  duration_ms: number;
  frames: Record<Direction, number>;
  bytes: Record<Direction, number>;
  violations: number;
  suppressed: number;
  ended_by?: string;
  how?: string;
}

export interface ErrorEv extends Base {
  type: 'error';
  conn: string | null;
  message: string;
  status?: number;
}

export interface SummaryEv extends Base {
  type: 'summary';
  connections: number;
  violations: number;
  by_rule: Record<string, number>;
  by_code: Record<string, number>;
}

/** A whole message (only in logs and runs with --messages). */
export interface MessageEv extends Base {
  type: 'message';
  conn: string;
  dir: Direction;
  kind: 'text' | 'binary' | 'ping' | 'pong' | 'close';
  compressed: boolean;
  wire_size: number;
  size: number | null;
  frames: number;
  first_frame: number;
  last_frame: number;
  first_ts?: string;
  last_ts?: string;
  encoding: 'text' | 'base64' | null;
  data?: string;
  truncated: boolean;
  close?: { code: number | null; reason: string };
}

/** A plain HTTP exchange through the proxy. */
export interface HttpEv extends Base {
  type: 'http';
  conn: string | null;
  client?: string;
  method: string;
  path: string;
  status: number;
  request_bytes: number;
  response_bytes: number;
  duration_ms: number;
  upgrade: boolean;
}

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
