/**
 * Each connection's settings, resolved once, here, before its analyzer is built: wsdiag's built-in
 * defaults, then the proxy's own options, then every addon's layers, strongest last. The result says
 * where each value came from, and the `open` event names what the addons decided (`settings`).
 *
 * Precedence, weakest first (a stronger rank wins; within one rank the later layer wins: addons in the
 * order they were given, each addon's layers in the order it lists them):
 *
 * | rank       | who sets it                                      | example source                        |
 * |------------|--------------------------------------------------|---------------------------------------|
 * | (default)  | wsdiag                                           | 100 MiB max message, no type policy   |
 * | `proxy`    | ProxyOptions (maxMessage, frames, preview, ...)  | `proxy options`                       |
 * | `learned`  | what an endpoint taught (a 1003 close)           | `learned from k3f9x2-c3 (...)`        |
 * | `profile`  | the negotiated subprotocol's specification       | `profile mqtt (MQTT 3.1.1 §6)`        |
 * | `route`    | a config route matching the path/subprotocol     | `route /uploads/** in wsdiag.json`    |
 * | `flag`     | what the user said for the whole run             | `--server-accepts text`               |
 *
 * So `--max-message` (the policies addon's flag layer) beats a route's `max-message`, which beats
 * ProxyOptions.maxMessage; a route beats a profile, which beats a learned policy. A value that is `any`
 * (accepts any message type) at a stronger rank switches a weaker rank's check off.
 */
import type { Direction } from '../events/index.js';
import { DEFAULT_MAX_MESSAGE, type TypePolicy } from '../protocol/index.js';
import { DEFAULT_MAX_PER_RULE, DEFAULT_PONG_TIMEOUT_MS, type AnalyzerOptions } from '../session/index.js';

/** What a connection can be configured with. */
export interface SettingValues {
  /** Largest message (bytes, after inflation) before `message-too-big`; 0 = no limit. */
  maxMessage: number;
  /** What the server accepts: checks the messages the client sends (1003); null = no check. */
  serverAccepts: TypePolicy | null;
  /** What the client accepts: checks the messages the server sends (1003); null = no check. */
  clientAccepts: TypePolicy | null;
  /** Emit a `frame` event per frame. */
  frames: boolean;
  /** Attach payload previews to violations. */
  preview: boolean;
  /** Violations logged individually per rule; the rest are counted as suppressed. */
  maxPerRule: number;
  /** A Ping left this long (ms) without a Pong is reported; 0 = only when the connection ends. */
  pongTimeoutMs: number;
}

export type SettingName = keyof SettingValues;

export const DEFAULT_SETTINGS: Readonly<SettingValues> = Object.freeze({
  maxMessage: DEFAULT_MAX_MESSAGE,
  serverAccepts: null,
  clientAccepts: null,
  frames: false,
  preview: true,
  maxPerRule: DEFAULT_MAX_PER_RULE,
  pongTimeoutMs: DEFAULT_PONG_TIMEOUT_MS,
});

/** Layer ranks, weakest first (see the table above). */
export const SETTINGS_RANKS = ['proxy', 'learned', 'profile', 'route', 'flag'] as const;
export type SettingsRank = (typeof SETTINGS_RANKS)[number];
/** The ranks an addon's layer may have. */
export type AddonRank = Exclude<SettingsRank, 'proxy'>;

/** Some settings from one source. */
export interface SettingsLayer {
  rank: AddonRank;
  /** Where the values come from, in words: the `open` event shows it (`route /uploads/** in wsdiag.json`). */
  source: string;
  /** Values are trusted: an addon gives valid ones (a non-negative integer maxMessage...). */
  values: Partial<SettingValues>;
}

/** Where a setting's value came from: the layer that won. */
export interface SettingOrigin {
  rank: SettingsRank;
  source: string;
}

