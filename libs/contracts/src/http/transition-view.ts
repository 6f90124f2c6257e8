import { z } from 'zod';
import { AgentStatus, FromStatus, IsoTimestamp } from '../primitives.ts';

/** A status transition as served over HTTP and SSE: the event flattened. */
export const TransitionView = z.object({
  id: z.string(),
  tenant: z.string(),
  agentId: z.string(),
  from: FromStatus,
  to: AgentStatus,
  at: IsoTimestamp,
  detectedAt: IsoTimestamp,
  reason: z.string(),
  lastHeartbeatAt: IsoTimestamp.nullable(),
});
/** Transition view. */
export type TransitionView = z.infer<typeof TransitionView>;
