/**
 * The dashboard's stylesheet, served at /app.css (a file of its own, so the Content-Security-Policy can
 * forbid inline styles as well as inline scripts). Light and dark follow the system.
 */
export const STYLESHEET: string = `
:root {
  color-scheme: light dark;
  --bg: #ffffff; --fg: #1f2328; --muted: #656d76; --line: #d0d7de; --panel: #f6f8fa; --sel: #dbeafe;
  --bad: #c62828; --bad-bg: #fdecea; --send: #1a7f37; --receive: #9a3412; --accent: #0969da; --warn-bg: #fff8c5;
  font: 13px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
}
@media (prefers-color-scheme: dark) {
  :root { --bg: #0d1117; --fg: #e6edf3; --muted: #8d96a0; --line: #30363d; --panel: #161b22; --sel: #1f3a5f;
    --bad: #ff7b72; --bad-bg: #3d1518; --send: #3fb950; --receive: #f0883e; --accent: #58a6ff; --warn-bg: #3b2f00; }
}
* { box-sizing: border-box; }
html, body { margin: 0; height: 100%; background: var(--bg); color: var(--fg); }
#app { height: 100%; }
.boot { padding: 2em; color: var(--muted); }
button { font: inherit; color: inherit; background: var(--panel); border: 1px solid var(--line); border-radius: 4px; padding: 2px 8px; cursor: pointer; }
button:disabled { opacity: .45; cursor: default; }
button.active { background: var(--accent); border-color: var(--accent); color: #fff; }
button.link { border: 0; background: none; color: var(--accent); padding: 0; text-decoration: underline; }
select, input { font: inherit; color: inherit; background: var(--bg); border: 1px solid var(--line); border-radius: 4px; padding: 2px 4px; }
.app { display: flex; flex-direction: column; height: 100%; }
.top { display: flex; align-items: center; gap: 12px; padding: 6px 10px; border-bottom: 1px solid var(--line); background: var(--panel); }
.top h1 { font-size: 15px; margin: 0; }
.where { color: var(--muted); overflow: hidden; text-overflow: ellipsis; white-space: nowrap; flex: 1; }
.actions { display: flex; gap: 10px; align-items: center; flex-wrap: wrap; }
.export-group { display: inline-flex; gap: 4px; align-items: center; color: var(--muted); }
.toggle { display: inline-flex; gap: 4px; align-items: center; }
.summary { display: flex; flex-wrap: wrap; gap: 6px 12px; align-items: center; padding: 4px 10px; border-bottom: 1px solid var(--line); }
.chip { border-radius: 10px; padding: 0 8px; font-size: 12px; }
.chip.rule, .chip.code { border-color: var(--bad); color: var(--bad); background: var(--bad-bg); }
.notice { background: var(--warn-bg); padding: 0 6px; border-radius: 3px; }
.feed { font-weight: 600; }
.feed-live { color: var(--send); }
.feed-closed { color: var(--bad); }
.bad { color: var(--bad); }
.muted { color: var(--muted); }
.panes { flex: 1; min-height: 0; display: grid; grid-template-columns: minmax(220px, 20%) 1fr minmax(300px, 30%); }
.conns { border-right: 1px solid var(--line); overflow: auto; }
.conns h2, .detail h2 { font-size: 13px; margin: 0; padding: 6px 10px; border-bottom: 1px solid var(--line); background: var(--panel); }
.count { color: var(--muted); font-weight: normal; }
.conns ul { list-style: none; margin: 0; padding: 0; }
.conn { padding: 5px 10px; border-bottom: 1px solid var(--line); cursor: pointer; }
.conn:hover { background: var(--panel); }
.conn.selected { background: var(--sel); }
.conn.has-violations { border-left: 3px solid var(--bad); }
.conn-line { display: flex; gap: 6px; align-items: baseline; }
.conn-id { font-weight: 600; }
.conn-path { flex: 1; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; font-family: ui-monospace, monospace; }
.conn-meta { display: flex; flex-wrap: wrap; gap: 2px 8px; color: var(--muted); font-size: 12px; }
.conn-more { padding: 4px 10px; color: var(--muted); }
.state { font-size: 11px; padding: 0 5px; border-radius: 3px; border: 1px solid var(--line); }
.state-open { color: var(--send); border-color: var(--send); }
.state-closing { color: var(--receive); border-color: var(--receive); }
.center { display: flex; flex-direction: column; min-width: 0; min-height: 0; }
.filters { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; padding: 5px 8px; border-bottom: 1px solid var(--line); }
.filters input[type=search] { flex: 1; min-width: 160px; }
.segmented { display: inline-flex; }
.segmented button { border-radius: 0; }
.segmented button:first-child { border-radius: 4px 0 0 4px; }
.segmented button:last-child { border-radius: 0 4px 4px 0; }
.grid { display: flex; flex-direction: column; flex: 1; min-height: 0; }
.grid-head, .row { display: grid; grid-template-columns: 18px 88px 136px 60px 76px 1fr; gap: 6px; align-items: center; padding: 0 8px; }
.grid-head.with-conn, .row.with-conn { grid-template-columns: 18px 40px 88px 136px 60px 76px 1fr; }
.grid-head span { font-family: inherit; font-size: inherit; }
.grid-head { font-weight: 600; color: var(--muted); border-bottom: 1px solid var(--line); height: 24px; background: var(--panel); }
.grid-body { flex: 1; overflow: auto; min-height: 0; position: relative; }
.row { position: absolute; left: 0; right: 0; height: 24px; white-space: nowrap; cursor: pointer; border-bottom: 1px solid color-mix(in srgb, var(--line) 50%, transparent); }
.row span { overflow: hidden; text-overflow: ellipsis; }
.row:hover { background: var(--panel); }
.row.selected { background: var(--sel); }
.row.fault { color: var(--bad); background: var(--bad-bg); }
.row.fault.selected { outline: 2px solid var(--bad); outline-offset: -2px; }
.row.kind-open, .row.kind-close { color: var(--muted); }
.arrow { font-weight: 700; text-align: center; }
.row.send .arrow { color: var(--send); }
.row.receive .arrow { color: var(--receive); }
.time, .num, .data, .conn-cell { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; }
.num { text-align: right; }
.flags { color: var(--muted); font-size: 12px; }
.empty { color: var(--muted); padding: 1em; position: absolute; }
.detail { border-left: 1px solid var(--line); overflow: auto; min-width: 0; }
.detail-head { display: flex; align-items: center; justify-content: space-between; background: var(--panel); border-bottom: 1px solid var(--line); }
.detail-head h2 { border: 0; }
.lang { display: inline-flex; gap: 2px; padding-right: 8px; }
.detail section { padding: 8px 10px; }
.detail h3 { font-size: 14px; margin: 4px 0 8px; }
.detail h4 { font-size: 13px; margin: 12px 0 4px; }
.fields { display: grid; grid-template-columns: max-content 1fr; gap: 2px 10px; margin: 0 0 8px; }
.fields dt { color: var(--muted); }
.fields dd { margin: 0; word-break: break-word; }
.message { font-weight: 600; }
.hint { margin-top: 4px; }
.preview, .payload-text, .payload-hex { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; }
.payload-text, .payload-hex { white-space: pre-wrap; word-break: break-all; background: var(--panel); border: 1px solid var(--line); padding: 6px; max-height: 50vh; overflow: auto; margin: 6px 0; }
.payload-hex { white-space: pre; }
.tabs { display: flex; gap: 4px; margin: 8px 0 4px; }
.explain { border-top: 1px solid var(--line); margin-top: 10px; padding-top: 6px; }
.explain h4 { margin-top: 0; }
.explain ul { padding-left: 18px; }
.fault-box h3 { color: var(--bad); }
.badge { display: inline-block; padding: 0 6px; border-radius: 3px; background: var(--panel); border: 1px solid var(--line); font-size: 11px; }
.headers { border-collapse: collapse; width: 100%; font-family: ui-monospace, monospace; font-size: 12px; }
.headers th { text-align: left; vertical-align: top; padding: 1px 8px 1px 0; color: var(--muted); font-weight: normal; white-space: nowrap; }
.headers td { word-break: break-all; }
.json-tree { font-family: ui-monospace, monospace; font-size: 12px; background: var(--panel); border: 1px solid var(--line); padding: 6px; max-height: 50vh; overflow: auto; }
.json-children { padding-left: 14px; }
.json-key { color: var(--accent); }
.json-string { color: var(--send); }
.json-number, .json-boolean { color: var(--receive); }
.json-null, .json-count { color: var(--muted); }
.json-count { margin: 0 4px; font-size: 11px; }
`;
