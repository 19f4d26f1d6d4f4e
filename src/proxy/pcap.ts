/**
 * `--pcap FILE`: what the proxy relayed, written as a pcapng file that Wireshark and tshark open and
 * dissect as WebSocket (and `wsdiag analyze` reads back), as an addon. The file is not a capture of the
 * wire: the TCP/IP headers are drawn (src/capture/writer.ts), the payloads are the bytes as relayed.
 *
 * - One interface per leg: `client leg` (each client and wsdiag's listener) and `upstream leg` (wsdiag's
 *   own socket and the upstream), with each socket's real addresses and ports.
 * - Each WebSocket connection is two TCP connections, one per leg, with initial sequence numbers of their
 *   own (a port the system reused for a later connection still starts a new stream): a three-way
 *   handshake, the upgrade request and the 101 (rebuilt from the parsed heads, credentials redacted as in
 *   every output unless --show-secrets; the upstream's copy with the path and Host wsdiag sent), then what
 *   each side sent wsdiag (`tap`) and what wsdiag wrote to each side (`sent`: the same bytes in the
 *   transparent relay; with --enforce or at shutdown, what it held back, dropped or added shows), then FINs
 *   or resets.
 * - Timestamps are when wsdiag saw each chunk. TLS legs are written decrypted, on their real ports.
 * - Memory is bounded: while the output holds more unwritten bytes than it accepts (`full`), payloads are
 *   left out, their sequence numbers skipped, so readers see lost segments (a `gap` for wsdiag analyze), and
 *   the connection gets one `error` event saying so; the relay is never slowed for the file.
 *
 * Plain HTTP exchanges and refused upgrades are not written: the file is about WebSocket connections.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { PcapngWriter, SyntheticTcp, initialSequenceNumbers, timestampFromMs, type Timestamp } from '../capture/index.js';
import { SCHEMA_VERSION, systemClock, type Clock, type CloseEvent, type Direction, type WsdiagEvent } from '../events/index.js';
import { REDACT_SECRETS, type Redactor } from '../redact.js';
import type { ConnectionAddon, ProxyAddon } from './addon.js';
import { shownHeaders } from './http-head.js';
import type { ConnectionInfo, TappedHandshake } from './types.js';

/** Where the file's bytes go, in order. */
export interface PcapOutput {
  write(bytes: Uint8Array): void;
  /** True while the output holds too much not yet written: payloads are left out until it drains. */
  readonly full: boolean;
  /** Writes what is pending and releases the output. */
  close(): Promise<void>;
}

export interface PcapRecorderOptions {
  output: PcapOutput;
  /** What the rebuilt handshake heads may show (default: credentials redacted, as in every output). */
  redact?: Redactor;
  /** The time of each packet (default: the wall clock, to the microsecond). */
  now?: () => Timestamp;
  /** The time of the events the recorder adds (default: the system clock). */
  clock?: Clock;
}

/** The addon that writes every WebSocket connection the proxy relays to `options.output`. */
export function pcapRecorder(options: PcapRecorderOptions): ProxyAddon {
  const { output } = options;
  const redact = options.redact ?? REDACT_SECRETS;
  const now = options.now ?? wallClock;
  const clock = options.clock ?? systemClock;
  const writer = new PcapngWriter();
  const clientLeg = writer.addInterface({ name: 'client leg', description: 'between the clients and wsdiag' });
  const upstreamLeg = writer.addInterface({ name: 'upstream leg', description: 'between wsdiag and the upstream' });
  output.write(writer.header());
  output.write(clientLeg.block);
  output.write(upstreamLeg.block);
  /** The 101 just accepted, until its connection opens (the host calls handshake() then connection()). */
  let accepted: { conn: string; handshake: TappedHandshake } | null = null;
  /** Connections written so far: each gets its own initial sequence numbers (a reused port is a new stream). */
  let written = 0;

  return {
    name: 'pcap',
    handshake: (conn, handshake) => {
      accepted = handshake.status === 101 ? { conn, handshake } : null;
    },
    connection: (info: ConnectionInfo): ConnectionAddon | undefined => {
      const handshake = accepted?.conn === info.conn ? accepted.handshake : null;
      accepted = null;
      if (handshake === null) return undefined;
      const isn = initialSequenceNumbers(written++);
      const recorded = new RecordedConnection(output, now, clock, info.conn, {
        client: new SyntheticTcp({ writer, interfaceId: clientLeg.id, isn, ...info.legs.client }),
        upstream: new SyntheticTcp({ writer, interfaceId: upstreamLeg.id, isn, ...info.legs.upstream }),
      });
      recorded.handshake(handshake, redact);
      return {
        opened: (connection) => recorded.opened((event) => connection.emit(event)),
        tap: (dir, chunk) => recorded.tap(dir, chunk),
        sent: (dir, chunk) => recorded.sent(dir, chunk),
        tapEnd: (dir) => recorded.tapEnd(dir),
        end: (close) => recorded.end(close),
      };
    },
    close: () => output.close(),
  };
}

/** Microseconds, as tcpdump writes them: performance.now() keeps order within one millisecond. */
function wallClock(): Timestamp {
  return timestampFromMs(Math.round((performance.timeOrigin + performance.now()) * 1000) / 1000);
}

type LegName = 'client' | 'upstream';

/**
 * One relayed connection on both legs. Which leg and which end each hook writes:
 *
 *   tap  client->server  client leg, from the client      sent client->server  upstream leg, from wsdiag
 *   tap  server->client  upstream leg, from the upstream  sent server->client  client leg, from wsdiag
 */
