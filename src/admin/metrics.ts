/**
 * The Prometheus metrics of a running proxy (prom-client): a Reporter fed by the run's one event stream,
 * and a ProxyAddon for what the events do not carry while a connection is open (its frames and bytes so
 * far, its write buffers, sampled relay latency, messages, suppressed violations).
 *
 * Cost: nothing is timed per frame. Frames and bytes of open connections are read from their decoders at
 * scrape time (OpenConnection.stats) and those of closed ones from their `close` events, so the relay's
 * hot path gains one hook call per chunk (`sent`, a countdown) and one per message (`messageEnd`, an
 * increment). Latency is sampled: one chunk in SAMPLE_EVERY, at most one in flight per direction of a
 * connection, from the moment the relay has it to the moment it has left wsdiag's write buffer.
 *
 * Cardinality is bounded: labels are the direction, the rule id (a fixed table), the close code (known
 * codes exactly, 3000–4999 by thousand, anything else `invalid`), the blame, the HTTP status of a failed
 * upgrade, and the stage of an upstream error. Never a path, a host or a connection id.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Direction, RefusalKind, ViolationEvent, WsdiagEvent } from '../events/index.js';
import type { ConnectionAddon, OpenConnection, ProxyAddon } from '../proxy/index.js';
import type { Reporter } from '../reporters/index.js';

const DIRECTIONS: readonly Direction[] = ['client->server', 'server->client'];

/** One chunk in this many is timed through the relay (per process, all connections together). */
export const SAMPLE_EVERY = 64;

/** Relay latency buckets (seconds): from an immediate write (microseconds) to a receiver stalled for seconds. */
const LATENCY_BUCKETS = [0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5];

type PerDirection = Record<Direction, number>;

const zero = (): PerDirection => ({ 'client->server': 0, 'server->client': 0 });

/** The metrics registry of one run and how events and connections update it. */
export class ProxyMetrics implements Reporter {
  readonly registry = new Registry();

  /** Frames and bytes of connections whose `close` event was seen. */
  readonly #closedFrames = zero();
  readonly #closedBytes = zero();
  readonly #messages = zero();
  /** The connections open now, read at scrape time. */
  readonly #open = new Set<OpenConnection>();
  /** The first chunk is timed, then one in SAMPLE_EVERY. */
  #countdown = 1;

  readonly #connectionsOpen: Gauge;
  readonly #connections: Counter;
  readonly #violations: Counter<'rule' | 'code' | 'blame'>;
  readonly #peerCloses: Counter<'by' | 'code'>;
  readonly #upstreamErrors: Counter<'stage'>;
  readonly #handshakeFailures: Counter<'status'>;
  readonly #refused: Counter<'kind'>;
  readonly #latency: Histogram;

