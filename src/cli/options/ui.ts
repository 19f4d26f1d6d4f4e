/**
 * The dashboard flags, declared once: `--ui [HOST:PORT]` and `--ui-buffer N` (on `proxy`), and the
 * address syntax `view --listen` shares with them.
 */
import { ConfigError } from '../../errors.js';
import type { RunProxyOptions } from '../../live/index.js';
import { parseListen } from '../../proxy/index.js';
import { DEFAULT_UI_BUFFER } from '../../ui/index.js';
import { positiveNumber, type Flag } from '../flags.js';

/** The dashboard flags as commander names their values. */
export interface UiFlags {
  /** true for a bare --ui. */
  ui?: string | true;
  uiBuffer?: number;
}

type Ui = Pick<RunProxyOptions, 'ui'>;

export const DEFAULT_UI_LISTEN = { host: '127.0.0.1', port: 0 } as const;

export const UI = {
  ui: {
    flags: '--ui [host:port]',
    help: 'serve the live dashboard (default 127.0.0.1 and a free port; a non-loopback host requires the token printed at start)',
    sets: ['ui'],
  } satisfies Flag<Ui>,
  uiBuffer: {
    flags: '--ui-buffer <n>',
    help: `events the dashboard keeps for pages opened late; the oldest are dropped (default ${DEFAULT_UI_BUFFER})`,
    parse: positiveNumber,
    sets: ['ui.capacity'],
  } satisfies Flag<Ui>,
};

/** The dashboard `--ui` asks for: none without it. */
export function uiOptions(flags: UiFlags): Ui {
  if (flags.ui === undefined) {
    if (flags.uiBuffer !== undefined) throw new ConfigError('ui.capacity', (n) => `${n('ui.capacity')} needs ${n('ui')}`);
    return {};
  }
  return { ui: { ...parseUiAddress(flags.ui, 'ui'), capacity: flags.uiBuffer ?? DEFAULT_UI_BUFFER } };
}

/** `--ui` alone, `--ui PORT`, `--ui HOST:PORT` (`[::1]:PORT` for IPv6; `:PORT` = loopback), for library option `option`. */
export function parseUiAddress(value: string | true, option: string): { host: string; port: number } {
  if (value === true) return { ...DEFAULT_UI_LISTEN };
  const text = value.trim();
  if (/^\d{1,5}$/.test(text)) {
    const port = Number(text);
    if (port > 65535) throw new ConfigError(option, (n) => `${n(option)} "${value}": port ${port} is above 65535`);
    return { host: DEFAULT_UI_LISTEN.host, port };
  }
  try {
    return parseListen(text, option, DEFAULT_UI_LISTEN.host);
  } catch {
    throw new ConfigError(option, (n) => `${n(option)} "${value}" is not HOST:PORT or PORT (e.g. 127.0.0.1:8081, 8081, [::1]:0)`);
  }
}
