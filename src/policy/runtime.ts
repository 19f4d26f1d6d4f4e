/**
 * The run-level object behind `--server-accepts`, `--client-accepts`, `--max-message`, `--config` and
 * `--no-learn`: built once before anything listens (a bad config stops the run with exit 2), then asked
 * once per connection for the analyzer options and the hooks that feed and apply the learner.
 */
import type { Direction, WsdiagEvent } from '../events/index.js';
import type { AcceptedType, TypePolicy } from '../protocol/message-type.js';
import type { AnalyzerOptions } from '../session/analyzer.js';
import { loadPolicyConfig, type PolicyConfig } from './config.js';
import { PolicyLearner, type PolicyTarget } from './learn.js';
import { flagTypePolicies, resolveTypePolicies, type ResolvedPolicies } from './resolve.js';

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

/** A connection as the proxy knows it once the 101 is relayed. */
export interface ConnectionDescription {
  conn: string;
  /** The request target as sent (query included; it is ignored for matching). */
  path: string;
  subprotocol: string | null;
}

/** What one connection needs: analyzer options in, events through, analyzer attached, end on close. */
export interface ConnectionPolicy {
  resolved: ResolvedPolicies;
  /** Merge into the ConnectionAnalyzer options. */
  analyzerOptions: Pick<AnalyzerOptions, 'typePolicies' | 'maxMessage' | 'onMessage'>;
  /** Pass every analyzer event through this before emitting it (explains 1003 closes, feeds learning). */
  observe<E extends WsdiagEvent>(event: E): E;
  /** Call once with the connection's analyzer: lessons learned elsewhere update it mid-connection. */
  attach(analyzer: PolicyTarget): void;
  /** Call after the connection's `close` event. */
  end(): void;
}

export class MessagePolicies {
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

  forConnection(connection: ConnectionDescription): ConnectionPolicy {
    const target = { path: connection.path, subprotocol: connection.subprotocol };
    const resolved = resolveTypePolicies(
      {
        flags: { typePolicies: this.flagPolicies, ...(this.maxMessage !== undefined ? { maxMessage: this.maxMessage } : {}) },
        config: this.config,
        learner: this.learner,
      },
      target,
    );
    const learning = this.learner.track({ ...connection, origins: resolved.origins });
    return {
      resolved,
      analyzerOptions: {
        typePolicies: resolved.typePolicies,
        ...(resolved.maxMessage !== undefined ? { maxMessage: resolved.maxMessage } : {}),
        onMessage: learning.onMessage,
      },
      observe: (event) => learning.observe(event),
      attach: (analyzer) => learning.attach(analyzer),
      end: () => learning.end(),
    };
  }
}
