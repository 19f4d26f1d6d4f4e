/**
 * The dashboard's flags, declared once: `--ui [HOST:PORT]` and `--ui-buffer N` on `proxy` (and on any command
 * that starts a proxy later), plus what they do at start: bind, print the address (with its token when one
 * is required — printed once, on stderr, never in an event), and hand back the running dashboard.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { UsageError } from '../errors.js';
import { parseListen } from '../proxy/target.js';
import { DEFAULT_UI_BUFFER, startDashboard, type Dashboard } from '../ui/index.js';
import { redactorFor } from '../redact.js';

export interface UiFlags {
  /** true for a bare --ui. */
  ui?: string | true;
  uiBuffer?: number;
}

export const DEFAULT_UI_LISTEN = { host: '127.0.0.1', port: 0 } as const;

export function addUiOptions(command: Command): Command {
  return command
    .option('--ui [host:port]', 'serve the live dashboard (default 127.0.0.1 and a free port; a non-loopback host requires the token printed at start)')
    .option('--ui-buffer <n>', `events the dashboard keeps for pages opened late; the oldest are dropped (default ${DEFAULT_UI_BUFFER})`, parseBufferSize);
}

export function parseBufferSize(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError(`--ui-buffer expects a whole number of 1 or more, got "${value}"`);
  }
  return n;
}

/** `--ui` alone, `--ui PORT`, `--ui HOST:PORT` (`[::1]:PORT` for IPv6; `:PORT` = loopback). */
export function parseUiAddress(value: string | true, flag = '--ui'): { host: string; port: number } {
  if (value === true) return { ...DEFAULT_UI_LISTEN };
  const text = value.trim();
  if (/^\d{1,5}$/.test(text)) {
    const port = Number(text);
    if (port > 65535) throw new UsageError(`${flag} "${value}": port ${port} is above 65535`);
    return { host: DEFAULT_UI_LISTEN.host, port };
  }
  try {
    return parseListen(text, DEFAULT_UI_LISTEN.host);
  } catch {
    throw new UsageError(`${flag} "${value}" is not HOST:PORT or PORT (e.g. 127.0.0.1:8081, 8081, [::1]:0)`);
  }
}

/** Starts the dashboard `--ui` asks for (undefined without it) and says where it is on stderr. */
export async function openDashboard(flags: UiFlags & { showSecrets?: boolean }): Promise<Dashboard | undefined> {
  if (flags.ui === undefined) {
    if (flags.uiBuffer !== undefined) throw new UsageError('--ui-buffer needs --ui');
    return undefined;
  }
  const address = parseUiAddress(flags.ui);
  const dashboard = await startDashboard({
    mode: 'live',
    ...address,
    capacity: flags.uiBuffer ?? DEFAULT_UI_BUFFER,
    redact: redactorFor(flags.showSecrets),
  });
  process.stderr.write(dashboardLine(dashboard));
  return dashboard;
}

/** The line that tells the user where the dashboard is (the only place its token is ever written). */
export function dashboardLine(dashboard: Dashboard): string {
  if (dashboard.token === undefined) return `wsdiag: dashboard at ${dashboard.url}\n`;
  return (
    `wsdiag: dashboard at ${dashboard.openUrl}\n` +
    `wsdiag: it is reachable from the network, so it needs the token above (shown only here); anyone with this URL can see the traffic.\n`
  );
}
