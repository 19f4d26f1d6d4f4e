/**
 * `wsdiag sandwich --listen HOST:PORT --via URL --return HOST:PORT --target URL`: live differential
 * testing of an intermediary. Clients dial --listen; wsdiag forwards to the intermediary (--via), which is
 * configured to forward to wsdiag's second listener (--return), which forwards to --target. Flags →
 * options (checked, the CA file read, before anything listens) → runSandwich until SIGINT/SIGTERM → exit
 * code (1 when a failure was found, DESIGN §5).
 *
 * Its flags are the proxy's shared groups; those whose meaning covers both legs say so in their help.
 */
import type { Command } from 'commander';
import { runSandwich, type RunSandwichOptions } from '../../live/index.js';
import { parseListen } from '../../proxy/index.js';
import { DEFAULT_LINGER_MS, type SandwichOptions } from '../../sandwich/index.js';
import { action } from '../run.js';
import { addFlags, wholeNumber, withHelp, type Flag } from '../flags.js';
import { LIMITS, limitOptions, type LimitFlags } from '../options/limits.js';
import { MESSAGES, messageOptions, type MessageFlags } from '../options/messages.js';
import { OUTPUT, liveOutputOptions, shownOptions, type OutputFlags } from '../options/output.js';
import { PROXY } from '../options/proxy.js';
import { TLS, upstreamTlsOptions, type TlsFlags } from '../options/tls.js';
import { untilSignal } from '../signals.js';
import { tuneHeapForRelaying } from '../heap.js';

interface SandwichFlags extends OutputFlags, LimitFlags, TlsFlags, MessageFlags {
  listen: string;
  via: string;
  return: string;
  target: string;
  maxLatency: number;
  linger: number;
}

const SANDWICH: Record<'via' | 'return' | 'maxLatency' | 'linger', Flag<SandwichOptions>> = {
  via: {
    flags: '--via <url>',
    help: 'the intermediary under test (ws://, wss://, http:// or https://); configure it to forward to --return',
    required: true,
    sets: ['via'],
  },
  return: {
    flags: '--return <host:port>',
    help: "wsdiag's second listener, where the intermediary forwards to; port 0 = any free port",
    required: true,
    sets: ['returnListen'],
  },
  maxLatency: {
    flags: '--max-latency <ms>',
    help: 'a small message or ping slower than this through the intermediary is a failure; 0 = no bound',
    parse: wholeNumber,
    default: 0,
    sets: ['maxLatencyMs'],
  },
  linger: {
    flags: '--linger <ms>',
    help: 'once one leg of a connection closed, how long to wait for the other before comparing',
    parse: wholeNumber,
    default: DEFAULT_LINGER_MS,
    sets: ['lingerMs'],
  },
};

export function registerSandwich(program: Command): void {
  const command = program
    .command('sandwich')
    .description(
      'put wsdiag on both sides of an intermediary (proxy, load balancer, tunnel) and compare live traffic as it entered and left it',
    );
  addFlags(command, [
    SANDWICH.via,
    SANDWICH.return,
    withHelp(PROXY.target, 'the real upstream the return listener forwards to (ws://, wss://, http:// or https://)'),
    withHelp(PROXY.listen('127.0.0.1:8080'), 'where clients connect instead of the intermediary; port 0 = any free port'),
    withHelp(
      OUTPUT.json,
      'print events as JSON Lines on stdout: both legs\' events, "sandwich-finding" lines, then "summary" and "sandwich-summary"',
    ),
    withHelp(OUTPUT.log, 'also append every event as JSON Lines to FILE'),
    withHelp(OUTPUT.frames, 'also report every frame (on both legs)'),
    withHelp(OUTPUT.quiet, 'show only where it listens, violations, errors, findings that are not info, and the summary'),
    withHelp(MESSAGES.messages, 'also report every message, ping, pong and Close on both legs, with its payload (cut at --body-limit)'),
    MESSAGES.bodyLimit,
    MESSAGES.redact,
    LIMITS.maxMessage,
    LIMITS.maxPerRule,
    LIMITS.pongTimeout,
    OUTPUT.preview,
    OUTPUT.showSecrets,
    withHelp(TLS.insecure, 'do not verify TLS certificates of a wss:/https: --via or --target'),
    withHelp(TLS.ca, 'trust this CA certificate (PEM) for a wss:/https: --via or --target'),
    SANDWICH.maxLatency,
    SANDWICH.linger,
    LIMITS.maxConnections(2),
    LIMITS.headerTimeout,
    LIMITS.grace,
    OUTPUT.color,
  ])
    .addHelpText(
      'after',
      '\nSet-up: client → --listen (wsdiag, front leg c1) → --via (the intermediary) → --return (wsdiag, return leg r1) → --target\n' +
        '  nginx:  location /ws { proxy_pass http://127.0.0.1:9001; proxy_http_version 1.1;\n' +
        '                         proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection "upgrade"; }\n' +
        '  wsdiag sandwich --listen 127.0.0.1:8080 --via ws://127.0.0.1:80 --return 127.0.0.1:9001 --target ws://127.0.0.1:9000\n' +
        '  # then point the client at ws://127.0.0.1:8080/ws instead of the intermediary\n' +
        '\nThe legs of each connection are matched by Sec-WebSocket-Key (or, when the intermediary replaces it, by\n' +
        'path and order) and compared once both have closed: handshake, messages, control frames and the close.\n' +
        'Failures are changes RFC 6455 forbids; legal changes (new mask keys, re-fragmenting without extensions)\n' +
        'are info. Ctrl-C ends open connections and compares them too (losses there are only warnings).\n' +
        'Exit status: 0 no failure found, 1 a failure was found, 2 bad usage or unreadable file, 3 cannot listen.',
    )
    .action(
      action((flags: SandwichFlags) => {
        const options = sandwichRunOptions(flags);
        tuneHeapForRelaying();
        return untilSignal(({ signal, onHangup }) =>
          runSandwich(options, { stdout: process.stdout, stderr: process.stderr, signal, onHangup }),
        );
      }),
    );
}

function sandwichRunOptions(flags: SandwichFlags): RunSandwichOptions {
  return {
    ...liveOutputOptions(flags),
    sandwich: {
      listen: parseListen(flags.listen, 'listen'),
      returnListen: parseListen(flags.return, 'returnListen'),
      via: flags.via,
      target: flags.target,
      proxy: { ...shownOptions(flags), ...messageOptions(flags), ...limitOptions(flags), ...upstreamTlsOptions(flags) },
      maxLatencyMs: flags.maxLatency === 0 ? null : flags.maxLatency,
      lingerMs: flags.linger,
    },
  };
}
