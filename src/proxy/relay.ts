/**
 * One WebSocket connection after its 101: two sockets, two directions, and the tap in the middle.
 *
 *   client socket ──data──► [tap: forward chunk, then analyzer.push] ──write──► upstream socket
 *   client socket ◄──write── [tap: forward chunk, then analyzer.push] ◄──data── upstream socket
 *
 * - Every byte of each direction reaches the analyzer exactly once and in order, starting with the bytes
 *   that arrived together with the handshake (the `head` buffers), and the original chunks are forwarded
 *   untouched (never copied, never mutated).
 * - Backpressure: when a write reports a full buffer, the source is paused until the sink drains, so
 *   memory stays bounded by the sockets' high-water marks whatever the peers do.
 * - A FIN is passed on as a FIN (half-close), a reset as a reset; the `close` event says who ended the
 *   connection and how.
 * - With --enforce the analyzer sees each chunk before it is forwarded, and the relay stops at the first
 *   error-severity violation (see ./enforce.ts).
 */
import type { Socket } from 'node:net';
import {
  SCHEMA_VERSION,
  directionFrom,
  type Clock,
  type Direction,
  type ErrorEvent,
  type Side,
  type WsdiagEvent,
} from '../events.js';
import type { Finding } from '../protocol/types.js';
import { ConnectionAnalyzer, type AnalyzerOptions, type Ending } from '../session/analyzer.js';
import { bystanderClose, enforcementFor, explainEnforcedReply, forwardableBytes, offenderClose, type Enforcement } from './enforce.js';

export interface RelayOptions {
  conn: string;
  /** The client's socket, as the 'upgrade' event handed it over. */
  client: Socket;
  /** The upstream's socket, as the upgrade response handed it over. */
  upstream: Socket;
  /** Everything the analyzer needs except its id and sink, which the relay provides. */
  analyzer: Omit<AnalyzerOptions, 'conn' | 'onEvent' | 'clock'>;
  emit: (event: WsdiagEvent) => void;
  clock: Clock;
  enforce: boolean;
  /** How long --enforce waits for the Close replies before dropping both sockets. */
  enforceGraceMs: number;
  /** End the connection after this long without a byte in either direction; 0/undefined = never. */
  idleTimeoutMs?: number;
  /** Sees what the analyzer sees: each chunk of each direction, then the direction's end. */
  tap?: RelayTap;
}

/** An observer of the relayed bytes (ProxyOptions.onTap/onTapEnd); it must not change the chunks. */
export interface RelayTap {
  data(dir: Direction, chunk: Uint8Array): void;
  /** The direction's sender sent a FIN or its socket closed without one; called once per direction. */
  end(dir: Direction): void;
}

/** One direction of the relay. */
interface Leg {
  dir: Direction;
  source: Socket;
  sink: Socket;
  /** Bytes of this direction written to the sink so far. */
  forwarded: number;
  /** --enforce: bytes received but not yet judged (an incomplete header or control frame), in order. */
  held: Uint8Array[];
  /** The source is paused until the sink drains. */
  throttled: boolean;
}

/** The longest delay setTimeout accepts. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Socket errors that mean the peer reset or vanished, as opposed to a local or TLS failure. */
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

export class Relay {
  readonly conn: string;
  readonly analyzer: ConnectionAnalyzer;
  /** Resolves after the `close` event was emitted. */
  readonly done: Promise<void>;

  private readonly options: RelayOptions;
  private readonly sockets: Record<Side, Socket>;
  private readonly legs: Record<Direction, Leg>;
  private readonly finReceived: Record<Side, boolean> = { client: false, server: false };
  private readonly closed: Record<Side, boolean> = { client: false, server: false };
  /** Sides seen sending a Close frame, in order. */
  private readonly closeFrom: Side[] = [];
  private ending: Ending | null = null;
  private enforcement: Enforcement | null = null;
  /** Sides wsdiag sent a Close to and still waits for (--enforce). */
  private readonly awaitingReply = new Set<Side>();
  private idleTimer: NodeJS.Timeout | null = null;
  private graceTimer: NodeJS.Timeout | null = null;
  /** The one timer for the analyzer's earliest pong deadline (never one per ping), and the deadline it is for. */
  private pongTimer: NodeJS.Timeout | null = null;
  private pongTimerFor: number | null = null;
  private finished = false;
  private resolveDone!: () => void;

