/**
 * Every event type's fields, checked, and the one parser of a wsdiag log line: `tail`, `view` and the
 * dashboard read any event any command wrote with it. A log file is untrusted input (hand-edited,
 * truncated, from another tool), so a bad line is a reason to skip it with a warning, never to crash.
 * EVENT_FIELDS is also what the contract test holds docs/events.md against.
 */
import { SCHEMA_VERSION } from './base.js';
import { MESSAGE_KINDS } from './message.js';
import type { EventType, WsdiagEvent } from './index.js';

export type ParsedLine = { ok: true; event: WsdiagEvent } | { ok: false; reason: string };

type Check = (value: unknown) => boolean;

const isString: Check = (v) => typeof v === 'string';
const isNumber: Check = (v) => typeof v === 'number' && Number.isFinite(v);
const isBoolean: Check = (v) => typeof v === 'boolean';
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const oneOf =
  (...values: string[]): Check =>
  (v) =>
    typeof v === 'string' && values.includes(v);
const nullable =
  (check: Check): Check =>
  (v) =>
    v === null || check(v);
const optional =
  (check: Check): Check =>
  (v) =>
    v === undefined || check(v);
const shape =
  (fields: Record<string, Check>): Check =>
  (v) =>
    isObject(v) && Object.entries(fields).every(([key, check]) => check(v[key]));
const countsOf: Check = (v) => isObject(v) && Object.values(v).every(isNumber);
const stringsOf: Check = (v) => isObject(v) && Object.values(v).every(isString);

