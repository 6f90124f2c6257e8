import { z } from 'zod';
import { AgentId, IsoTimestamp } from '../primitives.ts';
import { MetricSample, Progress } from '../events/heartbeat.ts';

/** One heartbeat as an agent posts it; the platform fills `receivedAt` and defaults the rest. */
export const HeartbeatInput = z.strictObject({
  agentId: AgentId,
  instanceId: z.string().min(1).max(128).optional(),
  intervalSeconds: z.number().positive().max(86_400).optional(),
  seq: z.number().int().nonnegative().optional(),
  sentAt: IsoTimestamp.optional(),
  metrics: z.array(MetricSample).max(10_000).optional(),
  progress: Progress.optional(),
  host: z.string().max(255).optional(),
  pid: z.number().int().nonnegative().optional(),
  version: z.string().max(64).optional(),
  labels: z.record(z.string().max(64), z.string().max(256)).optional(),
});
/** Heartbeat input. */
export type HeartbeatInput = z.infer<typeof HeartbeatInput>;

/** Most heartbeats in one request. */
export const MAX_HEARTBEATS_PER_REQUEST = 1000;

/** `POST /v1/heartbeats` body: one heartbeat, or `{heartbeats: [...]}`. */
export const HeartbeatRequest = z.union([
  HeartbeatInput,
  z.strictObject({ heartbeats: z.array(HeartbeatInput).min(1).max(MAX_HEARTBEATS_PER_REQUEST) }),
]);
/** Heartbeat request body. */
export type HeartbeatRequest = z.infer<typeof HeartbeatRequest>;

/** `POST /v1/heartbeats` answer: per agent, whether it is killed (the agent should stop taking work). */
export const HeartbeatResponse = z.object({
  accepted: z.number().int().nonnegative(),
  agents: z.array(z.object({ agentId: z.string(), killed: z.boolean(), status: z.string().nullable() })),
});
/** Heartbeat response. */
export type HeartbeatResponse = z.infer<typeof HeartbeatResponse>;
