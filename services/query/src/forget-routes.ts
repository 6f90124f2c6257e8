import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AgentForgottenEvent, RetentionSetEvent, RetentionView, agentKey } from '@vigil/contracts';
import { AcceptedEventResponse, formatDurationMs, parseInput, routeSchema, tenantOf, whileLogAvailable } from '@vigil/http';
import { forgottenEvent, retentionSetEvent, type ControlContext } from './control-events.ts';
import type { ControlRouteDeps } from './control-routes.ts';
import { AgentNotFoundError } from './errors.ts';
import { AgentParams, DEFAULT_ACTOR, ForgetBody, RetentionBody } from './request-schemas.ts';

/** What the retention answer needs besides the control routes' dependencies. */
export interface RetentionRouteOptions {
  /** The detector's platform default (`vigil up --forget-after`, `VIGIL_FORGET_AFTER`). */
  readonly platformForgetAfterMs: number;
}

/**
 * Forgetting (`DELETE /v1/agents/:id`) and the tenant's retention (`PUT`, `GET /v1/retention`). Like kill and resume,
 * each write appends an event to agent-events and answers 202: the detector drops the agent (or re-plans its
 * retention) in order with the agent's beats, and its `agent-forgotten` fact is what removes the agent from the read
 * model and deletes its event-store stream, so a replay of the log forgets exactly the same agents. The retention is
 * read back from the read model, which folds the same `retention-set` events the detector applies.
 */
export function registerForgetRoutes(app: FastifyInstance, deps: ControlRouteDeps, options: RetentionRouteOptions): void {
  const { log, readModel, agentEventsTopic: topic } = deps;
  const context = (request: FastifyRequest): ControlContext => ({ tenant: tenantOf(request), id: deps.newId(), time: new Date(deps.now()).toISOString() });

  app.delete(
    '/v1/agents/:id',
    {
      config: { role: 'operator' },
      bodyLimit: deps.bodyLimitBytes,
      schema: routeSchema({
        summary: 'Forget an agent',
        description:
          'Removes the agent from the fleet: its status, transitions, metrics and event-store history are deleted and it makes no further transitions. If it beats again it comes back as a new agent (`unknown → healthy`). Optional body `{"reason", "by"}`. 404 if the tenant has no such agent.',
        tags: ['control'],
        params: AgentParams,
        body: ForgetBody.optional(),
        response: { 202: AcceptedEventResponse },
      }),
    },
    async (request, reply) => {
      const ctx = context(request);
      const { id: agentId } = parseInput(AgentParams, request.params);
      const body = parseInput(ForgetBody, request.body ?? {});
      if ((await readModel.getAgent(ctx.tenant, agentId)) === null) throw new AgentNotFoundError(agentId);
      const event = parseInput(AgentForgottenEvent, forgottenEvent(ctx, agentId, { by: body.by ?? DEFAULT_ACTOR, reason: body.reason ?? '' }));
      await whileLogAvailable(log.append(topic, [{ key: agentKey(ctx.tenant, agentId), value: JSON.stringify(event) }]), deps.retryAfterSeconds);
      deps.controlEvents?.inc({ type: event.type });
      const answer: AcceptedEventResponse = { accepted: true, agentId, event: event.id };
      return reply.code(202).send(answer);
    },
  );

  app.put(
    '/v1/retention',
    {
      config: { role: 'operator' },
      bodyLimit: deps.bodyLimitBytes,
      schema: routeSchema({
        summary: "Set the tenant's retention",
        description:
          'Agents `stopped` or `unreachable` for at least `forgetAfter` (e.g. "7d", "36h"; at least 1s) are forgotten by the platform, each as an `agent-forgotten` event. null restores the default (7 days).',
        tags: ['control'],
        body: RetentionBody,
        response: { 202: AcceptedEventResponse },
      }),
    },
    async (request, reply) => {
      const ctx = context(request);
      const body = parseInput(RetentionBody, request.body, { whenMissing: 'request body is required: send e.g. {"forgetAfter": "7d"}' });
      const event = parseInput(RetentionSetEvent, retentionSetEvent(ctx, body.forgetAfter));
      // Each partition's detector forgets its own agents, so the setting goes to every partition, like a tick.
      const partitions = await whileLogAvailable(log.partitionCount(topic), deps.retryAfterSeconds);
      const value = JSON.stringify(event);
      await whileLogAvailable(
        log.append(
          topic,
          Array.from({ length: partitions }, (_, partition) => ({ key: null, value, partition })),
        ),
        deps.retryAfterSeconds,
      );
      deps.controlEvents?.inc({ type: event.type });
      const answer: AcceptedEventResponse = { accepted: true, event: event.id };
      return reply.code(202).send(answer);
    },
  );

  app.get(
    '/v1/retention',
    {
      config: { role: 'operator' },
      schema: routeSchema({
        summary: "The tenant's retention",
        description:
          'How long an agent may stay `stopped` or `unreachable` before the platform forgets it: the tenant\'s own setting (`source: "tenant"`, from `PUT /v1/retention`) or else the platform default (`source: "platform"`). A setting just made shows here once the platform has folded it, as the detector applies it: in a second or two.',
        tags: ['control'],
        response: { 200: RetentionView },
      }),
    },
    async (request) => {
      const own = await readModel.tenantRetention(tenantOf(request));
      const forgetAfterMs = own?.forgetAfterMs ?? options.platformForgetAfterMs;
      const answer: RetentionView = { forgetAfter: formatDurationMs(forgetAfterMs), forgetAfterMs, source: own === null ? 'platform' : 'tenant' };
      return answer;
    },
  );
}