  /** Attaches error listeners at once: from here on no socket error can go unhandled. */
  constructor(options: RelayOptions) {
    this.options = options;
    this.conn = options.conn;
    this.sockets = { client: options.client, server: options.upstream };
    for (const side of ['client', 'server'] as const) {
      this.sockets[side].on('error', (err: NodeJS.ErrnoException) => this.onError(side, err));
    }
    this.legs = {
      'client->server': { dir: 'client->server', source: options.client, sink: options.upstream, forwarded: 0, held: [], throttled: false },
      'server->client': { dir: 'server->client', source: options.upstream, sink: options.client, forwarded: 0, held: [], throttled: false },
    };
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    this.analyzer = new ConnectionAnalyzer({
      ...options.analyzer,
      conn: options.conn,
      clock: options.clock,
      onEvent: (event) => this.observe(event),
    });
  }

  /**
   * Starts relaying. `clientHead` are the client bytes that came with the upgrade request, `upstreamHead`
   * the upstream bytes that came with the 101: they are the first bytes of each direction.
   */
  start(clientHead: Uint8Array, upstreamHead: Uint8Array): void {
    for (const side of ['client', 'server'] as const) {
      const socket = this.sockets[side];
      socket.setNoDelay(true);
      socket.on('end', () => this.onEnd(side));
      socket.on('close', () => this.onClose(side));
      // A socket may have been closed while the handshake was in flight.
      if (socket.closed) queueMicrotask(() => this.onClose(side));
    }
    for (const leg of Object.values(this.legs)) {
      leg.sink.on('drain', () => this.onDrain(leg));
    }
    if (this.options.idleTimeoutMs) {
      this.idleTimer = setTimeout(() => this.stop({ ended_by: 'proxy', how: 'timeout' }), this.options.idleTimeoutMs);
      this.idleTimer.unref();
    }
    // Head bytes first, then whatever the sockets buffered since: stream order is preserved.
    if (upstreamHead.length > 0) this.onData(this.legs['server->client'], upstreamHead);
    if (clientHead.length > 0) this.onData(this.legs['client->server'], clientHead);
    // Adding a 'data' listener starts each socket flowing.
    for (const leg of Object.values(this.legs)) {
      leg.source.on('data', (chunk: Buffer) => this.onData(leg, chunk));
    }
  }

  /** Ends the connection now (proxy shutdown); resolves once its `close` event was emitted. */
  shutdown(): Promise<void> {
    this.stop({ ended_by: 'proxy', how: 'shutdown' });
    return this.done;
  }

  // ---------------------------------------------------------------------------------------------------
  // Data path

  private onData(leg: Leg, chunk: Uint8Array): void {
    this.idleTimer?.refresh();
    if (this.enforcement) {
      // After --enforce stepped in nothing is relayed; the endpoints' answers are still decoded.
      this.analyze(leg, chunk);
      return;
    }
    if (!this.options.enforce) {
      this.forward(leg, chunk);
      this.analyze(leg, chunk);
      return;
    }
    // Enforce: judge the bytes before they go out, and hold back what cannot be judged yet (a header split
    // across reads, a control frame still arriving) so a refused frame is never partly sent.
    this.analyze(leg, chunk);
    leg.held.push(chunk);
    const finding = this.analyzer.firstError(leg.dir);
    const limit = finding?.frame ? finding.frame.offset : this.analyzer.decoder(leg.dir).judgedOffset;
    this.forwardHeld(leg, limit);
    if (finding) this.enforce(leg, finding, forwardableBytes(finding, leg.forwarded, 0) >= 0);
  }

  private analyze(leg: Leg, chunk: Uint8Array): void {
    this.options.tap?.data(leg.dir, chunk);
    this.analyzer.push(leg.dir, chunk);
    if (this.analyzer.pongDeadline !== this.pongTimerFor) this.schedulePongCheck();
  }

