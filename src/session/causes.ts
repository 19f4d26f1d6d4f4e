/**
 * The violations that may explain an endpoint's Close, per direction, in bounded memory.
 *
 * When a Close could answer several violations of what its sender received, the one whose close code the
 * Close carries is the likeliest cause (a peer that closes 1002 is complaining about the 1002 fault, even
 * if the same frame also failed to inflate), and among those the earliest: endpoints fail the connection
 * on the first fault they meet. Hence only the first violation per code and the first overall are kept.
 */
import type { Direction, FrameRef, PeerCloseCause } from '../events/index.js';

export interface CauseCandidate extends PeerCloseCause {
  code: number;
}

interface DirectionCauses {
  first: CauseCandidate | null;
  byCode: Map<number, CauseCandidate>;
}

export class CauseStore {
  private readonly causes: Record<Direction, DirectionCauses> = {
    'client->server': { first: null, byCode: new Map() },
    'server->client': { first: null, byCode: new Map() },
  };

  /** A violation its sender is to blame for, in `dir`. */
  record(dir: Direction, rule: string, code: number, frame: FrameRef | null): void {
    const causes = this.causes[dir];
    if (causes.first !== null && causes.byCode.has(code)) return;
    const candidate: CauseCandidate = { rule, dir, frame, code };
    causes.first ??= candidate;
    if (!causes.byCode.has(code)) causes.byCode.set(code, candidate);
  }

  /** The likeliest cause, among the violations seen in `dir`, of a Close with `code` (null for none). */
  best(dir: Direction, code: number | null): CauseCandidate | null {
    const causes = this.causes[dir];
    return (code !== null ? causes.byCode.get(code) : undefined) ?? causes.first;
  }
}
