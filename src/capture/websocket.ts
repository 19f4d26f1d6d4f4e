/**
 * From reassembled TCP connections to wsdiag's events: find the HTTP/1.1 upgrade at the start of each
 * connection (on any port), check it with the proxy's own handshake rules, and feed the bytes after the
 * request and the 101 to a ConnectionAnalyzer configured with what was negotiated, so a capture gives the
 * events the proxy would have given for the same traffic, with capture timestamps and both addresses.
 *
 * The proxy is the model for every choice: `open` at the 101 with the request's findings reported on
 * client->server and the response's on server->client, then the server's bytes that came with the 101,
 * then the client's bytes sent after its request; a refused upgrade gives its findings and an `error`
 * event; `close.ended_by/how` follow the relay's rules (the first Close frame's sender, else the first
 * FIN, else a reset).
 *
 * What the proxy never meets:
 * - a TLS connection (first bytes 16 03): listed as a `stream` of kind `tls`, not decodable;
 * - a connection the capture joins after its handshake: kind `no-handshake`, not judged, because the
 *   negotiated extensions decide what a valid frame is and guessing them would invent violations;
 * - a gap (bytes lost by the capture): a `gap` event, and that direction is judged no further, because
 *   where the next frame starts cannot be proved (the gap may hold frame headers). The other direction goes
 *   on. Judging resumes nowhere: frame boundaries are never guessed.
 *
 * Only the first request of a connection is examined: a WebSocket upgrade sent on a keep-alive connection
 * after other requests is listed as `http` (browsers and ws open a new connection for each WebSocket).
 *
 * This file is the one place that knows the analyzer's API; it will follow its changes.
 */
import {
  DIRECTIONS,
  SCHEMA_VERSION,
  type Clock,
  type Direction,
  type EndedBy,
  type ErrorEvent,
  type Side,
  type WsdiagEvent,
} from '../events/index.js';
import {
  parseHead,
  statusOf,
  type ParsedHead,
  checkUpgradeRequest,
  checkUpgradeResponse,
  type UpgradeRequestInfo,
  type Finding,
} from '../protocol/index.js';
import { MessageRecorder } from '../messages/index.js';
import { REDACT_SECRETS, type Redactor } from '../redact.js';
import { ConnectionAnalyzer, type AnalyzerOptions } from '../session/index.js';
import type { CloseEvent, EndHow } from '../events/index.js';
import type { CaptureEvent, StreamKind } from './events.js';
import type { CloseReason, GapCause, Peer, TcpConnection, TcpSink, TcpStreamHandler } from './reassembly.js';
import { endpointText, timestampToMs, type Timestamp } from './types.js';

/** Largest HTTP head looked for; a bigger one is not a WebSocket handshake any server would accept. */
export const MAX_HEAD_BYTES = 64 * 1024;
/** Bytes of one side held before the handshake completes (the head and what the client sends after it). */
const MAX_EARLY_BYTES = 1024 * 1024;

/** Analyzer settings shared by every connection of a capture (the negotiated ones come from each handshake). */
export type CaptureAnalyzerOptions = Omit<AnalyzerOptions, 'conn' | 'onEvent' | 'clock' | 'extensions' | 'subprotocol'>;

export interface WebSocketJudgeOptions {
  onEvent: (event: CaptureEvent) => void;
  /** Its `redact` also decides what paths, subprotocols and extensions show, as the proxy's does. */
  analyzer?: CaptureAnalyzerOptions;
  /** A `message` event per message, ping, pong and Close (`--messages`), keeping this many payload bytes (0 = sizes only). */
  messages?: { bodyLimit: number };
  /** Connection ids are this prefix and a number counted from 1, as the proxy's (default "c"). */
  connPrefix?: string;
}

export interface JudgeStats {
  /** Connections that became WebSocket connections (a 101 was seen). */
  websocket: number;
  /** Upgrade requests answered with something else than 101, or not answered in the capture. */
  refused: number;
  /** Connections listed with a `stream` event, by kind. */
  streams: Record<StreamKind, number>;
  /** Connections that carried no byte at all (a SYN to a closed port, a scan). */
  empty: number;
  gaps: number;
}

