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
