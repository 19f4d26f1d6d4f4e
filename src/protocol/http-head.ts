/**
 * HTTP/1.1 message heads as text: parsing one (start line and header lines) and writing one. Sans-IO: the
 * probe reads heads off raw sockets (src/probe/http-head.ts) and the capture reader out of reassembled TCP
 * streams, and both parse them here.
 */

export interface ParsedHead {
  /** "GET /path HTTP/1.1" or "HTTP/1.1 101 Switching Protocols". */
  startLine: string;
  /** Lower-case names; repeated lines joined with ", " (as node does). */
  headers: Record<string, string>;
}

export function parseHead(text: string): ParsedHead {
  const [startLine = '', ...lines] = text.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  return { startLine, headers };
}

/** The status code of a response head, or null when the start line is not an HTTP status line. */
export function statusOf(head: ParsedHead): number | null {
  const match = /^HTTP\/\d\.\d (\d{3})/.exec(head.startLine);
  return match ? Number(match[1]) : null;
}

/** Serialises a head: start line, header lines in the order given, blank line. */
export function formatHead(startLine: string, headers: ReadonlyArray<readonly [string, string]>): string {
  return `${startLine}\r\n${headers.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n`;
}
