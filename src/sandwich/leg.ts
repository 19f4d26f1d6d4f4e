/**
 * One leg of a sandwiched connection: the handshake, a StreamRecorder per direction, and when each
 * direction ended. The recorders listen to the leg's own analyzer (AnalyzerOptions.observers), so the
 * proxy's decode is the only one; the tap only says when bytes arrived and when a direction ended.
 * Turned into an EndObservation for the comparison: the front leg observes the client's end of the
 * intermediary, the return leg the server's.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { directionFrom, otherSide, type Direction } from '../events/index.js';
import { StreamRecorder, type EndObservation, type ObservedHandshake } from '../observe/index.js';
import type { TappedHandshake } from '../proxy/index.js';
import type { LegName } from './types.js';

export interface LegOptions {
  keepBytes: number;
  clock: () => number;
}

export class LegRecord {
  readonly leg: LegName;
  readonly conn: string;
  /** The request path as it travelled on this leg. */
  readonly path: string;
  readonly handshake: ObservedHandshake;
  /** The Sec-WebSocket-Key of the request on this leg, or null. */
  readonly key: string | null;
  /** Only a 101 starts a WebSocket; other answers have a handshake and nothing else. */
  readonly upgraded: boolean;
  readonly streams: Record<Direction, StreamRecorder>;
  readonly endedAt: Record<Direction, number | null> = { 'client->server': null, 'server->client': null };
  /** The proxy emitted this leg's `close` event (or, for a refused upgrade, there will be none). */
  closed: boolean;

  private readonly clock: () => number;

  /** Recorders for both directions of a leg, to attach to its analyzer before the first byte. */
  static recorders(extensions: string | null, options: LegOptions): Record<Direction, StreamRecorder> {
    const recorder = (from: 'client' | 'server') =>
      StreamRecorder.attached({ from, extensions, keepBytes: options.keepBytes, clock: options.clock });
    return { 'client->server': recorder('client'), 'server->client': recorder('server') };
  }

  /**
   * `path`: the request path as it travelled on this leg; `streams`: the recorders attached to the leg's
   * analyzer (none for an upgrade that was refused: there is no stream to record).
   */
  constructor(
    leg: LegName,
    conn: string,
    path: string,
    tapped: TappedHandshake,
    options: LegOptions,
    streams?: Record<Direction, StreamRecorder>,
  ) {
    this.leg = leg;
    this.conn = conn;
    this.path = path;
    this.clock = options.clock;
    this.upgraded = tapped.status === 101;
    this.closed = !this.upgraded;
    const request = flatten(tapped.request);
    const response = flatten(tapped.response);
    this.handshake = { path, request, status: tapped.status, response };
    this.key = request['sec-websocket-key'] ?? null;
    this.streams = streams ?? LegRecord.recorders(this.upgraded ? (response['sec-websocket-extensions'] ?? null) : null, options);
  }

  /** Bytes of one direction reached the leg's analyzer: what they decode to is recorded with this time. */
  seen(dir: Direction, bytes: number): void {
    this.streams[dir].seen(bytes, this.clock());
  }

  end(dir: Direction): void {
    if (this.endedAt[dir] !== null) return;
    const at = this.clock();
    this.endedAt[dir] = at;
    this.streams[dir].end(at);
  }

  /** This leg as the end of the intermediary it faces: the front leg is the client's end, the return leg the server's. */
  observation(): EndObservation {
    const side = this.leg === 'front' ? 'client' : 'server';
    const sent = directionFrom(side);
    const received = directionFrom(otherSide(side));
    return {
      handshake: this.handshake,
      sent: this.streams[sent].stream,
      received: this.streams[received].stream,
      localEndAt: this.endedAt[sent],
      remoteEndAt: this.endedAt[received],
    };
  }
}

/** Node's header object as the probe keeps headers: lower-case names, repeated values joined with ", ". */
export function flatten(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}
