import {
  CONTRACT_VERSION,
  type AgentForgottenEvent,
  type AgentKilledEvent,
  type AgentResumedEvent,
  type RetentionSetEvent,
  type Thresholds,
  type ThresholdsSetEvent,
} from '@vigil/contracts';
import type { ThresholdsBody } from './request-schemas.ts';

/** Envelope fields every control event gets: who (tenant), when (the injected clock), which (a fresh id). */
export interface ControlContext {
  readonly tenant: string;
  readonly id: string;
  /** ISO time of the request. */
  readonly time: string;
}

/** The `agent-killed` event of a kill request. */
export function killedEvent(ctx: ControlContext, agentId: string, data: AgentKilledEvent['data']): AgentKilledEvent {
  return { type: 'agent-killed', version: CONTRACT_VERSION, id: ctx.id, time: ctx.time, tenant: ctx.tenant, agentId, data };
}

/** The `agent-resumed` event of a resume request. */
export function resumedEvent(ctx: ControlContext, agentId: string, data: AgentResumedEvent['data']): AgentResumedEvent {
  return { type: 'agent-resumed', version: CONTRACT_VERSION, id: ctx.id, time: ctx.time, tenant: ctx.tenant, agentId, data };
}

/** Maps the API's names (`degradedAfter`) to the event's (`degradedAfterMs`), keeping null (clear) and dropping absent. */
export function toThresholds(body: ThresholdsBody): Thresholds {
  return {
    ...(body.degradedAfter !== undefined ? { degradedAfterMs: body.degradedAfter } : {}),
    ...(body.unreachableAfter !== undefined ? { unreachableAfterMs: body.unreachableAfter } : {}),
    ...(body.stalledAfter !== undefined ? { stalledAfterMs: body.stalledAfter } : {}),
  };
}

/** The `thresholds-set` event, for one agent or (agentId undefined) the whole tenant. */
export function thresholdsSetEvent(ctx: ControlContext, agentId: string | undefined, data: Thresholds): ThresholdsSetEvent {
  return {
    type: 'thresholds-set',
    version: CONTRACT_VERSION,
    id: ctx.id,
    time: ctx.time,
    tenant: ctx.tenant,
    ...(agentId !== undefined ? { agentId } : {}),
    data,
  };
}

/** The `agent-forgotten` request of `DELETE /v1/agents/:id`. */
export function forgottenEvent(ctx: ControlContext, agentId: string, data: AgentForgottenEvent['data']): AgentForgottenEvent {
  return { type: 'agent-forgotten', version: CONTRACT_VERSION, id: ctx.id, time: ctx.time, tenant: ctx.tenant, agentId, data };
}

/** The `retention-set` event of `PUT /v1/retention` (null: the platform default). */
export function retentionSetEvent(ctx: ControlContext, forgetAfterMs: number | null): RetentionSetEvent {
  return { type: 'retention-set', version: CONTRACT_VERSION, id: ctx.id, time: ctx.time, tenant: ctx.tenant, data: { forgetAfterMs } };
}
