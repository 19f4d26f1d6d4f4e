/**
 * The subprotocol profile table shown by `wsdiag explain 1003` (and as `profiles` in its --json): which
 * message type each subprotocol's specification fixes. The data lives with the policies that apply it
 * (src/protocol/profiles.ts), so the explanation and the checks cannot disagree.
 */
import { explainProfileRows } from '../protocol/index.js';
import type { SubprotocolProfile } from './types.js';

export const SUBPROTOCOL_PROFILES: SubprotocolProfile[] = explainProfileRows();
