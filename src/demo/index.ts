/**
 * The demo's public surface: `runDemo()` (what `wsdiag demo` calls), its scenario table, and the pieces
 * that are useful on their own — the text-only upstream and the raw-socket clients that commit each
 * classic fault, for testing another proxy or server.
 */
export { runDemo, DEMO_RUN_ID, DEMO_UPSTREAM_POLICY, DEFAULT_SCENARIO_TIMEOUT_MS } from './run.js';
export type { DemoOptions, DemoResult, ScenarioResult } from './run.js';
export { SCENARIOS, selectScenarios, scenarioHeading, type Scenario } from './scenarios.js';
export { startDemoUpstream, MASKED_SERVER_PATH, TEXT_ONLY_REASON, type DemoUpstream } from './upstream.js';
export {
  binaryJsonFrame,
  closeOnServerFault,
  fragmentedPingFrame,
  invalidUtf8Frame,
  reservedOpcodeFrame,
  rsvBitsFrame,
  sendFaultyFrames,
  unmaskedFrame,
  type ClientOutcome,
} from './faulty-clients.js';
export { runGoodClient } from './good-client.js';
export { openRawConnection, HandshakeFailed, type RawConnection, type CloseReceived } from './raw-client.js';
export type { PeerCloseSeen } from './watch.js';
export { listText } from './text.js';
