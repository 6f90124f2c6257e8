import { z } from 'zod';
import { AgentId } from '../primitives.ts';
import { HeartbeatData } from '../events/heartbeat.ts';

/** One heartbeat as an agent posts it: the event's payload minus what the platform sets, every field but the id optional. */
export const HeartbeatInput = HeartbeatData.omit({ receivedAt: true })
  .partial({ instanceId: true, intervalSeconds: true, sentAt: true })
  .extend({ agentId: AgentId });
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
