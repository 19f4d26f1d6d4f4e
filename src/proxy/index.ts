/**
 * The proxy: the only I/O layer of wsdiag (DESIGN §1). Library users, `wsdiag proxy`, `demo` and `ci`
 * all start it through `startProxy`.
 */
export { startProxy, checkProxyMode, DEFAULT_LISTEN } from './server.js';
export { describeListenError } from '../listen.js';
export { parseTarget, parseListen, isLoopback, isLocalHostHeader, upstreamPath, type Target } from './target.js';
export { DEFAULT_ENFORCE_GRACE_MS } from './enforce.js';
export { shownHeaders } from './http-head.js';
export { pcapRecorder, type PcapOutput, type PcapRecorderOptions } from './pcap.js';
export { DEFAULT_SHUTDOWN_GRACE_MS, type ClosingPlan } from './closing.js';
export {
  DEFAULT_HEADER_TIMEOUT_MS,
  defaultMaxConnections,
  FALLBACK_MAX_CONNECTIONS,
  REFUSAL_HEADROOM,
  RESERVED_DESCRIPTORS,
} from './limits.js';
export { dialUpstream } from './dial.js';
export type {
  ProxyOptions,
  ForwardOptions,
  CertificateSource,
  RunningProxy,
  ListenAddress,
  ConnectionInfo,
  TappedHandshake,
  TcpLeg,
  SocketAddress,
} from './types.js';
export {
  summaryCounts,
  type ProxyAddon,
  type ConnectionAddon,
  type ConnectionStats,
  type OpenConnection,
  type RunCounts,
} from './addon.js';
export { enforcement, type Forwarding, type RelayControl, type RelayLeg, type ClosingCut } from './forwarding.js';
export {
  DEFAULT_SETTINGS,
  SETTINGS_RANKS,
  resolveSettings,
  acceptsSetting,
  type ConnectionSettings,
  type SettingName,
  type SettingOrigin,
  type SettingValues,
  type SettingsLayer,
  type SettingsRank,
  type AddonRank,
} from './settings.js';
export { parseResolveEntries, ProxyTunnelError } from './reach.js';
export { readHead, type HeadRead } from './read-head.js';
export { openConnectTunnel, parseHttpProxy, type HttpProxy, type TunnelOptions } from './connect-tunnel.js';
