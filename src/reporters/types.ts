/**
 * What every sink of wsdiag events agrees on (DESIGN §1, reporters/). A reporter receives each event
 * once, in order, and never throws: a sink that cannot write any more (a closed pipe, a full disk) goes
 * quiet and says so through its own state, so the proxy keeps relaying traffic whatever the log does.
 */
import type { WsdiagEvent } from '../events/index.js';

export interface Reporter {
  /** Takes one event. Synchronous so the hot path never awaits a sink; output is buffered by the stream. */
  write(event: WsdiagEvent): void;
  /** Resolves once everything written so far has left the process (or the sink has closed). */
  flush(): Promise<void>;
  /** Flushes, then releases what the reporter owns (a log file it opened); a borrowed stdout stays open. */
  close?(): Promise<void>;
}

/** Options of the human log (PrettyReporter). */
export interface PrettyOptions {
  /** Emit ANSI colours. Callers decide with `shouldUseColor()`; the text is the same either way. */
  color: boolean;
  /** Show `frame` events (one compact line each). */
  frames: boolean;
  /** Show only violations, errors and the closing summary. */
  quiet: boolean;
  /** Wrap long sentences (message, fix, explain) at this many columns; no wrapping when absent. */
  width?: number;
}