  /** (Re)arms the pong timer for the analyzer's earliest deadline: pings are rare, so this seldom runs. */
  private schedulePongCheck(): void {
    if (this.pongTimer) clearTimeout(this.pongTimer);
    this.pongTimer = null;
    const deadline = this.finished ? null : this.analyzer.pongDeadline;
    this.pongTimerFor = deadline;
    if (deadline === null) return;
    // setTimeout takes at most 2^31-1 ms; a later deadline is simply checked again then.
    const delay = Math.min(MAX_TIMER_MS, Math.max(1, deadline - this.options.clock().getTime()));
    this.pongTimer = setTimeout(() => {
      this.pongTimer = null;
      this.analyzer.checkPongTimeouts();
      this.schedulePongCheck();
    }, delay);
    this.pongTimer.unref();
  }

  /** Forwards held bytes of a direction up to stream offset `limit`. */
  private forwardHeld(leg: Leg, limit: number): void {
    while (leg.held.length > 0 && leg.forwarded < limit) {
      const first = leg.held[0]!;
      const take = Math.min(first.length, limit - leg.forwarded);
      if (take === first.length) leg.held.shift();
      else leg.held[0] = first.subarray(take);
      this.forward(leg, take === first.length ? first : first.subarray(0, take));
    }
  }

  private forward(leg: Leg, chunk: Uint8Array): void {
    const sink = leg.sink;
    // The receiver is gone: its bytes have nowhere to go, and its own events end the connection.
    if (sink.destroyed || sink.writableEnded) return;
    leg.forwarded += chunk.length;
    if (!sink.write(chunk) && !leg.throttled) {
      leg.throttled = true;
      leg.source.pause();
    }
  }

  private onDrain(leg: Leg): void {
    if (!leg.throttled) return;
    leg.throttled = false;
    leg.source.resume();
  }

  // ---------------------------------------------------------------------------------------------------
  // Endings

  private onEnd(side: Side): void {
    this.finReceived[side] = true;
    this.options.tap?.end(directionFrom(side));
    // After --enforce stepped in, a frame cut short is wsdiag's doing, not the peer's.
    this.analyzer.end(directionFrom(side), this.enforcement ? { ended_by: 'proxy', how: 'enforce' } : { ended_by: side, how: 'fin' });
    const firstClose = this.closeFrom[0];
    this.setEnding(firstClose !== undefined ? { ended_by: firstClose, how: 'close-frame' } : { ended_by: side, how: 'fin' });
    // Half-close: pass the FIN on once everything before it was written.
    const other = this.sockets[otherSide(side)];
    if (!other.destroyed && !other.writableEnded) other.end();
  }

  private onError(side: Side, err: NodeJS.ErrnoException): void {
    const reset = err.code !== undefined && RESET_CODES.has(err.code);
    const ending: Ending = { ended_by: side, how: reset ? 'reset' : 'error' };
    this.setEnding(ending);
    // Nothing more comes from this side: its direction ends here, and a frame it was sending was cut by it.
    this.analyzer.end(directionFrom(side), this.enforcement ? { ended_by: 'proxy', how: 'enforce' } : ending);
    if (!reset) this.emitError(`The ${side} connection failed: ${err.message}.`);
    const other = this.sockets[otherSide(side)];
    // A reset is passed on as a reset, so the other endpoint sees what really happened.
    if (reset) resetSocket(other);
    else other.destroy();
  }

  private onClose(side: Side): void {
    if (this.closed[side]) return;
    this.closed[side] = true;
    if (!this.finReceived[side]) {
      this.options.tap?.end(directionFrom(side));
      // Gone without a FIN (reset, error, or destroyed by us): nothing more can cross, end the other side.
      this.setEnding({ ended_by: side, how: 'reset' });
      this.sockets[otherSide(side)].destroy();
    }
    if (this.closed.client && this.closed.server) this.finish();
  }