/** The HTTP request token characters (RFC 9110 §5.6.2), for telling a request line from other bytes early. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const REQUEST_LINE = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+) (\S+) HTTP\/(\d+\.\d+)$/;

export class WebSocketJudge implements TcpSink {
  readonly options: WebSocketJudgeOptions;
  private nextConn = 0;
  private readonly counters: JudgeStats = {
    websocket: 0,
    refused: 0,
    streams: { tls: 0, http: 0, other: 0, 'no-handshake': 0, incomplete: 0 },
    empty: 0,
    gaps: 0,
  };

  constructor(options: WebSocketJudgeOptions) {
    this.options = options;
  }

  get stats(): JudgeStats {
    return { ...this.counters, streams: { ...this.counters.streams } };
  }

  open(connection: TcpConnection): TcpStreamHandler {
    return new ConnectionJudge(this, connection);
  }

  /** What events may show of paths, subprotocols, payloads: the analyzer's policy (credentials redacted by default). */
  get redact(): Redactor {
    return this.options.analyzer?.redact ?? REDACT_SECRETS;
  }

  /** @internal */
  connId(): string {
    return `${this.options.connPrefix ?? 'c'}${++this.nextConn}`;
  }

  /** @internal */
  count(what: 'websocket' | 'refused' | 'empty' | 'gaps'): void {
    this.counters[what]++;
  }

  /** @internal */
  countStream(kind: StreamKind): void {
    this.counters.streams[kind]++;
  }
}

type Stage = 'sniffing' | 'awaiting-response' | 'websocket' | 'done';

interface Ending {
  ended_by?: EndedBy;
  how: EndHow;
}

/** One TCP connection: its handshake, then its WebSocket directions. */
class ConnectionJudge implements TcpStreamHandler {
  private readonly judge: WebSocketJudge;
  private readonly tcp: TcpConnection;
  private stage: Stage = 'sniffing';
  /** Bytes of each side held until the handshake is complete. */
  private readonly early: [EarlyBytes, EarlyBytes] = [new EarlyBytes(), new EarlyBytes()];
  /** Which peer sent the upgrade request (the client), once known. */
  private client: Peer | null = null;
  private conn = '';
  private path = '';
  private request: UpgradeRequestInfo | null = null;
  private requestFindings: Finding[] = [];
  /** Length of each side's handshake head: stream offsets after it are WebSocket offsets. */
  private readonly headLength: [number, number] = [0, 0];
  /** A side whose bytes stopped being judged (a gap). */
  private readonly stopped: [boolean, boolean] = [false, false];
  /** A gap in the client's bytes after its request, met before the 101: reported when the connection opens. */
  private earlyGap: { offset: number; length: number; cause: GapCause; ts: Timestamp } | null = null;
  private analyzer: ConnectionAnalyzer | null = null;
  private now = new Date(0);
  private readonly clock: Clock = () => this.now;
  private readonly closeFrom: Side[] = [];
  private ending: Ending | null = null;
  private sawBytes = false;

  constructor(judge: WebSocketJudge, tcp: TcpConnection) {
    this.judge = judge;
    this.tcp = tcp;
  }

  data(from: Peer, bytes: Uint8Array, _offset: number, ts: Timestamp): void {
    this.sawBytes = true;
    if (this.stage === 'websocket') {
      if (this.stopped[from]) return;
      this.tick(ts);
      this.analyzer!.push(this.dirOf(from), bytes);
      return;
    }
    if (this.stage === 'done') return;
    if (this.earlyGap !== null && from === this.client) return;
    const early = this.early[from];
    if (early.length + bytes.length > MAX_EARLY_BYTES) {
      this.list('incomplete', `More than ${MAX_EARLY_BYTES} bytes came from one side before the handshake completed; not judged.`);
      return;
    }
    early.append(bytes);
    this.examine(ts);
  }

  gap(from: Peer, offset: number, length: number, cause: GapCause, ts: Timestamp): void {
    this.judge.count('gaps');
    if (this.stage === 'websocket') {
      if (this.stopped[from]) return;
      this.tick(ts);
      this.stopDirection(from, offset - this.headLength[from], length, cause);
      return;
    }
    if (this.stage === 'done') return;
    if (this.stage === 'awaiting-response' && from === this.client && this.earlyGap === null) {
      // The request is complete: this gap is in the client's first WebSocket bytes.
      this.earlyGap = { offset: offset - this.headLength[from], length, cause, ts };
      return;
    }
    if (this.stage === 'awaiting-response' && from === this.client) return;
    if (this.conn !== '')
      this.reportRefused(`The handshake of ${this.path} is cut by a gap in the capture; the connection is not judged.`, null, ts);
    this.list('incomplete', `${length} bytes of the handshake are missing from the capture (${causeText(cause)}); not judged.`);
  }

