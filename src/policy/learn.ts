/**
 * Learning message-type policies from the endpoints themselves. When an endpoint closes with 1003
 * (Unsupported Data) right after wsdiag relayed it a data message, and nothing wsdiag saw explains the
 * close, the endpoint has told us it rejects that message type on this route. The learner records it; the
 * next connections on the same route (path without query, negotiated subprotocol, same endpoint) start
 * with the learned policy, as the least specific source, and connections already open on that route are
 * updated through their analyzer. Contradicting evidence (a 1003 after the type we thought it accepts)
 * forgets the lesson rather than flipping it.
 */
import { directionFrom, senderOf, type Blame, type Direction, type Side, type WsdiagEvent } from '../events/index.js';
import { Opcode, closeCodeName, type TypePolicy, type MessageInfo } from '../protocol/index.js';
import { requestPath } from './glob.js';

/** Where a direction's policy came from, most specific first. */
export type PolicyOrigin = 'flag' | 'route' | 'profile' | 'learned';

/** A connection's route as far as learning goes: the path (query ignored) and the subprotocol. */
export interface RouteKey {
  path: string;
  subprotocol: string | null;
}

/** A data message wsdiag relayed, as remembered to explain the receiver's Close. */
export interface RelayedMessage {
  /** 0-based number among the complete data messages of its direction. */
  index: number;
  /** Index of its first frame in its direction. */
  firstFrame: number;
  frames: number;
  type: 'text' | 'binary';
  /** Application data bytes (after inflation). */
  size: number;
  /** False when inflation stopped early: `size` is then a lower bound. */
  sizeKnown: boolean;
  compressed: boolean;
}

export interface Lesson {
  /** The connection the lesson was learned from. */
  conn: string;
  /** The direction whose receiver rejected the message. */
  dir: Direction;
  route: RouteKey;
  rejected: 'text' | 'binary';
  message: RelayedMessage;
  /** Accepts the other type; source `learned from c3 (closed 1003 after a binary message #1, 18 bytes)`. */
  policy: TypePolicy;
}

/** What a 1003 close taught: a new lesson, a confirmation, a contradiction, or nothing (learning off). */
export type Outcome =
  | { kind: 'learned'; lesson: Lesson }
  | { kind: 'known'; lesson: Lesson }
  | { kind: 'contradicted'; forgotten: Lesson }
  | { kind: 'off' }
  /** Both types reached the endpoint since it last sent a message: which one it rejects is unknown. */
  | { kind: 'ambiguous'; other: RelayedMessage };

/** Anything whose policies can change mid-connection: a ConnectionAnalyzer. */
export interface PolicyTarget {
  setTypePolicy(dir: Direction, policy: TypePolicy | null): void;
}

export interface LearnerOptions {
  /** False with --no-learn: closes are still explained, nothing is recorded or applied. */
  enabled?: boolean;
  /** Routes remembered at most (oldest forgotten first), so unique per-device paths cannot grow memory. */
  maxRoutes?: number;
}

export interface TrackOptions {
  conn: string;
  /** The request target as sent; the query is dropped. */
  path: string;
  subprotocol: string | null;
  /** Where each direction's initial policy came from (resolveTypePolicies' `origins`); or give them to `attach`. */
  origins?: Partial<Record<Direction, PolicyOrigin>>;
}

export const DEFAULT_MAX_ROUTES = 1000;

export class PolicyLearner {
  readonly enabled: boolean;
  private readonly maxRoutes: number;
  private readonly byKey = new Map<string, Lesson>();
  private readonly live = new Set<ConnectionLearning>();

  constructor(options: LearnerOptions = {}) {
    this.enabled = options.enabled ?? true;
    this.maxRoutes = options.maxRoutes ?? DEFAULT_MAX_ROUTES;
  }

  /** The learned policy of a direction on a route, or null. */
  policyFor(dir: Direction, route: RouteKey): TypePolicy | null {
    return this.byKey.get(keyOf(dir, route))?.policy ?? null;
  }

  /** Everything learned so far, oldest first. */
  get lessons(): Lesson[] {
    return [...this.byKey.values()];
  }

  /** Starts following one connection: feed it messages and events, attach its analyzer, end it on close. */
  track(options: TrackOptions): ConnectionLearning {
    const connection = new ConnectionLearning(this, options);
    this.live.add(connection);
    return connection;
  }

