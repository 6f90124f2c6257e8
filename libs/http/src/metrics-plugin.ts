import type { FastifyPluginAsync } from 'fastify';
import type { MetricsRegistry } from './metrics-registry.ts';
import { shareWithParent } from './share-with-parent.ts';

/** Options of the metrics plugin. */
export interface MetricsPluginOptions {
  readonly registry: MetricsRegistry;
}

/** Name of the request counter, labelled by method, route pattern and status. */
export const HTTP_REQUESTS_METRIC = 'vigil_http_requests_total';

/**
 * Counts every request by route pattern and status, and serves the registry at `GET /metrics` (Prometheus text,
 * unauthenticated like most scrape targets). Not encapsulated: register it before the service plugins so its hook
 * sees their routes.
 */
export const metricsPlugin: FastifyPluginAsync<MetricsPluginOptions> = shareWithParent(async (app, { registry }) => {
  const requests = registry.counter(HTTP_REQUESTS_METRIC, 'HTTP requests answered, by method, route pattern and status', ['method', 'route', 'status']);
  app.addHook('onResponse', async (request, reply) => {
    // The route pattern, never the raw URL: agent ids in paths would make the series unbounded.
    requests.inc({ method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) });
  });
  app.get('/metrics', { schema: { summary: 'Prometheus metrics', tags: ['operations'], security: [] } }, async (_request, reply) => {
    void reply.type('text/plain; version=0.0.4; charset=utf-8');
    return registry.render();
  });
}, 'vigil-metrics');
