/**
 * HTTP/1.1 heads written by hand on sockets that left node's HTTP machinery at the upgrade: the upstream's
 * answer relayed to the client as it came (status line, header lines in their order and spelling, body),
 * and wsdiag's own short plain-text answers (502 when the upstream cannot be reached).
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { Redactor } from '../redact.js';

const CRLF = Buffer.from('\r\n');

/** The status line and header lines of a response, as received (node already rejected CR/LF in values). */
export function responseHead(res: IncomingMessage): string {
  let head = `HTTP/${res.httpVersion} ${res.statusCode} ${res.statusMessage ?? ''}\r\n`;
  const raw = res.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) head += `${raw[i]}: ${raw[i + 1]}\r\n`;
  return `${head}\r\n`;
}

/**
 * Headers as an output may show them (the dashboard, a --pcap file), through the same policy as every other
 * output (src/redact.ts): each header is judged as the `Name: value` line it was on the wire, so
 * Authorization keeps only its scheme, Cookie and Set-Cookie and any credential-named header become
 * REDACTED, and Sec-WebSocket-Protocol loses its token-shaped subprotocols. Repeated headers give a line each.
 */
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

/** The body of wsdiag's own plain-text answers: the text, ending with a newline. */
export function plainBody(text: string): Buffer {
  return Buffer.from(text.endsWith('\n') ? text : `${text}\n`, 'utf8');
}

/** A complete plain-text response from wsdiag itself (plus `headers`); the connection closes after it. */
export function plainResponse(status: number, text: string, headers: Record<string, string> = {}): string {
  const body = plainBody(text);
  const extra = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  return (
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
    'Content-Type: text/plain; charset=utf-8\r\n' +
    `Content-Length: ${body.length}\r\n` +
    extra +
    'Connection: close\r\n\r\n' +
    body.toString('utf8')
  );
}

/**
 * Relays a non-101 answer to an upgrade request to the client: head as received, then the body. Node
 * hands the body over de-chunked, so a chunked response is chunked again; trailers are not kept.
 * The client socket is ended afterwards: it was taken out of HTTP keep-alive by the upgrade attempt.
 * `onBody` hears each piece of the body as received (before any re-chunking).
 */
export function relayResponse(res: IncomingMessage, client: Socket, onBody?: (data: Buffer) => void): void {
  if (client.destroyed) {
    res.destroy();
    return;
  }
  const chunked = /(?:^|,)\s*chunked\s*$/i.test(res.headers['transfer-encoding'] ?? '');
  client.write(responseHead(res));
  res.on('data', (data: Buffer) => {
    if (data.length === 0) return;
    onBody?.(data);
    const piece = chunked ? Buffer.concat([Buffer.from(`${data.length.toString(16)}\r\n`), data, CRLF]) : data;
    if (!client.write(piece)) {
      res.pause();
      client.once('drain', () => res.resume());
    }
  });
  res.on('end', () => {
    if (client.destroyed) return;
    if (chunked) client.end('0\r\n\r\n');
    else client.end();
  });
  res.on('error', () => client.destroy());
  client.once('close', () => res.destroy());
}
