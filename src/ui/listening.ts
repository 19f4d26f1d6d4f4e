/**
 * The `listening` event of a proxy with a dashboard names the dashboard's address (`ui`, an optional field
 * added by the dashboard issue). The address goes without its token: events reach log files, the token
 * must not.
 */
import type { ListeningEvent, WsdiagEvent } from '../events/index.js';

export function withUiUrl(event: WsdiagEvent, url: string): WsdiagEvent {
  if (event.type !== 'listening') return event;
  const withUi: ListeningEvent = { ...event, ui: url };
  return withUi;
}

/**
 * What tells the user where the dashboard is: the address to open, with its token when one is required
 * (the only place the token is ever written, so print these lines once, never into a log).
 */
export function dashboardLines(dashboard: { url: string; openUrl: string; token: string | undefined }): string[] {
  if (dashboard.token === undefined) return [`dashboard at ${dashboard.url}`];
  return [
    `dashboard at ${dashboard.openUrl}`,
    'it is reachable from the network, so it needs the token above (shown only here); anyone with this URL can see the traffic.',
  ];
}
