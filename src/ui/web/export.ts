/**
 * Exports of what the page holds: JSON Lines (the events as wsdiag wrote them, so `wsdiag tail` and
 * `wsdiag view` read the file back) and HAR 1.2 with Chrome's WebSocket extension — an entry per
 * connection with `_resourceType: "websocket"` and `_webSocketMessages: [{type: "send"|"receive", time,
 * opcode, data}]` (time in seconds since the epoch; binary data in base64), plus HTTP Toolkit's
 * `_webSocketClose` — so the file opens in Chrome DevTools and HTTP Toolkit. Plain HTTP exchanges become
 * ordinary entries. Pure: strings out.
 */
import type { HandshakeInfo } from './protocol.js';
import type { HttpEv, ListeningEv, MessageEv, OpenEv, ViolationEv } from './events.js';
import type { ConnState, Rec } from './store.js';

export function toJsonLines(records: readonly Rec[]): string {
  return records.map((rec) => `${JSON.stringify(rec.event)}\n`).join('');
}

export interface HarHeader {
  name: string;
  value: string;
}

export interface HarWebSocketMessage {
  type: 'send' | 'receive';
  time: number;
  opcode: number;
  data: string;
}

export interface HarEntry {
  startedDateTime: string;
  time: number;
  request: {
    method: string;
    url: string;
    httpVersion: string;
    headers: HarHeader[];
    queryString: HarHeader[];
    cookies: never[];
    headersSize: number;
    bodySize: number;
  };
  response: {
    status: number;
    statusText: string;
    httpVersion: string;
    headers: HarHeader[];
    cookies: never[];
    content: { size: number; mimeType: string };
    redirectURL: string;
    headersSize: number;
    bodySize: number;
  };
  cache: Record<string, never>;
  timings: { blocked: number; dns: number; connect: number; ssl: number; send: number; wait: number; receive: number };
  _resourceType?: string;
  _webSocketMessages?: HarWebSocketMessage[];
  _webSocketClose?: { code: number | null; reason: string; timestamp?: number } | 'aborted';
  /** What wsdiag adds: the connection id, its violations and how it ended. */
  _wsdiag?: Record<string, unknown>;
}

export interface Har {
  log: {
    version: '1.2';
    creator: { name: string; version: string };
    pages: never[];
    entries: HarEntry[];
  };
}

export interface HarInput {
  connections: readonly ConnState[];
  http: readonly Rec[];
  listening: ListeningEv | undefined;
  version: string;
}

const STATUS_TEXT: Record<number, string> = {
  101: 'Switching Protocols',
  200: 'OK',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  502: 'Bad Gateway',
};

export function toHar(input: HarInput): Har {
  const entries: HarEntry[] = [];
  for (const state of input.connections) {
    const entry = websocketEntry(state, input.listening);
    if (entry) entries.push(entry);
  }
  for (const rec of input.http) {
    const h = rec.event as HttpEv;
    // A successful upgrade is already its connection's entry.
    if (h.upgrade && h.status === 101) continue;
    entries.push(httpEntry(h, input.listening));
  }
  entries.sort((a, b) => a.startedDateTime.localeCompare(b.startedDateTime));
  return { log: { version: '1.2', creator: { name: 'wsdiag', version: input.version }, pages: [], entries } };
}

