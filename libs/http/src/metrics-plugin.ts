import type { FastifyPluginAsync } from 'fastify';
import type { MetricsRegistry } from './metrics-registry.ts';
import { shareWithParent } from './share-with-parent.ts';

/** Options of the metrics plugin. */
export interface MetricsPluginOptions {
  readonly registry: MetricsRegistry;
}

/** Name of the request counter, labelled by method, route pattern and status. */
export const HTTP_REQUESTS_METRIC = 'vigil_http_requests_total';
/** Name of the request duration histogram (seconds), labelled like the counter. */
export const HTTP_DURATION_METRIC = 'vigil_http_request_duration_seconds';

/**
 * Counts and times every request by route pattern and status, and serves the registry at `GET /metrics` (Prometheus
 * text, unauthenticated like most scrape targets). Not encapsulated: register it before the service plugins so its
 * hook sees their routes.
 */
export const metricsPlugin: FastifyPluginAsync<MetricsPluginOptions> = shareWithParent(async (app, { registry }) => {
  const requests = registry.counter(HTTP_REQUESTS_METRIC, 'HTTP requests answered, by method, route pattern and status', ['method', 'route', 'status']);
  const durations = registry.histogram(HTTP_DURATION_METRIC, 'Time to answer HTTP requests, by method, route pattern and status', ['method', 'route', 'status']);
  app.addHook('onResponse', async (request, reply) => {
    // The route pattern, never the raw URL: agent ids in paths would make the series unbounded.
    const labels = { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) };
    requests.inc(labels);
    durations.observe(labels, reply.elapsedTime / 1000);
  });
  app.get('/metrics', { schema: { summary: 'Prometheus metrics', tags: ['operations'], security: [] } }, async (_request, reply) => {
    const text = await registry.render();
    void reply.type(registry.contentType);
    return text;
  });
}, 'vigil-metrics');
