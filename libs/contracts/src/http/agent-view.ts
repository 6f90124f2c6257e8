import { z } from 'zod';
import { AgentStatus, IsoTimestamp } from '../primitives.ts';
import { EventLoopDelay, Progress } from '../events/heartbeat.ts';

/** Effective thresholds of an agent, in ms, with where each came from. */
export const EffectiveThresholds = z.object({
  degradedAfterMs: z.number().int().positive(),
  unreachableAfterMs: z.number().int().positive(),
  stalledAfterMs: z.number().int().positive(),
});
/** Effective thresholds. */
export type EffectiveThresholds = z.infer<typeof EffectiveThresholds>;

/** An agent as the query service serves it (`GET /v1/agents/:id`, items of `GET /v1/agents`). */
export const AgentView = z.object({
  tenant: z.string(),
  agentId: z.string(),
  status: AgentStatus,
  statusSince: IsoTimestamp,
  /** True only while healthy or degraded: a dispatcher sends work only to deliverable agents. */
  deliverable: z.boolean(),
  lastHeartbeatAt: IsoTimestamp.nullable(),
  registeredAt: IsoTimestamp,
  instanceId: z.string().nullable(),
  intervalSeconds: z.number().positive(),
  restarts: z.number().int().nonnegative(),
  flapping: z.boolean(),
  progress: Progress.nullable(),
  host: z.string().nullable(),
  version: z.string().nullable(),
  labels: z.record(z.string(), z.string()),
  killed: z.object({ by: z.string(), reason: z.string(), at: IsoTimestamp }).nullable(),
  lastReason: z.string(),
  /** Event-loop delay the agent's last beat reported (Node SDK), null when none did; absent from older servers. */
  eventLoopDelayMs: EventLoopDelay.nullable().optional(),
});
/** Agent view. */
export type AgentView = z.infer<typeof AgentView>;

/** Whether a status lets a dispatcher send work. */
export function isDeliverable(status: AgentStatus): boolean {
  return status === 'healthy' || status === 'degraded';
}
