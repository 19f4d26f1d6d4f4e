/**
 * `wsdiag/reporters`: sinks of the event stream (JSON Lines, the human log, the summary, several at
 * once), the reader of wsdiag logs that `tail` and `view` share, and the redaction policy that keeps
 * credentials out of every output, for sinks of your own.
 */
export {
  JsonlReporter,
  PrettyReporter,
  SummaryCollector,
  MultiReporter,
  REPORTERS,
  createReporter,
  createOutput,
  openJsonlLog,
  shouldUseColor,
  formatEvent,
  readLog,
  type Reporter,
  type StreamReporter,
  type ReporterContext,
  type ReporterName,
  type PrettyOptions,
  type JsonlOptions,
  type LineSinkOptions,
  type FormatOptions,
  type LogNotice,
  type ReadLogOptions,
} from '../reporters/index.js';
export {
  REDACTED,
  REDACT_SECRETS,
  SHOW_SECRETS,
  redactorFor,
  redactPath,
  redactSubprotocols,
  redactText,
  redactUrl,
  isSecretName,
  isSecretParameter,
  looksRandom,
  type Redactor,
} from '../redact.js';