  /** @internal Called by ConnectionLearning on a 1003 close that nothing else explains. */
  consider(conn: string, dir: Direction, route: RouteKey, message: RelayedMessage): Outcome {
    if (!this.enabled) return { kind: 'off' };
    const key = keyOf(dir, route);
    const previous = this.byKey.get(key);
    if (previous) {
      if (previous.rejected === message.type) return { kind: 'known', lesson: previous };
      this.byKey.delete(key);
      this.broadcast(dir, route, null);
      return { kind: 'contradicted', forgotten: previous };
    }
    const lesson: Lesson = { conn, dir, route, rejected: message.type, message, policy: learnedPolicy(conn, message) };
    this.byKey.set(key, lesson);
    if (this.byKey.size > this.maxRoutes) {
      const [oldest] = this.byKey.keys();
      if (oldest !== undefined) this.byKey.delete(oldest);
    }
    this.broadcast(dir, route, lesson.policy);
    return { kind: 'learned', lesson };
  }

  /** @internal */
  forget(connection: ConnectionLearning): void {
    this.live.delete(connection);
  }

  private broadcast(dir: Direction, route: RouteKey, policy: TypePolicy | null): void {
    for (const connection of this.live) if (sameRoute(connection.route, route)) connection.offer(dir, policy);
  }
}

/**
 * What a connection remembers of the data messages of one direction: the last one of each type, in records
 * refilled in place (a message ends every few microseconds on a busy connection, and nothing is read from
 * them unless an endpoint closes with 1003), and which types are still unanswered.
 */
class DirectionMemory {
  /** Complete data messages seen. */
  count = 0;
  readonly text = new MessageRecord('text');
  readonly binary = new MessageRecord('binary');
  /** The last complete data message, or null. */
  last: MessageRecord | null = null;
  /**
   * Per type, whether a message of that type was relayed since the receiving endpoint last sent a data
   * message of its own. Pipelined traffic means the message just before a Close need not be the one the
   * endpoint rejected; when both types are in flight, the close cannot be pinned on one of them.
   */
  unansweredText = false;
  unansweredBinary = false;

  /** The last message of `type` if it is still unanswered. */
  unanswered(type: 'text' | 'binary'): MessageRecord | null {
    if (type === 'text') return this.unansweredText ? this.text : null;
    return this.unansweredBinary ? this.binary : null;
  }
}

/** One reused RelayedMessage; `copy()` is what leaves the connection (lessons, explanations). */
class MessageRecord {
  index = 0;
  firstFrame = 0;
  frames = 0;
  size = 0;
  sizeKnown = true;
  compressed = false;
  readonly type: 'text' | 'binary';

  constructor(type: 'text' | 'binary') {
    this.type = type;
  }

  copy(): RelayedMessage {
    return {
      index: this.index,
      firstFrame: this.firstFrame,
      frames: this.frames,
      type: this.type,
      size: this.size,
      sizeKnown: this.sizeKnown,
      compressed: this.compressed,
    };
  }
}

/** One connection's part in learning: remembers the last message relayed each way. */
export class ConnectionLearning {
  readonly conn: string;
  readonly route: RouteKey;
  private readonly learner: PolicyLearner;
  private origins: Partial<Record<Direction, PolicyOrigin | undefined>>;
  private readonly clientToServer = new DirectionMemory();
  private readonly serverToClient = new DirectionMemory();
  private target: PolicyTarget | null = null;
  private ended = false;

  constructor(learner: PolicyLearner, options: TrackOptions) {
    this.learner = learner;
    this.conn = options.conn;
    this.route = { path: requestPath(options.path), subprotocol: options.subprotocol };
    this.origins = { ...(options.origins ?? {}) };
  }

  /**
   * The analyzer whose policies a lesson may update (policies from flags, routes and profiles are never
   * touched), and, when the connection's settings were resolved after `track`, where its policies came from.
   */
  attach(target: PolicyTarget, origins?: Partial<Record<Direction, PolicyOrigin>>): void {
    this.target = target;
    if (origins) this.origins = { ...origins };
  }

  /** Each data message of a direction as it ends (the policies' decoder observers call it): no allocation. */
  readonly onMessage = (dir: Direction, message: MessageInfo): void => {
    const opcode = message.opcode;
    if (opcode !== Opcode.Text && opcode !== Opcode.Binary) return;
    const memory = this.memory(dir);
    const record = opcode === Opcode.Text ? memory.text : memory.binary;
    record.index = memory.count++;
    record.firstFrame = message.firstFrame.index;
    record.frames = message.frames;
    record.size = message.size;
    record.sizeKnown = message.sizeKnown;
    record.compressed = message.compressed;
    memory.last = record;
    if (opcode === Opcode.Text) memory.unansweredText = true;
    else memory.unansweredBinary = true;
    // The sender of this message has spoken: what it received so far was not left unanswered.
    const other = this.memory(dir === 'client->server' ? 'server->client' : 'client->server');
    other.unansweredText = false;
    other.unansweredBinary = false;
  };

  /** The last complete data message wsdiag relayed to a side, or null. */
  lastMessageTo(side: Side): RelayedMessage | null {
    return this.memory(directionFrom(side === 'client' ? 'server' : 'client')).last?.copy() ?? null;
  }

