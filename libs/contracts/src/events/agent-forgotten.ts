import { z } from 'zod';
import { AgentEnvelope } from '../envelope.ts';

/**
 * An operator asked the platform to forget the agent (`DELETE /v1/agents/:id`, `vigil forget`). Written to
 * agent-events, keyed like the agent's beats, so the detector sees it in order with them; the detector answers with
 * an `agent-forgotten` fact on status-transitions (`AgentForgottenFactEvent`), which is what the read model and the
 * event store act on.
 */
export const AgentForgottenEvent = AgentEnvelope.extend({
  type: z.literal('agent-forgotten'),
  data: z.strictObject({ by: z.string().min(1).max(128), reason: z.string().max(1024) }),
});
/** Agent forgotten request event. */
export type AgentForgottenEvent = z.infer<typeof AgentForgottenEvent>;
