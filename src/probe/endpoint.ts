/**
 * One end of a probed connection after the handshake: the scripted client or the reflector's side. It
 * writes the exact frames it is given and records them (what was sent), records every byte that arrives
 * (what was received), and behaves as a polite endpoint so cases can run to a clean end: it answers
 * pings with pongs, answers a Close with a Close, and ends TCP as RFC 6455 §7.1.1 asks (the server
 * first, the client when the server's FIN arrives). It never judges what it receives: a reflector that
 * failed connections on bad frames would hide what the intermediary did with them.
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import type { Side } from '../events/index.js';
import { StreamRecorder } from '../observe/index.js';
import { closeBody, encodeFrame, type FrameSpec, Opcode, isValidWireCloseCode } from '../protocol/index.js';

export interface CloseReply {
  code: number | null;
  reason: string;
}

export interface EndpointOptions {
  side: Side;
  /** The Sec-WebSocket-Extensions negotiated on this end's leg. */
  extensions: string | null;
  /** How to answer the peer's Close; by default the code is echoed with an empty reason. */
  closeReply?: CloseReply | undefined;
  clock?: () => number;
}

export class Endpoint extends EventEmitter {
  readonly side: Side;
  readonly sent: StreamRecorder;
  readonly received: StreamRecorder;
  /** When this end ended or destroyed the connection itself. */
  localEndAt: number | null = null;
  /** When the other end's FIN (or a reset) arrived. */
  remoteEndAt: number | null = null;
  closeReply: CloseReply | undefined;

  private readonly socket: Duplex;
  private readonly clock: () => number;
  private handledControls = 0;

  constructor(socket: Duplex, options: EndpointOptions) {
    super();
    this.socket = socket;
    this.side = options.side;
    this.clock = options.clock ?? (() => performance.now());
    this.closeReply = options.closeReply;
    const from = options.side;
    const other: Side = from === 'client' ? 'server' : 'client';
    this.sent = new StreamRecorder({ from, extensions: options.extensions, clock: this.clock });
    this.received = new StreamRecorder({ from: other, extensions: options.extensions, clock: this.clock });
    this.sent.onChange = () => this.emit('change');
    this.received.onChange = () => this.emit('change');
  }

  /** Starts reading: `leftover` holds bytes that arrived together with the handshake. */
  start(leftover: Uint8Array): void {
    const socket = this.socket;
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.onRemoteEnd());
    // A reset is an end from the other side too; the recorder keeps what arrived before it.
    socket.on('error', () => this.onRemoteEnd());
    socket.on('close', () => {
      if (this.localEndAt === null && this.remoteEndAt === null) this.remoteEndAt = this.clock();
      this.received.end();
      this.emit('change');
    });
    if (leftover.length > 0) this.onData(leftover);
    socket.resume();
  }

  get closeSent(): boolean {
    return this.sent.stream.controls.some((c) => c.opcode === Opcode.Close);
  }

  get closeReceived(): boolean {
    return this.received.stream.controls.some((c) => c.opcode === Opcode.Close);
  }

  /** Whether the connection is over at this end (both directions finished or the socket gone). */
  get finished(): boolean {
    return this.received.stream.endedAt !== null && (this.localEndAt !== null || this.socket.destroyed);
  }

  /**
   * Encodes and writes frames in one write. Client frames get a fresh random mask key each, unless
   * `exact` (the frames are then written exactly as specified, masked or not). `prefix` goes out in the
   * same write, unrecorded: the reflector's 101 response when the server speaks first.
   */
  send(frames: readonly FrameSpec[], exact = false, prefix?: Uint8Array): void {
    if (this.socket.destroyed || this.localEndAt !== null) return;
    const encoded = Buffer.concat(
      frames.map((f) => encodeFrame(!exact && this.side === 'client' && f.mask === undefined ? { ...f, mask: randomBytes(4) } : f)),
    );
    // Timestamp, write, then record: recording 1000 messages takes a while and is not network delay.
    const at = this.clock();
    this.socket.write(prefix ? Buffer.concat([prefix, encoded]) : encoded);
    this.sent.push(encoded, at);
  }

  /** Sends a Close (an empty body when code is null). */
  sendClose(code: number | null, reason: string): void {
    this.send([{ opcode: Opcode.Close, payload: code === null ? new Uint8Array(0) : closeBody(code, reason) }]);
  }

  /** Ends this side of the TCP connection (FIN). */
  end(): void {
    if (this.localEndAt !== null) return;
    this.localEndAt = this.clock();
    this.sent.end(this.localEndAt);
    this.socket.end();
    this.emit('change');
  }

  /** Tears the connection down now (clean-up after a case). */
  destroy(): void {
    if (this.localEndAt === null) this.localEndAt = this.clock();
    this.sent.end(this.localEndAt);
    this.socket.destroy();
    this.emit('change');
  }

  private onData(chunk: Uint8Array): void {
    this.received.push(chunk, this.clock());
    const controls = this.received.stream.controls;
    for (let c = controls[this.handledControls]; c !== undefined; c = controls[this.handledControls]) {
      this.handledControls++;
      if (c.opcode === Opcode.Ping && !this.closeSent) this.send([{ opcode: Opcode.Pong, payload: c.payload }]);
      else if (c.opcode === Opcode.Close) this.onClose(c.close?.code ?? null);
    }
  }

  private onClose(code: number | null): void {
    if (!this.closeSent) {
      // RFC 6455 §5.5.1: answer with a Close, typically echoing the status code. A code that may not be
      // sent (an invalid-frame case) is answered with 1000 rather than repeated.
      const reply = this.closeReply ?? { code: code !== null && !isValidWireCloseCode(code) ? 1000 : code, reason: '' };
      this.sendClose(reply.code, reply.reason);
    }
    // RFC 6455 §7.1.1: the server ends TCP first once both Closes are exchanged; the client waits for it.
    if (this.side === 'server') this.end();
  }

  private onRemoteEnd(): void {
    if (this.remoteEndAt === null) this.remoteEndAt = this.clock();
    this.received.end();
    // Mirror the FIN: the connection is over once the other side is done.
    this.end();
    this.emit('change');
  }
}
