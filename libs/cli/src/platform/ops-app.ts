import { healthPlugin, metricsPlugin, openApiPlugin, vigilErrorHandler, vigilNotFoundHandler, type MetricsRegistry, type ReadinessCheck } from '@vigil/http';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';

/** What every Vigil HTTP app of the CLI shares. */
export interface OpsAppOptions {
  readonly logger: Logger;
  /** Title of `/openapi.json`. */
  readonly title: string;
  readonly metrics: MetricsRegistry;
  /** What `/readyz` asks; each must answer from a real connection. */
  readonly checks: readonly ReadinessCheck[];
}

/**
 * A fastify app with Vigil's error handlers, `/openapi.json`, `/metrics`, `/healthz` and `/readyz`: the whole HTTP
 * face of the detector and projector services, and the base the embedded platform adds its routes to.
 */
export async function buildOpsApp(options: OpsAppOptions): Promise<FastifyInstance> {
  // Widened to fastify's logger interface so the instance has the plain FastifyInstance type plugins expect.
  const loggerInstance: FastifyBaseLogger = options.logger;
  const app = Fastify({ loggerInstance });
  app.setErrorHandler(vigilErrorHandler);
  app.setNotFoundHandler(vigilNotFoundHandler);
  await app.register(openApiPlugin, { title: options.title, version: '1' });
  await app.register(metricsPlugin, { registry: options.metrics });
  await app.register(healthPlugin, { checks: options.checks });
  return app;
}
