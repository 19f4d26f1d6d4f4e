/**
 * The `http` event's text: one line per exchange, as an access log has it — who asked for what, what
 * they got, how big and how long — so plain HTTP sits in the same log as the WebSockets around it.
 */
import { STATUS_CODES } from 'node:http';
import type { HttpEvent, TunnelEvent } from '../../events/index.js';
import { formatBytes, formatDuration, printable as p } from '../../text.js';
import { labelled, type Block } from './block.js';

export function http(b: Block, e: HttpEvent): void {
  b.header(
    `${e.conn === null ? '' : `${b.c.conn(p(e.conn))} `}${b.c.emphasis('http')} ${p(e.method)} ${e.target === undefined ? '' : p(e.target)}${p(e.path)}`,
    statusText(b, e),
    labelled(b.c, 'request', formatBytes(e.request_bytes)),
    labelled(b.c, 'response', formatBytes(e.response_bytes)),
    `in ${formatDuration(e.duration_ms)}`,
    labelled(b.c, 'client', p(e.client)),
    e.upgrade ? b.c.warning('not upgraded') : '',
    e.aborted === true ? b.c.warning('cut short') : '',
  );
}

/** `200 OK`, coloured by class; `no answer` when the client got none. */
function statusText(b: Block, e: HttpEvent): string {
  if (e.status === 0) return b.c.warning('no answer');
  const reason = STATUS_CODES[e.status];
  const text = reason === undefined ? String(e.status) : `${e.status} ${reason}`;
  if (e.status >= 500) return b.c.error(text);
  if (e.status >= 400) return b.c.warning(text);
  return b.c.good(text);
}

/** The `tunnel` event's text: a blind CONNECT tunnel, its host, the bytes each way, how it ended. */
export function tunnel(b: Block, e: TunnelEvent): void {
  b.header(
    `${b.c.conn(p(e.conn))} ${b.c.emphasis('tunnel')} ${p(hostPortText(e.host, e.port))}`,
    labelled(b.c, 'sent', formatBytes(e.client_bytes)),
    labelled(b.c, 'received', formatBytes(e.server_bytes)),
    `in ${formatDuration(e.duration_ms)}`,
    labelled(b.c, 'client', p(e.client)),
    `ended by ${p(e.ended_by)} (${p(e.how)})`,
  );
}

function hostPortText(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
