import { createHash } from 'node:crypto';
import { DASHBOARD_SCRIPT } from './dashboard-script.ts';
import { DASHBOARD_CSS } from './dashboard-styles.ts';
import { SSE_PARSER_SCRIPT } from './sse-parser-script.ts';

/** The dashboard as served: the page and the Content-Security-Policy that lets exactly its inline parts run. */
export interface DashboardPage {
  readonly html: string;
  readonly contentSecurityPolicy: string;
}

const STATUSES = ['healthy', 'degraded', 'unreachable', 'stalled', 'killed', 'stopped'] as const;

/** `'sha256-…'` source of an inline block, as CSP hashes it (the exact text between the tags, UTF-8). */
function cspHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/** Inline code must not be able to close its own element early; the scripts are constants, so this is a build guard. */
function inlineSafe(text: string, tag: 'script' | 'style'): string {
  if (text.toLowerCase().includes(`</${tag}`)) throw new Error(`the dashboard's inline ${tag} contains "</${tag}"`);
  return text;
}

const BODY = `
<header class="top">
  <h1>Vigil <span>dashboard</span></h1>
  <span id="conn" class="conn" role="status" data-state="offline">Not connected</span>
  <span class="spacer"></span>
  <span id="updated" class="hint" aria-live="off"></span>
  <button type="button" id="change-key" hidden>Change key</button>
</header>
<main>
  <section id="key-panel" class="panel" aria-labelledby="key-title" hidden>
    <h2 id="key-title">Connect to Vigil</h2>
    <form id="key-form" autocomplete="off" novalidate>
      <label for="key-input">API key
        <input id="key-input" name="key" type="password" spellcheck="false" autocomplete="off" required>
      </label>
      <button type="submit" class="primary">Connect</button>
    </form>
    <p id="key-error" class="error" role="alert"></p>
    <p class="hint">One key per tenant. <code>vigil up</code> prints it (and keeps a generated one in
      <code>&lt;data&gt;/api-key</code>). The key stays in this browser's local storage until you change it.</p>
  </section>
  <div id="app" hidden>
    <p id="notice" class="notice" role="status"></p>
    <section aria-labelledby="fleet-title">
      <h2 id="fleet-title" class="visually-hidden">Fleet</h2>
      <ul id="summary" class="summary"></ul>
    </section>
    <div class="layout">
      <section class="panel" aria-labelledby="agents-title">
        <div class="toolbar">
          <h2 id="agents-title">Agents</h2>
          <span class="spacer"></span>
          <label for="filter">Status
            <select id="filter">
              <option value="">all</option>
              ${STATUSES.map((s) => `<option value="${s}">${s}</option>`).join('')}
            </select>
          </label>
        </div>
        <table id="agents">
          <caption id="agents-caption">Agents</caption>
          <thead>
            <tr><th scope="col">Agent</th><th scope="col">Status</th><th scope="col">Since</th><th scope="col">Last beat</th><th scope="col">Flags</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr>
          </thead>
          <tbody id="agent-rows"></tbody>
        </table>
      </section>
      <section class="panel" aria-labelledby="feed-title">
        <h2 id="feed-title">Live transitions</h2>
        <p id="feed-empty" class="hint">No transitions yet.</p>
        <ol id="feed" aria-live="polite" aria-relevant="additions"></ol>
      </section>
    </div>
  </div>
  <dialog id="kill-dialog" aria-labelledby="kill-title">
    <form id="kill-form" novalidate>
      <h2 id="kill-title">Kill <span id="kill-agent"></span></h2>
      <p class="hint">It stays killed, whatever its heartbeats say, until resumed; its next heartbeat is told to stop.</p>
      <label for="kill-reason">Reason
        <input id="kill-reason" type="text" maxlength="1024" required autocomplete="off">
      </label>
      <p id="kill-error" class="error" role="alert"></p>
      <div class="buttons">
        <button type="button" id="kill-cancel">Cancel</button>
        <button type="submit" id="kill-submit" class="danger solid">Kill agent</button>
      </div>
    </form>
  </dialog>
</main>`;

/**
 * Builds the page once: one HTML document with its stylesheet and script inline (the machine it runs on may have no
 * internet, and there is no build step). The CSP names the two inline blocks by hash rather than allowing any inline
 * code, so markup that slipped into the DOM could still not run; fetches may go to this origin only.
 */
export function buildDashboardPage(): DashboardPage {
  const style = inlineSafe(DASHBOARD_CSS, 'style');
  const script = inlineSafe(`${SSE_PARSER_SCRIPT}\n${DASHBOARD_SCRIPT}`, 'script');
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Vigil dashboard</title>
<link rel="icon" href="data:,">
<style>${style}</style>
</head>
<body>${BODY}
<script>${script}</script>
</body>
</html>
`;
  const contentSecurityPolicy = [
    "default-src 'self'",
    `script-src 'self' ${cspHash(script)}`,
    `style-src 'self' ${cspHash(style)}`,
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return { html, contentSecurityPolicy };
}
