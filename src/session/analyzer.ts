/**
 * One WebSocket connection seen from the middle: a decoder per direction, turned into the schema's events
 * (DESIGN §2) with connection id, direction, blame, timestamps, flood suppression and the link between an
 * endpoint's Close and the violation that provoked it. Still no I/O: the proxy feeds bytes, sinks get events.
 */
import {
  DIRECTIONS,
  SCHEMA_VERSION,
  directionFrom,
  frameFields,
  receiverOf,
  senderOf,
  systemClock,
  isoNow,
  type Blame,
  type Clock,
  type CloseEvent,
  type Direction,
  type FrameEvent,
  type PeerCloseCause,
  type PerDirection,
  type Side,
  type ViolationEvent,
  type WsdiagEvent,
} from '../events/index.js';
import {
  FrameDecoder,
  type TypePolicy,
  combineSinks,
  type CloseInfo,
  type DecoderSink,
  type Finding,
  type FrameHeader,
  type Truncation,
} from '../protocol/index.js';
import { REDACT_SECRETS, type Redactor } from '../redact.js';
import { getRule } from '../rules/index.js';
import { CauseStore } from './causes.js';
import {
  describeTruncation,
  describeUnansweredPing,
  explainConnectionEnd,
  explainPeerClose,
  isKeepaliveClose,
  truncationClause,
  unansweredPingClause,
  type Ending,
} from './explain-close.js';
import { PingTracker, type PendingPing } from './pings.js';
import { formatPreview } from './preview.js';

export type { Ending } from './explain-close.js';

export const DEFAULT_MAX_PER_RULE = 20;
/** How long a Ping may wait for its Pong before `ping-unanswered` (--pong-timeout). */
export const DEFAULT_PONG_TIMEOUT_MS = 30_000;

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
  /** What previews and Close reasons may show of credentials (default: redacted; src/redact.ts). */
  redact?: Redactor;
  /** Violations logged individually per rule (the rest are counted as suppressed); default 20. */
  maxPerRule?: number;
  clock?: Clock;
  /** Receives every event, in order. */
  onEvent: (event: WsdiagEvent) => void;
  /** Told about each violation that was counted but not logged (for run summaries); it carries no `preview`. */
  onSuppressed?: (violation: ViolationEvent) => void;
  /** Message types each direction's receiver accepts (1003 rules); absent = no check. */
  typePolicies?: Partial<Record<Direction, TypePolicy | null>>;
  /**
   * A Ping unanswered this long (ms) is reported as `ping-unanswered`; 0 = only when the connection ends;
   * null = pings are not tracked (one-direction analysis, where the answers cannot be seen). Default 30000.
   * The analyzer has no timers: whoever owns them calls `checkPongTimeouts()` at `pongDeadline`.
   */
  pongTimeoutMs?: number | null;
  /**
   * More listeners on each direction's decoder (a stream recorder, a message view): they get the same
   * decoder events as the analyzer, after it, so the bytes are decoded once for everyone. Only the events
   * some listener defines are produced; without observers nothing changes.
   */
  observers?: Partial<Record<Direction, readonly Partial<DecoderSink>[]>>;
}

export class ConnectionAnalyzer {
  readonly conn: string;
  readonly startedAt: Date;
  private readonly options: AnalyzerOptions;
  private readonly clock: Clock;
  private readonly redact: Redactor;
  private readonly decoders: PerDirection<FrameDecoder>;
  private readonly perRule = new Map<string, number>();
  /** Violations that may explain the other side's Close (their sender is to blame). */
  private readonly causes = new CauseStore();
  /** The code of each side's Close frame, once sent. */
  private readonly closeFrom: Partial<Record<Side, number | null>> = {};
  private readonly pings: PingTracker | null;
  /** Directions whose stream has ended. */
  private readonly ended: PerDirection<boolean> = { 'client->server': false, 'server->client': false };
  /** The first frame cut short, for the close event. */
  private firstCut: { cause: PeerCloseCause; clause: string } | null = null;
  private violationCount = 0;
  private suppressedCount = 0;
  private finished = false;

  constructor(options: AnalyzerOptions) {
    this.options = options;
    this.conn = options.conn;
    this.clock = options.clock ?? systemClock;
    this.redact = options.redact ?? REDACT_SECRETS;
    this.startedAt = this.clock();
    const make = (dir: Direction): FrameDecoder =>
      new FrameDecoder(combineSinks(this.sinkFor(dir), ...(options.observers?.[dir] ?? [])), {
        from: senderOf(dir),
        extensions: options.extensions ?? null,
        typePolicy: options.typePolicies?.[dir] ?? null,
        ...(options.maxMessage !== undefined ? { maxMessage: options.maxMessage } : {}),
      });
    this.decoders = { 'client->server': make('client->server'), 'server->client': make('server->client') };
    const pongTimeout = options.pongTimeoutMs === undefined ? DEFAULT_PONG_TIMEOUT_MS : options.pongTimeoutMs;
    this.pings = pongTimeout === null ? null : new PingTracker(pongTimeout);
  }