/** A connection's settings as resolved, with the origin of every value not left at wsdiag's default. */
export interface ConnectionSettings extends Readonly<SettingValues> {
  readonly origins: Readonly<Partial<Record<SettingName, SettingOrigin>>>;
}

/** How the proxy's own options name themselves as a source. */
export const PROXY_OPTIONS_SOURCE = 'proxy options';

/** The names settings have in the `open` event's `settings` field (the events' snake_case). */
const EVENT_NAMES: Record<SettingName, string> = {
  maxMessage: 'max_message',
  serverAccepts: 'server_accepts',
  clientAccepts: 'client_accepts',
  frames: 'frames',
  preview: 'preview',
  maxPerRule: 'max_per_rule',
  pongTimeoutMs: 'pong_timeout_ms',
};

const RANK_ORDER: Record<SettingsRank, number> = Object.fromEntries(SETTINGS_RANKS.map((rank, i) => [rank, i])) as Record<
  SettingsRank,
  number
>;

/**
 * Resolves one connection's settings: the defaults, then `proxy` (the proxy's options, rank `proxy`),
 * then `layers` by rank, the later of two layers of one rank winning.
 */
export function resolveSettings(proxy: Partial<SettingValues>, layers: readonly SettingsLayer[]): ConnectionSettings {
  const values: SettingValues = { ...DEFAULT_SETTINGS };
  const origins: Partial<Record<SettingName, SettingOrigin>> = {};
  apply(values, origins, proxy, { rank: 'proxy', source: PROXY_OPTIONS_SOURCE });
  // Array.prototype.sort is stable: layers of one rank keep their order.
  const ordered = layers.length > 1 ? [...layers].sort((a, b) => RANK_ORDER[a.rank] - RANK_ORDER[b.rank]) : layers;
  for (const layer of ordered) apply(values, origins, layer.values, { rank: layer.rank, source: layer.source });
  return { ...values, origins };
}

function apply(
  values: SettingValues,
  origins: Partial<Record<SettingName, SettingOrigin>>,
  from: Partial<SettingValues>,
  origin: SettingOrigin,
): void {
  const target = values as unknown as Record<SettingName, unknown>;
  for (const name of Object.keys(from) as SettingName[]) {
    const value = from[name];
    if (value === undefined) continue;
    target[name] = value;
    origins[name] = origin;
  }
}

/**
 * The `open` event's `settings` field: each setting an addon decided for this connection, by its event
 * name, with the source that won; undefined when the proxy's options and defaults decided everything.
 */
export function settingsField(settings: ConnectionSettings): Record<string, string> | undefined {
  let field: Record<string, string> | undefined;
  for (const name of Object.keys(settings.origins) as SettingName[]) {
    const origin = settings.origins[name];
    if (origin === undefined || origin.rank === 'proxy') continue;
    (field ??= {})[EVENT_NAMES[name]] = origin.source;
  }
  return field;
}

/** The analyzer options a connection's settings give. */
export function analyzerSettings(
  settings: SettingValues,
): Pick<AnalyzerOptions, 'maxMessage' | 'typePolicies' | 'frames' | 'preview' | 'maxPerRule' | 'pongTimeoutMs'> {
  return {
    maxMessage: settings.maxMessage,
    typePolicies: typePoliciesOf(settings),
    frames: settings.frames,
    preview: settings.preview,
    maxPerRule: settings.maxPerRule,
    pongTimeoutMs: settings.pongTimeoutMs,
  };
}

/** The type policies by direction: the server's acceptance checks what the client sends, and the other way round. */
export function typePoliciesOf(settings: Pick<SettingValues, 'serverAccepts' | 'clientAccepts'>): Record<Direction, TypePolicy | null> {
  return { 'client->server': settings.serverAccepts, 'server->client': settings.clientAccepts };
}

/** The setting that holds a direction's type policy. */
export function acceptsSetting(dir: Direction): 'serverAccepts' | 'clientAccepts' {
  return dir === 'client->server' ? 'serverAccepts' : 'clientAccepts';
}
