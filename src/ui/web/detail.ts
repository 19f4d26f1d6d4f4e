/**
 * The detail pane: what the selected row is, in full. A violation shows its rule, close code, blame, RFC
 * section, message, hint and the `explain` text (English or French); a message its payload; a Close its
 * explanation and a link to the violation that caused it; with no row selected, the connection itself:
 * handshake headers (redacted by the server), what was negotiated, and how it ended.
 */
import { html } from 'htm/preact';
import type { VNode } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { CloseEv, FrameEv, HttpEv, MessageEv, PeerCloseEv, ViolationEv, ErrorEv } from './events.js';
import { fetchExplanation, type Explanation, type Lang } from './explain.js';
import { clockTime, dirLabel, formatBytes, formatDuration } from './format.js';
import { Payload } from './payload.js';
import { opcodeName } from './events.js';
import type { ConnState, Rec } from './store.js';

interface Props {
  rec: Rec | undefined;
  conn: ConnState | undefined;
  lang: Lang;
  onLang: (lang: Lang) => void;
  /** Selects another record (a Close's cause). */
  onGoto: (rec: Rec) => void;
}

export function Detail({ rec, conn, lang, onLang, onGoto }: Props): VNode {
  return html`<aside class="detail" aria-label="Details">
    <div class="detail-head">
      <h2>Details</h2>
      <div class="lang" role="group" aria-label="Language of explanations">
        <button class=${lang === 'en' ? 'active' : ''} data-lang="en" onClick=${() => onLang('en')}>EN</button>
        <button class=${lang === 'fr' ? 'active' : ''} data-lang="fr" onClick=${() => onLang('fr')}>FR</button>
      </div>
    </div>
    ${rec ? recordDetail(rec, conn, lang, onGoto) : conn ? html`<${ConnectionDetail} conn=${conn} lang=${lang} onGoto=${onGoto} />` : html`<p class="muted">Select a connection or a row.</p>`}
  </aside>`;
}

function recordDetail(rec: Rec, conn: ConnState | undefined, lang: Lang, onGoto: (rec: Rec) => void): VNode {
  const e = rec.event;
  switch (e.type) {
    case 'violation':
      return html`<${ViolationDetail} v=${e as ViolationEv} lang=${lang} />`;
    case 'message':
      return messageDetail(rec, e as MessageEv, conn);
    case 'frame':
      return frameDetail(e as FrameEv);
    case 'peer-close':
      return html`<${PeerCloseDetail} pc=${e as PeerCloseEv} conn=${conn} lang=${lang} onGoto=${onGoto} />`;
    case 'close':
      return closeDetail(e as CloseEv);
    case 'http':
      return httpDetail(e as HttpEv);
    case 'error':
      return html`<section class="fault-box">
        <h3>Error</h3>
        <p>${(e as ErrorEv).message}</p>
        ${fields([['status', (e as ErrorEv).status]])}
      </section>`;
    case 'open':
      return conn ? html`<${ConnectionDetail} conn=${conn} lang=${lang} onGoto=${onGoto} />` : rawDetail(rec);
    default:
      return rawDetail(rec);
  }
}

function fields(list: Array<[string, unknown]>): VNode {
  return html`<dl class="fields">
    ${list
      .filter(([, value]) => value !== undefined && value !== null && value !== '')
      .map(
        ([name, value]) =>
          html`<dt>${name}</dt>
            <dd>${typeof value === 'object' ? JSON.stringify(value) : String(value)}</dd>`,
      )}
  </dl>`;
}

function rawDetail(rec: Rec): VNode {
  return html`<section>
    <h3>${rec.event.type}</h3>
    <pre class="payload-text">${JSON.stringify(rec.event, null, 2)}</pre>
  </section>`;
}

