/**
 * V8's heap sizing for a process that relays traffic (proxy, sandwich, ci, chaos, and each --workers process).
 *
 * Every socket read is a fresh ArrayBuffer: a relay moving 100 MB/s allocates 100 MB/s of external
 * memory that dies young. V8 frees it in scavenges, but until a scavenge runs (it waits for about 32 MB of
 * such buffers) it counts it against the old generation's limit as if it had been promoted. Once the
 * heap has passed V8's 8 MB activation threshold for incremental marking (wsdiag's code alone is over
 * 10 MB; a bare relay stays under it) and one full collection has run under load, V8 sizes the next limit
 * from an "allocation rate" inflated by those buffers: the limit ends up about 16 MB above the live heap,
 * less than the buffers pending between two scavenges, and a full mark-compact of the whole heap runs
 * every half second. Measured in the relay benchmark (docs/performance.md): 15 mark-compacts in 8 s at
 * 4 KiB messages, a quarter to a third of the relay's CPU, against none for a bare Node relay.
 *
 * Fixing V8's growing factor at 4x (its own maximum for the dynamic factor) leaves room for the pending
 * buffers: 2 mark-compacts in the same 8 s. The cost is memory the old generation may hold before its next
 * full collection (up to 4x the live heap, as V8 already allows under its own heuristics).
 */
import { setFlagsFromString } from 'node:v8';

/** `--heap-growing-percent`: 300 = the next old-generation limit is 4x the live heap. */
export const RELAY_HEAP_GROWING_PERCENT = 300;

/** Sets the relay's heap growing factor, unless node was started with a --heap-growing-percent of its own. */
export function tuneHeapForRelaying(execArgv: readonly string[] = process.execArgv): void {
  if (execArgv.some((arg) => /^--heap[-_]growing[-_]percent\b/.test(arg))) return;
  setFlagsFromString(`--heap-growing-percent=${RELAY_HEAP_GROWING_PERCENT}`);
}
