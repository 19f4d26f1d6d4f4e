/**
 * Small text helpers for the human log: units, plurals, wrapping, and making untrusted strings safe to
 * print. Pure functions, no colour.
 */

/**
 * Peer bytes reach the terminal through previews, close reasons, paths and (with `tail`) any log file.
 * C0/C1 control characters could move the cursor or inject escape sequences, and bidi overrides could
 * reorder what the reader sees, so they are shown as escapes instead.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

export function printable(value: unknown): string {
  return String(value).replace(UNSAFE, (ch) => {
    const named = NAMED[ch];
    if (named) return named;
    // One UTF-16 unit: UNSAFE matches only characters of the Basic Multilingual Plane.
    const cp = ch.charCodeAt(0);
    return cp <= 0xff ? `\\x${cp.toString(16).padStart(2, '0')}` : `\\u${cp.toString(16).padStart(4, '0')}`;
  });
}

/** `1 connection`, `2 connections`. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const totalSeconds = Math.floor(ms / 1000);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = String(totalSeconds % 60).padStart(2, '0');
  return hours > 0 ? `${hours}h ${String(minutes).padStart(2, '0')}m ${seconds}s` : `${minutes}m ${seconds}s`;
}

/**
 * The time of day of an event, as written in its ISO 8601 `ts` (UTC), e.g. `12:00:01.250`. The log
 * shows the timestamp it carries rather than a local time, so the pretty log and the JSON agree.
 */
export function timeOfDay(ts: string): string {
  return /T(\d{2}:\d{2}:\d{2}(?:\.\d+)?)/.exec(ts)?.[1] ?? printable(ts);
}

/** `host:port`, with brackets around an IPv6 host. */
export function hostPort(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/**
 * Word-wraps `text` so that, after `firstPrefix` on the first line and `nextPrefix` on the others, no line
 * exceeds `width` visible columns. Words longer than a line are cut. No width: a single line.
 * Prefix widths are passed separately because prefixes may contain ANSI codes.
 */
export function wrap(
  text: string,
  width: number | undefined,
  first: { prefix: string; visible: number },
  next: { prefix: string; visible: number },
): string[] {
  if (width === undefined) return [first.prefix + text];
  const lines: string[] = [];
  let prefix = first;
  let current = '';
  const room = () => Math.max(10, width - prefix.visible);
  const emit = () => {
    lines.push(prefix.prefix + current);
    prefix = next;
    current = '';
  };
  for (const word of text.split(' ')) {
    let rest = word;
    if (current !== '' && current.length + 1 + rest.length > room()) emit();
    // A word wider than a whole line (a hex dump, a URL) is cut rather than overflowing.
    while (rest.length > room()) {
      current = rest.slice(0, room());
      rest = rest.slice(current.length);
      emit();
    }
    current = current === '' ? rest : `${current} ${rest}`;
  }
  if (current !== '' || lines.length === 0) emit();
  return lines;
}