  constructor(options: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
    this.#connectionsOpen = new Gauge({ name: 'wsdiag_connections_open', help: 'WebSocket connections open now', registers });
    this.#connections = new Counter({ name: 'wsdiag_connections_total', help: 'WebSocket connections opened', registers });
    const live = (name: string, help: string, read: (dir: Direction) => number): Counter<'dir'> =>
      new Counter({
        name,
        help,
        labelNames: ['dir'],
        registers,
        // Set from the running totals at each scrape: a counter still, since none of them ever goes down.
        collect() {
          this.reset();
          for (const dir of DIRECTIONS) this.inc({ dir }, read(dir));
        },
      });
    live('wsdiag_frames_total', 'Frames relayed, by the direction they travelled', (dir) => this.#total(dir, 'frames'));
    live('wsdiag_bytes_total', 'Bytes relayed after the handshake, by direction', (dir) => this.#total(dir, 'bytes'));
    live(
      'wsdiag_messages_total',
      'Complete messages relayed, by direction (counted by the relaying process)',
      (dir) => this.#messages[dir],
    );
    this.#violations = new Counter({
      name: 'wsdiag_violations_total',
      help: 'Protocol violations, by rule, the close code a strict endpoint would send, and the side at fault',
      labelNames: ['rule', 'code', 'blame'],
      registers,
    });
    this.#peerCloses = new Counter({
      name: 'wsdiag_peer_closes_total',
      help: 'Close frames sent by an endpoint, by sender and status code (3xxx/4xxx for application codes)',
      labelNames: ['by', 'code'],
      registers,
    });
    this.#upstreamErrors = new Counter({
      name: 'wsdiag_upstream_errors_total',
      help: 'Upstream failures: connect (an upgrade could not reach it) or relay (its socket failed or reset mid-connection)',
      labelNames: ['stage'],
      registers,
    });
    this.#handshakeFailures = new Counter({
      name: 'wsdiag_handshake_failures_total',
      help: 'Upgrade requests that did not become a WebSocket, by the HTTP status the client got (0: none)',
      labelNames: ['status'],
      registers,
    });
    this.#refused = new Counter({
      name: 'wsdiag_refused_total',
      help: 'Clients refused at a limit (max_connections, header_timeout)',
      labelNames: ['kind'],
      registers,
    });
    const open = this.#open;
    new Gauge({
      name: 'wsdiag_relay_queue_bytes',
      help: "Bytes written towards the endpoints that still wait in wsdiag's socket buffers",
      registers,
      collect() {
        let queued = 0;
        for (const connection of open) {
          const stats = connection.stats();
          queued += stats.queued['client->server'] + stats.queued['server->client'];
        }
        this.set(queued);
      },
    });
    this.#latency = new Histogram({
      name: 'wsdiag_relay_latency_seconds',
      help: `Time from a chunk reaching the relay to leaving its write buffer (sampled: one chunk in ${SAMPLE_EVERY})`,
      buckets: LATENCY_BUCKETS,
      registers,
    });
  }

  /** The Prometheus text exposition. */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  write(event: WsdiagEvent): void {
    switch (event.type) {
      case 'open':
        this.#connections.inc();
        this.#connectionsOpen.inc();
        return;
      case 'close':
        this.#connectionsOpen.dec();
        for (const dir of DIRECTIONS) {
          this.#closedFrames[dir] += event.frames[dir];
          this.#closedBytes[dir] += event.bytes[dir];
        }
        if (event.ended_by === 'server' && (event.how === 'error' || event.how === 'reset')) this.#upstreamErrors.inc({ stage: 'relay' });
        return;
      case 'violation':
        this.#violation(event);
        return;
      case 'peer-close':
        this.#peerCloses.inc({ by: event.by, code: closeCodeLabel(event.code) });
        return;
      case 'error':
        // The one error an upgrade's upstream request gives (src/proxy/upstream.ts describeUpstreamError).
        if (event.conn !== null && event.message.startsWith('cannot reach upstream')) this.#upstreamErrors.inc({ stage: 'connect' });
        return;
      case 'http':
        if (event.upgrade) this.#handshakeFailures.inc({ status: statusLabel(event.status) });
        return;
      default:
        return;
    }
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  /** What the events do not say while connections are open; add it to the proxy's addons. */
  addon(): ProxyAddon {
    return {
      name: 'metrics',
      suppressed: (violation) => this.#violation(violation),
      refused: (kind: RefusalKind) => this.#refused.inc({ kind }),
      connection: () => this.#part(),
    };
  }

  #part(): ConnectionAddon {
    let connection: OpenConnection | undefined;
    const pending = { 'client->server': false, 'server->client': false };
    const messages = this.#messages;
    return {
      observers: {
        'client->server': { messageEnd: () => messages['client->server']++ },
        'server->client': { messageEnd: () => messages['server->client']++ },
      },
      opened: (opened) => {
        connection = opened;
        this.#open.add(opened);
      },
      sent: (dir) => {
        if (--this.#countdown > 0) return;
        this.#countdown = SAMPLE_EVERY;
        if (connection === undefined || pending[dir]) return;
        pending[dir] = true;
        const started = performance.now();
        const timed = connection;
        // After the relay's own write of this chunk, which follows the hook in the same turn.
        queueMicrotask(() =>
          timed.afterWrites(dir, (flushed) => {
            pending[dir] = false;
            if (flushed) this.#latency.observe((performance.now() - started) / 1000);
          }),
        );
      },
      end: () => {
        if (connection) this.#open.delete(connection);
      },
    };
  }

  #violation(event: ViolationEvent): void {
    this.#violations.inc({ rule: event.rule, code: String(event.code), blame: event.blame });
  }

  #total(dir: Direction, what: 'frames' | 'bytes'): number {
    let total = what === 'frames' ? this.#closedFrames[dir] : this.#closedBytes[dir];
    for (const connection of this.#open) total += connection.stats()[what][dir];
    return total;
  }
}

/** A close code as a label: the registered codes exactly, application codes by thousand, the rest `invalid`. */
export function closeCodeLabel(code: number | null): string {
  if (code === null) return 'none';
  if (code >= 1000 && code <= 1015) return String(code);
  if (code >= 3000 && code <= 3999) return '3xxx';
  if (code >= 4000 && code <= 4999) return '4xxx';
  return 'invalid';
}

/** An HTTP status as a label: 100–599 exactly, else `other` (0: the client got no answer). */
function statusLabel(status: number): string {
  if (status === 0) return '0';
  return status >= 100 && status <= 599 ? String(status) : 'other';
}
