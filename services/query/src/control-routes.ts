import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AgentKilledEvent, AgentResumedEvent, ThresholdsSetEvent, agentKey } from '@vigil/contracts';
import { AcceptedEventResponse, parseInput, routeSchema, tenantOf, whileLogAvailable, type Counter } from '@vigil/http';
import type { EventLog, ProduceRecord } from '@vigil/log';
import type { ReadModel } from '@vigil/store';
import { killedEvent, resumedEvent, thresholdsSetEvent, toThresholds, type ControlContext } from './control-events.ts';
import { AgentNotFoundError, AgentNotKilledError } from './errors.ts';
import { RecentControls } from './recent-controls.ts';
import { AgentParams, DEFAULT_ACTOR, KillBody, ResumeBody, ThresholdsBody } from './request-schemas.ts';

/** What the control routes need. */
export interface ControlRouteDeps {
  readonly log: EventLog;
  readonly readModel: ReadModel;
  readonly agentEventsTopic: string;
  readonly now: () => number;
  readonly newId: () => string;
  readonly retryAfterSeconds: number;
  readonly bodyLimitBytes: number;
  readonly controlEvents?: Counter;
  /** This process's last kill/resume per agent (a fresh one when absent). */
  readonly recentControls?: RecentControls;
}

/**
 * Kill, resume and thresholds: each appends an event to agent-events and answers 202 — never a direct write to state,
 * so the detector (and a replay of the log) sees the operator's action in order with the agent's beats.
 */
export function registerControlRoutes(app: FastifyInstance, deps: ControlRouteDeps): void {
  const { log, readModel, agentEventsTopic: topic } = deps;
  const recent = deps.recentControls ?? new RecentControls();

  const context = (request: FastifyRequest): ControlContext => ({
    tenant: tenantOf(request),
    id: deps.newId(),
    time: new Date(deps.now()).toISOString(),
  });

  const append = async (records: readonly ProduceRecord[], type: string): Promise<void> => {
    await whileLogAvailable(log.append(topic, records), deps.retryAfterSeconds);
    deps.controlEvents?.inc({ type });
  };

  app.post(
    '/v1/agents/:id/kill',
    {
      config: { role: 'operator' },
      bodyLimit: deps.bodyLimitBytes,
      schema: routeSchema({
        summary: 'Kill an agent',
        description: 'The agent becomes `killed` and stays so, whatever its beats say, until resumed; its next heartbeat answer says `killed: true`.',
        tags: ['control'],
        params: AgentParams,
        body: KillBody,
        response: { 202: AcceptedEventResponse },
      }),
    },
    async (request, reply) => {
      const ctx = context(request);
      const { id: agentId } = parseInput(AgentParams, request.params);
      const body = parseInput(KillBody, request.body, { whenMissing: 'request body is required: send {"reason": "why the agent is killed"}' });
      if ((await readModel.getAgent(ctx.tenant, agentId)) === null) throw new AgentNotFoundError(agentId);
      const event = parseInput(AgentKilledEvent, killedEvent(ctx, agentId, { by: body.by ?? DEFAULT_ACTOR, reason: body.reason }));
      await append([{ key: agentKey(ctx.tenant, agentId), value: JSON.stringify(event) }], event.type);
      recent.record(ctx.tenant, agentId, { type: 'kill', at: Date.parse(ctx.time) });
      const answer: AcceptedEventResponse = { accepted: true, agentId, event: event.id };
      return reply.code(202).send(answer);
    },
  );

  app.post(
    '/v1/agents/:id/resume',
    {
      config: { role: 'operator' },
      bodyLimit: deps.bodyLimitBytes,
      schema: routeSchema({
        summary: 'Resume a killed agent',
        description:
          'The agent takes the status its beats justify. 409 if it is not killed, judged in log order: a resume sent right after a kill through the same server is accepted even before the kill has been projected.',
        tags: ['control'],
        params: AgentParams,
        body: ResumeBody,
        response: { 202: AcceptedEventResponse },
      }),
    },
    async (request, reply) => {
      const ctx = context(request);
      const { id: agentId } = parseInput(AgentParams, request.params);
      const body = parseInput(ResumeBody, request.body ?? {});
      const agent = await readModel.getAgent(ctx.tenant, agentId);
      if (agent === null) throw new AgentNotFoundError(agentId);
      const pending = recent.pending(ctx.tenant, agentId, Date.parse(agent.statusSince));
      const killed = pending !== null ? pending.type === 'kill' : agent.killed !== null || agent.status === 'killed';
      if (!killed) throw new AgentNotKilledError(agentId, pending !== null ? 'already resumed' : agent.status);
      const data = { by: body.by ?? DEFAULT_ACTOR, ...(body.reason !== undefined ? { reason: body.reason } : {}) };
      const event = parseInput(AgentResumedEvent, resumedEvent(ctx, agentId, data));
      await append([{ key: agentKey(ctx.tenant, agentId), value: JSON.stringify(event) }], event.type);
      recent.record(ctx.tenant, agentId, { type: 'resume', at: Date.parse(ctx.time) });
      const answer: AcceptedEventResponse = { accepted: true, agentId, event: event.id };
      return reply.code(202).send(answer);
    },
  );

  app.put(
    '/v1/agents/:id/thresholds',
    {
      config: { role: 'operator' },
      bodyLimit: deps.bodyLimitBytes,
      schema: routeSchema({
        summary: "Set or clear an agent's thresholds",
        description: 'Durations such as "90s", "2m", "500ms", "1h", or ms; null clears an override. The agent need not have beaten yet.',
        tags: ['control'],
        params: AgentParams,
        body: ThresholdsBody,
        response: { 202: AcceptedEventResponse },
      }),
    },
    async (request, reply) => {
      const ctx = context(request);
      const { id: agentId } = parseInput(AgentParams, request.params);
      const body = parseInput(ThresholdsBody, request.body, { whenMissing: 'request body is required: send e.g. {"degradedAfter": "90s"}' });
      const event = parseInput(ThresholdsSetEvent, thresholdsSetEvent(ctx, agentId, toThresholds(body)));
      await append([{ key: agentKey(ctx.tenant, agentId), value: JSON.stringify(event) }], event.type);
      const answer: AcceptedEventResponse = { accepted: true, agentId, event: event.id };
      return reply.code(202).send(answer);
    },
  );

  app.put(
    '/v1/thresholds',
    {
      config: { role: 'operator' },
      bodyLimit: deps.bodyLimitBytes,
      schema: routeSchema({
        summary: "Set or clear the tenant's thresholds",
        description: 'Applies to every agent of the tenant without its own override. Same body as the per-agent route.',
        tags: ['control'],
        body: ThresholdsBody,
        response: { 202: AcceptedEventResponse },
      }),
    },
    async (request, reply) => {
      const ctx = context(request);
      const body = parseInput(ThresholdsBody, request.body, { whenMissing: 'request body is required: send e.g. {"degradedAfter": "90s"}' });
      const event = parseInput(ThresholdsSetEvent, thresholdsSetEvent(ctx, undefined, toThresholds(body)));
      // The detector keeps state per partition, so a tenant-wide setting goes to every partition, like a tick; the
      // copies share one id so downstream folds can recognise them as one setting.
      const partitions = await whileLogAvailable(log.partitionCount(topic), deps.retryAfterSeconds);
      const value = JSON.stringify(event);
      await append(Array.from({ length: partitions }, (_, partition) => ({ key: null, value, partition })), event.type);
      const answer: AcceptedEventResponse = { accepted: true, event: event.id };
      return reply.code(202).send(answer);
    },
  );
}
