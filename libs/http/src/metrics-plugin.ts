import type { FastifyPluginAsync } from 'fastify';
import type { CounterSeries, HistogramSeries, MetricsRegistry } from './metrics-registry.ts';
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
  // Bound once per method, route and status: per request, a string key and a map lookup, not a hash of label objects.
  const series = new Map<string, { readonly count: CounterSeries; readonly duration: HistogramSeries }>();
  app.addHook('onResponse', (request, reply, done) => {
    // The route pattern, never the raw URL: agent ids in paths would make the series unbounded.
    const route = request.routeOptions.url ?? 'unmatched';
    const key = `${request.method} ${reply.statusCode} ${route}`;
    let s = series.get(key);
    if (s === undefined) {
      const labels = { method: request.method, route, status: String(reply.statusCode) };
      series.set(key, (s = { count: requests.series(labels), duration: durations.series(labels) }));
    }
    s.count.inc();
    s.duration.observe(reply.elapsedTime / 1000);
    done();
  });
  app.get('/metrics', { schema: { summary: 'Prometheus metrics', tags: ['operations'], security: [] } }, async (_request, reply) => {
    const text = await registry.render();
    void reply.type(registry.contentType);
    return text;
  });
}, 'vigil-metrics');
