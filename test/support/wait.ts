/**
 * Bounded waits: every wait in the tests ends, with a message naming what never happened, instead of
 * hanging the run. No fixed sleeps: these resolve on the event itself; the time limits are generous upper
 * bounds for a loaded machine, never the thing tested.
 */
import { EventEmitter } from 'node:events';
import { readFileSync, watch } from 'node:fs';

export const DEFAULT_WAIT_MS = 10_000;

/** What a wait is for; a function is called when it times out, so the message can show the state then. */
export type What = string | (() => string);

/** Resolves with `promise`, or rejects after `ms` with "timed out after ms waiting for <what>". */
export function withTimeout<T>(promise: Promise<T>, what: What, ms = DEFAULT_WAIT_MS): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${typeof what === 'string' ? what : what()}`)), ms);
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
  what: What,
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
 * Asks `check` every `everyMs` until it returns something other than undefined; a throw counts as "not yet"
 * (a server that does not listen yet). Only for state no program announces (an HTTP API's, a stats
 * socket's). `gone` says why waiting on is pointless (the program exited), or undefined while it is not.
 */
export async function pollUntil<T>(
  check: () => Promise<T | undefined>,
  what: What,
  options: { everyMs: number; ms?: number; gone?: () => string | undefined },
): Promise<T> {
  const ms = options.ms ?? DEFAULT_WAIT_MS;
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const found = await check();
      if (found !== undefined) return found;
    } catch (err) {
      last = err;
    }
    const gone = options.gone?.();
    if (gone !== undefined) throw new Error(gone);
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${ms} ms waiting for ${typeof what === 'string' ? what : what()} (${String(last)})`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.everyMs));
  }
}

/**
 * Resolves once `check(bytes of the file)` returns something other than undefined, re-reading the file each
 * time it changes (fs.watch: no polling interval). For a file another process writes (a log, a capture);
 * the file must exist when the wait begins.
 */
export function waitForFile<T>(path: string, check: (bytes: Buffer) => T | undefined, what: What, ms = DEFAULT_WAIT_MS): Promise<T> {
  const changes = new EventEmitter();
  const watcher = watch(path, () => changes.emit('change'));
  const read = (): T | undefined => check(readFileSync(path));
  return waitUntil(changes, ['change'], read, what, ms).finally(() => watcher.close());
}

/** waitForFile, with the file read as UTF-8 text. */
export function waitForFileText<T>(path: string, check: (text: string) => T | undefined, what: What, ms = DEFAULT_WAIT_MS): Promise<T> {
  return waitForFile(path, (bytes) => check(bytes.toString('utf8')), what, ms);
}
