/**
 * A message's payload, four ways: text (the inflated text for a compressed message: the log holds the
 * payload after inflation), a JSON tree when it parses, a hex dump, and the subprotocol view the server
 * computes (/api/view: Socket.IO, MQTT, STOMP, GraphQL… when those views are wired, JSON or text until
 * then). Everything is rendered as text nodes: a payload is whatever a peer sent.
 */
import { html } from 'htm/preact';
import type { VNode } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { MessageEv } from './events.js';
import { base64ToBytes, hexDump, parseJson, utf8Bytes, utf8Text } from './format.js';
import { JsonTree } from './json-tree.js';

type Tab = 'text' | 'json' | 'hex' | 'view';

interface View {
  protocol: string;
  summary: string;
  text: string;
  detail?: unknown;
}

export function Payload({ message, seq, subprotocol }: { message: MessageEv; seq: number; subprotocol: string | null }): VNode {
  const data = message.encoding !== null && typeof message.data === 'string' ? message.data : null;
  const bytes = data === null ? new Uint8Array(0) : message.encoding === 'base64' ? base64ToBytes(data) : utf8Bytes(data);
  const text = message.encoding === 'text' ? data : data !== null ? utf8Text(bytes) : null;
  const json = text !== null && !message.truncated ? parseJson(text) : undefined;
  const [tab, setTab] = useState<Tab>(json !== undefined ? 'json' : text !== null ? 'text' : 'hex');
  const [view, setView] = useState<View | { error: string } | null>(null);

  useEffect(() => {
    setView(null);
    setTab(json !== undefined ? 'json' : text !== null ? 'text' : 'hex');
  }, [seq]);

  useEffect(() => {
    if (tab !== 'view' || view !== null) return;
    const query = `seq=${seq}${subprotocol ? `&subprotocol=${encodeURIComponent(subprotocol)}` : ''}`;
    fetch(`/api/view?${query}`)
      .then(async (res) => setView((await res.json()) as View | { error: string }))
      .catch((err: unknown) => setView({ error: String(err) }));
  }, [tab, seq]);

  if (data === null) {
    return html`<p class="muted">The payload was not recorded (sizes only: --body-limit 0).</p>`;
  }
  const tabs: Array<[Tab, string, boolean]> = [
    ['text', message.compressed ? 'Inflated text' : 'Text', text !== null],
    ['json', 'JSON', json !== undefined],
    ['hex', 'Hex', true],
    ['view', subprotocol ? `View (${subprotocol})` : 'View', true],
  ];
  return html`<div class="payload">
    <div class="tabs" role="tablist">
      ${tabs.map(
        ([id, label, enabled]) =>
          html`<button
            role="tab"
            class=${tab === id ? 'tab active' : 'tab'}
            disabled=${!enabled}
            data-tab=${id}
            onClick=${() => setTab(id)}
          >
            ${label}
          </button>`,
      )}
    </div>
    ${message.truncated ? html`<p class="muted">Cut at the body limit: ${bytes.length} of ${message.size ?? message.wire_size} bytes shown.</p>` : null}
    ${tab === 'text' && text !== null ? html`<pre class="payload-text" data-testid="payload-text">${text}</pre>` : null}
    ${tab === 'json' && json !== undefined ? html`<div class="json-tree"><${JsonTree} value=${json} /></div>` : null}
    ${tab === 'hex' ? html`<pre class="payload-hex">${hexDump(bytes)}</pre>` : null} ${tab === 'view' ? viewOf(view) : null}
  </div>`;
}

function viewOf(view: View | { error: string } | null): VNode {
  if (view === null) return html`<p class="muted">Loading the view…</p>`;
  if ('error' in view) return html`<p class="muted">${view.error}</p>`;
  return html`<div class="view">
    <p><span class="badge">${view.protocol}</span> ${view.summary}</p>
    ${
      view.detail !== undefined && typeof view.detail === 'object' && view.detail !== null
        ? html`<div class="json-tree"><${JsonTree} value=${view.detail} /></div>`
        : html`<pre class="payload-text">${view.text}</pre>`
    }
  </div>`;
}