  fin(from: Peer, ts: Timestamp): void {
    if (this.stage !== 'websocket') return;
    this.tick(ts);
    const dir = this.dirOf(from);
    this.analyzer!.end(dir, { ended_by: this.sideOf(from), how: 'fin' });
    const firstClose = this.closeFrom[0];
    this.setEnding(firstClose !== undefined ? { ended_by: firstClose, how: 'close-frame' } : { ended_by: this.sideOf(from), how: 'fin' });
  }

  reset(from: Peer, ts: Timestamp): void {
    if (this.stage !== 'websocket') return;
    this.tick(ts);
    const ending = { ended_by: this.sideOf(from), how: 'reset' } as const;
    this.setEnding(ending);
    // A frame in flight either way is cut by this reset: the analyzer blames the side that reset.
    for (const dir of DIRECTIONS) this.analyzer!.end(dir, ending);
  }

  close(reason: CloseReason, ts: Timestamp): void {
    switch (this.stage) {
      case 'websocket':
        this.tick(ts);
        // FIN and reset set the ending as they came; anything else means the capture did not show the end.
        if (reason !== 'fin' && reason !== 'reset') {
          this.setEnding({ how: 'capture-end' });
          // The capture stopped seeing the connection: a frame it holds only part of was not cut by anyone.
          for (const dir of DIRECTIONS) this.analyzer!.end(dir, 'unobserved');
        }
        this.analyzer!.finish();
        break;
      case 'awaiting-response':
        this.reportRefused(`The upgrade request for ${this.path} got no response in the capture.`, null, ts);
        this.list('incomplete', 'The capture holds the upgrade request but not the response; not judged.');
        break;
      case 'sniffing':
        if (!this.sawBytes) {
          this.judge.count('empty');
          this.stage = 'done';
          break;
        }
        this.examine(ts, true);
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- examine() moves the stage on; TypeScript keeps the narrowing from the switch
        if (this.stage === 'sniffing') this.list('other', 'Neither HTTP nor TLS.');
        break;
      case 'done':
        break;
    }
    this.stage = 'done';
  }

  // ---------------------------------------------------------------------------------------------------
  // Handshake

  /** Looks at what arrived so far; `final` when nothing more will come. */
  private examine(ts: Timestamp, final = false): void {
    if (this.stage === 'sniffing') {
      if (this.client === null && !this.findClient(final)) return;
      const head = this.head(this.client!, final);
      if (head === null) return;
      this.onRequest(head);
    }
    if (this.stage === 'awaiting-response') {
      const server = (1 - this.client!) as Peer;
      const early = this.early[server];
      // Too few bytes yet to tell an HTTP status line from anything else.
      if (early.length === 0 || (!early.startsWith('HTTP/') && early.couldStartWith('HTTP/') && !final)) return;
      if (!early.startsWith('HTTP/')) {
        this.reportRefused(`The server answered the upgrade of ${this.path} with bytes that are not an HTTP response.`, null, ts);
        this.list('other', 'The answer to the upgrade request is not HTTP.');
        return;
      }
      const head = this.head(server, final);
      if (head === null) return;
      this.onResponse(head, ts);
    }
  }

  /** Decides from the first bytes who the client is, or that this is not an HTTP upgrade at all. */
  private findClient(final: boolean): boolean {
    const first: Peer | null = this.early[0].length > 0 ? 0 : this.early[1].length > 0 ? 1 : null;
    if (first === null) return false;
    const early = this.early[first];
    const b0 = early.byteAt(0);
    if (b0 === 0x16 && (early.length < 2 || early.byteAt(1) === 0x03)) {
      if (early.length < 2 && !final) return false;
      this.list('tls', 'TLS: the traffic is encrypted and cannot be decoded from a capture.');
      return false;
    }
    if (early.couldStartWith('HTTP/') && !early.startsWith('HTTP/') && !final) return false;
    if (early.startsWith('HTTP/')) {
      this.list('no-handshake', 'The capture starts after the upgrade request: the handshake is not in it, so nothing is judged.');
      return false;
    }
    const line = early.firstLine();
    if (line === null) {
      // No full line yet: wait while the bytes still look like the start of a request line.
      const space = early.indexOf(0x20);
      const looksLikeMethod =
        space < 0 ? early.length <= 32 && TOKEN.test(early.text(0, early.length)) : space > 0 && TOKEN.test(early.text(0, space));
      if (!looksLikeMethod) this.listUnknown();
      else if (final) this.list('incomplete', 'The capture ends inside what looks like an HTTP request line; not judged.');
      else if (early.length >= MAX_HEAD_BYTES)
        this.list('other', `No line end in the first ${MAX_HEAD_BYTES} bytes; neither HTTP nor TLS.`);
      return false;
    }
    if (!REQUEST_LINE.test(line)) {
      this.listUnknown();
      return false;
    }
    this.client = first;
    return true;
  }

