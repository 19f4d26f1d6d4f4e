/**
 * `--workers N|auto` (on `proxy`): how many relay processes share the port (RunProxyOptions.workers).
 */
import { availableParallelism } from 'node:os';
import { InvalidArgumentError } from 'commander';
import type { RunProxyOptions } from '../../live/index.js';
import { positiveNumber, type Flag } from '../flags.js';

/** The flag as commander names its value. */
export interface WorkersFlags {
  workers: number;
}

type Workers = Pick<RunProxyOptions, 'workers'>;

export const WORKERS = {
  workers: {
    flags: '--workers <n>',
    help:
      "relay processes sharing the port: a number, or 'auto' for one per core; this process keeps stdout, --log, " +
      'the summary and the dashboard, and connection ids stay unique (worker k of N numbers its connections k, k+N...)',
    parse: parseWorkers,
    default: 1,
    sets: ['workers'],
  } satisfies Flag<Workers>,
};

/** A whole number of 1 or more, or `auto`: the cores node may use (os.availableParallelism()). */
export function parseWorkers(value: string): number {
  if (value.trim() === 'auto') return availableParallelism();
  try {
    return positiveNumber(value);
  } catch {
    throw new InvalidArgumentError(`expects a whole number of 1 or more, or "auto", got "${value}"`);
  }
}

/** The flag as runProxy's option. */
export function workersOptions(flags: WorkersFlags): Workers {
  return { workers: flags.workers };
}