function ViolationDetail({ v, lang }: { v: ViolationEv; lang: Lang }): VNode {
  return html`<section class="violation-detail">
    <h3 class="bad">✖ ${v.code} ${v.rule}</h3>
    ${fields([
      ['rule', v.rule],
      ['close code', v.code],
      ['severity', v.severity],
      ['blame', v.blame],
      ['direction', dirLabel(v.dir)],
      ['RFC', v.rfc],
      [
        'frame',
        v.frame ? `#${v.frame.index} @ offset ${v.frame.offset}, ${opcodeName(v.frame.opcode)}, ${v.frame.length} bytes` : 'handshake',
      ],
      ['time', clockTime(v.ts)],
    ])}
    <p class="message" data-testid="violation-message">${v.message}</p>
    <p class="hint"><strong>Fix: </strong>${v.hint}</p>
    ${v.preview !== undefined ? html`<p><strong>Preview: </strong><code class="preview">${v.preview}</code></p>` : null}
    <${ExplainBox} topic=${v.rule} lang=${lang} />
  </section>`;
}

export function ExplainBox({ topic, lang }: { topic: string; lang: Lang }): VNode {
  const [answer, setAnswer] = useState<Explanation | { error: string } | null>(null);
  useEffect(() => {
    let live = true;
    setAnswer(null);
    void fetchExplanation(topic, lang).then((a) => live && setAnswer(a));
    return () => {
      live = false;
    };
  }, [topic, lang]);
  if (answer === null) return html`<div class="explain muted">…</div>`;
  if ('error' in answer) return html`<div class="explain muted">${answer.error}</div>`;
  return html`<div class="explain" data-testid="explain" lang=${lang}>
    <h4>${answer.title}${answer.name && answer.kind === 'close-code' && !answer.title.includes(answer.name) ? ` ${answer.name}` : ''}</h4>
    ${answer.summary ? html`<p><em>${answer.summary}</em></p>` : null}
    <p>${answer.meaning}</p>
    <p class="muted">${answer.whenSeen}</p>
    <ul>
      ${answer.resolve.map((line) => html`<li>${line}</li>`)}
    </ul>
  </div>`;
}

function messageDetail(rec: Rec, m: MessageEv, conn: ConnState | undefined): VNode {
  return html`<section>
    <h3>${m.kind} message ${dirLabel(m.dir)}</h3>
    ${fields([
      [
        'size',
        m.size === null ? 'unknown' : `${formatBytes(m.size)}${m.compressed ? ` inflated (${formatBytes(m.wire_size)} on the wire)` : ''}`,
      ],
      ['compressed', m.compressed ? 'yes (permessage-deflate)' : 'no'],
      ['frames', m.frames > 1 ? `${m.frames} (#${m.first_frame}–#${m.last_frame})` : `#${m.first_frame}`],
      ['time', m.first_ts && m.first_ts !== m.ts ? `${clockTime(m.first_ts)} – ${clockTime(m.ts)}` : clockTime(m.ts)],
      ['close', m.close ? `${m.close.code ?? 'no code'} ${m.close.reason}` : undefined],
    ])}
    <${Payload} message=${m} seq=${rec.seq} subprotocol=${conn?.open?.subprotocol ?? null} />
  </section>`;
}

function frameDetail(f: FrameEv): VNode {
  return html`<section>
    <h3>Frame #${f.index} ${dirLabel(f.dir)}</h3>
    ${fields([
      ['opcode', `0x${f.opcode.toString(16)} (${opcodeName(f.opcode)})`],
      ['FIN', f.fin ? '1' : '0'],
      ['RSV1/2/3', `${f.rsv1 ? 1 : 0} ${f.rsv2 ? 1 : 0} ${f.rsv3 ? 1 : 0}${f.rsv1 ? ' (compressed, with permessage-deflate)' : ''}`],
      ['MASK', f.masked ? '1' : '0'],
      ['length', `${f.length} bytes`],
      ['offset', `${f.offset} (in this direction's stream)`],
      ['time', clockTime(f.ts)],
    ])}
  </section>`;
}

function PeerCloseDetail({
  pc,
  conn,
  lang,
  onGoto,
}: {
  pc: PeerCloseEv;
  conn: ConnState | undefined;
  lang: Lang;
  onGoto: (rec: Rec) => void;
}): VNode {
  const cause = pc.cause && conn ? findCause(conn, pc.cause) : undefined;
  return html`<section>
    <h3>Close ${pc.code ?? '(no code)'} from the ${pc.by}</h3>
    ${fields([
      ['code', pc.code ?? 'none (empty Close body)'],
      ['reason', pc.reason],
      ['blame', pc.blame],
      ['time', clockTime(pc.ts)],
    ])}
    <p class="message">${pc.explain}</p>
    ${
      pc.cause
        ? html`<p>
            Cause:
            ${
              cause
                ? html`<button class="link" data-testid="goto-cause" onClick=${() => onGoto(cause)}>
                    ${pc.cause.rule} (${dirLabel(pc.cause.dir)}${pc.cause.frame ? `, frame #${pc.cause.frame.index}` : ''})
                  </button>`
                : html`<span>${pc.cause.rule} (${dirLabel(pc.cause.dir)}; not in view)</span>`
            }
          </p>`
        : null
    }
    ${pc.code !== null ? html`<${ExplainBox} topic=${String(pc.code)} lang=${lang} />` : null}
  </section>`;
}

function findCause(conn: ConnState, cause: NonNullable<PeerCloseEv['cause']>): Rec | undefined {
  return conn.records.find((rec) => {
    const e = rec.event;
    if (e.type !== 'violation') return false;
    const v = e as ViolationEv;
    return v.rule === cause.rule && v.dir === cause.dir && (cause.frame === null ? v.frame === null : v.frame?.index === cause.frame.index);
  });
}

function closeDetail(c: CloseEv): VNode {
  return html`<section>
    <h3>Connection ended</h3>
    ${closeFields(c)}
  </section>`;
}

function closeFields(c: CloseEv): VNode {
  return fields([
    ['ended by', c.ended_by],
    ['how', c.how],
    ['duration', formatDuration(c.duration_ms)],
    ['client → server', `${c.frames['client->server']} frames, ${formatBytes(c.bytes['client->server'])}`],
    ['server → client', `${c.frames['server->client']} frames, ${formatBytes(c.bytes['server->client'])}`],
    ['violations', `${c.violations}${c.suppressed > 0 ? ` (${c.suppressed} not logged one by one)` : ''}`],
  ]);
}

function httpDetail(h: HttpEv): VNode {
  return html`<section>
    <h3>${h.method} ${h.path}</h3>
    ${fields([
      ['status', h.status],
      ['client', h.client],
      ['request bytes', h.request_bytes],
      ['response bytes', h.response_bytes],
      ['duration', formatDuration(h.duration_ms)],
      ['upgrade', h.upgrade ? 'yes' : 'no'],
      ['connection', h.conn],
    ])}
  </section>`;
}

function ConnectionDetail({ conn, lang, onGoto }: { conn: ConnState; lang: Lang; onGoto: (rec: Rec) => void }): VNode {
  const open = conn.open;
  const hs = conn.handshake;
  const offered = (name: string) =>
    hs?.request
      .filter(([n]) => n.toLowerCase() === name)
      .map(([, v]) => v)
      .join(', ');
  return html`<section class="conn-detail">
    <h3>Connection ${conn.conn}</h3>
    ${fields([
      ['path', open?.path ?? hs?.path],
      ['client', open?.client],
      ['opened', open ? clockTime(open.ts) : undefined],
    ])}
    <h4>Negotiation</h4>
    ${fields([
      ['subprotocol offered', offered('sec-websocket-protocol') || (hs ? '(none)' : undefined)],
      ['subprotocol chosen', open ? (open.subprotocol ?? '(none)') : undefined],
      ['extensions offered', offered('sec-websocket-extensions') || (hs ? '(none)' : undefined)],
      ['extensions accepted', open ? (open.extensions ?? '(none)') : undefined],
    ])}
    ${
      hs
        ? html`<h4>Request headers</h4>
            ${headerTable(hs.request)}
            <h4>Response headers (${hs.status})</h4>
            ${headerTable(hs.response)}`
        : html`<p class="muted">Handshake headers are shown for live traffic (proxy --ui); logs do not record them.</p>`
    }
    ${conn.peerCloses.length > 0 || conn.close ? html`<h4>How it ended</h4>` : null}
    ${conn.peerCloses.map((pc) => html`<${PeerCloseDetail} pc=${pc} conn=${conn} lang=${lang} onGoto=${onGoto} />`)}
    ${conn.close ? closeFields(conn.close) : null}
  </section>`;
}

function headerTable(headers: Array<[string, string]>): VNode {
  return html`<table class="headers">
    <tbody>
      ${headers.map(
        ([name, value]) =>
          html`<tr>
            <th>${name}</th>
            <td>${value}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}