  /** The complete head of a side, or null while it is still arriving (or when it never will). */
  private head(peer: Peer, final: boolean): ParsedHead | null {
    const early = this.early[peer];
    const end = early.headEnd();
    if (end < 0) {
      if (early.length >= MAX_HEAD_BYTES) {
        this.list(peer === this.client ? 'http' : 'incomplete', `An HTTP head longer than ${MAX_HEAD_BYTES} bytes; not judged.`);
      } else if (final) {
        this.list('incomplete', 'The capture ends inside the handshake; not judged.');
      }
      return null;
    }
    this.headLength[peer] = end;
    return parseHead(early.text(0, end - 4));
  }

  private onRequest(head: ParsedHead): void {
    const match = REQUEST_LINE.exec(head.startLine);
    if (!match || !isUpgradeAttempt(head)) {
      this.list('http', 'HTTP without a WebSocket upgrade.');
      return;
    }
    const target = match[2]!;
    this.request = { method: match[1]!, httpVersion: match[3]!, headers: head.headers };
    this.requestFindings = checkUpgradeRequest(this.request);
    // Numbered when the request is seen, as the proxy numbers connections.
    this.conn = this.judge.connId();
    this.path = this.judge.redact.path(target);
    this.stage = 'awaiting-response';
  }

  private onResponse(head: ParsedHead, ts: Timestamp): void {
    const status = statusOf(head);
    if (status === null) {
      this.reportRefused(`The server answered the upgrade of ${this.path} with a malformed status line.`, null, ts);
      this.list('http', 'The answer to the upgrade request is not a valid HTTP response.');
      return;
    }
    if (status !== 101) {
      const reason = head.startLine.replace(/^HTTP\/\d\.\d \d{3} ?/, '');
      const statusText = reason === '' ? String(status) : `${status} ${reason}`;
      this.reportRefused(
        `The server answered the upgrade of ${this.path} with ${statusText} instead of 101 Switching Protocols.`,
        status,
        ts,
      );
      this.list('http', `An upgrade request answered with ${status}; not a WebSocket connection.`);
      return;
    }
    this.openWebSocket(head, ts);
  }

  private openWebSocket(head: ParsedHead, ts: Timestamp): void {
    const client = this.client!;
    const server = (1 - client) as Peer;
    const redact = this.judge.redact;
    const check = checkUpgradeResponse(this.request!, { statusCode: 101, headers: head.headers }, redact);
    this.tick(ts);
    this.stage = 'websocket';
    this.judge.count('websocket');
    this.analyzer = new ConnectionAnalyzer({
      ...(this.judge.options.analyzer ?? {}),
      conn: this.conn,
      extensions: check.extensions,
      subprotocol: check.subprotocol,
      clock: this.clock,
      onEvent: (event) => this.observe(event),
      ...this.messageObservers(redact),
    });
    // The decoder gets the handshake as negotiated, the `open` event as shown (src/proxy/upgrade.ts does the same).
    this.emit({
      v: SCHEMA_VERSION,
      type: 'open',
      ts: this.now.toISOString(),
      conn: this.conn,
      client: endpointText(this.tcp.endpoints[client]),
      path: this.path,
      subprotocol: check.subprotocol === null ? null : redact.subprotocols(check.subprotocol),
      extensions: check.extensions === null ? null : redact.text(check.extensions),
      server: endpointText(this.tcp.endpoints[server]),
      tcp_stream: this.tcp.stream,
    });
    this.analyzer.report('client->server', this.requestFindings);
    this.analyzer.report('server->client', check.findings);
    // As the relay starts: the server's bytes that came with the 101, then the client's after its request.
    for (const peer of [server, client]) {
      const rest = this.early[peer].bytesFrom(this.headLength[peer]);
      this.early[peer].clear();
      if (rest.length > 0) this.analyzer.push(this.dirOf(peer), rest);
    }
    if (this.earlyGap !== null) {
      const gap = this.earlyGap;
      this.earlyGap = null;
      this.tick(gap.ts);
      this.stopDirection(client, gap.offset, gap.length, gap.cause);
      this.tick(ts);
    }
  }

