/**
 * Who may use the dashboard. It shows the traffic (payloads, paths), so:
 *  - it binds loopback by default; any other address must be asked for, and then every request needs the
 *    random token printed at start (as Jupyter does), in `?token=` once (it becomes a SameSite cookie);
 *  - on loopback, the Host header must name this machine, so a web page whose own name an attacker
 *    points at 127.0.0.1 (DNS rebinding) cannot read it;
 *  - the live feed (a WebSocket, which browsers open cross-origin) accepts only this page's own Origin.
 * Pure functions of the request's headers, so each rule is tested on its own.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { isLocalHostHeader, isLoopback } from '../proxy/index.js';

export const TOKEN_COOKIE = 'wsdiag_ui_token';

/** Binding anywhere but loopback requires a token. */
export function needsToken(host: string): boolean {
  return !isLoopback(host) && host !== 'localhost';
}

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

/**
 * Whether a request's Host header is acceptable. With a token every name is (the token is the proof);
 * without one only loopback names with our port, which a rebinding attacker's page cannot send.
 */
export function hostAllowed(hostHeader: string | undefined, port: number, tokenRequired: boolean): boolean {
  return tokenRequired || isLocalHostHeader(hostHeader, port);
}

/** The feed's Origin check: absent (a non-browser client) or exactly this page's own origin. */
export function originAllowed(origin: string | undefined, hostHeader: string | undefined): boolean {
  if (origin === undefined) return true;
  if (hostHeader === undefined) return false;
  return origin === `http://${hostHeader}`;
}

/** The token a request carries: `?token=`, the cookie, or `Authorization: token …`. */
export function presentedToken(url: URL, cookieHeader: string | undefined, authorization: string | undefined): string | undefined {
  const query = url.searchParams.get('token');
  if (query !== null) return query;
  const auth = /^token\s+(\S+)$/i.exec(authorization ?? '');
  if (auth) return auth[1];
  for (const part of (cookieHeader ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === TOKEN_COOKIE) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

export function tokenMatches(expected: string, presented: string | undefined): boolean {
  if (presented === undefined) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}
