/**
 * The headers of an upgrade as the dashboard shows them, through the policy every output follows
 * (shownHeaders, src/proxy/http-head.ts).
 */
import type { Redactor } from '../redact.js';
import { shownHeaders, type TappedHandshake } from '../proxy/index.js';
import type { HandshakeInfo } from './web/protocol.js';

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
