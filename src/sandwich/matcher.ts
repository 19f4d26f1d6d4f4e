/**
 * Pairs each front leg with its return leg. An intermediary that relays the handshake keeps the client's
 * Sec-WebSocket-Key, which identifies the connection on both sides; one that terminates the handshake
 * sends a key of its own, and then the legs are paired by path and arrival order (the oldest waiting leg
 * with the same path, else the oldest waiting leg: the intermediary may rewrite paths).
 *
 * Normally the return leg's upgrade completes first (the intermediary's 101 to the client follows the
 * target's 101), so a return leg waits here until its front leg arrives; the code is symmetric anyway, for
 * intermediaries that answer the client before they dial upstream. Pure: no timers, no I/O.
 */
import type { LegName, MatchedBy } from './types.js';

export interface MatchableLeg {
  conn: string;
  path: string;
  key: string | null;
}

export interface LegMatch<T extends MatchableLeg> {
  front: T;
  return: T;
  by: MatchedBy;
}

export class LegMatcher<T extends MatchableLeg> {
  private readonly waiting: Record<LegName, T[]> = { front: [], return: [] };

  /** Adds a leg; returns the pair it completes, or null if it now waits for its other half. */
  add(leg: LegName, entry: T): LegMatch<T> | null {
    const other: LegName = leg === 'front' ? 'return' : 'front';
    const found = pick(this.waiting[other], entry);
    if (!found) {
      this.waiting[leg].push(entry);
      return null;
    }
    this.waiting[other].splice(this.waiting[other].indexOf(found.leg), 1);
    return leg === 'front' ? { front: entry, return: found.leg, by: found.by } : { front: found.leg, return: entry, by: found.by };
  }

  /** Takes a waiting leg out (it gave up waiting); returns whether it was waiting. */
  remove(leg: LegName, conn: string): boolean {
    const list = this.waiting[leg];
    const at = list.findIndex((e) => e.conn === conn);
    if (at < 0) return false;
    list.splice(at, 1);
    return true;
  }

  /** Legs still waiting for their other half, oldest first. */
  pending(leg: LegName): readonly T[] {
    return this.waiting[leg];
  }
}

function pick<T extends MatchableLeg>(candidates: readonly T[], entry: T): { leg: T; by: MatchedBy } | null {
  if (entry.key !== null) {
    const byKey = candidates.find((c) => c.key === entry.key);
    if (byKey) return { leg: byKey, by: 'key' };
  }
  // No waiting leg carries this key: the intermediary replaced it, so path and arrival order decide.
  const byPath = candidates.find((c) => c.path === entry.path);
  if (byPath) return { leg: byPath, by: 'path-order' };
  const oldest = candidates[0];
  return oldest ? { leg: oldest, by: 'order' } : null;
}
