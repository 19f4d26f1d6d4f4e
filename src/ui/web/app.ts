/**
 * The dashboard page: connections on the left, the grid in the middle, details on the right; the summary
 * bar and the toolbar (pause, auto-scroll, exports) above. State that belongs to the data lives in the
 * Store; what the user chose (selection, view, filters, language) lives here.
 */
import { html } from 'htm/preact';
import type { VNode } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { ALL, ConnectionList, HTTP } from './conn-list.js';
import { Detail } from './detail.js';
import { initialLang, rememberLang, type Lang } from './explain.js';
import { toHar, toJsonLines } from './export.js';
import { connectFeed, type FeedInfo } from './feed.js';
import { Grid } from './grid.js';
import { applyFilters, NO_FILTERS, rowOf, rowsFor, type Filters, type GridView, type Row } from './rows.js';
import { Store, type ConnState, type Rec } from './store.js';
import { FilterBar, SummaryBar } from './toolbar.js';

/** Redraws at most this often while the feed is busy… */
const REDRAW_MS = 100;
/**
 * …and never spends more than about a tenth of the time redrawing: the page shares the machine with the
 * proxy it watches, so a page holding 100 000 rows redraws less often instead of taking a core.
 */
const REDRAW_SHARE = 10;
let lastRedrawCost = 0;

