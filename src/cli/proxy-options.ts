/**
 * The proxy's command-line options, declared once for every command that starts a proxy (`proxy`, `ci`;
 * `sandwich` shares the ones that apply to its two legs) so their flags, help texts and parsing cannot
 * drift apart. The values are resolved into ProxyOptions
 * by `resolveProxyConfig` in ./commands/proxy.ts. Commands differ only in the default listen address:
 * `proxy` uses a fixed, well-known port; `ci` any free one, so parallel CI jobs never collide.
 */
import { Option, type Command } from 'commander';
import type { AcceptedType } from '../protocol/message-type.js';
import { DEFAULT_PONG_TIMEOUT_MS } from '../session/analyzer.js';
import { parseCount } from './run.js';

const ACCEPTS = ['text', 'binary', 'any'];

export interface ProxyOptionDefaults {
  /** The --listen default, e.g. "127.0.0.1:8080". */
  listen: string;
}

/** The option values as commander names them (the shape resolveProxyConfig takes). */
export interface ProxyFlags {
  target: string;
  listen: string;
  json?: boolean;
  log?: string;
  frames?: boolean;
  quiet?: boolean;
  maxMessage?: number;
  maxPerRule?: number;
  enforce?: boolean;
  preview: boolean;
  showSecrets?: boolean;
  insecure?: boolean;
  ca?: string;
  tlsCert?: string;
  tlsKey?: string;
  color: boolean;
  serverAccepts?: AcceptedType;
  clientAccepts?: AcceptedType;
  config?: string;
  /** False with --no-learn. */
  learn: boolean;
  pongTimeout: number;
}

/** --pong-timeout: how long a Ping may wait for its Pong (every command that relays WebSocket traffic). */
export function pongTimeoutOption(): Option {
  return new Option('--pong-timeout <ms>', 'report a ping left this long without a pong (ping-unanswered); 0 = only when the connection ends')
    .argParser(parseCount('--pong-timeout'))
    .default(DEFAULT_PONG_TIMEOUT_MS);
}

export function addProxyOptions(command: Command, defaults: ProxyOptionDefaults): Command {
  return command
    .requiredOption('--target <url>', 'the upstream: ws://, wss://, http:// or https:// URL (its path is a prefix of every request path)')
    .option('--listen <host:port>', 'where clients connect; port 0 = any free port', defaults.listen)
    .option('--json', 'print events as JSON Lines on stdout instead of the readable log (first line: listening)')
    .option('--log <file>', 'also append events as JSON Lines to FILE (read it with wsdiag tail)')
    .option('--frames', 'also report every frame')
    .option('--quiet', 'show only where it listens, violations, errors and the summary')
    .option('--max-message <bytes>', 'report messages larger than this (after inflation); 0 = no limit (default 104857600)', parseCount('--max-message'))
    .option('--max-per-rule <n>', 'violations logged individually per rule and connection; the rest are counted (default 20)', parseCount('--max-per-rule'))
    .addOption(pongTimeoutOption())
    .option('--enforce', 'fail a connection on its first violation: drop the offending frame, Close the sender with its code, Close 1001 the other side')
    .option('--no-preview', 'omit payload previews (up to 64 bytes) from violations')
    .option('--show-secrets', 'write credentials in paths, query values, subprotocols, previews and Close reasons as they came (by default they are REDACTED in every output)')
    .option('--insecure', 'do not verify the upstream TLS certificate (wss:/https: targets)')
    .option('--ca <file>', 'trust this CA certificate (PEM) for the upstream, e.g. a self-signed test certificate')
    .option('--tls-cert <file>', 'serve TLS to clients (wss://, https://) with this certificate (PEM); needs --tls-key')
    .option('--tls-key <file>', 'the private key (PEM) for --tls-cert')
    .addOption(new Option('--server-accepts <type>', 'message types the server accepts: checks what the client sends (1003)').choices(ACCEPTS))
    .addOption(new Option('--client-accepts <type>', 'message types the client accepts: checks what the server sends (1003)').choices(ACCEPTS))
    .option('--config <file>', 'per-route policies (JSON): server-accepts, client-accepts, max-message by path glob and/or subprotocol')
    .option('--no-learn', "do not learn an endpoint's accepted message type from its 1003 closes")
    .option('--no-color', 'plain output even on a terminal (also off with NO_COLOR)');
}
