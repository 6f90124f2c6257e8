import type { FastifyPluginAsync } from 'fastify';
import { NotReadyError } from './errors.ts';

/** One thing `/readyz` asks (the log, a store…); a check that throws counts as not ready. */
export interface ReadinessCheck {
  readonly name: string;
  isReady(): Promise<boolean>;
}

/** Options of the health plugin. */
export interface HealthPluginOptions {
  readonly checks: readonly ReadinessCheck[];
}

/**
 * `GET /healthz` (the process is up: always 200) and `GET /readyz` (200 when every check passes, else 503 naming the
 * failing ones). Unauthenticated: orchestrators probe without keys. Register once per app.
 */
export const healthPlugin: FastifyPluginAsync<HealthPluginOptions> = async (app, { checks }) => {
  app.get('/healthz', { schema: { summary: 'Liveness', tags: ['operations'], security: [] } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { summary: 'Readiness', tags: ['operations'], security: [] } }, async (request) => {
    const results = await Promise.all(
      checks.map(async (check) => {
        try {
          return [check.name, await check.isReady()] as const;
        } catch (err) {
          request.log.warn({ err, check: check.name }, 'readiness check failed');
          return [check.name, false] as const;
        }
      }),
    );
    const failed = results.filter(([, ok]) => !ok).map(([name]) => name);
    if (failed.length > 0) throw new NotReadyError(failed);
    return { status: 'ready', checks: Object.fromEntries(results) };
  });
};