export function App(): VNode {
  const store = useMemo(() => new Store(), []);
  const feed = useMemo<FeedInfo>(() => ({ status: 'connecting', version: '', closeReason: '' }), []);
  const [, setTick] = useState(0);
  const [now, setNow] = useState(Date.now());
  const [selected, setSelected] = useState<string>(ALL);
  const [selectedSeq, setSelectedSeq] = useState<number | null>(null);
  const [view, setView] = useState<GridView>('messages');
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [autoScroll, setAutoScroll] = useState(true);
  const [lang, setLang] = useState<Lang>(initialLang());

  useEffect(() => {
    let scheduled: ReturnType<typeof setTimeout> | undefined;
    const changed = (): void => {
      scheduled ??= setTimeout(
        () => {
          scheduled = undefined;
          setTick((t) => t + 1);
        },
        Math.max(REDRAW_MS, lastRedrawCost * REDRAW_SHARE),
      );
    };
    const handle = connectFeed(store, feed, changed);
    const clock = setInterval(() => setNow(Date.now()), 1000);
    return () => {
      handle.stop();
      clearInterval(clock);
    };
  }, []);

  const conn: ConnState | undefined = selected === ALL || selected === HTTP ? undefined : store.conns.get(selected);
  // Recomputed when the data, the selection or the view change (store.version moves with every batch).
  const rows = useMemo(() => {
    const started = performance.now();
    const records: readonly Rec[] =
      selected === ALL ? store.records.filter((r) => r.event.type !== 'http') : selected === HTTP ? store.http : (conn?.records ?? []);
    const built = selected === HTTP ? records.map((rec) => rowOf(rec)) : rowsFor(records, view);
    lastRedrawCost = performance.now() - started;
    return built;
  }, [store.version, selected, view]);
  const shownRows = useMemo(() => applyFilters(rows, filters), [rows, filters]);
  const selectedRec = selectedSeq === null ? undefined : store.findRecord(selectedSeq);

  const select = (key: string): void => {
    setSelected(key);
    setSelectedSeq(null);
  };
  const selectRow = (row: Row): void => setSelectedSeq(row.rec.seq);
  const goto = (rec: Rec): void => {
    setSelectedSeq(rec.seq);
    setFilters(NO_FILTERS);
  };
  const patchFilters = (patch: Partial<Filters>): void => setFilters({ ...filters, ...patch });
  const switchLang = (next: Lang): void => {
    rememberLang(next);
    setLang(next);
  };
  const togglePause = (): void => {
    store.setPaused(!store.paused);
    setTick((t) => t + 1);
  };

  const exportAs = (format: 'jsonl' | 'har', scope: 'connection' | 'all'): void => {
    const conns = scope === 'connection' && conn ? [conn] : store.connections();
    const name = scope === 'connection' && conn ? `wsdiag-${conn.conn}` : 'wsdiag-all';
    if (format === 'jsonl') {
      const recs = scope === 'connection' && conn ? conn.records : store.records;
      download(`${name}.jsonl`, 'application/x-ndjson', toJsonLines(recs));
    } else {
      const har = toHar({
        connections: conns,
        http: scope === 'connection' ? [] : store.http,
        listening: store.listening,
        version: feed.version,
      });
      download(`${name}.har`, 'application/json', JSON.stringify(har, null, 2));
    }
  };

  const title =
    store.mode === 'view'
      ? `view: ${store.sources.map((s) => s.label).join(', ')}`
      : store.listening
        ? `proxy ${store.listening.address}:${store.listening.port} → ${store.listening.target}`
        : 'proxy';

  return html`<div class="app">
    <header class="top">
      <h1>wsdiag</h1>
      <span class="where" title=${title}>${title}</span>
      <div class="actions">
        <button class=${store.paused ? 'pause active' : 'pause'} data-testid="pause" onClick=${togglePause}>
          ${store.paused ? `Resume (${store.held.length} held)` : 'Pause'}
        </button>
        <label class="toggle"
          ><input
            type="checkbox"
            data-testid="autoscroll"
            checked=${autoScroll}
            onChange=${(e: Event) => setAutoScroll((e.target as HTMLInputElement).checked)}
          />
          auto-scroll</label
        >
        <span class="export-group">
          Export ${conn ? conn.conn : 'all'}:
          <button data-testid="export-jsonl" onClick=${() => exportAs('jsonl', conn ? 'connection' : 'all')}>JSON Lines</button>
          <button data-testid="export-har" onClick=${() => exportAs('har', conn ? 'connection' : 'all')}>HAR</button>
        </span>
        ${
          conn
            ? html`<span class="export-group"
                >All:
                <button data-testid="export-all-jsonl" onClick=${() => exportAs('jsonl', 'all')}>JSON Lines</button>
                <button data-testid="export-all-har" onClick=${() => exportAs('har', 'all')}>HAR</button></span
              >`
            : null
        }
      </div>
    </header>
    <${SummaryBar} store=${store} feed=${feed} onFilters=${patchFilters} />
    <main class="panes">
      <${ConnectionList}
        store=${store}
        selected=${selected}
        onSelect=${select}
        now=${store.mode === 'view' ? Date.parse(store.latestTs) || now : now}
      />
      <section class="center">
        <${FilterBar}
          store=${store}
          filters=${filters}
          onFilters=${patchFilters}
          view=${view}
          onView=${setView}
          shown=${shownRows.length}
          total=${rows.length}
        />
        <${Grid}
          rows=${shownRows}
          selectedSeq=${selectedSeq}
          onSelect=${selectRow}
          showConn=${selected === ALL}
          autoScroll=${autoScroll && !store.paused}
          onAutoScroll=${setAutoScroll}
          empty=${emptyText(store, rows.length, view)}
        />
      </section>
      <${Detail}
        rec=${selectedRec}
        conn=${conn ?? (selectedRec ? connOfRec(store, selectedRec) : undefined)}
        lang=${lang}
        onLang=${switchLang}
        onGoto=${goto}
      />
    </main>
  </div>`;
}

function connOfRec(store: Store, rec: Rec): ConnState | undefined {
  const conn = rec.event.conn;
  return typeof conn === 'string' ? store.conns.get(`${rec.src ?? ''}/${conn}`) : undefined;
}

function emptyText(store: Store, total: number, view: GridView): string {
  if (total > 0) return 'No row matches the filters.';
  if (store.totals.events === 0) return 'Waiting for traffic…';
  if (view === 'frames' && store.totals.frames === 0) return 'No frame events: start the proxy with --frames to see frames.';
  if (store.totals.messages === 0) return 'No message events here: start the proxy with --messages to see payloads.';
  return 'Nothing here yet.';
}

function download(name: string, type: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
