/**
 * DATA SLOT — the subprotocol profile table: which message type each common subprotocol uses.
 *
 * `wsdiag explain 1003` renders this table when it is not empty (and includes it in --json as
 * `profiles`). The README's profile table is the reference; fill this array from it, one row per
 * Sec-WebSocket-Protocol value, e.g. `{ subprotocol: 'mqtt', messageType: 'binary' }`. Until then it is
 * empty on purpose and 1003's text points readers at the README.
 */
import type { SubprotocolProfile } from './types.js';

export const SUBPROTOCOL_PROFILES: SubprotocolProfile[] = [];