class RecordedConnection {
  readonly #output: PcapOutput;
  readonly #now: () => Timestamp;
  readonly #clock: Clock;
  readonly #conn: string;
  readonly #legs: Record<LegName, SyntheticTcp>;
  #emit: ((event: WsdiagEvent) => void) | null = null;
  /** Payload bytes left out because the output was full (the first time is reported). */
  #skipped = 0;
  #told = false;
  #last: Timestamp = { sec: 0, nsec: 0 };

  constructor(output: PcapOutput, now: () => Timestamp, clock: Clock, conn: string, legs: Record<LegName, SyntheticTcp>) {
    this.#output = output;
    this.#now = now;
    this.#clock = clock;
    this.#conn = conn;
    this.#legs = legs;
  }

  /** Both TCP handshakes, then the upgrade request and the 101 on each leg, in the order they crossed. */
  handshake(handshake: TappedHandshake, redact: Redactor): void {
    const ts = this.#time();
    const { client, upstream } = this.#legs;
    const request = (target: string, host: string | null): Uint8Array => {
      const headers = headerLines(handshake.request, redact).map(([name, value]): [string, string] =>
        host !== null && name === 'host' ? [name, host] : [name, value],
      );
      return head(`${handshake.method} ${target} HTTP/1.1`, headers);
    };
    const response = head('HTTP/1.1 101 Switching Protocols', headerLines(handshake.response, redact));
    this.#output.write(client.open(ts));
    this.#output.write(client.send('client', request(handshake.path, null), ts));
    this.#output.write(upstream.open(ts));
    this.#output.write(upstream.send('client', request(handshake.upstream.path, handshake.upstream.host), ts));
    this.#output.write(upstream.send('server', response, ts));
    this.#output.write(client.send('server', response, ts));
  }

  opened(emit: (event: WsdiagEvent) => void): void {
    this.#emit = emit;
  }

  tap(dir: Direction, chunk: Uint8Array): void {
    if (dir === 'client->server') this.#data('client', 'client', chunk);
    else this.#data('upstream', 'server', chunk);
  }

  sent(dir: Direction, chunk: Uint8Array): void {
    if (dir === 'client->server') this.#data('upstream', 'client', chunk);
    else this.#data('client', 'server', chunk);
  }

  /** A sender's FIN (or its socket closed): on the leg it came in on. */
  tapEnd(dir: Direction): void {
    const ts = this.#time();
    if (dir === 'client->server') this.#output.write(this.#legs.client.end('client', ts));
    else this.#output.write(this.#legs.upstream.end('server', ts));
  }

  /** The connection is over: a reset as it was passed on, else FINs for every end not yet closed. */
  end(close: CloseEvent): void {
    const ts = this.#time();
    const { client, upstream } = this.#legs;
    if (close.how === 'reset') {
      // The side that reset, on its leg; wsdiag passes a reset on as a reset of its own on the other.
      if (close.ended_by === 'server') this.#output.write(upstream.reset('server', ts));
      else this.#output.write(upstream.reset('client', ts));
      if (close.ended_by === 'client') this.#output.write(client.reset('client', ts));
      else this.#output.write(client.reset('server', ts));
      return;
    }
    // SyntheticTcp writes an end once: ends already written give nothing here.
    this.#output.write(upstream.end('client', ts));
    this.#output.write(client.end('server', ts));
    this.#output.write(client.end('client', ts));
    this.#output.write(upstream.end('server', ts));
  }

  #data(leg: LegName, from: 'client' | 'server', chunk: Uint8Array): void {
    if (this.#output.full) {
      this.#legs[leg].skip(from, chunk.length);
      this.#skipped += chunk.length;
      this.#tellSkipped();
      return;
    }
    this.#output.write(this.#legs[leg].send(from, chunk, this.#time()));
  }

  #tellSkipped(): void {
    if (this.#told || this.#emit === null) return;
    this.#told = true;
    this.#emit({
      v: SCHEMA_VERSION,
      type: 'error',
      ts: this.#clock().toISOString(),
      conn: this.#conn,
      message: `The --pcap file is not written as fast as this connection's traffic comes: payload bytes are left out of it (${this.#skipped} so far), and show there as lost segments; the relay is not slowed.`,
    });
  }

  /** Now, never before the previous packet (a file's packets go forward in time). */
  #time(): Timestamp {
    const ts = this.#now();
    if (ts.sec < this.#last.sec || (ts.sec === this.#last.sec && ts.nsec < this.#last.nsec)) return this.#last;
    this.#last = ts;
    return ts;
  }
}

/**
 * The key and its accept value are a nonce and its hash, no credential: kept as they came, so the file's
 * handshake can still be checked (its name makes the key look like one to the redaction rules).
 */
const NONCES = new Set(['sec-websocket-key', 'sec-websocket-accept']);

/** Header lines as every output shows them, the nonces as they came. */
function headerLines(headers: IncomingHttpHeaders, redact: Redactor): Array<[string, string]> {
  return shownHeaders(headers, redact).map(([name, value]) => {
    const original = headers[name];
    return NONCES.has(name) && typeof original === 'string' ? [name, original] : [name, value];
  });
}

/** An HTTP/1.1 head: the start line, the header lines, the empty line; Latin-1, as node read it. */
function head(startLine: string, headers: ReadonlyArray<readonly [string, string]>): Uint8Array {
  let text = `${startLine}\r\n`;
  for (const [name, value] of headers) text += `${name}: ${value}\r\n`;
  return Buffer.from(`${text}\r\n`, 'latin1');
}
