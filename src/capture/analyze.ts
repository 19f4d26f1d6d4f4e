/**
 * A capture file judged end to end, sans-IO: file bytes in (any chunking), wsdiag events out.
 *
 *   bytes ─► CaptureReader ─► link layer ─► IPv4/IPv6 ─► TcpReassembler ─► WebSocketJudge ─► events
 *            (pcap, pcapng)   (link.ts)     (ip.ts)      (per direction)    (handshake + analyzer)
 *
 * Memory is bounded whatever the file size: the reader holds at most one record, reassembly a bounded
 * amount of out-of-order data and a bounded number of connections, each analyzer what the decoder holds.
 * The caller does the I/O (a file stream, tcpdump's stdout) and decides what to print.
 */
import { SCHEMA_VERSION, systemClock, type Clock } from '../events/index.js';
import type { CaptureEvent, CaptureProblemEvent } from './events.js';
import { decodeIp, type SkipReason } from './ip.js';
import { findNetwork, isDecodedLinkType, linkTypeName, type NetworkStart } from './link.js';
import { CaptureReader, type ReaderStats } from './reader.js';
import { DEFAULT_MAX_CONNECTIONS, TcpReassembler, type ReassemblyOptions, type ReassemblyStats } from './reassembly.js';
import { timestampToMs, type CaptureProblem, type InterfaceInfo, type PacketRecord, type Timestamp } from './types.js';
import { WebSocketJudge, type CaptureAnalyzerOptions, type JudgeStats } from './websocket.js';

export interface CaptureAnalyzeOptions extends ReassemblyOptions {
  onEvent: (event: CaptureEvent) => void;
  /** Settings for every connection's analyzer (frames, previews, limits, message-type policies). */
  analyzer?: CaptureAnalyzerOptions;
  /** A `message` event per message, ping, pong and Close, keeping this many payload bytes (0 = sizes only). */
  messages?: { bodyLimit: number };
  /** Connection ids are this prefix and a number (default "c", as the proxy's). */
  connPrefix?: string;
  /** Largest capture record held in memory (default 16 MiB). */
  maxRecordBytes?: number;
  /** Time of problems found before the first packet (default: now). */
  clock?: Clock;
}

export interface CaptureStats {
  reader: ReaderStats;
  /** Packets that carried no TCP segment we could use, by reason. */
  skipped: Record<SkipReason | 'link-type', number>;
  tcp: ReassemblyStats;
  websocket: JudgeStats;
  /** Problems reported, by severity. */
  problems: { error: number; warning: number };
}

export class CaptureAnalyzer {
  private readonly options: CaptureAnalyzeOptions;
  private readonly reader: CaptureReader;
  private readonly tcp: TcpReassembler;
  private readonly judge: WebSocketJudge;
  /** Per interface id: decoded or not. */
  private readonly decoded: boolean[] = [];
  private readonly network: NetworkStart = { offset: 0, family: 0 };
  private readonly skipped: CaptureStats['skipped'] = {
    'not-ip': 0,
    'not-tcp': 0,
    'ip-fragment': 0,
    truncated: 0,
    malformed: 0,
    'link-type': 0,
  };
  private readonly problems = { error: 0, warning: 0 };
  private lastTs: Timestamp | null = null;
  private evictionsReported = 0;
  private ended = false;

  constructor(options: CaptureAnalyzeOptions) {
    this.options = options;
    this.judge = new WebSocketJudge({
      onEvent: options.onEvent,
      ...(options.analyzer ? { analyzer: options.analyzer } : {}),
      ...(options.connPrefix !== undefined ? { connPrefix: options.connPrefix } : {}),
      ...(options.messages !== undefined ? { messages: options.messages } : {}),
    });
    this.tcp = new TcpReassembler(this.judge, options);
    this.reader = new CaptureReader(
      {
        interface: (info) => this.onInterface(info),
        packet: (packet) => this.onPacket(packet),
        problem: (problem) => this.onProblem(problem),
      },
      options.maxRecordBytes !== undefined ? { maxRecordBytes: options.maxRecordBytes } : {},
    );
  }

  push(chunk: Uint8Array): void {
    this.reader.push(chunk);
  }

  /** The file ended: reports a cut record, closes every connection still open, and returns the counts. */
  end(): CaptureStats {
    if (!this.ended) {
      this.ended = true;
      this.reader.end();
      this.tcp.end();
    }
    return this.stats;
  }