  /** Ends both sockets at once, for a reason of wsdiag's own. */
  private stop(ending: Ending): void {
    this.setEnding(ending);
    for (const socket of Object.values(this.sockets)) socket.destroy();
  }

  private setEnding(ending: Ending): void {
    this.ending ??= ending;
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    if (this.graceTimer) clearTimeout(this.graceTimer);
    if (this.pongTimer) clearTimeout(this.pongTimer);
    this.analyzer.finish(this.ending ?? { ended_by: 'proxy', how: 'error' });
    this.resolveDone();
  }

  // ---------------------------------------------------------------------------------------------------
  // Events and --enforce

  /** Every analyzer event passes here: Close frames are noted (for `how`) before they are emitted. */
  private observe(event: WsdiagEvent): void {
    if (event.type !== 'peer-close') {
      this.options.emit(event);
      return;
    }
    this.closeFrom.push(event.by);
    if (this.enforcement && this.awaitingReply.delete(event.by)) {
      this.options.emit(explainEnforcedReply(event, this.enforcement));
      // Closing handshake done on both sides: end the TCP connections (the grace timer still runs).
      if (this.awaitingReply.size === 0) this.endBoth();
      return;
    }
    this.options.emit(event);
  }

  private enforce(leg: Leg, finding: Finding, cleanCut: boolean): void {
    const enforcement = enforcementFor(leg.dir, finding);
    this.enforcement = enforcement;
    // Nothing is relayed any more, so no ping can be answered: stop waiting for pongs.
    this.analyzer.proxyClosing();
    this.setEnding({ ended_by: 'proxy', how: 'enforce' });
    // Nothing is relayed from now on, so no source needs to wait for its sink.
    for (const l of Object.values(this.legs)) this.onDrain(l);

    // The stream toward the offender must end on a frame boundary before a Close can be put in it.
    const towardOffender = this.legs[directionFrom(enforcement.other)];
    const decoder = this.analyzer.decoder(towardOffender.dir);
    const offenderReady = decoder.atFrameBoundary && decoder.bytesSeen === towardOffender.forwarded;
    if (offenderReady) this.sendClose(enforcement.offender, offenderClose(enforcement));
    else this.dropMidFrame(enforcement.offender, enforcement);
    if (cleanCut) this.sendClose(enforcement.other, bystanderClose(enforcement));
    else this.dropMidFrame(enforcement.other, enforcement);

    this.graceTimer = setTimeout(() => this.stop({ ended_by: 'proxy', how: 'enforce' }), this.options.enforceGraceMs);
    this.graceTimer.unref();
    if (this.awaitingReply.size === 0) this.endBoth();
  }

  private sendClose(to: Side, frame: Uint8Array): void {
    const socket = this.sockets[to];
    if (socket.destroyed || socket.writableEnded) return;
    socket.write(frame);
    // A side that already sent its Close will not send another: its closing handshake is complete.
    if (!this.closeFrom.includes(to)) this.awaitingReply.add(to);
  }

  private dropMidFrame(side: Side, enforcement: Enforcement): void {
    this.emitError(
      `--enforce: the ${side} was in the middle of receiving a frame when ${enforcement.finding.rule} was found ` +
        `in ${enforcement.dir}, so wsdiag reset its connection instead of sending it a Close.`,
    );
    resetSocket(this.sockets[side]);
  }

  private endBoth(): void {
    for (const socket of Object.values(this.sockets)) {
      if (!socket.destroyed && !socket.writableEnded) socket.end();
    }
  }

  private emitError(message: string): void {
    const event: ErrorEvent = { v: SCHEMA_VERSION, type: 'error', ts: this.options.clock().toISOString(), conn: this.conn, message };
    this.options.emit(event);
  }
}

function otherSide(side: Side): Side {
  return side === 'client' ? 'server' : 'client';
}

/** Sends a TCP reset where the socket allows it (plain TCP), else just destroys it (TLS). */
export function resetSocket(socket: Socket): void {
  if (socket.destroyed) return;
  try {
    socket.resetAndDestroy();
  } catch {
    socket.destroy();
  }
}
