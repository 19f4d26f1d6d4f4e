/**
 * Which message-type policy applies to each direction of a connection, and why. Most specific wins,
 * per direction: command-line flags > the first matching config route > the negotiated subprotocol's
 * profile > what the learner recorded for this route. `any` at a more specific level switches the check
 * off for that direction (e.g. `--server-accepts any` under an MQTT profile). The `source` of each policy
 * says where it came from, and appears in every violation it produces.
 */
import type { Direction } from '../events/index.js';
import type { AcceptedType, TypePolicy } from '../protocol/message-type.js';
import { matchRoute, type PolicyConfig, type PolicyRoute, type RouteTarget } from './config.js';
import type { PolicyLearner, PolicyOrigin } from './learn.js';
import { findProfile, profilePolicy, type SubprotocolProfile } from './profiles.js';

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
export function flagTypePolicies(flags: { serverAccepts?: AcceptedType; clientAccepts?: AcceptedType }): Partial<Record<Direction, TypePolicy>> {
  const out: Partial<Record<Direction, TypePolicy>> = {};
  if (flags.serverAccepts) out['client->server'] = { accepts: flags.serverAccepts, source: `--server-accepts ${flags.serverAccepts}` };
  if (flags.clientAccepts) out['server->client'] = { accepts: flags.clientAccepts, source: `--client-accepts ${flags.clientAccepts}` };
  return out;
}

/** `analyze --accepts`: one recorded direction, named after the flag the user typed. */
export function acceptsFlagPolicy(dir: Direction, accepts: AcceptedType): Partial<Record<Direction, TypePolicy>> {
  return { [dir]: { accepts, source: `--accepts ${accepts}` } };
}

export function resolveTypePolicies(inputs: PolicyInputs, target: RouteTarget): ResolvedPolicies {
  const route = matchRoute(inputs.config, target);
  const profile = findProfile(target.subprotocol);
  const resolved: ResolvedPolicies = { typePolicies: {}, origins: {}, route, profile };
  for (const dir of DIRECTIONS) {
    const found = pick(dir, inputs, target, route, profile);
    if (found) {
      resolved.typePolicies[dir] = found.policy;
      resolved.origins[dir] = found.origin;
    }
  }
  if (inputs.flags?.maxMessage !== undefined) {
    resolved.maxMessage = inputs.flags.maxMessage;
    resolved.maxMessageSource = '--max-message';
  } else if (route?.maxMessage != null) {
    resolved.maxMessage = route.maxMessage;
    resolved.maxMessageSource = route.label;
  }
  return resolved;
}

function pick(
  dir: Direction,
  inputs: PolicyInputs,
  target: RouteTarget,
  route: PolicyRoute | null,
  profile: SubprotocolProfile | null,
): { policy: TypePolicy; origin: PolicyOrigin } | null {
  const flag = inputs.flags?.typePolicies?.[dir];
  if (flag) return { policy: flag, origin: 'flag' };
  const fromRoute = route ? (dir === 'client->server' ? route.serverAccepts : route.clientAccepts) : null;
  if (fromRoute) return { policy: { accepts: fromRoute, source: route!.label }, origin: 'route' };
  if (profile) return { policy: profilePolicy(profile, target.subprotocol!, dir), origin: 'profile' };
  const learned = inputs.learner?.enabled ? inputs.learner.policyFor(dir, target) : null;
  if (learned) return { policy: learned, origin: 'learned' };
  return null;
}
