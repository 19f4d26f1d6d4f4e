/**
 * Connection ids, unique across runs: `<run>-<prefix><n>`, e.g. `k3f9x2-c4`. A log appended to by several
 * runs (`--log` appends) would otherwise hold a `c1` per run. The run id is random per process and is also
 * the `listening` event's `run`; the counter part (`c4`, the sandwich's return legs `r4`) is what people
 * say, and `tail --conn c4` accepts it alone.
 */
import { randomInt } from 'node:crypto';
import { ConfigError } from './errors.js';

/** 36^6 ≈ 2.2 billion ids: 1000 runs appended to one log share one with odds of about 1 in 4000. */
export const RUN_ID_LENGTH = 6;

/** What a run id may be: lowercase letters and digits (no `-`, which separates it from the counter). */
const RUN_ID = /^[0-9a-z]{1,32}$/;

/** A fresh random run id: RUN_ID_LENGTH lowercase base36 characters, from the system's CSPRNG. */
export function newRunId(): string {
  return randomInt(0, 36 ** RUN_ID_LENGTH)
    .toString(36)
    .padStart(RUN_ID_LENGTH, '0');
}

/** The run id as given, or a ConfigError (option `runId`) saying what a run id may be. */
export function checkRunId(runId: string): string {
  if (!RUN_ID.test(runId)) throw new ConfigError('runId', `run id "${runId}" must be 1 to 32 lowercase letters or digits`);
  return runId;
}

/**
 * What an instance id may be (`--instance`): a name an operator gives one of several wsdiag processes (a pod,
 * a host, `edge-2`), so letters of either case, digits, `.`, `_` and `-`, up to 64.
 */
const INSTANCE_ID = /^[0-9A-Za-z._-]{1,64}$/;

/** The instance id as given, or a ConfigError (option `instance`) saying what one may be. */
export function checkInstanceId(instance: string): string {
  if (!INSTANCE_ID.test(instance))
    throw new ConfigError(
      'instance',
      (n) => `${n('instance')}: instance id "${instance}" must be 1 to 64 letters, digits, ".", "_" or "-"`,
    );
  return instance;
}

/** `k3f9x2-c4`. */
export function connId(runId: string, prefix: string, counter: number): string {
  return `${runId}-${prefix}${counter}`;
}

/**
 * The prefix of plain HTTP client connections' ids next to WebSocket ids of `prefix`: `h` (`k3f9x2-h1`)
 * beside the usual `c`, `rh` beside the sandwich's return leg `r`, so the two legs of one run never
 * share an id.
 */
export function httpConnPrefix(prefix: string): string {
  return prefix === 'c' ? 'h' : `${prefix}h`;
}

/** An id split into its run and the part within the run: `k3f9x2-c4` → k3f9x2, c4; `c4` (a log from before run ids) → null, c4. */
export function splitConnId(id: string): { run: string | null; local: string } {
  const dash = id.indexOf('-');
  return dash < 0 ? { run: null, local: id } : { run: id.slice(0, dash), local: id.slice(dash + 1) };
}

/** The prefix of the forward proxy's blind tunnels' ids next to WebSocket ids of `prefix`: `t` beside `c`. */
export function tunnelConnPrefix(prefix: string): string {
  return prefix === 'c' ? 't' : `${prefix}t`;
}
