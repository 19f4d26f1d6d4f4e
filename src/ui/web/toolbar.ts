/** The summary bar (totals by rule and code, notices) and the grid's filters. */
import { html } from 'htm/preact';
import type { VNode } from 'preact';
import type { FeedInfo } from './feed.js';
import type { Filters, GridView, TypeFilter } from './rows.js';
import type { Store } from './store.js';

export function SummaryBar({
  store,
  feed,
  onFilters,
}: {
  store: Store;
  feed: FeedInfo;
  onFilters: (patch: Partial<Filters>) => void;
}): VNode {
  const t = store.totals;
  const open = store.connections().filter((c) => c.open && !c.close).length;
  const n = store.notices;
  const rules = [...t.byRule.entries()].sort((a, b) => b[1] - a[1]);
  const codes = [...t.byCode.entries()].sort((a, b) => a[0] - b[0]);
  return html`<section class="summary" aria-label="Summary">
    <span class=${`feed feed-${feed.status}`} data-testid="feed-status">${feedLabel(feed, store.mode)}</span>
    <span data-testid="total-connections">${store.conns.size} connections (${open} open)</span>
    <span>${t.messages} messages</span>
    ${t.frames > 0 ? html`<span>${t.frames} frames</span>` : null}
    <span class=${t.violations > 0 ? 'bad' : ''} data-testid="total-violations">${t.violations} violations</span>
    ${t.errors > 0 ? html`<span class="bad">${t.errors} errors</span>` : null}
    ${codes.map(([code, count]) => html`<button class="chip code" title="show only this code" onClick=${() => onFilters({ code: String(code) })}>${code} × ${count}</button>`)}
    ${rules.map(([rule, count]) => html`<button class="chip rule" title="show only this rule" data-rule=${rule} onClick=${() => onFilters({ rule })}>${rule} × ${count}</button>`)}
    ${n.evictedBeforeConnect > 0 ? html`<span class="notice">${n.evictedBeforeConnect} older events had left the server's buffer before this page opened (--ui-buffer ${store.capacity})</span>` : null}
    ${
      n.droppedForPage > 0
        ? html`<span class="notice bad" data-testid="dropped-notice"
            >${n.droppedForPage} events were not sent to this page: it read too slowly.
            <button class="link" onClick=${() => location.reload()}>Reload</button> to resync from the server's buffer.</span
          >`
        : null
    }
    ${n.trimmed > 0 ? html`<span class="notice">${n.trimmed} oldest events let go by this page</span>` : null}
    ${t.messages === 0 && t.events > 0 && store.mode === 'live' ? html`<span class="muted">no payloads: the proxy shows them with --messages</span>` : null}
    ${n.malformed > 0 ? html`<span class="notice">${n.malformed} malformed records skipped</span>` : null}
  </section>`;
}

function feedLabel(feed: FeedInfo, mode: Store['mode']): string {
  switch (feed.status) {
    case 'connecting':
      return 'connecting…';
    case 'replaying':
      return 'loading…';
    case 'live':
      return mode === 'view' ? 'following the logs' : 'live';
    case 'closed':
      return feed.closeReason ? `disconnected: ${feed.closeReason}` : 'disconnected';
  }
}

interface FilterProps {
  store: Store;
  filters: Filters;
  onFilters: (patch: Partial<Filters>) => void;
  view: GridView;
  onView: (view: GridView) => void;
  shown: number;
  total: number;
}

const TYPES: Array<[TypeFilter, string]> = [
  ['all', 'all types'],
  ['text', 'text'],
  ['binary', 'binary'],
  ['control', 'ping/pong/close'],
  ['violation', 'violations'],
  ['lifecycle', 'open/close/errors'],
];

const DIRECTIONS: Array<[Filters['dir'], string]> = [
  ['any', 'both directions'],
  ['client->server', '↑ client → server'],
  ['server->client', '↓ server → client'],
];

/** One filter's drop-down: the options as [value, label], the first meaning "any"; `label` is its accessible name. */
function filterSelect<K extends 'type' | 'dir' | 'rule' | 'code'>(
  name: K,
  value: Filters[K],
  options: ReadonlyArray<[Filters[K], string]>,
  onFilters: (patch: Partial<Filters>) => void,
  label: string = name,
): VNode {
  return html`<select
    aria-label=${label}
    data-filter=${name}
    value=${value}
    onChange=${(e: Event) => onFilters({ [name]: (e.target as HTMLSelectElement).value })}
  >
    ${options.map(([v, label]) => html`<option value=${v}>${label}</option>`)}
  </select>`;
}

export function FilterBar({ store, filters, onFilters, view, onView, shown, total }: FilterProps): VNode {
  const rules = [...store.totals.byRule.keys()].sort();
  const codes = new Set<number>(store.totals.byCode.keys());
  for (const state of store.conns.values()) for (const pc of state.peerCloses) if (pc.code !== null) codes.add(pc.code);
  const selects = [
    filterSelect('type', filters.type, TYPES, onFilters),
    filterSelect('dir', filters.dir, DIRECTIONS, onFilters, 'direction'),
    filterSelect('rule', filters.rule, [['', 'any rule'], ...rules.map((rule): [string, string] => [rule, rule])], onFilters),
    filterSelect(
      'code',
      filters.code,
      [['', 'any code'], ...[...codes].sort((a, b) => a - b).map((c): [string, string] => [String(c), String(c)])],
      onFilters,
    ),
  ];
  return html`<div class="filters" role="search">
    <div class="segmented" role="group" aria-label="Rows">
      <button class=${view === 'messages' ? 'active' : ''} data-view="messages" onClick=${() => onView('messages')}>Messages</button>
      <button class=${view === 'frames' ? 'active' : ''} data-view="frames" onClick=${() => onView('frames')}>Frames</button>
    </div>
    ${selects}
    <input
      type="search"
      placeholder="search payloads, messages, paths"
      aria-label="search"
      data-filter="text"
      value=${filters.text}
      onInput=${(e: Event) => onFilters({ text: (e.target as HTMLInputElement).value })}
    />
    <span class="muted" data-testid="row-count">${shown === total ? `${total} rows` : `${shown} of ${total} rows`}</span>
  </div>`;
}
