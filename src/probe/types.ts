/**
 * How a probe case came out. The observations and findings it is built from are the observe engine's
 * (src/observe/types.ts).
 */
import type { CaseStatus } from '../events/index.js';
import type { ProbeFinding } from '../observe/index.js';

export type { CaseStatus } from '../events/index.js';

export interface CaseResult {
  case: string;
  summary: string;
  status: CaseStatus;
  durationMs: number;
  findings: ProbeFinding[];
  /** Largest one-way delay measured for a small message or control frame, in ms; null if none. */
  maxLatencyMs: number | null;
  /** Why the case could not run (status 'error'), else null. */
  error: string | null;
}
