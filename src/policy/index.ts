/**
 * Message-type policies (1003): where the policy of each direction comes from — flags, a config file,
 * subprotocol profiles, or what the endpoints taught us — resolved per connection.
 */
export { ACCEPTED_TYPES, fieldName, loadPolicyConfig, matchRoute, parsePolicyConfig } from './config.js';
export type { PolicyConfig, PolicyRoute, RouteTarget } from './config.js';
export { compilePathGlob, requestPath } from './glob.js';
export type { PathGlob } from './glob.js';
export { ConnectionLearning, DEFAULT_MAX_ROUTES, PolicyLearner, describeMessage, learnedPolicy, rejectionExplanation } from './learn.js';
export type { LearnerOptions, Lesson, Outcome, PolicyOrigin, PolicyTarget, RelayedMessage, RouteKey, TrackOptions } from './learn.js';
export { MessagePolicies } from './runtime.js';
export type { PolicyOptions } from './runtime.js';
export { acceptsFlagPolicy, flagTypePolicies, policyLayers, policyOrigins, resolveTypePolicies } from './resolve.js';
export type { PolicyFlags, PolicyInputs, ResolvedPolicies } from './resolve.js';
