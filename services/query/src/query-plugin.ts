import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { DEFAULT_DETECTOR_CONFIG } from '@vigil/core';
import { apiScope, intervalScheduler, registerKeyRoutes, registerWhoAmIRoute, type MetricsRegistry } from '@vigil/http';
import type { ReadModel } from '@vigil/store';
import type { QueryConfig } from './config.ts';
import { registerControlRoutes, type ControlRouteDeps } from './control-routes.ts';
import { registerDashboard } from './dashboard/dashboard-plugin.ts';
import type { QueryDeps } from './deps.ts';
import { registerForgetRoutes } from './forget-routes.ts';
import { registerHistoryRoutes } from './history-routes.ts';
import { registerReadRoutes } from './read-routes.ts';
import { registerRecentMetricsRoute } from './recent-metrics-routes.ts';
import { registerTransitionStream } from './transition-stream.ts';
import { registerWebhookRoutes } from './webhook-routes.ts';

/** Options of the query plugin. */
export interface QueryPluginOptions {
  readonly deps: QueryDeps;
  readonly config: QueryConfig;
}

/**
 * Adds every `/v1` query and control route to a context that is already an API scope (see `apiScope`). Prefer
 * `queryPlugin`, which makes its own scope.
 */
export function registerQueryRoutes(app: FastifyInstance, deps: QueryDeps, config: QueryConfig): void {
  registerReadRoutes(app, deps.readModel);
  registerRecentMetricsRoute(app, deps.readModel, deps.now ?? Date.now);
  registerWhoAmIRoute(app);
  if (deps.keys) registerKeyRoutes(app, deps.keys);
  const control: ControlRouteDeps = {
    log: deps.log,
    readModel: deps.readModel,
    agentEventsTopic: deps.topics.agentEvents,
    now: deps.now ?? Date.now,
    newId: deps.newId ?? randomUUID,
    retryAfterSeconds: config.retryAfterSeconds,
    bodyLimitBytes: config.bodyLimitBytes,
    ...(deps.metrics
      ? { controlEvents: deps.metrics.counter('vigil_control_events_total', 'Operator events appended (kill, resume, thresholds), by type', ['type']) }
      : {}),
  };
  registerControlRoutes(app, control);
  registerForgetRoutes(app, control, { platformForgetAfterMs: deps.platformForgetAfterMs ?? DEFAULT_DETECTOR_CONFIG.forgetAfterMs });
  registerHistoryRoutes(app, { readModel: deps.readModel, ...(deps.store ? { store: deps.store } : {}) });
  if (deps.metrics) registerFleetGauge(deps.metrics, deps.readModel);
  registerTransitionStream(app, {
    readModel: deps.readModel,
    scheduler: deps.scheduler ?? intervalScheduler,
    pollIntervalMs: config.ssePollIntervalMs,
    keepaliveMs: config.sseKeepaliveMs,
    maxClients: config.sseMaxClients,
    retryAfterSeconds: config.retryAfterSeconds,
    ...(deps.metrics ? { clients: deps.metrics.gauge('vigil_sse_clients', 'Open transition streams') } : {}),
  });
  if (deps.webhooks) {
    registerWebhookRoutes(app, { store: deps.webhooks, allowPrivate: deps.allowPrivateWebhooks ?? false, now: deps.now ?? Date.now, bodyLimitBytes: config.bodyLimitBytes });
  }
}

/** `vigil_agents{status}`: agents per status over every tenant, read from the kept counts at scrape time. */
function registerFleetGauge(metrics: MetricsRegistry, readModel: ReadModel): void {
  const gauge = metrics.gauge('vigil_agents', 'Agents per status, all tenants together', ['status']);
  metrics.onCollect(async () => {
    for (const [status, n] of Object.entries(await readModel.fleetTotals())) gauge.set({ status }, n);
  });
}

/**
 * The query and control routes as an encapsulated fastify plugin with its own bearer auth and JSON errors, plus the
 * dashboard page; the embedded runner registers it next to the ingest plugin on one app.
 */
export const queryPlugin: FastifyPluginAsync<QueryPluginOptions> = async (app, { deps, config }) => {
  // The page holds no data, so it sits beside the API scope rather than behind its bearer auth.
  registerDashboard(app);
  await app.register(async (api) => {
    apiScope(api, deps.apiKeys, { writeRateLimit: config.controlRateLimitPerSecond, ...(deps.now ? { now: deps.now } : {}) });
    registerQueryRoutes(api, deps, config);
  });
};
