/**
 * The parsers the decode benchmark races, behind one small interface: open a session, push chunks,
 * finish. `finish` reports what the parser saw, so the benchmark can check that every parser did the whole
 * job (every message seen, nothing rejected) before it trusts the time.
 */
import { createRequire } from 'node:module';
import type { Writable } from 'node:stream';
import { Opcode } from '../../src/protocol/constants.js';
import { FrameDecoder } from '../../src/protocol/decoder.js';
import { encodeFrame } from '../../src/protocol/encoder.js';
import { ConnectionAnalyzer } from '../../src/session/analyzer.js';

export interface ParseCounts {
  messages: number;
  /** Findings (ours) or errors (ws): must stay 0 on the valid benchmark input. */
  problems: number;
}

export interface ParseSession {
  push(chunk: Buffer): void;
  /** Resolves once all the work the pushes started is done. */
  finish(): Promise<ParseCounts>;
}

export interface Parser {
  /** Short key used in the JSON results. */
  key: string;
  name: string;
  /** Whether the parser changes its input (ws unmasks in place): it then needs a fresh copy per run. */
  mutatesInput: boolean;
  open(): ParseSession;
}

/**
 * Counters with callbacks made once for all runs. A callback made per run dies with its run; V8's optimized
 * code that inlined it is then thrown away at the next garbage collection, and the next run (of whichever
 * parser) pays to optimize it again. A server's callbacks live as long as the server.
 */
class Counter {
  counts: ParseCounts = { messages: 0, problems: 0 };
  readonly message = (): void => {
    this.counts.messages++;
  };
  readonly problem = (): void => {
    this.counts.problems++;
  };

  reset(): ParseCounts {
    this.counts = { messages: 0, problems: 0 };
    return this.counts;
  }
}

const decoderCounter = new Counter();
const decoderSink = { finding: decoderCounter.problem, messageEnd: decoderCounter.message };

/**
 * Our decoder as the analyzer configures it when nothing asks for frame events: a sink with only
 * `finding` and `messageEnd`. No message-size limit, like ws with maxPayload 0.
 */
export const ourDecoder: Parser = {
  key: 'decoder',
  name: 'wsdiag FrameDecoder',
  mutatesInput: false,
  open() {
    const counts = decoderCounter.reset();
    const decoder = new FrameDecoder(decoderSink, { from: 'client', maxMessage: 0 });
    return {
      push: (chunk) => decoder.push(chunk),
      finish: () => Promise.resolve(counts),
    };
  },
};

const payloadCounter = new Counter();
/** What the listeners read: one byte per call, kept in a module variable so no engine can drop the reads. */
let touched = 0;
const touch = (data: Uint8Array): void => void (touched = (touched + (data[0] ?? 0)) | 0);
const payloadSink = { finding: payloadCounter.problem, messageEnd: payloadCounter.message, payload: touch, messageData: touch };

/**
 * Our decoder with payload and message-data listeners as well: every payload byte is unmasked and handed
 * over (twice: as payload and as application data), as a recorder or message view would have it.
 */
export const ourDecoderWithPayload: Parser = {
  key: 'decoder+payload',
  name: 'wsdiag FrameDecoder + payload',
  mutatesInput: false,
  open() {
    const counts = payloadCounter.reset();
    const decoder = new FrameDecoder(payloadSink, { from: 'client', maxMessage: 0 });
    return {
      push: (chunk) => decoder.push(chunk),
      finish: () => Promise.resolve(counts),
    };
  },
};

/** Keeps `touched` observable. */
export function payloadChecksum(): number {
  return touched;
}

function ignoreEvent(): void {}

/** The whole per-connection analyzer as the proxy builds it (events, blame, flood counting), with a no-op event sink. */
export const ourAnalyzer: Parser = {
  key: 'analyzer',
  name: 'wsdiag ConnectionAnalyzer',
  mutatesInput: false,
  open() {
    const analyzer = new ConnectionAnalyzer({ conn: 'bench', maxMessage: 0, onEvent: ignoreEvent });
    return {
      push: (chunk) => analyzer.push('client->server', chunk),
      // Every benchmark frame is a whole message; the proxy's analyzer has no per-message hook by default.
      finish: () => Promise.resolve({ messages: analyzer.decoder('client->server').frameCount, problems: analyzer.violations }),
    };
  },
};

/** ws's Receiver is not in its type definitions; it is a Writable that emits 'message'. */
type ReceiverClass = new (options: Record<string, unknown>) => Writable;

const require = createRequire(import.meta.url);
const wsCounter = new Counter();

/**
 * ws's Receiver configured as its WebSocketServer configures it for an accepted connection
 * (websocket.js setSocket), except maxPayload 0 (no limit) so large frames pass as they do for us. It is
 * a Writable fed with write(), as websocket.js's socketOnData does. The parsing and the 'message' events
 * happen synchronously inside write(); Writable's own bookkeeping after each write is deferred to a tick,
 * which `finish` awaits, so ws is charged for all of its work.
 */
export const wsReceiver: Parser = {
  key: 'ws',
  name: 'ws Receiver',
  mutatesInput: true,
  open() {
    const { Receiver } = require('ws') as { Receiver: ReceiverClass };
    const counts = wsCounter.reset();
    const receiver = new Receiver({
      binaryType: 'nodebuffer',
      extensions: {},
      isServer: true,
      maxPayload: 0,
      skipUTF8Validation: false,
    });
    receiver.on('message', wsCounter.message);
    receiver.on('error', wsCounter.problem);
    return {
      push: (chunk) => void receiver.write(chunk),
      finish: () => new Promise((resolve) => process.nextTick(() => resolve(counts))),
    };
  },
};

export const PARSERS: Record<string, Parser> = {
  decoder: ourDecoder,
  'decoder+payload': ourDecoderWithPayload,
  analyzer: ourAnalyzer,
  ws: wsReceiver,
};

/**
 * One idle instance of each parser stays alive for the whole benchmark, as other connections do on a
 * server. V8 keeps an object layout (a "map") alive only while some object has it; when a run's parser is
 * collected while no other instance exists (say, during another parser's run), the layouts go, every
 * function optimized for them is thrown away, and the next run starts unoptimized. Measured: our decoder
 * took 1.5x as long on 64 KiB frames after such a collection. ws is held the same way.
 */
const residents: ParseSession[] = [];

export function keepParsersResident(): void {
  if (residents.length > 0) return;
  for (const parser of [ourDecoder, ourDecoderWithPayload, ourAnalyzer, wsReceiver]) {
    const session = parser.open();
    // A few frames, so the resident objects reach the same layouts as a working parser's.
    for (const opcode of [Opcode.Text, Opcode.Binary]) {
      for (const size of [16, 300, 70_000]) session.push(Buffer.from(encodeFrame({ opcode, payload: 'x'.repeat(size), mask: true })));
    }
    residents.push(session);
  }
}