  /** Feeds bytes of one direction, in stream order. */
  push(dir: Direction, chunk: Uint8Array): void {
    this.decoders[dir].push(chunk);
  }

  /**
   * That direction's stream ended: emits findings still waiting for their preview and reports a frame
   * cut short (`truncated-frame`). `ending` says who ended it and how, when the caller knows (the relay);
   * without it the stream is a recording that stopped; `'unobserved'` means the observer stopped seeing it
   * (a gap in a capture, the capture's end), which is nobody's fault. Returns the cut, or null. Later calls
   * do nothing.
   */
  end(dir: Direction, ending: Ending | 'unobserved' | null = null): Truncation | null {
    if (this.ended[dir]) return null;
    this.ended[dir] = true;
    const cut = this.decoders[dir].end();
    // A connection wsdiag itself cut (shutdown, --enforce, idle timeout) is not the peers' fault, nor is
    // the end of what an observer saw ('unobserved': a capture that lost bytes or stopped first).
    if (cut && ending !== 'unobserved' && ending?.ended_by !== 'proxy') this.reportTruncation(dir, cut, ending);
    return cut;
  }

  /**
   * The clock time (ms since the epoch) at which the earliest Ping still waiting for its Pong becomes
   * overdue, or null: when to call `checkPongTimeouts()`. Cheap enough to read after every chunk.
   */
  get pongDeadline(): number | null {
    return this.finished ? null : (this.pings?.deadline() ?? null);
  }

  /**
   * wsdiag itself started closing the connection (a Close of its own to an endpoint: --enforce, a graceful
   * stop): from now on no Pong is awaited, as after an endpoint's Close.
   */
  proxyClosing(): void {
    this.pings?.close();
  }