  /**
   * Feed every event of the connection; returns it, or — for a 1003 `peer-close` that nothing wsdiag saw
   * explains — a copy whose `explain` says which message was rejected and whose `blame` is its sender.
   */
  observe<E extends WsdiagEvent>(event: E): E {
    if (event.type !== 'peer-close' || event.code !== 1003 || event.cause !== null || this.ended) return event;
    const dir = directionFrom(event.by === 'client' ? 'server' : 'client');
    const memory = this.memory(dir);
    const message = memory.last?.copy();
    if (!message) return event;
    const other = memory.unanswered(message.type === 'text' ? 'binary' : 'text')?.copy();
    const outcome: Outcome = other ? { kind: 'ambiguous', other } : this.learner.consider(this.conn, dir, this.route, message);
    const blame: Blame = senderOf(dir);
    return { ...event, blame, explain: rejectionExplanation(event.by, message, this.route, outcome) };
  }

  /** @internal A lesson for this connection's route changed. */
  offer(dir: Direction, policy: TypePolicy | null): void {
    const origin = this.origins[dir];
    if (origin !== undefined && origin !== 'learned') return; // a flag, route or profile says otherwise
    if (policy) this.origins[dir] = 'learned';
    else this.origins[dir] = undefined;
    this.target?.setTypePolicy(dir, policy);
  }

  /** The connection closed: stop receiving lessons. */
  end(): void {
    this.ended = true;
    this.learner.forget(this);
  }

  private memory(dir: Direction): DirectionMemory {
    return dir === 'client->server' ? this.clientToServer : this.serverToClient;
  }
}

/** How a learned policy names its origin in violations. */
export function learnedPolicy(conn: string, message: RelayedMessage): TypePolicy {
  const accepts = message.type === 'text' ? 'binary' : 'text';
  return { accepts, source: `learned from ${conn} (closed 1003 after a ${message.type} message #${message.index}, ${bytes(message)})` };
}

/**
 * The `peer-close` explanation for a 1003 that follows a relayed message: which message (type, number,
 * first frame, size), what the endpoint therefore rejects, and what wsdiag did with it.
 */
export function rejectionExplanation(by: Side, message: RelayedMessage, route: RouteKey, outcome: Outcome): string {
  const other = by === 'client' ? 'server' : 'client';
  const accepts = message.type === 'text' ? 'binary' : 'text';
  const what = `The ${by} closed with 1003 (${closeCodeName(1003)}) right after wsdiag relayed it ${describeMessage(message)}`;
  const where = describeRoute(route);
  switch (outcome.kind) {
    case 'learned':
      return `${what}: it does not accept ${message.type} messages ${where}, so wsdiag now expects ${accepts} there and reports ${message.type} messages the ${other} sends to it as unsupported-${message.type} (learned policy).`;
    case 'known':
      return `${what}: it does not accept ${message.type} messages ${where}, as wsdiag learned from ${outcome.lesson.conn}.`;
    case 'contradicted':
      return `${what}, although wsdiag had learned from ${outcome.forgotten.conn} that it rejects ${outcome.forgotten.rejected} ${where}: its 1003 is not about the message type alone, so wsdiag forgets that learned policy.`;
    case 'ambiguous':
      return `${what}, but ${describeMessage(outcome.other)} also reached it since it last sent a message: wsdiag cannot tell which type it rejects, so it learns nothing from this close.`;
    case 'off':
      return `${what}: it does not accept ${message.type} messages; the ${other} should send ${accepts} (learning is off, so later messages are not checked).`;
  }
}

/** `binary message #3 (frame #7, 18 bytes)`. */
export function describeMessage(message: RelayedMessage): string {
  const frames = message.frames > 1 ? `first frame #${message.firstFrame}, ${message.frames} frames` : `frame #${message.firstFrame}`;
  return `${message.type} message #${message.index} (${frames}, ${bytes(message)}${message.compressed ? ' after inflation' : ''})`;
}

function bytes(message: RelayedMessage): string {
  const n = `${message.size} byte${message.size === 1 ? '' : 's'}`;
  return message.sizeKnown ? n : `at least ${n}`;
}

function describeRoute(route: RouteKey): string {
  return route.subprotocol ? `on ${route.path} (subprotocol ${route.subprotocol})` : `on ${route.path}`;
}

function keyOf(dir: Direction, route: RouteKey): string {
  // NUL cannot occur in a request path or a subprotocol token.
  return `${dir}\u0000${requestPath(route.path)}\u0000${route.subprotocol ?? ''}`;
}

function sameRoute(a: RouteKey, b: RouteKey): boolean {
  return requestPath(a.path) === requestPath(b.path) && a.subprotocol === b.subprotocol;
}
