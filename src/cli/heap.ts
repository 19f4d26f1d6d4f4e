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
 *
 * The room is about three times the live heap, so it is enough only from about 11 MB of live heap at
 * 256 KiB messages (up to 32 MB of read buffers pending): a process holding 8 to 11 MB, with the factor
 * at 4, still runs a mark-compact every 70–100 ms there. `wsdiag proxy` holds about 13 MB, above it; a
 * process built from the library API with less loaded can land inside (docs/performance.md, "Dashboard").
 *
 * The C heap under those buffers needs the same care (primeMallocForRelaying, below).
 */
import { setFlagsFromString } from 'node:v8';

/** `--heap-growing-percent`: 300 = the next old-generation limit is 4x the live heap. */
export const RELAY_HEAP_GROWING_PERCENT = 300;

/** Sets the relay's heap growing factor (unless node was started with a --heap-growing-percent of its own) and primes malloc. */
export function tuneHeapForRelaying(execArgv: readonly string[] = process.execArgv): void {
  primeMallocForRelaying();
  if (execArgv.some((arg) => /^--heap[-_]growing[-_]percent\b/.test(arg))) return;
  setFlagsFromString(`--heap-growing-percent=${RELAY_HEAP_GROWING_PERCENT}`);
}

/** The block primeMallocForRelaying allocates and drops: glibc then keeps up to twice this much freed heap. */
export const MALLOC_PRIMER_BYTES = 16 * 1024 * 1024;

/**
 * Socket read buffers live in the C heap, and a scavenge frees megabytes of them at once. glibc's malloc
 * gives the top of its heap back to the kernel whenever more than its trim threshold is free there (128 KiB
 * at start), so the reads after each scavenge land on fresh pages the kernel must fault in and zero. glibc
 * raises that threshold by itself the first time it frees a large mmap'ed block (to twice the block's size),
 * so whether a relay process faults depends on its history: in one benchmark run, with one connection and
 * 256 KiB messages, one wsdiag process took about 30 page faults and 1,000 µs of CPU per echoed message and
 * its twin of the same build 0.2 faults and 330 µs, and which one was slow changed from run to run (a 4 MiB
 * block still left one process of eight slow; 16 MiB, none). Dropping one 16 MiB block at start puts every
 * relay in the good state: it is freed at the first garbage collection, never touched (no page of it is
 * mapped in), and from then on glibc keeps up to 32 MiB of freed heap for reuse. Elsewhere (musl, macOS) it
 * is one allocation and nothing more.
 */
export function primeMallocForRelaying(): void {
  Buffer.allocUnsafeSlow(MALLOC_PRIMER_BYTES);
}
