/**
 * How a long-running command (proxy, sandwich, ci, view, tail -f) learns it is time to stop: the first
 * SIGINT or SIGTERM aborts `signal`. Nothing else stops it, not a closed stdout: the traffic a proxy
 * relays matters more than its printing. A second signal means "now": the process exits at once, unless
 * the command passes every signal on itself (`ci` forwards them to its command and kills it on the second).
 *
 * SIGHUP is log rotation: a run with a `--log` file subscribes through `onHangup` and reopens the file at
 * its path. The handler is installed only while someone listens, so a command without a log file keeps
 * SIGHUP's default (the process ends, as when its terminal goes away).
 */
import { ExitCode } from '../errors.js';

export interface SignalStop {
  /** Aborted by the first SIGINT or SIGTERM. */
  readonly signal: AbortSignal;
  /** Calls `listener` for every later SIGINT/SIGTERM; returns the unsubscribe function. */
  onSignal: (listener: (signal: NodeJS.Signals) => void) => () => void;
  /** Calls `listener` for every SIGHUP while subscribed; returns the unsubscribe function. */
  onHangup: (listener: () => void) => () => void;
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
  const hangupListeners = new Set<() => void>();
  const onHangup = (): void => {
    for (const listener of hangupListeners) listener();
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
      onHangup: (listener) => {
        if (hangupListeners.size === 0) process.on('SIGHUP', onHangup);
        const subscription = (): void => listener();
        hangupListeners.add(subscription);
        return () => {
          if (hangupListeners.delete(subscription) && hangupListeners.size === 0) process.off('SIGHUP', onHangup);
        };
      },
    });
  } finally {
    process.off('SIGINT', onProcessSignal);
    process.off('SIGTERM', onProcessSignal);
    process.off('SIGHUP', onHangup);
  }
}