  /** With `messages`: a recorder per direction on the decoders, its events in the connection's stream. */
  private messageObservers(redact: Redactor): Pick<AnalyzerOptions, 'observers'> {
    const messages = this.judge.options.messages;
    if (messages === undefined) return {};
    const recorder = (dir: Direction) =>
      new MessageRecorder({ conn: this.conn, dir, bodyLimit: messages.bodyLimit, redact, clock: this.clock, emit: (e) => this.emit(e) });
    const base = this.judge.options.analyzer?.observers ?? {};
    return {
      observers: {
        'client->server': [...(base['client->server'] ?? []), recorder('client->server').listeners],
        'server->client': [...(base['server->client'] ?? []), recorder('server->client').listeners],
      },
    };
  }

  /** An upgrade that never became a connection: its findings, and an `error` event as the proxy gives. */
  private reportRefused(message: string, status: number | null, ts: Timestamp): void {
    this.tick(ts);
    this.judge.count('refused');
    if (this.requestFindings.length > 0) {
      const analyzer = new ConnectionAnalyzer({
        ...(this.judge.options.analyzer ?? {}),
        conn: this.conn,
        clock: this.clock,
        onEvent: (event) => this.observe(event),
      });
      analyzer.report('client->server', this.requestFindings);
    }
    const event: ErrorEvent = { v: SCHEMA_VERSION, type: 'error', ts: this.now.toISOString(), conn: this.conn, message };
    if (status !== null) event.status = status;
    this.emit(event);
  }

  // ---------------------------------------------------------------------------------------------------
  // WebSocket

  private stopDirection(from: Peer, offset: number, length: number, cause: GapCause): void {
    this.stopped[from] = true;
    const dir = this.dirOf(from);
    this.emit({
      v: SCHEMA_VERSION,
      type: 'gap',
      ts: this.now.toISOString(),
      conn: this.conn,
      dir,
      offset,
      length,
      cause,
      message: `${length} byte${length === 1 ? '' : 's'} of ${dir} at offset ${offset} are missing from the capture (${causeText(cause)}); the rest of this direction is not judged, because where its next frame starts cannot be known.`,
    });
    // Findings still waiting for their preview are reported with what arrived before the gap.
    this.analyzer!.end(dir, 'unobserved');
  }

  /** Every analyzer event passes here: Close frames are noted (for `how`), `close` gets the capture's ending. */
  private observe(event: WsdiagEvent): void {
    if (event.type === 'peer-close') this.closeFrom.push(event.by);
    if (event.type === 'close') {
      const close: CloseEvent = { ...event };
      if (this.ending !== null) {
        delete close.ended_by;
        delete close.how;
        if (this.ending.ended_by !== undefined) close.ended_by = this.ending.ended_by;
        close.how = this.ending.how;
      }
      this.emit(close);
      return;
    }
    // An analyzer never emits `open` (the handshake layer does), nor run-level events.
    if (event.type === 'open' || event.type === 'listening' || event.type === 'summary') return;
    this.emit(event);
  }

  private setEnding(ending: Ending): void {
    this.ending ??= ending;
  }

  // ---------------------------------------------------------------------------------------------------

  private list(kind: StreamKind, message: string): void {
    if (this.stage === 'done') return;
    this.stage = 'done';
    this.tcp.ignore();
    for (const early of this.early) early.clear();
    this.judge.countStream(kind);
    const client = this.client ?? 0;
    this.emit({
      v: SCHEMA_VERSION,
      type: 'stream',
      ts: new Date(timestampToMs(this.tcp.firstTs)).toISOString(),
      tcp_stream: this.tcp.stream,
      client: endpointText(this.tcp.endpoints[client]),
      server: endpointText(this.tcp.endpoints[1 - client]!),
      roles: this.client !== null ? 'http' : this.tcp.roles,
      kind,
      message,
    });
  }

