/**
 * What a connection's events carry, as a library caller chooses it: the same options for the proxy
 * (ProxyOptions), offline analysis (AnalyzeOptions) and the commands built on them. Each caller turns
 * them into the analyzer's settings (a Redactor, a MessageRecorder) itself.
 */
export interface EventContentOptions {
  /** Emit a `frame` event per frame. */
  frames?: boolean;
  /** Attach payload previews to violations (default true). */
  preview?: boolean;
  /**
   * Write credentials in paths, subprotocols, previews and Close reasons as they came (`--show-secrets`).
   * By default they are redacted (see src/redact.ts); the traffic relayed is never changed either way.
   */
  showSecrets?: boolean;
  /**
   * User patterns whose matches are REDACTED in everything peers supply that reaches an event (message
   * payloads, previews, Close reasons, paths, subprotocols), on top of the credential rules, also with
   * `showSecrets` (`--redact`). A string is a regular expression's source, or `/source/flags`.
   */
  redact?: readonly (string | RegExp)[];
  /** Emit a `message` event per message, ping, pong and Close (`--messages`; see docs/events.md). */
  messages?: boolean;
  /** Payload bytes a `message` event keeps, after inflation (default 4096; 0 = sizes only). */
  bodyLimit?: number;
}