const isDirection = oneOf('client->server', 'server->client');
const isCount: Check = (v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const perDirection = (check: Check) => shape({ 'client->server': check, 'server->client': check });
const isFrameRef = shape({ index: isNumber, offset: isNumber, opcode: isNumber, length: isNumber });
const isCause = shape({ rule: isString, dir: isDirection, frame: nullable(isFrameRef) });
const isArray =
  (item: Check): Check =>
  (v) =>
    Array.isArray(v) && v.every(item);
const isFaultValues: Check = (v) => isObject(v) && Object.values(v).every((x) => x === null || isString(x) || isNumber(x) || isBoolean(x));
const isProbeFinding = shape({
  check: isString,
  severity: oneOf('failure', 'warning', 'info'),
  blame: nullable(isString),
  dir: nullable(isDirection),
  message: isString,
  rule: optional(isString),
  rfc: optional(isString),
});

/**
 * The fields of each event type beyond v/type/ts, each with its check (`optional` ones may be absent).
 * Typed so that an event type added to the union without its fields here does not compile.
 */
export const EVENT_FIELDS: Record<EventType, Record<string, Check>> = {
  listening: {
    address: isString,
    port: isNumber,
    target: isString,
    run: optional(isString),
    ui: optional(isString),
    workers: optional(isNumber),
    admin: optional(isString),
  },
  open: {
    conn: isString,
    client: isString,
    path: isString,
    subprotocol: nullable(isString),
    extensions: nullable(isString),
    server: optional(isString),
    tcp_stream: optional(isNumber),
    settings: optional(stringsOf),
    target: optional(isString),
  },
  frame: {
    conn: isString,
    dir: isDirection,
    index: isNumber,
    offset: isNumber,
    fin: isBoolean,
    rsv1: isBoolean,
    rsv2: isBoolean,
    rsv3: isBoolean,
    opcode: isNumber,
    masked: isBoolean,
    length: isNumber,
  },
  violation: {
    conn: isString,
    dir: isDirection,
    code: isNumber,
    rule: isString,
    severity: oneOf('error', 'warning'),
    blame: isString,
    frame: nullable(isFrameRef),
    message: isString,
    hint: isString,
    rfc: isString,
    preview: optional(isString),
  },
  'peer-close': {
    conn: isString,
    by: oneOf('client', 'server'),
    code: nullable(isNumber),
    reason: isString,
    cause: nullable(isCause),
    blame: nullable(isString),
    explain: isString,
  },
  close: {
    conn: isString,
    duration_ms: isNumber,
    frames: perDirection(isNumber),
    bytes: perDirection(isNumber),
    violations: isNumber,
    suppressed: isNumber,
    ended_by: optional(isString),
    how: optional(isString),
    explain: optional(isString),
    cause: optional(nullable(isCause)),
  },
  error: { conn: nullable(isString), message: isString, status: optional(isNumber) },
  summary: {
    connections: isNumber,
    violations: isNumber,
    by_rule: countsOf,
    by_code: countsOf,
    refused: optional(shape({ max_connections: isNumber, header_timeout: isNumber })),
    faults: optional(countsOf),
  },
  message: {
    conn: isString,
    dir: isDirection,
    kind: oneOf(...MESSAGE_KINDS),
    compressed: isBoolean,
    wire_size: isCount,
    size: nullable(isCount),
    frames: isCount,
    first_frame: isCount,
    last_frame: isCount,
    first_ts: isString,
    last_ts: isString,
    encoding: nullable(oneOf('text', 'base64')),
    data: nullable(isString),
    truncated: isBoolean,
    close: optional(shape({ code: nullable(isNumber), reason: isString })),
  },
  http: {
    conn: nullable(isString),
    client: isString,
    method: isString,
    path: isString,
    status: isNumber,
    request_bytes: isNumber,
    response_bytes: isNumber,
    duration_ms: isNumber,
    upgrade: isBoolean,
    aborted: optional(isBoolean),
    target: optional(isString),
  },
  tunnel: {
    conn: isString,
    client: isString,
    host: isString,
    port: isNumber,
    client_bytes: isCount,
    server_bytes: isCount,
    duration_ms: isNumber,
    ended_by: oneOf('client', 'server', 'proxy'),
    how: oneOf('fin', 'reset', 'error', 'shutdown'),
  },
  'probe-case': {
    case: isString,
    status: oneOf('pass', 'warn', 'fail', 'error'),
    duration_ms: isNumber,
    max_latency_ms: nullable(isNumber),
    error: nullable(isString),
    findings: isArray(isProbeFinding),
  },
  'probe-summary': {
    through: isString,
    reflector: isString,
    forward_proxy: nullable(isString),
    cases: isNumber,
    passed: isNumber,
    warned: isNumber,
    failed: isNumber,
    errors: isNumber,
    duration_ms: isNumber,
    by_check: countsOf,
  },
  'sandwich-finding': {
    conn: isString,
    return_conn: isString,
    check: isString,
    severity: oneOf('failure', 'warning', 'info'),
    blame: oneOf('intermediary'),
    dir: nullable(isDirection),
    message: isString,
    evidence: shape({ matched_by: isString, front: isObject, return: isObject }),
  },
  'sandwich-summary': {
    pairs: isNumber,
    unmatched: shape({ front: isNumber, return: isNumber }),
    failures: isNumber,
    warnings: isNumber,
    infos: isNumber,
    by_check: countsOf,
  },
  gap: {
    conn: isString,
    dir: isDirection,
    offset: isNumber,
    length: isNumber,
    cause: oneOf('lost', 'snaplen', 'buffer-limit', 'reset', 'capture-end'),
    message: isString,
  },
  stream: {
    tcp_stream: isNumber,
    client: isString,
    server: isString,
    roles: oneOf('syn', 'http', 'first-packet'),
    kind: oneOf('tls', 'http', 'other', 'no-handshake', 'incomplete'),
    message: isString,
  },
  'capture-problem': {
    severity: oneOf('error', 'warning'),
    code: isString,
    message: isString,
    offset: optional(isNumber),
    packet: optional(isNumber),
  },
  fault: {
    conn: isString,
    dir: isDirection,
    frame: nullable(isFrameRef),
    out_index: nullable(isNumber),
    out_offset: isNumber,
    toxic: isString,
    toxic_type: isString,
    message: isString,
    before: optional(isFaultValues),
    after: optional(isFaultValues),
  },
};

function isEventType(type: unknown): type is EventType {
  return typeof type === 'string' && Object.hasOwn(EVENT_FIELDS, type);
}

export function parseEventLine(line: string): ParsedLine {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  if (!isObject(value)) return { ok: false, reason: 'not a wsdiag event (not a JSON object)' };
  if (value['v'] !== SCHEMA_VERSION) {
    return {
      ok: false,
      reason: value['v'] === undefined ? 'not a wsdiag event (no "v" field)' : `unsupported schema version ${JSON.stringify(value['v'])}`,
    };
  }
  const type = value['type'];
  if (!isEventType(type)) return { ok: false, reason: `unknown event type ${(JSON.stringify(type) as string | undefined) ?? 'undefined'}` };
  if (!isString(value['ts'])) return { ok: false, reason: `"${type}" event without a "ts" string` };
  if (!optional(isString)(value['instance'])) return { ok: false, reason: `"${type}" event with an "instance" that is not a string` };
  const bad = Object.entries(EVENT_FIELDS[type]).find(([key, check]) => !check(value[key]));
  if (bad) return { ok: false, reason: `"${type}" event with a missing or invalid "${bad[0]}" field` };
  return { ok: true, event: value as unknown as WsdiagEvent };
}
