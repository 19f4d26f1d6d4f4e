/** The connection list: one line per WebSocket connection, live, plus "all" and the HTTP exchanges. */
import { html } from 'htm/preact';
import type { VNode } from 'preact';
import { formatDuration } from './format.js';
import { connPhase, type ConnState, type Store } from './store.js';

export const ALL = '*';
export const HTTP = 'http';

/** At most this many connections are drawn (the newest); the list says how many more there are. */
const MAX_SHOWN = 500;

interface Props {
  store: Store;
  selected: string;
  onSelect: (key: string) => void;
  now: number;
}

export function ConnectionList({ store, selected, onSelect, now }: Props): VNode {
  const all = store.connections();
  const shown = all.length > MAX_SHOWN ? all.slice(all.length - MAX_SHOWN) : all;
  const sourceLabel = (state: ConnState) =>
    store.sources.length > 1 && state.src !== undefined ? `${store.sources[state.src]?.label ?? state.src}: ` : '';
  return html`
    <nav class="conns" aria-label="Connections">
      <h2>Connections <span class="count">${all.length}</span></h2>
      <ul>
        <li class=${selected === ALL ? 'conn selected' : 'conn'} data-key=${ALL} onClick=${() => onSelect(ALL)}>
          <div class="conn-line"><strong>All connections</strong></div>
          <div class="conn-meta">${store.totals.messages} messages · ${store.totals.violations} violations</div>
        </li>
        ${
          store.http.length > 0
            ? html`<li class=${selected === HTTP ? 'conn selected' : 'conn'} data-key=${HTTP} onClick=${() => onSelect(HTTP)}>
                <div class="conn-line"><strong>HTTP exchanges</strong></div>
                <div class="conn-meta">${store.http.length} requests</div>
              </li>`
            : null
        }
        ${all.length > shown.length ? html`<li class="conn-more">${all.length - shown.length} older connections not listed</li>` : null}
        ${shown.map((state) => {
          const phase = connPhase(state);
          const start = Date.parse(state.open?.ts ?? state.firstTs);
          const duration = state.close ? state.close.duration_ms : now - start;
          const closer = state.peerCloses[0];
          const ended = state.close
            ? `ended by ${state.close.ended_by ?? '?'}${state.close.how ? ` (${state.close.how})` : ''}`
            : closer
              ? `closing: ${closer.by} sent ${closer.code ?? 'no code'}`
              : '';
          const classes = ['conn', `phase-${phase}`, state.violations > 0 ? 'has-violations' : '', selected === state.key ? 'selected' : '']
            .filter(Boolean)
            .join(' ');
          return html`<li class=${classes} data-key=${state.key} data-conn=${state.conn} onClick=${() => onSelect(state.key)}>
            <div class="conn-line">
              <span class="conn-id">${sourceLabel(state)}${state.conn}</span>
              <span class="conn-path">${state.open?.path ?? state.handshake?.path ?? '(no upgrade)'}</span>
              <span class=${`state state-${phase}`}>${phase}</span>
            </div>
            <div class="conn-meta">
              ${state.open?.subprotocol ? html`<span>proto ${state.open.subprotocol}</span>` : null}
              ${state.open?.extensions ? html`<span>ext ${state.open.extensions}</span>` : null}
              <span>${formatDuration(duration)}</span>
              <span>${state.messages} msg</span>
              <span class=${state.violations > 0 ? 'bad' : ''}>${state.violations} viol.</span>
              ${ended ? html`<span>${ended}</span>` : null}
              ${closer ? html`<span class=${closer.code !== null && closer.code !== 1000 && closer.code !== 1001 ? 'bad' : ''}>close ${closer.code ?? '—'} by ${closer.by}</span>` : null}
            </div>
          </li>`;
        })}
      </ul>
    </nav>
  `;
}
