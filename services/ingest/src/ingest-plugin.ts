import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import { AgentId, AgentStoppedEvent, CONTRACT_VERSION, HeartbeatRequest, HeartbeatResponse, agentKey } from '@vigil/contracts';
import { AcceptedEventResponse, apiScope, parseInput, routeSchema, tenantOf, whileLogAvailable } from '@vigil/http';
import type { ReadModel } from '@vigil/store';
import { z } from 'zod';
import type { IngestConfig } from './config.ts';
import type { AgentStatusLookup, IngestDeps } from './deps.ts';
import { JsonBodyText, heartbeatEventsOf } from './heartbeat-body.ts';
import { LocalHeartbeatIntake, appendHeartbeats, type HeartbeatIntake } from './heartbeat-intake.ts';

/** Options of the ingest plugin. */
export interface IngestPluginOptions {
  readonly deps: IngestDeps;
  readonly config: IngestConfig;
}

/** Name of the counter of accepted heartbeats (no tenant label: `/metrics` is unauthenticated, tenant names are not public). */
export const HEARTBEATS_ACCEPTED_METRIC = 'vigil_heartbeats_accepted_total';

const AgentParams = z.strictObject({ id: AgentId });
const GoodbyeBody = AgentStoppedEvent.shape.data;

/** Whether each agent is killed, from the read model. A read-model failure must not lose beats already on the log. */
async function agentStatuses(
  lookup: AgentStatusLookup | null,
  readModel: ReadModel,
  tenant: string,
  agentIds: readonly string[],
  request: FastifyRequest,
): Promise<HeartbeatResponse['agents']> {
  if (lookup !== null) {
    try {
      // One lookup for the whole request, no views built: a killed agent's status is `killed`.
      const statuses = await lookup.agentStatuses(tenant, agentIds);
      return agentIds.map((agentId) => {
        const status = statuses.get(agentId) ?? null;
        return { agentId, killed: status === 'killed', status };
      });
    } catch (err) {
      request.log.warn({ err }, 'read model unavailable; answering heartbeat without status');
      return agentIds.map((agentId) => ({ agentId, killed: false, status: null }));
    }
  }
  return Promise.all(
    agentIds.map(async (agentId) => {
      try {
        const view = await readModel.getAgent(tenant, agentId);
        return { agentId, killed: view !== null && (view.killed !== null || view.status === 'killed'), status: view?.status ?? null };
      } catch (err) {
        request.log.warn({ err, agentId }, 'read model unavailable; answering heartbeat without status');
        return { agentId, killed: false, status: null };
      }
    }),
  );
}

/**
 * Adds `POST /v1/heartbeats` and `POST /v1/agents/:id/goodbye` to a context that is already an API scope (see
 * `apiScope`). Prefer `ingestPlugin`, which makes its own scope.
 */
export function registerIngestRoutes(app: FastifyInstance, deps: IngestDeps, config: IngestConfig): void {
  const now = deps.now ?? Date.now;
  const newId = deps.newId ?? randomUUID;
  const { log, readModel, topics } = deps;
  const batchLookup = readModel.agentStatuses?.bind(readModel);
  const lookup: AgentStatusLookup | null = deps.statuses ?? (batchLookup === undefined ? null : { agentStatuses: batchLookup });
  const accepted = deps.metrics?.counter(HEARTBEATS_ACCEPTED_METRIC, 'Heartbeats appended to the log').series();
  const intake: HeartbeatIntake = deps.intake ?? new LocalHeartbeatIntake(log, topics.agentEvents, newId);

  // A context of its own, whose JSON parser hands the body over as text: the intake parses it where it runs.
  app.register(async (beats) => {
    beats.removeContentTypeParser('application/json');
    beats.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, text, done) => done(null, new JsonBodyText(text as string)));
    beats.post(
      '/v1/heartbeats',
      {
        config: { role: 'agent' },
        bodyLimit: config.bodyLimitBytes,
        schema: routeSchema({
          summary: 'Report one heartbeat or a batch',
          description: 'Each beat is appended to the agent-events log with the time it was received; the answer says, per agent, whether it is killed.',
          tags: ['ingest'],
          body: HeartbeatRequest,
          response: { 202: HeartbeatResponse },
        }),
      },
      async (request, reply) => {
        const tenant = tenantOf(request);
        const receivedAt = new Date(now()).toISOString();
        const body = request.body;
        // Not JSON (no body, or text/plain): validated here, where it fails with the error that names what to send.
        const appended =
          body instanceof JsonBodyText
            ? intake.accept(body.text, { tenant, receivedAt })
            : appendHeartbeats(log, topics.agentEvents, heartbeatEventsOf(body, { tenant, receivedAt, newId }));
        const result = await whileLogAvailable(appended, config.retryAfterSeconds);
        accepted?.inc(result.accepted);
        const response: HeartbeatResponse = { accepted: result.accepted, agents: await agentStatuses(lookup, readModel, tenant, result.agentIds, request) };
        return reply.code(202).send(response);
      },
    );
  });

  app.post(
    '/v1/agents/:id/goodbye',
    {
      config: { role: 'agent' },
      schema: routeSchema({
        summary: 'Say goodbye (graceful shutdown)',
        description: 'The agent becomes `stopped`: not a failure, never alerts; its next beat makes it healthy again.',
        tags: ['ingest'],
        params: AgentParams,
        body: GoodbyeBody,
        response: { 202: AcceptedEventResponse },
      }),
    },
    async (request, reply) => {
      const tenant = tenantOf(request);
      const { id: agentId } = parseInput(AgentParams, request.params);
      const data = parseInput(GoodbyeBody, request.body ?? {});
      const event: AgentStoppedEvent = parseInput(AgentStoppedEvent, {
        type: 'agent-stopped',
        version: CONTRACT_VERSION,
        id: newId(),
        time: new Date(now()).toISOString(),
        tenant,
        agentId,
        data,
      });
      await whileLogAvailable(
        log.append(topics.agentEvents, [{ key: agentKey(tenant, agentId), value: JSON.stringify(event) }]),
        config.retryAfterSeconds,
      );
      const body: AcceptedEventResponse = { accepted: true, agentId, event: event.id };
      return reply.code(202).send(body);
    },
  );
}

/**
 * The ingest routes as an encapsulated fastify plugin with its own bearer auth and JSON errors; the embedded runner
 * registers it next to the query plugin on one app.
 */
export const ingestPlugin: FastifyPluginAsync<IngestPluginOptions> = async (app, { deps, config }) => {
  apiScope(app, deps.apiKeys, { writeRateLimit: config.rateLimitPerSecond, ...(deps.now ? { now: deps.now } : {}) });
  registerIngestRoutes(app, deps, config);
};
