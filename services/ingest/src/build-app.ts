import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { MetricsRegistry, healthPlugin, loadSheddingPlugin, metricsPlugin, openApiPlugin, vigilErrorHandler, vigilNotFoundHandler, type Scheduler } from '@vigil/http';
import { DEFAULT_INGEST_CONFIG, type IngestConfig } from './config.ts';
import type { IngestDeps } from './deps.ts';
import { ingestPlugin } from './ingest-plugin.ts';
import { TickWriter } from './tick-writer.ts';

/** Dependencies of the standalone ingest app: the plugin's, plus the tick writer's timers. */
export interface IngestAppDeps extends IngestDeps {
  /** Timers of the tick writer; default `setInterval`. */
  readonly scheduler?: Scheduler;
}

/**
 * The standalone ingest service (distributed mode): heartbeat and goodbye routes, `/healthz`, `/readyz` (the log),
 * `/metrics`, `/openapi.json`, and the tick writer, started when the app is ready and stopped on close. Does not
 * listen; the caller does (`app.listen`) or injects requests (`app.inject`). The log's topics must already exist.
 */
export function buildIngestApp(deps: IngestAppDeps, config: IngestConfig = DEFAULT_INGEST_CONFIG): FastifyInstance {
  // Widened to fastify's logger interface so the instance has the plain FastifyInstance type plugins expect.
  const loggerInstance: FastifyBaseLogger = deps.logger;
  const app = Fastify({ loggerInstance });
  const metrics = deps.metrics ?? new MetricsRegistry({ processMetrics: true });
  app.setErrorHandler(vigilErrorHandler);
  app.setNotFoundHandler(vigilNotFoundHandler);
  void app.register(openApiPlugin, { title: 'Vigil ingest', version: '1' });
  void app.register(metricsPlugin, { registry: metrics });
  void app.register(loadSheddingPlugin, { maxEventLoopDelayMs: config.maxEventLoopDelayMs, retryAfterSeconds: config.retryAfterSeconds });
  void app.register(healthPlugin, { checks: [{ name: 'log', isReady: () => deps.log.isReady() }] });
  void app.register(ingestPlugin, { deps: { ...deps, metrics }, config });
  if (config.ticksEnabled) {
    const ticks = new TickWriter({
      log: deps.log,
      topic: deps.topics.agentEvents,
      logger: deps.logger,
      intervalMs: config.tickIntervalMs,
      ...(deps.now ? { now: deps.now } : {}),
      ...(deps.newId ? { newId: deps.newId } : {}),
      ...(deps.scheduler ? { scheduler: deps.scheduler } : {}),
      metrics,
    });
    app.addHook('onReady', async () => ticks.start());
    app.addHook('onClose', async () => ticks.stop());
  }
  return app;
}
