/**
 * A packet capture judged for a command (`wsdiag analyze FILE.pcap`, `wsdiag sniff`): the sans-IO capture
 * analyzer (src/capture/) set up from the options the proxy takes, its events passed on as they come, and
 * what the run amounts to: error-severity violations (exit 1), a capture nothing could be read from (exit
 * 2, one line), one without any WebSocket connection (a notice), and a closing line of counts.
 *
 * A problem that stops the reader before its first packet (a header cut short, an unknown version) is not
 * printed as an event: the command says it in one line instead. So the few events that can come before
 * the first packet (notices about interfaces) are held until then.
 */
import { CaptureAnalyzer, type CaptureAnalyzeOptions, type CaptureStats } from '../capture/index.js';
import type { CaptureProblemEvent, WsdiagEvent } from '../events/index.js';
import { checkBodyLimit } from '../messages/index.js';
import { redactorFor } from '../redact.js';
import type { EventContentOptions } from '../session/index.js';

/** How the connections of a capture are judged: the proxy's options of the same names. */
export interface CaptureJudgeOptions extends EventContentOptions {
  /** Largest message before `message-too-big` (bytes, 0 = no limit; default 100 MiB). */
  maxMessage?: number;
  /** Violations logged individually per rule and connection (default 20, as the proxy). */
  maxPerRule?: number;
}

/** What a capture amounted to. */
export interface CaptureOutcome {
  stats: CaptureStats;
  /** Violations of error severity (logged ones; a rule's suppressed repeats follow a logged one). */
  errors: number;
  violations: number;
  /** Why nothing could be read from the input (a sentence), or null. */
  unreadable: string | null;
}

/** Events held before the first packet, at most: past it they are passed on (a file of nothing but interfaces). */
const MAX_HELD = 64;

/** The capture analyzer options for `options`, checked: a bad --redact or --body-limit is a ConfigError now. */
export function captureAnalyzeOptions(options: CaptureJudgeOptions): Omit<CaptureAnalyzeOptions, 'onEvent'> {
  const redact = redactorFor(options.showSecrets, options.redact);
  const bodyLimit = checkBodyLimit(options.bodyLimit);
  return {
    analyzer: {
      frames: options.frames === true,
      preview: options.preview ?? true,
      redact,
      ...(options.maxMessage !== undefined ? { maxMessage: options.maxMessage } : {}),
      ...(options.maxPerRule !== undefined ? { maxPerRule: options.maxPerRule } : {}),
    },
    ...(options.messages === true ? { messages: { bodyLimit } } : {}),
  };
}

export class CaptureRun {
  readonly #analyzer: CaptureAnalyzer;
  readonly #onEvent: (event: WsdiagEvent) => void;
  /** Events before the first packet (null once passed on). */
  #held: WsdiagEvent[] | null = [];
  /** The error that stopped the reader before its first packet. */
  #fatal: CaptureProblemEvent | null = null;
  /** The first interface whose link type is not decoded. */
  #undecoded: CaptureProblemEvent | null = null;
  #errors = 0;
  #violations = 0;

  constructor(options: CaptureJudgeOptions, onEvent: (event: WsdiagEvent) => void) {
    this.#onEvent = onEvent;
    this.#analyzer = new CaptureAnalyzer({ ...captureAnalyzeOptions(options), onEvent: (event) => this.#event(event) });
  }

  push(chunk: Uint8Array): void {
    this.#analyzer.push(chunk);
  }

  /** The input ended: connections still open are closed (`how: capture-end`); returns the outcome. */
  end(): CaptureOutcome {
    const stats = this.#analyzer.end();
    const unreadable = this.#unreadable(stats);
    // Held notices go out with the rest, unless the command reports the capture as unreadable instead.
    if (unreadable === null) this.#release();
    this.#held = null;
    return { stats, errors: this.#errors, violations: this.#violations, unreadable };
  }

  #event(event: WsdiagEvent): void {
    if (event.type === 'violation') {
      this.#violations++;
      if (event.severity === 'error') this.#errors++;
    }
    if (event.type === 'capture-problem') {
      if (event.code === 'unknown-link-type') this.#undecoded ??= event;
      if (event.severity === 'error' && this.#analyzer.stats.reader.packets === 0) {
        this.#fatal ??= event;
        return;
      }
    }
    if (this.#held !== null) {
      if (this.#analyzer.stats.reader.packets === 0 && this.#held.length < MAX_HELD) {
        this.#held.push(event);
        return;
      }
      this.#release();
    }
    this.#onEvent(event);
  }

  #release(): void {
    const held = this.#held ?? [];
    this.#held = null;
    for (const event of held) this.#onEvent(event);
  }

  #unreadable(stats: CaptureStats): string | null {
    if (this.#fatal !== null && stats.reader.packets === 0) return sentence(this.#fatal.message);
    if (stats.reader.packets > 0 && stats.skipped['link-type'] === stats.reader.packets && this.#undecoded !== null) {
      const packets = `${stats.reader.packets} packet${stats.reader.packets === 1 ? '' : 's'}`;
      return `none of its ${packets} can be decoded: ${sentence(this.#undecoded.message).replace(/; its packets are skipped$/, '')} (wsdiag reads Ethernet, Linux cooked SLL and SLL2, raw IP and loopback captures)`;
    }
    return null;
  }
}

/**
 * What a capture without any WebSocket connection held instead, for a notice; null when it held one (a
 * refused upgrade counts: it was judged).
 */
export function noWebSocketNotice(stats: CaptureStats): string | null {
  const ws = stats.websocket;
  if (ws.websocket > 0 || ws.refused > 0) return null;
  if (stats.reader.packets === 0) return 'the capture holds no packets';
  const kinds: string[] = [];
  const count = (n: number, what: string): void => {
    if (n > 0) kinds.push(`${n} ${what}`);
  };
  count(ws.streams.tls, 'TLS (encrypted: not decodable from a capture)');
  count(ws.streams.http, 'plain HTTP');
  count(ws.streams['no-handshake'], 'joined after their handshake (not judged)');
  count(ws.streams.incomplete, 'with an incomplete handshake');
  count(ws.streams.other, 'neither HTTP nor TLS');
  count(ws.empty, 'without data');
  const tcp = stats.tcp.connections;
  const connections = `${tcp} TCP connection${tcp === 1 ? '' : 's'}`;
  return `no WebSocket connection in the capture (${plural(stats.reader.packets, 'packet')}, ${connections}${kinds.length > 0 ? `: ${kinds.join(', ')}` : ''})`;
}

/** The closing line of a readable report: what the capture held and what was found. */
export function describeCapture(name: string, outcome: CaptureOutcome): string {
  const { stats } = outcome;
  const ws = stats.websocket;
  const parts = [
    plural(stats.reader.packets, 'packet'),
    plural(stats.tcp.connections, 'TCP connection'),
    `${ws.websocket} WebSocket${ws.refused > 0 ? ` (and ${plural(ws.refused, 'refused upgrade')})` : ''}`,
  ];
  if (ws.streams.tls > 0) parts.push(`${ws.streams.tls} TLS (not decodable)`);
  if (ws.gaps > 0) parts.push(plural(ws.gaps, 'gap'));
  return `${name}: ${parts.join(', ')}; ${plural(outcome.violations, 'violation')}.`;
}

function plural(n: number, what: string): string {
  return `${n.toLocaleString('en-US')} ${what}${n === 1 ? '' : 's'}`;
}

/** A message without its final full stop, to be quoted inside a sentence. */
function sentence(message: string): string {
  const text = message.replace(/\.$/, '');
  return text.charAt(0).toLowerCase() + text.slice(1);
}
