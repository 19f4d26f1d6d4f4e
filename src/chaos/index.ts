/**
 * Frame-aware fault injection (`wsdiag chaos`).
 *
 * - engine.ts: `ChaosDirection` (sans-IO, one per direction of a connection: `push(chunk, now)` and
 *   `end(now)` return actions; `pushInto` and `endInto` hand them to a ChaosOutput as they are decided)
 *   and `createChaosConnection` (both directions);
 * - runner.ts: `ActionRunner`, the ChaosOutput that performs those actions on a socket pair with timers;
 * - registry.ts, config.ts: the toxics (validated once for the API, config files and `--toxic`);
 * - forwarding.ts: `chaosAddon`, the engines as the proxy's forwarding strategy (src/proxy/forwarding.ts);
 * - run.ts: `startChaos`, the proxy with fault injection and its API, as one call;
 * - api.ts, client.ts: the HTTP API and its typed client;
 * - events.ts: the `fault` event of an engine's record (the event itself is src/events/fault.ts).
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
export { faultEvent } from './events.js';
export { chaosAddon, CHAOS_ADDON_NAME, type ChaosAddonOptions } from './forwarding.js';
export { startChaos, checkChaosOptions, type ChaosOptions, type RunningChaos } from './run.js';
export { newSeed } from './random.js';
export { TOXIC_TYPES, describeToxicTypes } from './toxics/index.js';
export type * from './types.js';
