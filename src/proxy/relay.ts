/**
 * One WebSocket connection after its 101: two sockets, two directions, and the tap in the middle.
 *
 *   client socket ──data──► [forwarding: forward chunk, then analyzer.push] ──write──► upstream socket
 *   client socket ◄──write── [forwarding: forward chunk, then analyzer.push] ◄──data── upstream socket
 *
 * - Every byte of each direction reaches the analyzer exactly once and in order, starting with the bytes
 *   that arrived together with the handshake (the `head` buffers), and the original chunks are forwarded
 *   untouched (never copied, never mutated).
 * - Backpressure: when a write reports a full buffer, the source is paused until the sink drains, so
 *   memory stays bounded by the sockets' high-water marks whatever the peers do.
 * - A FIN is passed on as a FIN (half-close), a reset as a reset; the `close` event says who ended the
 *   connection and how.
 * - What crosses, and when, is a forwarding strategy's decision (./forwarding.ts): transparent by default
 *   (forward, then decode: written inline below, the hot path), or an addon's, such as --enforce (decode
 *   first, hold back what cannot be judged yet, stop at the first error-severity violation).
 * - wsdiag ends a connection itself (--enforce, or shutdown) with a closing handshake: each side gets a
 *   Close at a frame boundary (a side in the middle of receiving a frame gets the rest of that frame
 *   first, and nothing after it), nothing more is relayed, and both sides get a grace period to answer
 *   before what is left is dropped (see ./closing.ts).
 */
import type { Socket } from 'node:net';
import {
  SCHEMA_VERSION,
  directionFrom,
  type Clock,
  type CloseEvent,
  type Direction,
  type ErrorEvent,
  type Side,
  type WsdiagEvent,
  receiverOf,
  senderOf,
} from '../events/index.js';
import { ConnectionAnalyzer, type AnalyzerOptions, type Ending } from '../session/index.js';
import { DEFAULT_SHUTDOWN_GRACE_MS, shutdownPlan, type ClosingPlan } from './closing.js';
import type { ConnectionStats } from './addon.js';
import type { ClosingCut, Forwarding, RelayControl, RelayLeg } from './forwarding.js';

export { DEFAULT_SHUTDOWN_GRACE_MS };

export interface RelayOptions {
  conn: string;
  /** The client's socket, as the 'upgrade' event handed it over. */
  client: Socket;
  /** The upstream's socket, as the upgrade response handed it over. */
  upstream: Socket;
  /** Everything the analyzer needs except its id and sink, which the relay provides. */
  analyzer: Omit<AnalyzerOptions, 'conn' | 'onEvent' | 'clock'>;
  /** The connection's events (the addons' `event` hooks, then the sinks). */
  emit: (event: WsdiagEvent) => void;
  clock: Clock;
  /** How bytes cross (./forwarding.ts); absent = transparent: forward each chunk, then decode it. */
  forwarding?: { addon: string; create(relay: RelayControl): Forwarding };
  /** End the connection after this long without a byte in either direction; 0/undefined = never. */
  idleTimeoutMs?: number;
  /** Sees what the analyzer sees: each chunk of each direction (it must not change them). */
  tap?: (dir: Direction, chunk: Uint8Array) => void;
  /** The direction's sender sent a FIN or its socket closed without one; called once per direction. */
  tapEnd?: (dir: Direction) => void;
  /**
   * Sees what wsdiag wrote to the receiver of `dir`: the relayed chunks (the same buffers), and what it
   * wrote of its own while closing a connection (its Close frames). Unlike `tap`, bytes held back by a
   * forwarding strategy are here only once forwarded, and bytes it drops never are.
   */
  sent?: (dir: Direction, chunk: Uint8Array) => void;
  /** Right after the `close` event was emitted. */
  ended?: (close: CloseEvent) => void;
}

/** One direction of the relay. */
interface Leg extends RelayLeg {
  readonly dir: Direction;
  source: Socket;
  sink: Socket;
  /** How far the sender's stream has been passed on to the sink (bytes). */
  forwarded: number;
  /** The source is paused until the sink drains. */
  throttled: boolean;
  /**
   * While wsdiag closes the connection: the receiver is in the middle of a frame and gets its Close once
   * the frame has been relayed to its end (nothing after it is).
   */
  closeAfterFrame: boolean;
}

