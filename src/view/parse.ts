/**
 * Reading a log line for `wsdiag view`: every event of the schema (src/events/schema.ts), plus the event
 * types the page also shows that the schema does not hold yet — `message` and `http` (the message
 * issue's shapes) — checked for the fields the page relies on. When the
 * message issue lands its types in the core parser, the fallback below is simply no longer reached.
 */
import { parseEventLine } from '../events/index.js';
import type { FeedEvent } from '../ui/index.js';

export type ViewLine = { ok: true; event: FeedEvent } | { ok: false; reason: string };

type Fields = Record<string, (v: unknown) => boolean>;

const str = (v: unknown) => typeof v === 'string';
const num = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
const bool = (v: unknown) => typeof v === 'boolean';
const dir = (v: unknown) => v === 'client->server' || v === 'server->client';
const orNull = (check: (v: unknown) => boolean) => (v: unknown) => v === null || check(v);

const EXTRA: Record<string, Fields> = {
  message: {
    conn: str,
    dir,
    kind: (v) => v === 'text' || v === 'binary' || v === 'ping' || v === 'pong' || v === 'close',
    compressed: bool,
    wire_size: num,
    size: orNull(num),
    frames: num,
    first_frame: num,
    last_frame: num,
    encoding: (v) => v === null || v === 'text' || v === 'base64',
    truncated: bool,
  },
  http: {
    conn: orNull(str),
    method: str,
    path: str,
    status: num,
    request_bytes: num,
    response_bytes: num,
    duration_ms: num,
    upgrade: bool,
  },
};

export function parseViewLine(text: string): ViewLine {
  const parsed = parseEventLine(text);
  if (parsed.ok) return parsed;
  if (!parsed.reason.startsWith('unknown event type')) return parsed;
  const value = JSON.parse(text) as Record<string, unknown>;
  const type = value['type'];
  const fields = typeof type === 'string' && Object.hasOwn(EXTRA, type) ? EXTRA[type] : undefined;
  if (!fields) return parsed;
  if (typeof value['ts'] !== 'string') return { ok: false, reason: `"${String(type)}" event without a "ts" string` };
  const bad = Object.entries(fields).find(([key, check]) => !check(value[key]));
  if (bad) return { ok: false, reason: `"${String(type)}" event with a missing or invalid "${bad[0]}" field` };
  return { ok: true, event: value as FeedEvent };
}