  private listUnknown(): void {
    const midStream = !this.tcp.synSeen(0) && !this.tcp.synSeen(1);
    if (midStream)
      this.list(
        'no-handshake',
        'The capture starts in the middle of this connection and its first bytes are not an HTTP request; not judged.',
      );
    else this.list('other', 'Neither HTTP nor TLS.');
  }

  private emit(event: CaptureEvent): void {
    this.judge.options.onEvent(event);
  }

  private tick(ts: Timestamp): void {
    const ms = timestampToMs(ts);
    if (ms !== this.now.getTime()) this.now = new Date(ms);
  }

  private dirOf(from: Peer): Direction {
    return from === this.client ? 'client->server' : 'server->client';
  }

  private sideOf(from: Peer): Side {
    return from === this.client ? 'client' : 'server';
  }
}

/** The request asks for a WebSocket: an Upgrade header listing "websocket", or WebSocket key/version headers. */
function isUpgradeAttempt(head: ParsedHead): boolean {
  const upgrade = head.headers['upgrade'];
  if (upgrade !== undefined && upgrade.split(',').some((t) => t.trim().toLowerCase() === 'websocket')) return true;
  return head.headers['sec-websocket-key'] !== undefined || head.headers['sec-websocket-version'] !== undefined;
}

function causeText(cause: GapCause): string {
  switch (cause) {
    case 'lost':
      return 'the receiver acknowledged them, the capture lost them';
    case 'snaplen':
      return 'cut off by the snapshot length';
    case 'buffer-limit':
      return 'later segments waited too long for them';
    case 'reset':
      return 'the connection was reset before they were seen';
    case 'capture-end':
      return 'the capture ended before they were seen';
  }
}

/** Bytes of one side held before the handshake completes: its head, and what follows in the same stream. */
class EarlyBytes {
  private buf = new Uint8Array(0);
  length = 0;
  /** Where the searches for line ends resume: a head arriving a byte at a time is scanned once, not once per byte. */
  private lineScan = 0;
  private headScan = 0;

  append(bytes: Uint8Array): void {
    if (this.length + bytes.length > this.buf.length) {
      const grown = new Uint8Array(Math.max(this.length + bytes.length, this.buf.length * 2, 1024));
      grown.set(this.buf.subarray(0, this.length));
      this.buf = grown;
    }
    this.buf.set(bytes, this.length);
    this.length += bytes.length;
  }

  clear(): void {
    this.buf = new Uint8Array(0);
    this.length = 0;
    this.lineScan = 0;
    this.headScan = 0;
  }

  byteAt(i: number): number {
    return i < this.length ? this.buf[i]! : -1;
  }

  indexOf(byte: number): number {
    return this.buf.subarray(0, this.length).indexOf(byte);
  }

  /** The bytes begin with all of `prefix`. */
  startsWith(prefix: string): boolean {
    return this.length >= prefix.length && this.couldStartWith(prefix);
  }

  /** The bytes so far agree with `prefix` (they may be fewer). */
  couldStartWith(prefix: string): boolean {
    const n = Math.min(prefix.length, this.length);
    for (let i = 0; i < n; i++) if (this.buf[i] !== prefix.charCodeAt(i)) return false;
    return true;
  }

  /** The first line without its CRLF, once a CRLF arrived (within the head limit), else null. */
  firstLine(): string | null {
    const end = Math.min(this.length, MAX_HEAD_BYTES);
    let i = this.lineScan;
    for (; i + 1 < end; i++) {
      if (this.buf[i] === 0x0d && this.buf[i + 1] === 0x0a) return this.text(0, i);
    }
    this.lineScan = i;
    return null;
  }

  /** Index just past the first CRLF CRLF, or -1. */
  headEnd(): number {
    const end = Math.min(this.length, MAX_HEAD_BYTES);
    let i = this.headScan;
    for (; i + 3 < end; i++) {
      if (this.buf[i] === 0x0d && this.buf[i + 1] === 0x0a && this.buf[i + 2] === 0x0d && this.buf[i + 3] === 0x0a) return i + 4;
    }
    this.headScan = i;
    return -1;
  }

  /** Latin-1, as HTTP heads are read (RFC 9110 §5.5). */
  text(start: number, end: number): string {
    let s = '';
    for (let i = start; i < end; i += 4096) {
      s += String.fromCharCode(...this.buf.subarray(i, Math.min(end, i + 4096)));
    }
    return s;
  }

  bytesFrom(start: number): Uint8Array {
    return this.buf.slice(start, this.length);
  }
}
