import type { FastifyInstance } from 'fastify';
import { AgentView, FleetSummary, MetricPoint, TransitionView, pageOf } from '@vigil/contracts';
import { parseInput, routeSchema, tenantOf } from '@vigil/http';
import type { ReadModel } from '@vigil/store';
import { z } from 'zod';
import { AgentNotFoundError } from './errors.ts';
import {
  AgentParams,
  DEFAULT_METRIC_POINTS,
  DEFAULT_PAGE_SIZE,
  ListAgentsQuery,
  MetricsQuery,
  PageQuery,
} from './request-schemas.ts';

const AgentPage = pageOf(AgentView);
const TransitionPage = pageOf(TransitionView);
/** Answer of the metrics route. */
const MetricsResponse = z.object({ agentId: z.string(), resolution: z.enum(['1m', '1h']), items: z.array(MetricPoint) });

/** The agent of the caller's tenant, or a 404. */
async function requireAgent(readModel: ReadModel, tenant: string, agentId: string): Promise<AgentView> {
  const agent = await readModel.getAgent(tenant, agentId);
  if (agent === null) throw new AgentNotFoundError(agentId);
  return agent;
}

/** Read endpoints over the read model; every answer is limited to the caller's tenant. */
export function registerReadRoutes(app: FastifyInstance, readModel: ReadModel): void {
  app.get(
    '/v1/agents',
    {
      config: { role: 'operator' },
      schema: routeSchema({
        summary: 'List agents',
        description:
          'Filter by status, deliverable (what a dispatcher asks before sending work), flapping, labels (`label=key:value`, repeatable: all must match) and `q` (a prefix of the agent id or of any label value). ' +
          'Order with `sort`: `id` (default), `severity` (unreachable, stalled, degraded, killed, healthy, stopped; then the oldest status first) or `lastSeen` (newest beat first). ' +
          'Paginate with `cursor` (a cursor continues only the order it came from).',
        tags: ['agents'],
        querystring: ListAgentsQuery,
        response: { 200: AgentPage },
      }),
    },
    async (request) => {
      const { label, ...q } = parseInput(ListAgentsQuery, request.query);
      return readModel.listAgents(tenantOf(request), { ...q, ...(label === undefined ? {} : { labels: label }), limit: q.limit ?? DEFAULT_PAGE_SIZE });
    },
  );

  app.get(
    '/v1/agents/:id',
    { config: { role: 'operator' }, schema: routeSchema({ summary: 'One agent', tags: ['agents'], params: AgentParams, response: { 200: AgentView } }) },
    async (request) => {
      const { id } = parseInput(AgentParams, request.params);
      return requireAgent(readModel, tenantOf(request), id);
    },
  );

  app.get(
    '/v1/agents/:id/transitions',
    {
      config: { role: 'operator' },
      schema: routeSchema({
        summary: "An agent's status transitions, newest first",
        tags: ['agents'],
        params: AgentParams,
        querystring: PageQuery,
        response: { 200: TransitionPage },
      }),
    },
    async (request) => {
      const tenant = tenantOf(request);
      const { id } = parseInput(AgentParams, request.params);
      const q = parseInput(PageQuery, request.query);
      await requireAgent(readModel, tenant, id);
      return readModel.listTransitions(tenant, { agentId: id, limit: q.limit ?? DEFAULT_PAGE_SIZE, cursor: q.cursor });
    },
  );

  app.get(
    '/v1/agents/:id/metrics',
    {
      config: { role: 'operator' },
      schema: routeSchema({
        summary: "An agent's metric windows, oldest first",
        description: '`resolution` 1m (default) or 1h; `from` (inclusive) and `to` (exclusive) as ISO 8601 or epoch ms.',
        tags: ['agents'],
        params: AgentParams,
        querystring: MetricsQuery,
        response: { 200: MetricsResponse },
      }),
    },
    async (request) => {
      const tenant = tenantOf(request);
      const { id } = parseInput(AgentParams, request.params);
      const q = parseInput(MetricsQuery, request.query);
      await requireAgent(readModel, tenant, id);
      const resolution = q.resolution ?? '1m';
      const items = await readModel.metrics(tenant, id, { resolution, from: q.from, to: q.to, limit: q.limit ?? DEFAULT_METRIC_POINTS });
      return { agentId: id, resolution, items };
    },
  );

  app.get(
    '/v1/transitions',
    {
      config: { role: 'operator' },
      schema: routeSchema({
        summary: "The tenant's status transitions, newest first",
        tags: ['transitions'],
        querystring: PageQuery,
        response: { 200: TransitionPage },
      }),
    },
    async (request) => {
      const q = parseInput(PageQuery, request.query);
      return readModel.listTransitions(tenantOf(request), { limit: q.limit ?? DEFAULT_PAGE_SIZE, cursor: q.cursor });
    },
  );

  app.get(
    '/v1/fleet/summary',
    { config: { role: 'operator' }, schema: routeSchema({ summary: 'Agents per status', tags: ['fleet'], response: { 200: FleetSummary } }) },
    async (request) => readModel.fleetSummary(tenantOf(request)),
  );
}
