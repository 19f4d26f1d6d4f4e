/**
 * The one place the dashboard asks for a subprotocol view of a message payload (JSON, Socket.IO, MQTT,
 * STOMP, GraphQL over WebSocket…). The views themselves belong to src/views/ (the message issue):
 * `describeMessage({subprotocol, kind, bytes, truncated}) → {protocol, summary, text, detail?}`. Until that
 * module is wired here, this adapter gives the two forms every payload has — pretty JSON when it parses,
 * otherwise text or a hex dump — in the same shape, so the page does not change when the real views arrive.
 *
 * Pure and total: whatever the bytes, it returns a view and never throws.
 */

export interface MessageViewInput {
  subprotocol: string | null;
  kind: string;
  bytes: Uint8Array;
  truncated: boolean;
}

export interface MessageView {
  /** Which view recognised the payload: 'json', 'socket.io', 'mqtt', … or 'text' / 'hex'. */
  protocol: string;
  /** One line. */
  summary: string;
  /** The multi-line pretty form. */
  text: string;
  /** A structured tree, when the view has one (shown as a collapsible tree). */
  detail?: unknown;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

export function describeForUi(input: MessageViewInput): MessageView {
  let text: string | undefined;
  try {
    text = decoder.decode(input.bytes);
  } catch {
    text = undefined;
  }
  if (text !== undefined) {
    const trimmed = text.trim();
    if (!input.truncated && (trimmed.startsWith('{') || trimmed.startsWith('['))) {
      try {
        const value: unknown = JSON.parse(trimmed);
        return { protocol: 'json', summary: oneLine(trimmed), text: JSON.stringify(value, null, 2), detail: value };
      } catch {
        // Not JSON after all: shown as text below.
      }
    }
    return { protocol: 'text', summary: oneLine(text), text };
  }
  return { protocol: 'hex', summary: `${input.bytes.length} bytes of binary data`, text: hexDump(input.bytes) };
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 120 ? `${line.slice(0, 119)}…` : line;
}

function hexDump(bytes: Uint8Array): string {
  const lines: string[] = [];
  for (let at = 0; at < bytes.length; at += 16) {
    const row = bytes.subarray(at, at + 16);
    const hex = Array.from(row, (b) => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = Array.from(row, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${at.toString(16).padStart(8, '0')}  ${hex.padEnd(47)}  ${ascii}`);
  }
  return lines.join('\n');
}
