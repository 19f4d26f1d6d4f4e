/**
 * `wsdiag/proxy`: the proxy in a harness. `startProxy` relays and judges live traffic; addons are its one
 * extension point (per-connection settings, decoder observers, the tap, event rewriting); message policies
 * (1003) and the --pcap recorder are addons.
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
  pcapRecorder,
  resolveSettings,
  DEFAULT_SETTINGS,
  SETTINGS_RANKS,
  type Target,
  type ProxyOptions,
  type RunningProxy,
  type ListenAddress,
  type ConnectionInfo,
  type TappedHandshake,
  type TcpLeg,
  type SocketAddress,
  type PcapOutput,
  type PcapRecorderOptions,
  type ProxyAddon,
  type ConnectionAddon,
  type OpenConnection,
  type ConnectionStats,
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
  type ForwardOptions,
  type CertificateSource,
} from '../proxy/index.js';
// Forward mode's certificates (ForwardOptions.certificates): LeafCertificates.create(await CertificateAuthority.open()).
export { CertificateAuthority, LeafCertificates, type LeafCertificate, type OpenCaOptions } from '../tls/index.js';
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