function websocketEntry(state: ConnState, listening: ListeningEv | undefined): HarEntry | undefined {
  const open = state.open;
  const handshake: HandshakeInfo | undefined = state.handshake;
  const path = open?.path ?? handshake?.path;
  if (path === undefined) return undefined;
  const host = headerValue(handshake?.request, 'host') ?? listeningHost(listening);
  const url = absoluteUrl('ws', host, path);
  const started = handshake?.ts ?? open?.ts ?? state.firstTs;
  const close = state.close;
  const time = close ? close.duration_ms : Math.max(0, Date.parse(state.lastTs) - Date.parse(started));

  const requestHeaders = handshake ? handshake.request.map(([name, value]) => ({ name, value })) : [];
  if (!requestHeaders.some((h) => h.name.toLowerCase() === 'host')) requestHeaders.unshift({ name: 'Host', value: host });
  const responseHeaders = handshake ? handshake.response.map(([name, value]) => ({ name, value })) : negotiatedHeaders(open);
  const status = handshake?.status ?? (open ? 101 : 0);

  const messages: HarWebSocketMessage[] = [];
  const violations: Array<Record<string, unknown>> = [];
  let truncated = 0;
  for (const rec of state.records) {
    const e = rec.event;
    if (e.type === 'message') {
      const m = e as MessageEv;
      if (m.kind !== 'text' && m.kind !== 'binary') continue;
      if (m.truncated) truncated++;
      messages.push({
        type: m.dir === 'client->server' ? 'send' : 'receive',
        time: Date.parse(m.ts) / 1000,
        opcode: m.kind === 'text' ? 1 : 2,
        // Chrome's convention: text as text, binary as base64 (the log's own encoding for binary).
        data: m.encoding === null || typeof m.data !== 'string' ? '' : m.data,
      });
    } else if (e.type === 'violation') {
      const v = e as ViolationEv;
      violations.push({ rule: v.rule, code: v.code, dir: v.dir, blame: v.blame, frame: v.frame, message: v.message, rfc: v.rfc });
    }
  }
  const firstClose = state.peerCloses[0];
  const entry: HarEntry = {
    startedDateTime: isoOrEpoch(started),
    time: Math.max(0, time),
    request: {
      method: 'GET',
      url,
      httpVersion: 'HTTP/1.1',
      headers: requestHeaders,
      queryString: queryOf(url),
      cookies: [],
      headersSize: -1,
      bodySize: 0,
    },
    response: {
      status,
      statusText: STATUS_TEXT[status] ?? '',
      httpVersion: 'HTTP/1.1',
      headers: responseHeaders,
      cookies: [],
      content: { size: 0, mimeType: 'x-unknown' },
      redirectURL: '',
      headersSize: -1,
      bodySize: 0,
    },
    cache: {},
    timings: { blocked: -1, dns: -1, connect: -1, ssl: -1, send: 0, wait: 0, receive: 0 },
    _resourceType: 'websocket',
    _webSocketMessages: messages,
    _wsdiag: {
      conn: state.conn,
      ...(open ? { client: open.client, subprotocol: open.subprotocol, extensions: open.extensions } : {}),
      violations,
      ...(close ? { ended_by: close.ended_by, how: close.how } : {}),
      ...(truncated > 0 ? { truncated_messages: truncated } : {}),
    },
  };
  if (firstClose) entry._webSocketClose = { code: firstClose.code, reason: firstClose.reason, timestamp: Date.parse(firstClose.ts) / 1000 };
  else if (close) entry._webSocketClose = 'aborted';
  return entry;
}

function httpEntry(h: HttpEv, listening: ListeningEv | undefined): HarEntry {
  const url = absoluteUrl('http', listeningHost(listening), h.path);
  const ended = Date.parse(h.ts);
  return {
    startedDateTime: isoOrEpoch(new Date(ended - (h.duration_ms || 0)).toISOString()),
    time: Math.max(0, h.duration_ms || 0),
    request: {
      method: h.method,
      url,
      httpVersion: 'HTTP/1.1',
      headers: [{ name: 'Host', value: new URL(url).host }],
      queryString: queryOf(url),
      cookies: [],
      headersSize: -1,
      bodySize: h.request_bytes,
    },
    response: {
      status: h.status,
      statusText: STATUS_TEXT[h.status] ?? '',
      httpVersion: 'HTTP/1.1',
      headers: [],
      cookies: [],
      content: { size: h.response_bytes, mimeType: 'x-unknown' },
      redirectURL: '',
      headersSize: -1,
      bodySize: h.response_bytes,
    },
    cache: {},
    timings: { blocked: -1, dns: -1, connect: -1, ssl: -1, send: 0, wait: Math.max(0, h.duration_ms || 0), receive: 0 },
  };
}

/** Without recorded headers, the 101 says what the open event knows was negotiated. */
function negotiatedHeaders(open: OpenEv | undefined): HarHeader[] {
  if (!open) return [];
  const headers: HarHeader[] = [
    { name: 'Upgrade', value: 'websocket' },
    { name: 'Connection', value: 'Upgrade' },
  ];
  if (open.subprotocol) headers.push({ name: 'Sec-WebSocket-Protocol', value: open.subprotocol });
  if (open.extensions) headers.push({ name: 'Sec-WebSocket-Extensions', value: open.extensions });
  return headers;
}

function headerValue(headers: Array<[string, string]> | undefined, name: string): string | undefined {
  return headers?.find(([n]) => n.toLowerCase() === name)?.[1];
}

function listeningHost(listening: ListeningEv | undefined): string {
  if (!listening) return 'localhost';
  const address = listening.address.includes(':') ? `[${listening.address}]` : listening.address;
  return `${address}:${listening.port}`;
}

function absoluteUrl(scheme: string, host: string, path: string): string {
  try {
    return new URL(path.startsWith('/') ? path : `/${path}`, `${scheme}://${host}`).href;
  } catch {
    return `${scheme}://localhost/`;
  }
}

function queryOf(url: string): HarHeader[] {
  try {
    return [...new URL(url).searchParams].map(([name, value]) => ({ name, value }));
  } catch {
    return [];
  }
}

function isoOrEpoch(ts: string): string {
  const d = new Date(ts);
  return Number.isNaN(d.getTime()) ? new Date(0).toISOString() : d.toISOString();
}
