import type { FastifyInstance } from 'fastify';
import type {} from '@fastify/swagger'; // its augmentation of fastify's route schema types `schema.hide`
import { buildDashboardPage, type DashboardPage } from './dashboard-page.ts';

/** Where the page is served; `vigil dashboard` prints `<url>/dashboard`. */
export const DASHBOARD_PATH = '/dashboard';

let page: DashboardPage | null = null;

/**
 * `GET /dashboard`: the live dashboard page. Not behind bearer auth — the page holds no data; its script asks for the
 * API key and sends it on every call. Register it outside an `apiScope`. Hidden from the OpenAPI document.
 */
export function registerDashboard(app: FastifyInstance): void {
  page ??= buildDashboardPage();
  const { html, contentSecurityPolicy } = page;
  app.get(DASHBOARD_PATH, { schema: { hide: true } }, async (_request, reply) =>
    reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('content-security-policy', contentSecurityPolicy)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('x-frame-options', 'DENY')
      // Revalidate on every load, so an upgraded server never runs yesterday's script against today's API.
      .header('cache-control', 'no-cache')
      .send(html),
  );
}
