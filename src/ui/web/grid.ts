/**
 * The DevTools-like grid: one fixed-height row per message (or frame), violations in red at what they
 * concern. Only the rows in view are drawn, so a connection with 100 000 messages scrolls as one with ten.
 * Auto-scroll follows new rows while the view is at the bottom; scrolling up stops it, scrolling back to
 * the bottom (or the toolbar's button) starts it again.
 */
import { html } from 'htm/preact';
import type { VNode } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { arrow, clockTime, formatBytes } from './format.js';
import type { Row } from './rows.js';

export const ROW_HEIGHT = 24;
const OVERSCAN = 20;

interface Props {
  rows: Row[];
  selectedSeq: number | null;
  onSelect: (row: Row) => void;
  showConn: boolean;
  autoScroll: boolean;
  onAutoScroll: (on: boolean) => void;
  empty: string;
}

export function Grid({ rows, selectedSeq, onSelect, showConn, autoScroll, onAutoScroll, empty }: Props): VNode {
  const body = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);

  useEffect(() => {
    const el = body.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setHeight(el.clientHeight));
    observer.observe(el);
    setHeight(el.clientHeight);
    return () => observer.disconnect();
  }, []);

  useLayoutEffect(() => {
    const el = body.current;
    if (!el || !autoScroll) return;
    el.scrollTop = el.scrollHeight;
    setScrollTop(el.scrollTop);
  }, [rows.length, autoScroll]);

  const onScroll = (): void => {
    const el = body.current;
    if (!el) return;
    setScrollTop(el.scrollTop);
    const atBottom = el.scrollTop + el.clientHeight >= el.scrollHeight - ROW_HEIGHT;
    if (atBottom !== autoScroll) onAutoScroll(atBottom);
  };

  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((scrollTop + height) / ROW_HEIGHT) + OVERSCAN);
  const visible = rows.slice(first, last);

  return html`
    <div class="grid" role="table" aria-label="Messages">
      <div class=${showConn ? 'grid-head with-conn' : 'grid-head'} role="row">
        <span role="columnheader"></span>
        ${showConn ? html`<span role="columnheader">conn</span>` : null}
        <span role="columnheader">time</span>
        <span role="columnheader">type</span>
        <span role="columnheader" class="num">length</span>
        <span role="columnheader">flags</span>
        <span role="columnheader">data</span>
      </div>
      <div class="grid-body" ref=${body} onScroll=${onScroll} data-rows=${rows.length}>
        ${rows.length === 0 ? html`<p class="empty">${empty}</p>` : null}
        <div style=${{ height: `${rows.length * ROW_HEIGHT}px`, position: 'relative' }}>
          ${visible.map((row, i) => {
            const top = (first + i) * ROW_HEIGHT;
            const classes = [
              'row',
              `kind-${row.kind}`,
              row.dir === 'client->server' ? 'send' : row.dir === 'server->client' ? 'receive' : '',
              row.fault ? 'fault' : '',
              row.rec.seq === selectedSeq ? 'selected' : '',
              showConn ? 'with-conn' : '',
            ]
              .filter(Boolean)
              .join(' ');
            return html`<div
              class=${classes}
              role="row"
              key=${row.rec.seq}
              data-seq=${row.rec.seq}
              data-kind=${row.kind}
              style=${{ top: `${top}px` }}
              onClick=${() => onSelect(row)}
            >
              <span class="arrow" title=${row.dir ?? ''}>${arrow(row.dir)}</span>
              ${showConn ? html`<span class="conn-cell">${row.conn ?? ''}</span>` : null}
              <span class="time">${clockTime(row.rec.event.ts)}</span>
              <span class="type" title=${row.type}>${row.type}</span>
              <span class="num">${formatBytes(row.length)}</span>
              <span class="flags">${row.flags}</span>
              <span class="data">${row.summary}</span>
            </div>`;
          })}
        </div>
      </div>
    </div>
  `;
}
