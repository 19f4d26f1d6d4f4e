/**
 * One WebSocket connection seen from the middle: a decoder per direction, turned into the schema's events
 * (DESIGN §2) with connection id, direction, blame, timestamps, flood suppression and the link between an
 * endpoint's Close and the violation that provoked it. Still no I/O: the proxy feeds bytes, sinks get events.
 */
import {
  DIRECTIONS,
  SCHEMA_VERSION,
  receiverOf,
  senderOf,
  systemClock,
  type Blame,
  type Clock,
  type CloseEvent,
  type Direction,
  type EndHow,
  type EndedBy,
  type FrameEvent,
  type PeerCloseCause,
  type PerDirection,
  type Side,
  type ViolationEvent,
  type WsdiagEvent,
} from '../events.js';
import { closeCodeName } from '../protocol/constants.js';
import { FrameDecoder } from '../protocol/decoder.js';
import type { TypePolicy } from '../protocol/message-type.js';
import { combineSinks } from '../protocol/sink.js';
import type { CloseInfo, DecoderSink, Finding, FrameHeader, MessageInfo } from '../protocol/types.js';
import { getRule } from '../rules/table.js';
import { formatPreview } from './preview.js';

export const DEFAULT_MAX_PER_RULE = 20;

export interface AnalyzerOptions {
  /** Connection id used in every event. */
  conn: string;
  /** The Sec-WebSocket-Extensions value the server accepted. */
  extensions?: string | null;
  /** The subprotocol the server accepted. */
  subprotocol?: string | null;
  /** Largest message in bytes before `message-too-big`; 0 = no limit (default 100 MiB). */
  maxMessage?: number;
  /** Emit a `frame` event per frame. */
  frames?: boolean;
  /** Attach payload previews to violations (default true). */
  preview?: boolean;
  /** Violations logged individually per rule (the rest are counted as suppressed); default 20. */
  maxPerRule?: number;
  clock?: Clock;
  /** Receives every event, in order. */
  onEvent: (event: WsdiagEvent) => void;
  /** Told about each violation that was counted but not logged (for run summaries). */
  onSuppressed?: (violation: ViolationEvent) => void;
  /** Message types each direction's receiver accepts (1003 rules); absent = no check. */
  typePolicies?: Partial<Record<Direction, TypePolicy | null>>;
  /** Called with each data message as it ends (for message-type policies). */
  onMessage?: (dir: Direction, message: MessageInfo) => void;
  /**
   * More listeners on each direction's decoder (a stream recorder, a message view): they get the same
   * decoder events as the analyzer, after it, so the bytes are decoded once for everyone. Only the events
   * some listener defines are produced; without observers nothing changes.
   */
  observers?: Partial<Record<Direction, readonly Partial<DecoderSink>[]>>;
}

/** The most recent violation per direction, remembered to explain the other side's Close. */
interface LastViolation {
  rule: string;
  dir: Direction;
  frame: ViolationEvent['frame'];
  code: number;
}

export class ConnectionAnalyzer {
  readonly conn: string;
  readonly startedAt: Date;
  private readonly options: AnalyzerOptions;
  private readonly clock: Clock;
  private readonly decoders: PerDirection<FrameDecoder>;
  private readonly perRule = new Map<string, number>();
  private readonly lastViolation: Partial<Record<Direction, LastViolation>> = {};
  private readonly closeFrom: Partial<Record<Side, { code: number | null }>> = {};
  private violationCount = 0;
  private suppressedCount = 0;
  private finished = false;

  constructor(options: AnalyzerOptions) {
    this.options = options;
    this.conn = options.conn;
    this.clock = options.clock ?? systemClock;
    this.startedAt = this.clock();
    const make = (dir: Direction): FrameDecoder =>
      new FrameDecoder(combineSinks(this.sinkFor(dir), ...(options.observers?.[dir] ?? [])), {
        from: senderOf(dir),
        extensions: options.extensions ?? null,
        typePolicy: options.typePolicies?.[dir] ?? null,
        ...(options.maxMessage !== undefined ? { maxMessage: options.maxMessage } : {}),
      });
    this.decoders = { 'client->server': make('client->server'), 'server->client': make('server->client') };
  }

  /** Feeds bytes of one direction, in stream order. */
  push(dir: Direction, chunk: Uint8Array): void {
    this.decoders[dir].push(chunk);
  }

  /** That direction's stream ended; emits findings still waiting for their preview. */
  end(dir: Direction): void {
    this.decoders[dir].end();
  }

  /** Reports findings made outside the frame stream (handshake checks) as violations of `dir`. */
  report(dir: Direction, findings: readonly Finding[]): void {
    for (const finding of findings) this.violation(dir, finding);
  }

  /** Changes the message types a direction's receiver accepts, from its next message on. */
  setTypePolicy(dir: Direction, policy: TypePolicy | null): void {
    this.decoders[dir].setTypePolicy(policy);
  }

  /** The first error-severity violation of a direction as soon as it is detected (for --enforce). */
  firstError(dir: Direction): Finding | null {
    return this.decoders[dir].firstError;
  }

  /** The decoder of one direction, for callers that need its counters. */
  decoder(dir: Direction): FrameDecoder {
    return this.decoders[dir];
  }

  get violations(): number {
    return this.violationCount;
  }

  get suppressed(): number {
    return this.suppressedCount;
  }

