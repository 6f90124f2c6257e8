import type { FastifyInstance } from 'fastify';
import { AgentId, RecentMetricsResponse } from '@vigil/contracts';
import { parseInput, queryInt, routeSchema, tenantOf } from '@vigil/http';
import type { ReadModel } from '@vigil/store';
import { z } from 'zod';
import { MAX_PAGE_SIZE } from './request-schemas.ts';
import { summariseRecent } from './recent-metrics.ts';

/** Minutes of `GET /v1/metrics/recent` when `minutes` is absent: the last hour. */
export const DEFAULT_RECENT_MINUTES = 60;
const MINUTE_MS = 60_000;

/** `GET /v1/metrics/recent` query: the agents of one list page (`agent` repeated) and how many minutes back. */
export const RecentMetricsQuery = z.strictObject({
  agent: z
    .union([AgentId, z.array(AgentId)])
    .transform((a) => (Array.isArray(a) ? a : [a]))
    .pipe(z.array(AgentId).min(1).max(MAX_PAGE_SIZE, `at most ${MAX_PAGE_SIZE} agents per request`)),
  minutes: queryInt(1, 1440).optional(),
});

/**
 * Metrics of many agents at once, so a list page (`vigil agents`, the dashboard) costs one extra request rather than
 * one per row. Agents without windows in the range (or of another tenant) are simply absent.
 */
export function registerRecentMetricsRoute(app: FastifyInstance, readModel: ReadModel, now: () => number): void {
  app.get(
    '/v1/metrics/recent',
    {
      config: { role: 'operator' },
      schema: routeSchema({
        summary: 'Recent metrics of several agents',
        description:
          'Per agent (`agent` repeated, up to 500): sample count, success rate, the worst minute p95 latency and cost over the last `minutes` (default 60) minute windows.',
        tags: ['agents'],
        querystring: RecentMetricsQuery,
        response: { 200: RecentMetricsResponse },
      }),
    },
    async (request): Promise<RecentMetricsResponse> => {
      const tenant = tenantOf(request);
      const q = parseInput(RecentMetricsQuery, request.query);
      const minutes = q.minutes ?? DEFAULT_RECENT_MINUTES;
      const to = now();
      const from = Math.floor(to / MINUTE_MS) * MINUTE_MS - (minutes - 1) * MINUTE_MS;
      const items = [];
      for (const agentId of new Set(q.agent)) {
        const points = await readModel.metrics(tenant, agentId, { resolution: '1m', from, limit: minutes });
        if (points.length > 0) items.push(summariseRecent(agentId, points));
      }
      return { from: new Date(from).toISOString(), to: new Date(to).toISOString(), items };
    },
  );
}