  get stats(): CaptureStats {
    return {
      reader: this.reader.stats,
      skipped: { ...this.skipped },
      tcp: this.tcp.stats,
      websocket: this.judge.stats,
      problems: { ...this.problems },
    };
  }

  private onInterface(info: InterfaceInfo): void {
    const decoded = isDecodedLinkType(info.linkType);
    this.decoded[info.id] = decoded;
    if (!decoded) {
      const name = info.name === null ? '' : ` (${info.name})`;
      this.problem({
        severity: 'warning',
        code: 'unknown-link-type',
        message: `Interface ${info.id}${name} has ${linkTypeName(info.linkType)} (link type ${info.linkType}), which wsdiag does not decode; its packets are skipped.`,
        offset: this.reader.offset,
      });
    }
  }

  private onPacket(packet: PacketRecord): void {
    this.lastTs = packet.ts;
    if (this.decoded[packet.interfaceId] !== true) {
      this.skipped['link-type']++;
      return;
    }
    const start = findNetwork(packet.linkType, packet.data, this.network);
    if (start === null) {
      this.skipped['not-ip']++;
      return;
    }
    const result = decodeIp(packet.data, start.offset, start.family, packet.ts, packet.number);
    if (typeof result === 'string') {
      if (result === 'ip-fragment' && this.skipped['ip-fragment'] === 0) {
        this.problem({
          severity: 'warning',
          code: 'ip-fragments',
          message: `Packet ${packet.number} is an IP fragment; IP fragments are not reassembled (TCP avoids them), so it and any later ones are skipped, and TCP bytes they carried show up as gaps.`,
          offset: this.reader.offset,
          packet: packet.number,
        });
      }
      this.skipped[result]++;
      return;
    }
    this.tcp.push(result);
    if (this.tcp.evictions > this.evictionsReported) {
      if (this.evictionsReported === 0) {
        this.problem({
          severity: 'warning',
          code: 'connection-limit',
          message: `More connections at once than the limit of ${this.options.maxConnections ?? DEFAULT_MAX_CONNECTIONS}: the least recently active ones are given up (their close says capture-end).`,
          offset: this.reader.offset,
          packet: packet.number,
        });
      }
      this.evictionsReported = this.tcp.evictions;
    }
  }

  private onProblem(problem: CaptureProblem): void {
    this.problem(problem);
  }

  private problem(problem: CaptureProblem): void {
    this.problems[problem.severity]++;
    const ts = this.lastTs === null ? (this.options.clock ?? systemClock)() : new Date(timestampToMs(this.lastTs));
    const event: CaptureProblemEvent = {
      v: SCHEMA_VERSION,
      type: 'capture-problem',
      ts: ts.toISOString(),
      severity: problem.severity,
      code: problem.code,
      message: problem.message,
      offset: problem.offset,
    };
    if (problem.packet !== undefined) event.packet = problem.packet;
    this.options.onEvent(event);
  }
}

/**
 * Judges a capture read from any source of chunks (a file stream, a pipe), returning the events and counts.
 *
 * @example
 *   const { events } = await analyzeCapture(createReadStream('ws.pcapng'));
 *   const violations = events.filter((e) => e.type === 'violation');
 */
export async function analyzeCapture(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: Omit<CaptureAnalyzeOptions, 'onEvent'> & { onEvent?: (event: CaptureEvent) => void } = {},
): Promise<{ events: CaptureEvent[]; stats: CaptureStats }> {
  const events: CaptureEvent[] = [];
  const analyzer = new CaptureAnalyzer({ ...options, onEvent: options.onEvent ?? ((event) => events.push(event)) });
  for await (const chunk of chunks) analyzer.push(chunk);
  return { events, stats: analyzer.end() };
}

/** Judges a capture already in memory, synchronously. */
export function analyzeCaptureBytes(
  bytes: Uint8Array,
  options: Omit<CaptureAnalyzeOptions, 'onEvent'> = {},
): { events: CaptureEvent[]; stats: CaptureStats } {
  const events: CaptureEvent[] = [];
  const analyzer = new CaptureAnalyzer({ ...options, onEvent: (event) => events.push(event) });
  analyzer.push(bytes);
  return { events, stats: analyzer.end() };
}
