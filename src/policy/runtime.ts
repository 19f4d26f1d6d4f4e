/**
 * The run-level object behind `--server-accepts`, `--client-accepts`, `--max-message`, `--config` and
 * `--no-learn`: built once before anything listens (a bad config stops the run with exit 2), then given to
 * the proxy as an addon (src/proxy/addon.ts). Per connection it offers settings layers (flags, route,
 * profile, learned: src/proxy/settings.ts resolves them), listens to each data message's end on the one
 * decoder, explains 1003 closes (rewriting the `peer-close` event) and learns from them.
 */
import type { Direction } from '../events/index.js';
import type { AcceptedType, TypePolicy } from '../protocol/index.js';
import type { ConnectionAddon, ProxyAddon, SettingsLayer, ConnectionInfo } from '../proxy/index.js';
import { loadPolicyConfig, type PolicyConfig, type RouteTarget } from './config.js';
import { PolicyLearner } from './learn.js';
import { flagTypePolicies, policyLayers, policyOrigins } from './resolve.js';

export interface PolicyOptions {
  serverAccepts?: AcceptedType;
  clientAccepts?: AcceptedType;
  /** Only when the user gave --max-message: a default here would hide every route's max-message. */
  maxMessage?: number;
  /** --config FILE. */
  configFile?: string;
  /** False with --no-learn. */
  learn?: boolean;
  /** Routes the learner remembers at most. */
  maxLearnedRoutes?: number;
}

export class MessagePolicies implements ProxyAddon {
  readonly name = 'policies';
  readonly config: PolicyConfig | null;
  readonly learner: PolicyLearner;
  private readonly flagPolicies: Partial<Record<Direction, TypePolicy>>;
  private readonly maxMessage: number | undefined;

  /** Reads and validates the config file: throws UsageError, so call it before listening. */
  static load(options: PolicyOptions): MessagePolicies {
    return new MessagePolicies(options, options.configFile ? loadPolicyConfig(options.configFile) : null);
  }

  constructor(options: PolicyOptions, config: PolicyConfig | null = null) {
    this.config = config;
    this.learner = new PolicyLearner({
      enabled: options.learn ?? true,
      ...(options.maxLearnedRoutes !== undefined ? { maxRoutes: options.maxLearnedRoutes } : {}),
    });
    this.flagPolicies = flagTypePolicies({
      ...(options.serverAccepts ? { serverAccepts: options.serverAccepts } : {}),
      ...(options.clientAccepts ? { clientAccepts: options.clientAccepts } : {}),
    });
    this.maxMessage = options.maxMessage;
  }

  /** The settings layers for a connection on `target`, as they stand now (lessons included). */
  layers(target: RouteTarget): SettingsLayer[] {
    const flags = { typePolicies: this.flagPolicies, ...(this.maxMessage !== undefined ? { maxMessage: this.maxMessage } : {}) };
    return policyLayers({ flags, config: this.config, learner: this.learner }, target).layers;
  }

  /** ProxyAddon: the policies' part in one connection. */
  connection(info: ConnectionInfo): ConnectionAddon {
    const learning = this.learner.track({ conn: info.conn, path: info.path, subprotocol: info.subprotocol });
    return {
      settings: this.layers({ path: info.path, subprotocol: info.subprotocol }),
      // The learner remembers the last message relayed each way, to explain a 1003 that follows it.
      observers: {
        'client->server': { messageEnd: (message) => learning.onMessage('client->server', message) },
        'server->client': { messageEnd: (message) => learning.onMessage('server->client', message) },
      },
      // Settings are resolved now: a lesson may replace a direction's policy only if it was learned (or none).
      opened: (connection) => learning.attach(connection, policyOrigins(connection.settings)),
      event: (event) => learning.observe(event),
      end: () => learning.end(),
    };
  }
}
