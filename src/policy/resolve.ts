/**
 * Which message-type policy applies to each direction of a connection, and why. The policies offer one
 * settings layer per source, and src/proxy/settings.ts resolves them with everything else a connection is
 * configured with. Most specific wins, per direction: command-line flags > the first matching config route
 * > the negotiated subprotocol's profile > what the learner recorded for this route. `any` at a more
 * specific level switches the check off for that direction (e.g. `--server-accepts any` under an MQTT
 * profile). The `source` of each policy says where it came from, and appears in every violation it produces.
 */
import type { Direction } from '../events/index.js';
import { type AcceptedType, type TypePolicy, findProfile, profilePolicy, type SubprotocolProfile } from '../protocol/index.js';
import {
  acceptsSetting,
  resolveSettings,
  type AddonRank,
  type ConnectionSettings,
  type SettingValues,
  type SettingsLayer,
} from '../proxy/index.js';
import { matchRoute, type PolicyConfig, type PolicyRoute, type RouteTarget } from './config.js';
import type { PolicyLearner, PolicyOrigin } from './learn.js';

export interface PolicyFlags {
  /** Per-direction policies given on the command line (see flagTypePolicies / acceptsFlagPolicy). */
  typePolicies?: Partial<Record<Direction, TypePolicy>>;
  /** --max-message, only when the user gave it: a default here would hide every route's max-message. */
  maxMessage?: number;
}

export interface PolicyInputs {
  flags?: PolicyFlags;
  config?: PolicyConfig | null;
  /** Omitted or null with --no-learn. */
  learner?: PolicyLearner | null;
}

export interface ResolvedPolicies {
  /** Pass as ConnectionAnalyzer's `typePolicies`; a direction with no policy is absent. */
  typePolicies: Partial<Record<Direction, TypePolicy>>;
  /** Where each direction's policy came from (PolicyLearner.track needs it). */
  origins: Partial<Record<Direction, PolicyOrigin>>;
  /** From --max-message or the route; absent = the caller's default. */
  maxMessage?: number;
  maxMessageSource?: string;
  route: PolicyRoute | null;
  profile: SubprotocolProfile | null;
}

const DIRECTIONS: readonly Direction[] = ['client->server', 'server->client'];

/** `--server-accepts` (checks what the client sends) and `--client-accepts` (checks what the server sends). */
export function flagTypePolicies(flags: {
  serverAccepts?: AcceptedType;
  clientAccepts?: AcceptedType;
}): Partial<Record<Direction, TypePolicy>> {
  const out: Partial<Record<Direction, TypePolicy>> = {};
  if (flags.serverAccepts) out['client->server'] = { accepts: flags.serverAccepts, source: `--server-accepts ${flags.serverAccepts}` };
  if (flags.clientAccepts) out['server->client'] = { accepts: flags.clientAccepts, source: `--client-accepts ${flags.clientAccepts}` };
  return out;
}

/** `analyze --accepts`: one recorded direction, named after the flag the user typed. */
export function acceptsFlagPolicy(dir: Direction, accepts: AcceptedType): Partial<Record<Direction, TypePolicy>> {
  return { [dir]: { accepts, source: `--accepts ${accepts}` } };
}

/** The settings layers the policies give a connection on `target`, one per source, with the route and profile found. */
export function policyLayers(
  inputs: PolicyInputs,
  target: RouteTarget,
): { layers: SettingsLayer[]; route: PolicyRoute | null; profile: SubprotocolProfile | null } {
  const route = matchRoute(inputs.config, target);
  const profile = findProfile(target.subprotocol);
  const layers: SettingsLayer[] = [];
  const learner = inputs.learner;
  if (learner?.enabled) {
    for (const dir of DIRECTIONS) {
      const learned = learner.policyFor(dir, target);
      if (learned) layers.push(typeLayer('learned', dir, learned));
    }
  }
  if (profile && target.subprotocol) {
    for (const dir of DIRECTIONS) layers.push(typeLayer('profile', dir, profilePolicy(profile, target.subprotocol, dir)));
  }
  if (route) {
    const values: Partial<SettingValues> = {};
    if (route.serverAccepts) values.serverAccepts = { accepts: route.serverAccepts, source: route.label };
    if (route.clientAccepts) values.clientAccepts = { accepts: route.clientAccepts, source: route.label };
    if (route.maxMessage !== null) values.maxMessage = route.maxMessage;
    if (Object.keys(values).length > 0) layers.push({ rank: 'route', source: route.label, values });
  }
  for (const dir of DIRECTIONS) {
    const flag = inputs.flags?.typePolicies?.[dir];
    if (flag) layers.push(typeLayer('flag', dir, flag));
  }
  if (inputs.flags?.maxMessage !== undefined)
    layers.push({ rank: 'flag', source: '--max-message', values: { maxMessage: inputs.flags.maxMessage } });
  return { layers, route, profile };
}

/** Resolves the policies alone (what the proxy does with every other setting too, see policyLayers). */
export function resolveTypePolicies(inputs: PolicyInputs, target: RouteTarget): ResolvedPolicies {
  const { layers, route, profile } = policyLayers(inputs, target);
  const settings = resolveSettings({}, layers);
  const resolved: ResolvedPolicies = { typePolicies: {}, origins: policyOrigins(settings), route, profile };
  for (const dir of DIRECTIONS) {
    const policy = settings[acceptsSetting(dir)];
    if (policy) resolved.typePolicies[dir] = policy;
  }
  const maxMessage = settings.origins.maxMessage;
  if (maxMessage) {
    resolved.maxMessage = settings.maxMessage;
    resolved.maxMessageSource = maxMessage.source;
  }
  return resolved;
}

/**
 * Where each direction's type policy came from in resolved settings, as the learner needs it: only a
 * learned policy (or none) may be replaced by a lesson. A policy from the proxy's options counts as a flag.
 */
export function policyOrigins(settings: ConnectionSettings): Partial<Record<Direction, PolicyOrigin>> {
  const origins: Partial<Record<Direction, PolicyOrigin>> = {};
  for (const dir of DIRECTIONS) {
    const rank = settings.origins[acceptsSetting(dir)]?.rank;
    if (rank !== undefined) origins[dir] = rank === 'proxy' ? 'flag' : rank;
  }
  return origins;
}

function typeLayer(rank: AddonRank, dir: Direction, policy: TypePolicy): SettingsLayer {
  return { rank, source: policy.source, values: { [acceptsSetting(dir)]: policy } };
}
