/**
 * Small helpers shared by the comparisons: building findings, describing messages in one phrase, and
 * collapsing a flood of identical findings (1000 dropped messages) into a few plus a count.
 */
import type { Direction } from '../events/index.js';
import type { RuleId } from '../rules/index.js';
import type { CheckId, FindingSeverity, ProbeFinding, ObservedMessage } from './types.js';

/** Where a finding belongs: the handshake, one direction's traffic, or the connection's end. */
export type FindingColumn = 'handshake' | 'client->server' | 'server->client' | 'close';

const HANDSHAKE_CHECKS = new Set<CheckId>([
  'handshake-refused',
  'handshake-status-changed',
  'handshake-invalid',
  'subprotocol-changed',
  'extensions-changed',
  'version-changed',
  'key-replaced',
  'path-rewritten',
]);
const CLOSE_CHECKS = new Set<CheckId>([
  'close-swallowed',
  'close-code-rewritten',
  'close-reason-rewritten',
  'close-added',
  'connection-closed-by-intermediary',
]);

/** The part of the connection a finding is about (the probe's matrix column, the sandwich's evidence). */
export function columnOf(f: ProbeFinding): FindingColumn {
  if (HANDSHAKE_CHECKS.has(f.check)) return 'handshake';
  if (CLOSE_CHECKS.has(f.check) || f.dir === null) return 'close';
  return f.dir;
}

export function failure(check: CheckId, dir: Direction | null, message: string, extra: { rule?: RuleId; rfc?: string } = {}): ProbeFinding {
  return make(check, 'failure', dir, message, extra);
}

export function warning(check: CheckId, dir: Direction | null, message: string, extra: { rule?: RuleId; rfc?: string } = {}): ProbeFinding {
  return make(check, 'warning', dir, message, extra);
}

export function info(check: CheckId, dir: Direction | null, message: string, extra: { rule?: RuleId; rfc?: string } = {}): ProbeFinding {
  return make(check, 'info', dir, message, extra);
}

function make(
  check: CheckId,
  severity: FindingSeverity,
  dir: Direction | null,
  message: string,
  extra: { rule?: RuleId; rfc?: string },
): ProbeFinding {
  const finding: ProbeFinding = { check, severity, blame: severity === 'info' ? null : 'intermediary', dir, message };
  if (extra.rule !== undefined) finding.rule = extra.rule;
  if (extra.rfc !== undefined) finding.rfc = extra.rfc;
  return finding;
}

/** "text message #3 (65536 bytes)" */
export function describeMessage(m: ObservedMessage): string {
  const kind = m.opcode === 0x1 ? 'text' : m.opcode === 0x2 ? 'binary' : `opcode-0x${m.opcode.toString(16)}`;
  return `${kind} message #${m.index} (${bytes(m.length)}${m.compressed ? ', compressed' : ''})`;
}

export function bytes(n: number): string {
  return `${n} byte${n === 1 ? '' : 's'}`;
}

/**
 * What findings call the two observation points. The probe observes its own client and reflector;
 * `wsdiag sandwich` observes the two legs of live traffic and passes its own names.
 */
export interface EndpointNames {
  /** The point on the client's side of the intermediary, e.g. "the client". */
  client: string;
  /** The point on the server's side of the intermediary, e.g. "the reflector". */
  server: string;
}

export const PROBE_NAMES: EndpointNames = { client: 'the client', server: 'the reflector' };

/** The side at each end of a direction, for messages ("from the client to the reflector"). */
export function route(dir: Direction, names: EndpointNames = PROBE_NAMES): string {
  return `from ${senderName(dir, names)} to ${receiverName(dir, names)}`;
}

/** "the reflector" for client->server, "the client" for server->client. */
export function receiverName(dir: Direction, names: EndpointNames = PROBE_NAMES): string {
  return dir === 'client->server' ? names.server : names.client;
}

export function senderName(dir: Direction, names: EndpointNames = PROBE_NAMES): string {
  return dir === 'client->server' ? names.client : names.server;
}

/**
 * Keeps at most `limit` findings per (check, dir); the rest become one finding saying how many more
 * there were, with the severity of the ones it stands for.
 */
export function collapse(findings: ProbeFinding[], limit = 3): ProbeFinding[] {
  const seen = new Map<string, number>();
  const extra = new Map<string, { sample: ProbeFinding; count: number }>();
  const out: ProbeFinding[] = [];
  for (const f of findings) {
    const key = `${f.check} ${f.dir ?? ''}`;
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    if (n <= limit) {
      out.push(f);
      continue;
    }
    const entry = extra.get(key);
    if (entry) entry.count++;
    else extra.set(key, { sample: f, count: 1 });
  }
  for (const { sample, count } of extra.values()) {
    out.push({ ...sample, message: `…and ${count} more like this (${sample.check}).` });
  }
  return out;
}

/** "37-byte" */
export function sized(n: number): string {
  return `${n}-byte`;
}

const PRINTABLE = /^[\x20-\x7e]*$/;

/** A payload for a message: quoted when it is printable ASCII, else hex; up to `max` bytes. */
export function showPayload(data: Uint8Array, max = 48): string {
  const shown = Buffer.from(data.subarray(0, max));
  const more = data.length > max ? '…' : '';
  const text = shown.toString('latin1');
  return PRINTABLE.test(text) ? `${JSON.stringify(text)}${more}` : `0x${shown.toString('hex')}${more}`;
}

/** " (payload …)", or "" for an empty payload. */
export function payloadNote(data: Uint8Array): string {
  return data.length === 0 ? '' : ` (payload ${showPayload(data, 24)})`;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