  /** Reports each Ping left without a Pong past the timeout, as of the clock's current time. */
  checkPongTimeouts(): void {
    if (!this.pings || this.finished) return;
    const now = this.clock().getTime();
    for (const dir of this.pings.overdue(now)) {
      const run = this.pings.run(dir);
      if (run) this.reportUnansweredPing(dir, run, { kind: 'timeout', waitedMs: now - run.at, timeoutMs: this.pings.timeoutMs });
    }
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

  /**
   * Ends the connection: ends the directions still open (as `end` does, with `how` as their ending),
   * reports Pings still unanswered, and emits the `close` event (once). When the closing handshake was not
   * completed, the close event says how it ended and what explains it.
   */
  finish(how?: Ending): CloseEvent | null {
    if (this.finished) return null;
    for (const dir of DIRECTIONS) this.end(dir, how ?? null);
    const nowMs = this.clock().getTime();
    // Pings cut off by wsdiag's own ending (shutdown, --enforce, idle timeout) are not the peers' fault.
    const pings = this.pings;
    const unanswered =
      pings && how?.ended_by !== 'proxy'
        ? (DIRECTIONS.map((dir) => this.reportPingAtEnd(pings, dir, nowMs)).find((ping) => ping !== null) ?? null)
        : null;
    this.finished = true;
    const story = how ? explainConnectionEnd({ ending: how, closes: this.closeFrom, truncation: this.firstCut, ping: unanswered }) : null;
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
      ...(story ?? {}),
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
    if (this.options.pongTimeoutMs !== null) {
      sink.ping = (frame) => this.pings?.ping(dir, frame, this.clock().getTime());
      sink.pong = () => this.pings?.pong(dir);
    }
    if (this.options.frames) sink.frame = (header) => this.frame(dir, header);
    return sink;
  }

  private ts(): string {
    return this.clock === systemClock ? isoNow() : this.clock().toISOString();
  }

  private frame(dir: Direction, h: FrameHeader): void {
    const event: FrameEvent = {
      v: SCHEMA_VERSION,
      type: 'frame',
      ts: this.ts(),
      conn: this.conn,
      dir,
      ...frameFields(h),
    };
    this.options.onEvent(event);
  }

  /** `blame` defaults to the sender of `dir`: the side whose bytes broke the rule. */
  private violation(dir: Direction, finding: Finding, blame: Blame = senderOf(dir)): void {
    const rule = getRule(finding.rule);
    const event: ViolationEvent = {
      v: SCHEMA_VERSION,
      type: 'violation',
      ts: this.ts(),
      conn: this.conn,
      dir,
      code: rule.code,
      rule: rule.id,
      severity: rule.severity,
      blame,
      frame: finding.frame,
      message: finding.message,
      hint: finding.hint ?? rule.hint(blame === 'client' || blame === 'server' ? blame : senderOf(dir)),
      rfc: rule.rfc,
    };
    this.violationCount++;
    if (blame === senderOf(dir)) this.causes.record(dir, rule.id, rule.code, finding.frame);
    const seen = (this.perRule.get(rule.id) ?? 0) + 1;
    this.perRule.set(rule.id, seen);
    if (seen > (this.options.maxPerRule ?? DEFAULT_MAX_PER_RULE)) {
      this.suppressedCount++;
      this.options.onSuppressed?.(event);
      return;
    }
    // Only for the events written: in a flood of suppressed violations, formatting and redacting a
    // preview nobody reads would be the costliest part.
    if (finding.preview && this.options.preview !== false) event.preview = formatPreview(finding.preview, this.redact);
    this.options.onEvent(event);
  }

  /** A frame cut short by the end of its direction: blamed on whoever ended the connection. */
  private reportTruncation(dir: Direction, cut: Truncation, ending: Ending | null): void {
    const sender = senderOf(dir);
    const blame: Blame = ending === null || ending.ended_by === 'proxy' ? 'unknown' : ending.ended_by;
    this.violation(dir, { rule: 'truncated-frame', message: describeTruncation(sender, cut, ending), frame: cut.frame }, blame);
    this.firstCut ??= { cause: { rule: 'truncated-frame', dir, frame: cut.frame }, clause: truncationClause(sender, cut) };
  }

  /**
   * A Ping of `dir` that the other side left unanswered: the violation travels with the Ping (`dir`) but
   * blames the side that owed the Pong. Reported once per unanswered run.
   */
  private reportUnansweredPing(dir: Direction, run: PendingPing, when: Parameters<typeof describeUnansweredPing>[3]): PeerCloseCause {
    const cause: PeerCloseCause = { rule: 'ping-unanswered', dir, frame: run.frame };
    if (run.reported) return cause;
    run.reported = true;
    const message = describeUnansweredPing(senderOf(dir), run.frame, run.later, when);
    this.violation(dir, { rule: 'ping-unanswered', message, frame: run.frame }, receiverOf(dir));
    return cause;
  }

  /**
   * At the connection's end: reports a Ping of `dir` still waiting (unless the closing handshake excused
   * it), and returns the unanswered run, reported now or before, as the close event's explanation.
   */
  private reportPingAtEnd(pings: PingTracker, dir: Direction, nowMs: number): { cause: PeerCloseCause; clause: string } | null {
    const waiting = pings.waiting(dir);
    if (waiting) this.reportUnansweredPing(dir, waiting, { kind: 'end', waitedMs: nowMs - waiting.at });
    const run = pings.run(dir);
    if (!run?.reported) return null;
    return {
      cause: { rule: 'ping-unanswered', dir, frame: run.frame },
      clause: unansweredPingClause(senderOf(dir), run.frame, nowMs - run.at),
    };
  }

  /** An endpoint sent a Close: say what it means and what, seen from the middle, caused it. */
  private peerClose(dir: Direction, close: CloseInfo): void {
    const by = senderOf(dir);
    const reply = this.closeFrom[receiverOf(dir)] !== undefined;
    this.closeFrom[by] = close.code;
    let keepalive: { cause: PeerCloseCause; waitedMs: number } | null = null;
    const run = this.pings?.run(dir);
    if (run && !reply && isKeepaliveClose(close.code, close.reason)) {
      // The closer says it gave up waiting for a Pong, and one of its Pings is indeed unanswered.
      const waitedMs = this.clock().getTime() - run.at;
      keepalive = { cause: this.reportUnansweredPing(dir, run, { kind: 'close', waitedMs, code: close.code }), waitedMs };
    }
    this.pings?.close();
    const received = this.causes.best(directionFrom(receiverOf(dir)), close.code);
    const { blame, explain, cause } = explainPeerClose({ by, code: close.code, valid: close.valid, reply, received, keepalive });
    this.options.onEvent({
      v: SCHEMA_VERSION,
      type: 'peer-close',
      ts: this.ts(),
      conn: this.conn,
      by,
      code: close.code,
      reason: this.redact.text(close.reason),
      cause,
      blame,
      explain,
    });
  }
}

function perDirection<T>(fn: (dir: Direction) => T): PerDirection<T> {
  return { 'client->server': fn('client->server'), 'server->client': fn('server->client') };
}
