/**
 * The dashboard's stylesheet, inlined into the page (no build step, no external URLs). Status colours are always
 * paired with the status word, never the only signal; the table turns into one card per agent in a narrow window.
 */
export const DASHBOARD_CSS = `
:root {
  color-scheme: light dark;
  --bg: #f6f7f9; --panel: #ffffff; --text: #1f2328; --muted: #59636e; --line: #d1d9e0; --accent: #0969da;
  --healthy: #1a7f37; --degraded: #9a6700; --unreachable: #cf222e; --stalled: #8250df; --killed: #24292f;
  --stopped: #6e7781; --unknown: #8c959f; --chip: #eef1f4;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0d1117; --panel: #161b22; --text: #e6edf3; --muted: #9198a1; --line: #30363d; --accent: #4493f8;
    --healthy: #3fb950; --degraded: #d29922; --unreachable: #f85149; --stalled: #ab7df8; --killed: #c9d1d9;
    --stopped: #8b949e; --unknown: #6e7681; --chip: #21262d;
  }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--text); }
[hidden] { display: none !important; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
button, input, select { font: inherit; color: inherit; }
button { cursor: pointer; border: 1px solid var(--line); background: var(--panel); border-radius: 6px; padding: 4px 12px; }
button:hover { border-color: var(--muted); }
button:focus-visible, input:focus-visible, select:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
button.danger { color: var(--unreachable); border-color: color-mix(in srgb, var(--unreachable) 45%, var(--line)); }
button.danger.solid { background: var(--unreachable); color: #fff; border-color: var(--unreachable); }
button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
input[type=password], input[type=text], select {
  border: 1px solid var(--line); background: var(--panel); border-radius: 6px; padding: 5px 8px;
}
header.top {
  display: flex; align-items: center; gap: 16px; flex-wrap: wrap; padding: 10px 20px;
  background: var(--panel); border-bottom: 1px solid var(--line);
}
header.top h1 { font-size: 18px; margin: 0; letter-spacing: .02em; }
header.top h1 span { color: var(--muted); font-weight: 400; }
.spacer { flex: 1; }
.conn { display: inline-flex; align-items: center; gap: 6px; color: var(--muted); }
.conn::before { content: ""; width: 9px; height: 9px; border-radius: 50%; background: var(--unknown); }
.conn[data-state=live]::before { background: var(--healthy); box-shadow: 0 0 0 3px color-mix(in srgb, var(--healthy) 25%, transparent); }
.conn[data-state=connecting]::before { background: var(--degraded); }
.conn[data-state=reconnecting]::before { background: var(--unreachable); }
main { padding: 16px 20px 32px; max-width: 1400px; margin: 0 auto; }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; }
.panel h2 { font-size: 15px; margin: 0 0 10px; }
#key-panel { max-width: 460px; margin: 48px auto; }
#key-panel form { display: flex; gap: 8px; flex-wrap: wrap; align-items: end; }
#key-panel label { display: flex; flex-direction: column; gap: 4px; flex: 1; min-width: 200px; font-weight: 600; }
.hint { color: var(--muted); font-size: 13px; }
.error { color: var(--unreachable); font-weight: 600; margin: 8px 0 0; }
.error:empty { display: none; }
.notice { color: var(--muted); margin: 0 0 12px; min-height: 1.45em; }
.summary { list-style: none; margin: 0 0 16px; padding: 0; display: grid; gap: 10px;
  grid-template-columns: repeat(auto-fill, minmax(118px, 1fr)); }
.summary li > * {
  width: 100%; height: 100%; text-align: left; padding: 10px 12px; border-radius: 8px; border: 1px solid var(--line);
  border-left: 4px solid var(--s, var(--line)); background: var(--panel); display: flex; flex-direction: column; gap: 2px;
}
.summary li > .info { border-left-style: dashed; }
.summary button[aria-pressed=true] { background: color-mix(in srgb, var(--accent) 10%, var(--panel)); border-color: var(--accent); }
.summary .count { font-size: 24px; font-weight: 650; font-variant-numeric: tabular-nums; line-height: 1.1; }
.summary .count.zero { color: var(--muted); font-weight: 500; }
.summary .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .05em; }
.layout { display: grid; gap: 16px; grid-template-columns: minmax(0, 1fr); }
@media (min-width: 1100px) { .layout { grid-template-columns: minmax(0, 1fr) 360px; } }
.toolbar { display: flex; gap: 12px; align-items: center; flex-wrap: wrap; margin-bottom: 8px; }
.toolbar h2 { margin: 0; }
.toolbar label { display: inline-flex; gap: 6px; align-items: center; color: var(--muted); }
table { width: 100%; border-collapse: collapse; }
caption { text-align: left; color: var(--muted); padding-bottom: 6px; }
th, td { text-align: left; padding: 8px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 12px; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); font-weight: 600; }
thead th { white-space: nowrap; }
tbody tr:last-child > * { border-bottom: 0; }
tbody th { text-transform: none; letter-spacing: normal; font-size: 14px; color: var(--text); }
.agent { font-weight: 600; overflow-wrap: anywhere; min-width: 9em; }
.agent small, td.status small { display: block; font-weight: 400; color: var(--muted); word-break: normal; }
td.actions { text-align: right; white-space: nowrap; }
td.empty { color: var(--muted); text-align: center; padding: 24px; }
time { font-variant-numeric: tabular-nums; white-space: nowrap; }
.badge { display: inline-flex; align-items: center; gap: 6px; font-weight: 600; color: var(--s); white-space: nowrap; }
.badge::before { content: ""; width: 8px; height: 8px; border-radius: 50%; background: var(--s); flex: none; }
[data-status=healthy] { --s: var(--healthy); }
[data-status=degraded] { --s: var(--degraded); }
[data-status=unreachable] { --s: var(--unreachable); }
[data-status=stalled] { --s: var(--stalled); }
[data-status=killed] { --s: var(--killed); }
[data-status=stopped] { --s: var(--stopped); }
[data-status=unknown] { --s: var(--unknown); }
[data-status=deliverable] { --s: var(--accent); }
[data-status=flapping] { --s: var(--degraded); }
.chips { display: flex; flex-wrap: wrap; gap: 4px; }
.chip { background: var(--chip); border-radius: 10px; padding: 0 8px; font-size: 12px; white-space: nowrap; }
.chip.warn { color: var(--degraded); font-weight: 600; }
.chip.reason { white-space: normal; word-break: break-word; }
#feed { list-style: none; margin: 0; padding: 0; max-height: 640px; overflow-y: auto; }
#feed li { padding: 8px 0; border-bottom: 1px solid var(--line); display: grid; gap: 2px; }
#feed li:last-child { border-bottom: 0; }
#feed .line { display: flex; gap: 8px; flex-wrap: wrap; align-items: baseline; }
#feed .head { justify-content: space-between; }
#feed .head time { color: var(--muted); font-size: 13px; }
#feed .who { font-weight: 600; overflow-wrap: anywhere; }
#feed .reason { color: var(--muted); font-size: 13px; word-break: break-word; }
#feed li.fresh { animation: flash 1.2s ease-out; }
@keyframes flash { from { background: color-mix(in srgb, var(--accent) 18%, transparent); } to { background: transparent; } }
@media (prefers-reduced-motion: reduce) { #feed li.fresh { animation: none; } }
.arrow { color: var(--muted); }
dialog { border: 1px solid var(--line); border-radius: 10px; background: var(--panel); color: var(--text); max-width: min(480px, 92vw); padding: 18px 20px; }
dialog::backdrop { background: rgb(0 0 0 / 40%); }
dialog h2 { margin: 0 0 8px; font-size: 16px; word-break: break-all; }
dialog label { display: flex; flex-direction: column; gap: 4px; font-weight: 600; margin: 12px 0; }
dialog .buttons { display: flex; justify-content: flex-end; gap: 8px; }
@media (max-width: 700px) {
  header.top, main { padding-left: 12px; padding-right: 12px; }
  /* One card per agent; the cells keep their column name in front (data-label). */
  #agents thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  #agents, #agents tbody, #agents tr, #agents tbody th, #agents td { display: block; }
  #agents tr { border-bottom: 1px solid var(--line); padding: 8px 0; }
  #agents tbody tr:last-child { border-bottom: 0; }
  #agents tbody th, #agents td { border: 0; padding: 3px 0; display: flex; gap: 10px; }
  #agents tbody th { font-size: 15px; flex-direction: column; gap: 0; }
  #agents caption { display: block; }
  #agents td > div { flex: 1; min-width: 0; }
  #agents td[data-label]::before { content: attr(data-label); flex: 0 0 86px; color: var(--muted); font-size: 12px;
    text-transform: uppercase; letter-spacing: .05em; padding-top: 2px; }
  #agents td.actions { text-align: left; }
  #agents td.empty { display: block; }
}
`;