  /** Ends the connection: flushes both directions and emits the `close` event (once). */
  finish(how?: { ended_by: EndedBy; how: EndHow }): CloseEvent | null {
    if (this.finished) return null;
    this.finished = true;
    for (const dir of DIRECTIONS) this.decoders[dir].end();
    const now = this.clock();
    const event: CloseEvent = {
      v: SCHEMA_VERSION,
      type: 'close',
      ts: now.toISOString(),
      conn: this.conn,
      duration_ms: Math.max(0, now.getTime() - this.startedAt.getTime()),
      frames: perDirection((dir) => this.decoders[dir].frameCount),
      bytes: perDirection((dir) => this.decoders[dir].bytesSeen),
      violations: this.violationCount,
      suppressed: this.suppressedCount,
      ...(how ?? {}),
    };
    this.options.onEvent(event);
    return event;
  }

  // ---------------------------------------------------------------------------------------------------

  private sinkFor(dir: Direction): DecoderSink {
    const sink: DecoderSink = {
      finding: (finding) => this.violation(dir, finding),
      close: (close) => this.peerClose(dir, close),
    };
    if (this.options.frames) sink.frame = (header) => this.frame(dir, header);
    if (this.options.onMessage) {
      const onMessage = this.options.onMessage;
      sink.messageEnd = (message) => onMessage(dir, message);
    }
    return sink;
  }

  private ts(): string {
    return this.clock().toISOString();
  }

  private frame(dir: Direction, h: FrameHeader): void {
    const event: FrameEvent = {
      v: SCHEMA_VERSION,
      type: 'frame',
      ts: this.ts(),
      conn: this.conn,
      dir,
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
    this.options.onEvent(event);
  }

  private violation(dir: Direction, finding: Finding): void {
    const rule = getRule(finding.rule);
    const sender = senderOf(dir);
    const event: ViolationEvent = {
      v: SCHEMA_VERSION,
      type: 'violation',
      ts: this.ts(),
      conn: this.conn,
      dir,
      code: rule.code,
      rule: rule.id,
      severity: rule.severity,
      blame: sender,
      frame: finding.frame,
      message: finding.message,
      hint: finding.hint ?? rule.hint(sender),
      rfc: rule.rfc,
    };
    if (finding.preview && this.options.preview !== false) event.preview = formatPreview(finding.preview);
    this.violationCount++;
    this.lastViolation[dir] = { rule: rule.id, dir, frame: finding.frame, code: rule.code };
    const seen = (this.perRule.get(rule.id) ?? 0) + 1;
    this.perRule.set(rule.id, seen);
    if (seen > (this.options.maxPerRule ?? DEFAULT_MAX_PER_RULE)) {
      this.suppressedCount++;
      this.options.onSuppressed?.(event);
      return;
    }
    this.options.onEvent(event);
  }

  /** An endpoint sent a Close: say what it means and what, seen from the middle, caused it. */
  private peerClose(dir: Direction, close: CloseInfo): void {
    const by = senderOf(dir);
    const other = receiverOf(dir);
    const towardCloser = this.lastViolation[dir === 'client->server' ? 'server->client' : 'client->server'];
    const reply = this.closeFrom[other] !== undefined;
    this.closeFrom[by] = { code: close.code };
    const { blame, explain, cause } = explainClose(by, other, close.code, towardCloser ?? null, reply);
    this.options.onEvent({
      v: SCHEMA_VERSION,
      type: 'peer-close',
      ts: this.ts(),
      conn: this.conn,
      by,
      code: close.code,
      reason: close.reason,
      cause,
      blame,
      explain,
    });
  }
}

/** Codes an endpoint sends when it blames what it received. */
const FAULT_CODES = new Set([1002, 1003, 1007, 1009]);

function explainClose(
  by: Side,
  other: Side,
  code: number | null,
  received: LastViolation | null,
  reply: boolean,
): { blame: Blame; explain: string; cause: PeerCloseCause | null } {
  const what = code === null ? 'without a status code' : `with ${code} (${closeCodeName(code)})`;
  if (received && (code === null || FAULT_CODES.has(code) || code === 1008 || code === 1011)) {
    const frame = received.frame ? ` (frame #${received.frame.index} at offset ${received.frame.offset})` : ' (in the handshake)';
    const matches = code === received.code ? ', exactly the code wsdiag expected' : '';
    return {
      blame: other,
      cause: { rule: received.rule, dir: received.dir, frame: received.frame },
      explain: `The ${by} closed ${what} after the ${other} broke ${received.rule}${frame}${matches}.`,
    };
  }
  // Echoing the other side's code in the answering Close is what RFC 6455 §5.5.1 suggests: not a complaint.
  if (reply) {
    return { blame: by, cause: null, explain: `The ${by} answered the ${other}'s Close ${what}, completing the closing handshake.` };
  }
  if (code !== null && FAULT_CODES.has(code)) {
    return {
      blame: 'unknown',
      cause: null,
      explain: `The ${by} closed ${what} although every frame wsdiag relayed to it was valid: something after wsdiag (another proxy or load balancer) altered the traffic, or the ${by} itself is wrong.`,
    };
  }
  return { blame: by, cause: null, explain: `The ${by} started the closing handshake ${what}.` };
}

function perDirection<T>(fn: (dir: Direction) => T): PerDirection<T> {
  return { 'client->server': fn('client->server'), 'server->client': fn('server->client') };
}
