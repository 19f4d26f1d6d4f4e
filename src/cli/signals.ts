/**
 * How a long-running command (proxy, sandwich, ci, view, tail -f) learns it is time to stop: the first
 * SIGINT or SIGTERM aborts `signal`. Nothing else stops it, not a closed stdout: the traffic a proxy
 * relays matters more than its printing. A second signal means "now": the process exits at once, unless
 * the command passes every signal on itself (`ci` forwards them to its command and kills it on the second).
 */
import { ExitCode } from '../errors.js';

export interface SignalStop {
  /** Aborted by the first SIGINT or SIGTERM. */
  readonly signal: AbortSignal;
  /** Calls `listener` for every later SIGINT/SIGTERM; returns the unsubscribe function. */
  onSignal: (listener: (signal: NodeJS.Signals) => void) => () => void;
}

export interface StopOptions {
  /** What a second signal does: `exit` at once (status 0, the default), or `pass` it to the listeners only. */
  second?: 'exit' | 'pass';
}

/** Runs `body` with SIGINT/SIGTERM turned into a stop request; the handlers are removed when it settles. */
export async function untilSignal<T>(body: (stop: SignalStop) => Promise<T>, options: StopOptions = {}): Promise<T> {
  const controller = new AbortController();
  const listeners = new Set<(signal: NodeJS.Signals) => void>();
  let received = 0;
  const onProcessSignal = (signal: NodeJS.Signals): void => {
    if (++received > 1 && options.second !== 'pass') process.exit(ExitCode.Ok);
    controller.abort();
    for (const listener of listeners) listener(signal);
  };
  process.on('SIGINT', onProcessSignal);
  process.on('SIGTERM', onProcessSignal);
  try {
    return await body({
      signal: controller.signal,
      onSignal: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    });
  } finally {
    process.off('SIGINT', onProcessSignal);
    process.off('SIGTERM', onProcessSignal);
  }
}
