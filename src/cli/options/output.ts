/**
 * The output flags, declared once: what is shown (--frames, --no-preview, --show-secrets) and how
 * (--json, --log, --quiet, --no-color), and the proxy's record of the traffic itself (--pcap). Commands whose output differs give a flag their own help text
 * (withHelp); the flag, its parsing and the library options it sets stay these.
 */
import type { LiveOutputOptions, RunProxyOptions } from '../../live/index.js';
import type { ProxyOptions } from '../../proxy/index.js';
import type { Flag } from '../flags.js';

/** The output flags as commander names their values. */
export interface OutputFlags {
  json?: boolean;
  log?: string;
  instance?: string;
  frames?: boolean;
  quiet?: boolean;
  /** False with --no-preview. */
  preview: boolean;
  showSecrets?: boolean;
  pcap?: string;
  /** False with --no-color. */
  color: boolean;
}

type Shown = Pick<ProxyOptions, 'frames' | 'preview' | 'showSecrets'>;

export const OUTPUT = {
  json: {
    flags: '--json',
    help: 'print events as JSON Lines on stdout instead of the readable log (first line: listening)',
    sets: ['json'],
  } satisfies Flag<LiveOutputOptions>,
  log: {
    flags: '--log <file>',
    help: 'also append events as JSON Lines to FILE (read it with wsdiag tail)',
    sets: ['log'],
  } satisfies Flag<LiveOutputOptions>,
  instance: {
    flags: '--instance <id>',
    help: 'name this process in every JSON Lines event ("instance"), to tell several instances apart in merged logs (default: the run id)',
    sets: ['instance'],
  } satisfies Flag<LiveOutputOptions>,
  frames: { flags: '--frames', help: 'also report every frame', sets: ['frames'] } satisfies Flag<Shown>,
  quiet: {
    flags: '--quiet',
    help: 'show only where it listens, violations, errors and the summary',
    sets: ['quiet'],
  } satisfies Flag<LiveOutputOptions>,
  preview: {
    flags: '--no-preview',
    help: 'omit payload previews (up to 64 bytes) from violations',
    sets: ['preview'],
  } satisfies Flag<Shown>,
  showSecrets: {
    flags: '--show-secrets',
    help: 'write credentials in paths, query values, subprotocols, previews and Close reasons as they came (by default they are REDACTED in every output)',
    sets: ['showSecrets'],
  } satisfies Flag<Shown>,
  pcap: {
    flags: '--pcap <file>',
    help: 'also write every WebSocket connection relayed, both legs, to FILE as pcapng (Wireshark, tshark, wsdiag analyze); FILE is created or emptied',
    sets: ['pcap'],
  } satisfies Flag<Pick<RunProxyOptions, 'pcap'>>,
  color: {
    flags: '--no-color',
    help: 'plain output even on a terminal (also off with NO_COLOR)',
    sets: ['color'],
  } satisfies Flag<LiveOutputOptions>,
};

/** How the events are shown on stdout, and the log file. */
export function liveOutputOptions(flags: OutputFlags): LiveOutputOptions {
  return {
    json: flags.json === true,
    frames: flags.frames === true,
    quiet: flags.quiet === true,
    color: flags.color,
    ...(flags.log !== undefined ? { log: flags.log } : {}),
    ...(flags.instance !== undefined ? { instance: flags.instance } : {}),
  };
}

/** What the events carry: every frame, payload previews, credentials. */
export function shownOptions(flags: OutputFlags): Required<Shown> {
  return { frames: flags.frames === true, preview: flags.preview, showSecrets: flags.showSecrets === true };
}
