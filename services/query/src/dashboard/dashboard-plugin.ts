import type { FastifyInstance, FastifyReply } from 'fastify';
import type {} from '@fastify/swagger'; // its augmentation of fastify's route schema types `schema.hide`
import { loadDashboardBundle, type DashboardBundle } from './dashboard-bundle.ts';

/** Where the page is served; `vigil dashboard` prints `<url>/dashboard#key=…`. */
export const DASHBOARD_PATH = '/dashboard';
const ASSETS = `${DASHBOARD_PATH}/assets`;

/**
 * The policy of every dashboard answer: scripts and styles from this origin only (no inline code at all), calls to
 * this origin only, no frames, no forms posting elsewhere.
 */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Options of `registerDashboard`. */
export interface DashboardOptions {
  /** The built bundle (tests pass one from another directory, or a missing one). */
  readonly bundle?: DashboardBundle;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function shell(bundle: Extract<DashboardBundle, { ok: true }>): string {
  const version = (name: string) => encodeURIComponent(bundle.assets.get(name)?.etag.replaceAll('"', '') ?? '');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Vigil dashboard</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${ASSETS}/dashboard.css?v=${version('dashboard.css')}">
<script type="module" src="${ASSETS}/dashboard.js?v=${version('dashboard.js')}"></script>
</head>
<body>
<noscript>The Vigil dashboard needs JavaScript. The API and the CLI (vigil agents, vigil summary) work without it.</noscript>
</body>
</html>
`;
}

function missingPage(bundle: Extract<DashboardBundle, { ok: false }>): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Vigil dashboard: not built</title></head>
<body>
<h1>The Vigil dashboard is not built</h1>
<p>This server found no dashboard bundle: ${escapeHtml(bundle.reason)}.</p>
<p>Build it with <code>npm run build:dashboard</code> (or <code>npm run build</code>; <code>npm ci</code> runs it too) in the
Vigil repository, then restart the server. The HTTP API and the CLI work without it.</p>
</body>
</html>
`;
}

function secure(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', DASHBOARD_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY');
}

/**
 * The dashboard: `GET /dashboard` (and its client-side routes such as `/dashboard/agents/<id>`) answer the page shell,
 * `GET /dashboard/assets/<file>` the bundle built from `services/query/dashboard/` (held in memory, so every byte comes
 * from this process: no CDN). Not behind bearer auth — nothing here holds data; the page sends the key on each API
 * call. A missing bundle answers 503 with a page saying how to build it. Hidden from the OpenAPI document.
 */
export function registerDashboard(app: FastifyInstance, options: DashboardOptions = {}): void {
  const bundle = options.bundle ?? loadDashboardBundle();
  if (!bundle.ok) app.log.warn({ dir: bundle.dir }, `dashboard not served: ${bundle.reason}; run npm run build:dashboard`);
  const page = bundle.ok ? shell(bundle) : missingPage(bundle);

  const sendPage = async (_request: unknown, reply: FastifyReply) =>
    secure(reply)
      .code(bundle.ok ? 200 : 503)
      .header('content-type', 'text/html; charset=utf-8')
      // Revalidate on every load, so an upgraded server never runs yesterday's script against today's API.
      .header('cache-control', 'no-cache')
      .send(page);

  app.get(DASHBOARD_PATH, { schema: { hide: true } }, sendPage);
  app.get(`${DASHBOARD_PATH}/`, { schema: { hide: true } }, sendPage);
  app.get(`${DASHBOARD_PATH}/agents/:id`, { schema: { hide: true } }, sendPage);
  app.get<{ Params: { file: string } }>(`${ASSETS}/:file`, { schema: { hide: true } }, async (request, reply) => {
    const asset = bundle.ok ? bundle.assets.get(request.params.file) : undefined;
    if (asset === undefined) {
      return secure(reply).code(404).send({ error: { code: 'VIGIL_ERR_ROUTE_NOT_FOUND', message: `no dashboard asset ${request.params.file}` } });
    }
    secure(reply).header('etag', asset.etag).header('cache-control', 'no-cache').header('content-type', asset.contentType);
    if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
    return reply.send(asset.body);
  });
}
