/**
 * Bounded waits: every wait in the proxy tests ends, with a message naming what never happened, instead
 * of hanging the run. No fixed sleeps: these resolve on the event itself.
 */
import { EventEmitter } from 'node:events';
import { readFileSync, watch } from 'node:fs';

export const DEFAULT_WAIT_MS = 5000;

/** Resolves with `promise`, or rejects after `ms` with "timed out waiting for <what>". */
export function withTimeout<T>(promise: Promise<T>, what: string, ms = DEFAULT_WAIT_MS): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** `events.once` with a deadline; resolves with the event's arguments. */
export function waitForEvent(emitter: EventEmitter, event: string, what = `'${event}'`, ms = DEFAULT_WAIT_MS): Promise<unknown[]> {
  return withTimeout(new Promise<unknown[]>((resolve) => emitter.once(event, (...args: unknown[]) => resolve(args))), what, ms);
}

/**
 * Resolves once `check()` returns something other than undefined, re-checking each time `emitter`
 * emits one of `events` (state changes are always signalled by an event, so no polling interval).
 */
export function waitUntil<T>(
  emitter: EventEmitter,
  events: string[],
  check: () => T | undefined,
  what: string,
  ms = DEFAULT_WAIT_MS,
): Promise<T> {
  const first = check();
  if (first !== undefined) return Promise.resolve(first);
  let cleanup = (): void => {};
  const result = new Promise<T>((resolve) => {
    const listener = (): void => {
      const value = check();
      if (value !== undefined) {
        cleanup();
        resolve(value);
      }
    };
    for (const event of events) emitter.on(event, listener);
    cleanup = () => {
      for (const event of events) emitter.off(event, listener);
    };
  });
  return withTimeout(result, what, ms).finally(() => cleanup());
}

/**
 * Resolves once `check(text of the file)` returns something other than undefined, re-reading the file each
 * time it changes (fs.watch: no polling interval). For a log another process appends to.
 */
export function waitForFileText<T>(path: string, check: (text: string) => T | undefined, what: string, ms = DEFAULT_WAIT_MS): Promise<T> {
  const changes = new EventEmitter();
  const watcher = watch(path, () => changes.emit('change'));
  const read = (): T | undefined => check(readFileSync(path, 'utf8'));
  return waitUntil(changes, ['change'], read, what, ms).finally(() => watcher.close());
}
