/**
 * The parsers the decode benchmark races, behind one small interface: open a session, push chunks,
 * finish. `finish` reports what the parser saw, so the benchmark can check that every parser did the whole
 * job (every message seen, nothing rejected) before it trusts the time.
 */
import { createRequire } from 'node:module';
import type { Writable } from 'node:stream';
import { FrameDecoder } from '../../src/protocol/decoder.js';
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
 * Our decoder as the analyzer configures it when nothing asks for frame events: a sink with only
 * `finding` and `messageEnd`. No message-size limit, like ws with maxPayload 0.
 */
export const ourDecoder: Parser = {
  key: 'decoder',
  name: 'wsdiag FrameDecoder',
  mutatesInput: false,
  open() {
    const counts: ParseCounts = { messages: 0, problems: 0 };
    const decoder = new FrameDecoder(
      { finding: () => void counts.problems++, messageEnd: () => void counts.messages++ },
      { from: 'client', maxMessage: 0 },
    );
    return {
      push: (chunk) => decoder.push(chunk),
      finish: async () => counts,
    };
  },
};

/** The whole per-connection analyzer as the proxy builds it (events, blame, flood counting), with a no-op event sink. */
export const ourAnalyzer: Parser = {
  key: 'analyzer',
  name: 'wsdiag ConnectionAnalyzer',
  mutatesInput: false,
  open() {
    const analyzer = new ConnectionAnalyzer({ conn: 'bench', maxMessage: 0, onEvent: () => {} });
    return {
      push: (chunk) => analyzer.push('client->server', chunk),
      // Every benchmark frame is a whole message; the proxy's analyzer has no per-message hook by default.
      finish: async () => ({ messages: analyzer.decoder('client->server').frameCount, problems: analyzer.violations }),
    };
  },
};

/** ws's Receiver is not in its type definitions; it is a Writable that emits 'message'. */
type ReceiverClass = new (options: Record<string, unknown>) => Writable;

const require = createRequire(import.meta.url);

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
    const Receiver = require('ws').Receiver as ReceiverClass;
    const counts: ParseCounts = { messages: 0, problems: 0 };
    const receiver = new Receiver({
      binaryType: 'nodebuffer',
      extensions: {},
      isServer: true,
      maxPayload: 0,
      skipUTF8Validation: false,
    });
    receiver.on('message', () => void counts.messages++);
    receiver.on('error', () => void counts.problems++);
    return {
      push: (chunk) => void receiver.write(chunk),
      finish: () => new Promise((resolve) => process.nextTick(() => resolve(counts))),
    };
  },
};

export const PARSERS: Record<string, Parser> = { decoder: ourDecoder, analyzer: ourAnalyzer, ws: wsReceiver };
