import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { MetricsRegistry, healthPlugin, loadSheddingPlugin, metricsPlugin, openApiPlugin, vigilErrorHandler, vigilNotFoundHandler } from '@vigil/http';
import { DEFAULT_QUERY_CONFIG, type QueryConfig } from './config.ts';
import type { QueryDeps } from './deps.ts';
import { queryPlugin } from './query-plugin.ts';

/**
 * The standalone query service (distributed mode): the `/v1` read, control and stream routes, the `/dashboard` page,
 * `/healthz`, `/readyz` (the log), `/metrics` and `/openapi.json`. Does not listen; the caller does (`app.listen`) or
 * injects requests.
 */
export function buildQueryApp(deps: QueryDeps, config: QueryConfig = DEFAULT_QUERY_CONFIG): FastifyInstance {
  // Widened to fastify's logger interface so the instance has the plain FastifyInstance type plugins expect.
  const loggerInstance: FastifyBaseLogger = deps.logger;
  const app = Fastify({ loggerInstance });
  const metrics = deps.metrics ?? new MetricsRegistry({ processMetrics: true });
  app.setErrorHandler(vigilErrorHandler);
  app.setNotFoundHandler(vigilNotFoundHandler);
  void app.register(openApiPlugin, { title: 'Vigil query', version: '1' });
  void app.register(metricsPlugin, { registry: metrics });
  void app.register(loadSheddingPlugin, { maxEventLoopDelayMs: config.maxEventLoopDelayMs, retryAfterSeconds: config.retryAfterSeconds });
  void app.register(healthPlugin, { checks: [{ name: 'log', isReady: () => deps.log.isReady() }] });
  void app.register(queryPlugin, { deps: { ...deps, metrics }, config });
  return app;
}