/** What afterWrites queues: nothing, so only its callback matters. */
const EMPTY = new Uint8Array(0);

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
  /** The strategy of an addon (--enforce...), or null for the transparent relay. */
  private readonly forwarding: Forwarding | null;
  private readonly tap: ((dir: Direction, chunk: Uint8Array) => void) | undefined;
  private readonly sockets: Record<Side, Socket>;
  private readonly legs: Record<Direction, Leg>;
  private readonly finReceived: Record<Side, boolean> = { client: false, server: false };
  private readonly closed: Record<Side, boolean> = { client: false, server: false };
  /** Sides seen sending a Close frame, in order. */
  private readonly closeFrom: Side[] = [];
  /** Where each side's Close frame ends in its direction's stream: the other side has it once relayed that far. */
  private readonly closeEnds: Partial<Record<Side, number>> = {};
  private ending: Ending | null = null;
  /** Set once wsdiag closes the connection itself (--enforce or shutdown): from then on nothing is relayed. */
  private closing: ClosingPlan | null = null;
  /** Sides wsdiag sent its own Close to. */
  private readonly closeSentTo = new Set<Side>();
  /** While closing: sides whose Close wsdiag still waits for. */
  private readonly awaitingReply = new Set<Side>();
  /** Sides wsdiag reset while closing (a frame that will not be completed). */
  private readonly resetByUs = new Set<Side>();
  private idleTimer: NodeJS.Timeout | null = null;
  private graceTimer: NodeJS.Timeout | null = null;
  /** The one timer for the analyzer's earliest pong deadline (never one per ping), and the deadline it is for. */
  private pongTimer: NodeJS.Timeout | null = null;
  private pongTimerFor: number | null = null;
  private finished = false;
  /** The forwarding strategy threw: the connection is being cut, nothing more is relayed. */
  private broken = false;
  /** The forwarding strategy could not even be created. */
  private createFailure: { err: unknown } | null = null;
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
      'client->server': {
        dir: 'client->server',
        source: options.client,
        sink: options.upstream,
        forwarded: 0,
        throttled: false,
        closeAfterFrame: false,
      },
      'server->client': {
        dir: 'server->client',
        source: options.upstream,
        sink: options.client,
        forwarded: 0,
        throttled: false,
        closeAfterFrame: false,
      },
    };
    this.tap = options.tap;
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    this.analyzer = new ConnectionAnalyzer({
      ...options.analyzer,
      conn: options.conn,
      clock: options.clock,
      onEvent: (event) => this.observe(event),
    });
    let forwarding: Forwarding | null = null;
    try {
      forwarding = options.forwarding ? options.forwarding.create(this.control()) : null;
    } catch (err) {
      // Reported once the relay runs (start), where the connection can be cut properly.
      this.createFailure = { err };
    }
    this.forwarding = forwarding;
  }

  /**
   * What the connection carried so far (frames and bytes each side sent wsdiag) and the bytes waiting in
   * wsdiag's write buffer towards each receiver: read by metrics at scrape time, never on the hot path.
   */
  stats(): ConnectionStats {
    const frames = (dir: Direction): number => this.analyzer.decoder(dir).frameCount;
    const bytes = (dir: Direction): number => this.analyzer.decoder(dir).bytesSeen;
    const queued = (dir: Direction): number => this.legs[dir].sink.writableLength;
    return {
      frames: { 'client->server': frames('client->server'), 'server->client': frames('server->client') },
      bytes: { 'client->server': bytes('client->server'), 'server->client': bytes('server->client') },
      queued: { 'client->server': queued('client->server'), 'server->client': queued('server->client') },
    };
  }

  /**
   * Calls `done(true)` once everything written so far towards the receiver of `dir` has left wsdiag's
   * write buffer for the kernel (an empty write queued behind it: the stream calls back in order), or
   * `done(false)` when that socket is gone. For sampled latency metrics: one call per sample, not per chunk.
   */
  afterWrites(dir: Direction, done: (flushed: boolean) => void): void {
    const sink = this.legs[dir].sink;
    if (sink.destroyed || sink.writableEnded) return done(false);
    if (sink.writableLength === 0) return done(true);
    sink.write(EMPTY, (err) => done(err == null));
  }

  /**
   * The relay's own leg for a direction a strategy names. Two named fields picked by a comparison: a
   * strategy calls `forward` and `analyze` for every chunk, and a lookup keyed by the direction's name
   * (`legs[dir]`) costs a megamorphic load each time.
   */
  private legOf(dir: Direction): Leg {
    return dir === 'client->server' ? this.legs['client->server'] : this.legs['server->client'];
  }

  /** What a forwarding strategy may do with this connection. */
  private control(): RelayControl {
    return {
      conn: this.conn,
      analyzer: this.analyzer,
      analyze: (leg, bytes) => this.analyze(this.legOf(leg.dir), bytes),
      forward: (leg, bytes, through) => {
        const own = this.legOf(leg.dir);
        // Once wsdiag closes the connection, only the end of a frame a receiver is in the middle of may go.
        if (!this.closing || own.closeAfterFrame) this.forward(own, bytes, through);
      },
      corked: (leg, fn) => {
        const sink = this.legOf(leg.dir).sink;
        sink.cork();
        try {
          fn();
        } finally {
          sink.uncork();
        }
      },
      close: (plan, cut) => {
        if (!this.closing && !this.finished) this.beginClosing(plan, cut);
      },
      emit: this.options.emit,
      end: (leg) => {
        if (!this.finished) this.endStream(this.legOf(leg.dir));
      },
      reset: () => {
        if (this.finished) return;
        this.setEnding({ ended_by: 'proxy', how: 'reset' });
        for (const socket of Object.values(this.sockets)) resetSocket(socket);
      },
    };
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
    if (this.createFailure) {
      this.forwardingFailed(this.createFailure.err);
      return;
    }
    // Head bytes first, then whatever the sockets buffered since: stream order is preserved.
    if (upstreamHead.length > 0) this.onData(this.legs['server->client'], upstreamHead);
    if (clientHead.length > 0) this.onData(this.legs['client->server'], clientHead);
    // Adding a 'data' listener starts each socket flowing.
    for (const leg of Object.values(this.legs)) {
      leg.source.on('data', (chunk: Buffer) => this.onData(leg, chunk));
    }
  }

  /**
   * Proxy shutdown: a Close 1001 to both sides at a frame boundary, then up to `graceMs` for the closing
   * handshakes before what is left is dropped. Resolves once the `close` event was emitted. A connection
   * that --enforce is already closing keeps that closing.
   */
  shutdown(graceMs = DEFAULT_SHUTDOWN_GRACE_MS): Promise<void> {
    if (!this.finished && !this.closing) this.beginClosing(shutdownPlan(graceMs));
    return this.done;
  }

  // ---------------------------------------------------------------------------------------------------
  // Data path

  private onData(leg: Leg, chunk: Uint8Array): void {
    this.idleTimer?.refresh();
    if (this.closing) {
      // Closing: nothing is relayed but the end of a frame a side is receiving; the endpoints' answers
      // are still decoded.
      if (leg.closeAfterFrame) this.relayToFrameEnd(leg, chunk);
      else this.analyze(leg, chunk);
      return;
    }
    if (this.forwarding === null) {
      // The transparent strategy: the decoder never delays a byte.
      this.forward(leg, chunk);
      this.analyze(leg, chunk);
      return;
    }
    if (this.broken) return;
    try {
      this.forwarding.data(leg, chunk);
    } catch (err) {
      this.forwardingFailed(err);
    }
  }

  private analyze(leg: Leg, chunk: Uint8Array): void {
    if (this.tap !== undefined) this.tap(leg.dir, chunk);
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

  /**
   * A strategy that throws has lost track of what it held back: nothing it would forward can be trusted,
   * so the connection is cut (an addon's fault, reported as wsdiag's own).
   */
  private forwardingFailed(err: unknown): void {
    if (this.finished || this.broken) return;
    this.broken = true;
    const why = err instanceof Error ? err.message : String(err);
    this.emitError(
      `The ${this.options.forwarding?.addon ?? ''} addon's forwarding failed: ${why}. wsdiag cut the connection, since what it held back is lost.`,
    );
    this.stop({ ended_by: 'proxy', how: 'error' });
  }

  /** `through`: how far in the sender's stream the bytes take the receiver (default: they are the sender's own). */
  private forward(leg: Leg, chunk: Uint8Array, through = leg.forwarded + chunk.length): void {
    const sink = leg.sink;
    // The receiver is gone: its bytes have nowhere to go, and its own events end the connection.
    if (sink.destroyed || sink.writableEnded) return;
    leg.forwarded = through;
    this.options.sent?.(leg.dir, chunk);
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
    const leg = this.legs[directionFrom(side)];
    this.options.tapEnd?.(leg.dir);
    const firstClose = this.closeFrom[0];
    this.setEnding(firstClose !== undefined ? { ended_by: firstClose, how: 'close-frame' } : { ended_by: side, how: 'fin' });
    // A strategy holding bytes of this direction back passes the FIN on itself, after them (RelayControl.end).
    if (!this.strategyEnds(leg)) this.endStream(leg);
    if (this.closing) {
      // Nothing more can come from this side: no answer, and no end for a frame it was sending.
      this.legs[directionFrom(side)].closeAfterFrame = false;
      this.awaitingReply.delete(side);
      this.endIfDone();
    }
  }

  /** Whether the forwarding strategy takes over passing on the FIN of `leg` (Forwarding.end). */
  private strategyEnds(leg: Leg): boolean {
    if (this.forwarding?.end === undefined || this.closing || this.broken) return false;
    try {
      return this.forwarding.end(leg);
    } catch (err) {
      this.forwardingFailed(err);
      return false;
    }
  }

  /** The end of a direction: its decoder's, then a FIN to its receiver once everything before it was written (half-close). */
  private endStream(leg: Leg): void {
    const sender = senderOf(leg.dir);
    // After --enforce stepped in, or when a strategy cut the stream itself, a frame cut short is wsdiag's doing, not the peer's.
    this.analyzer.end(
      leg.dir,
      this.closing
        ? { ended_by: 'proxy', how: this.closing.how }
        : this.finReceived[sender]
          ? { ended_by: sender, how: 'fin' }
          : { ended_by: 'proxy', how: 'fin' },
    );
    if (!this.finReceived[sender]) this.setEnding({ ended_by: 'proxy', how: 'fin' });
    if (!leg.sink.destroyed && !leg.sink.writableEnded) leg.sink.end();
  }

  private onError(side: Side, err: NodeJS.ErrnoException): void {
    const reset = err.code !== undefined && RESET_CODES.has(err.code);
    const ending: Ending = { ended_by: side, how: reset ? 'reset' : 'error' };
    this.setEnding(ending);
    // Nothing more comes from this side: its direction ends here, and a frame it was sending was cut by it.
    this.analyzer.end(directionFrom(side), this.closing ? { ended_by: 'proxy', how: this.closing.how } : ending);
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
      this.options.tapEnd?.(directionFrom(side));
      this.setEnding({ ended_by: side, how: 'reset' });
      // Gone without a FIN: nothing more can cross, end the other side, unless it is wsdiag that reset this
      // side while closing and the other one may still complete its closing handshake (it is not waiting
      // for the end of a frame from this side, which will never come).
      if (this.resetByUs.has(side) && !this.legs[directionFrom(side)].closeAfterFrame) {
        this.awaitingReply.delete(side);
        this.endIfDone();
      } else {
        this.sockets[otherSide(side)].destroy();
      }
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
    const close = this.analyzer.finish(this.ending ?? { ended_by: 'proxy', how: 'error' });
    if (close && this.options.ended) this.options.ended(close);
    this.resolveDone();
  }

  // ---------------------------------------------------------------------------------------------------
  // Events and wsdiag's own closing

  /** Every analyzer event passes here: Close frames are noted (for `how`) before they are emitted. */
  private observe(event: WsdiagEvent): void {
    if (event.type !== 'peer-close') {
      this.options.emit(event);
      return;
    }
    this.closeFrom.push(event.by);
    // Emitted as the Close frame ends, so the decoder stands right after it.
    this.closeEnds[event.by] = this.analyzer.decoder(directionFrom(event.by)).bytesSeen;
    if (!this.closing) {
      this.options.emit(event);
      return;
    }
    this.awaitingReply.delete(event.by);
    this.options.emit(this.closeSentTo.has(event.by) ? this.closing.explainReply(event) : event);
    this.endIfDone();
  }

  /**
   * wsdiag closes the connection itself: from now on nothing is relayed (but the end of a frame a side is
   * receiving), each side gets its Close at a frame boundary, and the connection is ended once both sides
   * answered, or after the grace period. `cut` is the receiver of a frame the strategy refused.
   */
  private beginClosing(plan: ClosingPlan, cut?: ClosingCut): void {
    this.closing = plan;
    // Nothing is relayed any more, so no ping can be answered: stop waiting for pongs.
    this.analyzer.proxyClosing();
    this.setEnding({ ended_by: 'proxy', how: plan.how });
    for (const side of ['client', 'server'] as const) {
      if (!this.closeFrom.includes(side) && !this.finReceived[side] && !this.closed[side]) this.awaitingReply.add(side);
    }
    // Every side's plan is set before any is carried out, so none ends the connection while another waits.
    for (const side of ['client', 'server'] as const) {
      // After the other side's FIN no frame end will come (and the FIN was passed on instead of a Close).
      if (cut?.side !== side) this.legs[directionFrom(otherSide(side))].closeAfterFrame = !this.finReceived[otherSide(side)];
    }
    for (const side of ['client', 'server'] as const) {
      const toward = this.legs[directionFrom(otherSide(side))];
      if (cut?.side === side) {
        if (cut.clean) this.sendClose(side);
        else this.resetMidFrame(side, cut.why);
      } else if (toward.closeAfterFrame) {
        this.closeIfBetweenFrames(toward);
      } else {
        this.sendClose(side);
      }
    }
    // Only a direction still finishing a frame keeps waiting for its sink.
    for (const leg of Object.values(this.legs)) if (!leg.closeAfterFrame) this.onDrain(leg);
    this.graceTimer = setTimeout(() => this.stop({ ended_by: 'proxy', how: plan.how }), plan.graceMs);
    this.graceTimer.unref();
    this.endIfDone();
  }

  /**
   * Relays what is left of the frame the receiver is in the middle of, sends it the Close right after,
   * and only decodes the rest.
   */
  private relayToFrameEnd(leg: Leg, chunk: Uint8Array): void {
    const decoder = this.analyzer.decoder(leg.dir);
    let pos = 0;
    while (pos < chunk.length && leg.closeAfterFrame) {
      // Until the frame's header is complete its end is unknown: feed it byte by byte (14 bytes at most).
      const end = decoder.frameEnd;
      const piece = chunk.subarray(pos, end === null ? pos + 1 : pos + Math.max(1, end - leg.forwarded));
      pos += piece.length;
      const refused = this.frameRest(leg, piece);
      if (refused !== null) {
        this.resetMidFrame(receiverOf(leg.dir), refused);
        break;
      }
      this.closeIfBetweenFrames(leg);
    }
    if (pos < chunk.length) this.analyze(leg, chunk.subarray(pos));
  }

  /** The strategy's Forwarding.frameRest (transparent: forward, then decode); non-null = refused, and why. */
  private frameRest(leg: Leg, piece: Uint8Array): string | null {
    if (this.forwarding === null) {
      this.forward(leg, piece);
      this.analyze(leg, piece);
      return null;
    }
    if (this.broken) return null;
    try {
      return this.forwarding.frameRest(leg, piece);
    } catch (err) {
      this.forwardingFailed(err);
      return null;
    }
  }

  /** Sends the receiver of `leg` its Close if what was relayed to it ends on a frame boundary. */
  private closeIfBetweenFrames(leg: Leg): void {
    if (!leg.closeAfterFrame) return;
    const receiver = receiverOf(leg.dir);
    const decoder = this.analyzer.decoder(leg.dir);
    if (decoder.stopped) {
      this.resetMidFrame(receiver, 'and frame boundaries in that direction are lost');
      return;
    }
    if (leg.forwarded !== decoder.frameStart) return;
    leg.closeAfterFrame = false;
    this.sendClose(receiver);
    this.onDrain(leg);
    this.endIfDone();
  }

  private sendClose(to: Side): void {
    // A side that already received the other endpoint's Close must not get a second one (RFC 6455 §5.5.1),
    // and still owes its answer to that one.
    if (!this.closing || this.hasReceivedClose(to)) return;
    const socket = this.sockets[to];
    if (socket.destroyed || socket.writableEnded) {
      // It got a FIN instead (the other side ended first): no Close from us, so no answer to wait for.
      this.awaitingReply.delete(to);
      return;
    }
    const close = this.closing.closeFor(to);
    this.options.sent?.(directionFrom(otherSide(to)), close);
    socket.write(close);
    this.closeSentTo.add(to);
  }

  private hasReceivedClose(side: Side): boolean {
    const from = otherSide(side);
    const end = this.closeEnds[from];
    return end !== undefined && this.legs[directionFrom(from)].forwarded >= end;
  }

  /** A side that cannot be sent a Close (it is in the middle of a frame that will not be completed) is reset. */
  private resetMidFrame(side: Side, why: string): void {
    const toward = this.legs[directionFrom(otherSide(side))];
    toward.closeAfterFrame = false;
    this.awaitingReply.delete(side);
    const who = this.closing?.how === 'shutdown' ? 'shutdown' : '--enforce';
    this.emitError(
      `${who}: the ${side} was in the middle of receiving a frame ${why}, so wsdiag reset its connection instead of sending it a Close.`,
    );
    this.resetByUs.add(side);
    resetSocket(this.sockets[side]);
    this.endIfDone();
  }

  /** Closing handshakes done on both sides and no Close still waiting for a frame to end: end the TCP connections. */
  private endIfDone(): void {
    if (!this.closing || this.awaitingReply.size > 0) return;
    if (this.legs['client->server'].closeAfterFrame || this.legs['server->client'].closeAfterFrame) return;
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
