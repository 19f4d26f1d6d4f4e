/**
 * `wsdiag/proxy`: the proxy in a harness. `startProxy` relays and judges live traffic; addons are its one
 * extension point (per-connection settings, decoder observers, the tap, event rewriting); message policies
 * (1003) are an addon.
 */
export {
  startProxy,
  parseTarget,
  parseListen,
  DEFAULT_LISTEN,
  DEFAULT_SHUTDOWN_GRACE_MS,
  DEFAULT_HEADER_TIMEOUT_MS,
  summaryCounts,
  enforcement,
  resolveSettings,
  DEFAULT_SETTINGS,
  SETTINGS_RANKS,
  type Target,
  type ProxyOptions,
  type RunningProxy,
  type ListenAddress,
  type ConnectionInfo,
  type TappedHandshake,
  type ProxyAddon,
  type ConnectionAddon,
  type OpenConnection,
  type RunCounts,
  type Forwarding,
  type RelayControl,
  type RelayLeg,
  type ClosingCut,
  type ConnectionSettings,
  type SettingName,
  type SettingOrigin,
  type SettingValues,
  type SettingsLayer,
  type SettingsRank,
  type AddonRank,
} from '../proxy/index.js';
export {
  MessagePolicies,
  resolveTypePolicies,
  loadPolicyConfig,
  parsePolicyConfig,
  type PolicyOptions,
  type ResolvedPolicies,
  type PolicyConfig,
  type PolicyRoute,
} from '../policy/index.js';
