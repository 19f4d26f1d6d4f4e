/**
 * Frame-aware fault injection (`wsdiag chaos`): the pieces that do not depend on the relay.
 *
 * - engine.ts: `ChaosDirection` (sans-IO, one per direction of a connection: `push(chunk, now)` and
 *   `end(now)` return actions) and `createChaosConnection` (both directions);
 * - runner.ts: `ActionRunner`, which performs those actions on a socket pair with timers;
 * - registry.ts, config.ts: the toxics (validated once for the API, config files and `--toxic`);
 * - api.ts, client.ts: the HTTP API and its typed client;
 * - events.ts: the `fault` event.
 */
export {
  ChaosDirection,
  createChaosConnection,
  staticToxics,
  type ActiveToxic,
  type ChaosDirectionOptions,
  type ToxicSource,
} from './engine.js';
export { ActionRunner, systemTimers, type ChaosSink, type ChaosTimers } from './runner.js';
export { ToxicRegistry, ToxicError, validateToxic, defaultToxicName } from './registry.js';
export { parseToxicFlag, parseChaosConfig, loadChaosConfig, TOXIC_FLAG_SYNTAX } from './config.js';
export { startChaosApi, DEFAULT_CHAOS_API_PORT, type ChaosApiOptions, type RunningChaosApi } from './api.js';
export { ChaosClient, ChaosApiError, type ChaosClientOptions } from './client.js';
export { faultEvent, formatFault, type FaultEvent } from './events.js';
export { newSeed } from './random.js';
export { TOXIC_TYPES, describeToxicTypes } from './toxics/index.js';
export type * from './types.js';
