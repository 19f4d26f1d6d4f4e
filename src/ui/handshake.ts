/**
 * The headers of an upgrade as the dashboard shows them. They pass through the same policy as every other
 * output (src/redact.ts): each header is judged as the `Name: value` line it was on the wire, so
 * Authorization keeps only its scheme, Cookie and Set-Cookie and any credential-named header become
 * REDACTED, and Sec-WebSocket-Protocol loses its token-shaped subprotocols.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Redactor } from '../redact.js';
import type { TappedHandshake } from '../proxy/index.js';
import type { HandshakeInfo } from './web/protocol.js';

export function shownHeaders(headers: IncomingHttpHeaders, redact: Redactor): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) {
      const line = redact.text(`${name}: ${one}`);
      const colon = line.indexOf(': ');
      out.push([name, colon < 0 ? line : line.slice(colon + 2)]);
    }
  }
  return out;
}

export function handshakeInfo(conn: string, ts: string, tapped: TappedHandshake, redact: Redactor): HandshakeInfo {
  return {
    conn,
    ts,
    path: tapped.path,
    status: tapped.status,
    request: shownHeaders(tapped.request, redact),
    response: shownHeaders(tapped.response, redact),
  };
}
