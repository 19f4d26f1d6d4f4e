/**
 * The admin endpoint's flag, declared once: `--admin HOST:PORT` (on `proxy` and `chaos`). A port alone
 * binds loopback: metrics and readiness are for the machine's own supervisor and scraper unless a host
 * is named.
 */
import type { LiveProxyRunOptions } from '../../live/index.js';
import type { Flag } from '../flags.js';
import { parseUiAddress } from './ui.js';

/** The admin flag as commander names its value. */
export interface AdminFlags {
  admin?: string;
}

type Admin = Pick<LiveProxyRunOptions, 'admin'>;

export const ADMIN = {
  admin: {
    flags: '--admin <host:port>',
    help: 'serve /metrics (Prometheus), /healthz and /readyz at this address (a port alone: 127.0.0.1; see docs/operations.md)',
    sets: ['admin'],
  } satisfies Flag<Admin>,
};

/** The admin endpoint `--admin` asks for: none without it. */
export function adminOptions(flags: AdminFlags): Admin {
  return flags.admin === undefined ? {} : { admin: parseUiAddress(flags.admin, 'admin') };
}
