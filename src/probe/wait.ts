/**
 * Bounded waiting on endpoints: every wait in a probe run ends, either because what it waits for
 * happened (re-checked on each 'change' an endpoint emits, no polling) or because its time ran out.
 */
import type { EventEmitter } from 'node:events';

/** Resolves true once `check()` holds, false after `ms`. Never rejects. */
export function waitFor(emitters: readonly EventEmitter[], check: () => boolean, ms: number): Promise<boolean> {
  if (check()) return Promise.resolve(true);
  return new Promise<boolean>((resolve) => {
    const listener = () => {
      if (check()) finish(true);
    };
    const timer = setTimeout(() => finish(false), ms);
    const finish = (ok: boolean) => {
      clearTimeout(timer);
      for (const e of emitters) e.off('change', listener);
      resolve(ok);
    };
    for (const e of emitters) e.on('change', listener);
  });
}

/** Resolves with the promise's value, or `fallback` after `ms`. */
export function within<T, F>(promise: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  let timer: NodeJS.Timeout;
  const late = new Promise<F>((resolve) => (timer = setTimeout(() => resolve(fallback), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
